#!/usr/bin/env bash
# Lockstep's replayer against Temporal's TypeScript SDK (1.24.0) on one and the same history
# file: the counter workflow with N signals (default 10,000), 100 per workflow task, written
# by gen_history.js in the JSON shape of `temporal workflow show --output json`.
#
# Usage: benchmarks/compare/compare.sh [BUILD_DIR]        (make compare runs it)
#   BUILD_DIR                 a release build with lockstep and replay_file_benchmark (build)
#   LOCKSTEP_COMPARE_CACHE    where the npm packages, the bundle and the history go
#                             (~/.cache/lockstep-compare)
#   LOCKSTEP_COMPARE_SIGNALS  N (10000)
#   LOCKSTEP_COMPARE_RUNS     runs per measurement, medians reported (5)
#   LOCKSTEP_COMPARE_BATCH    histories in the batch case (1000)
#   LOCKSTEP_COMPARE_BATCH_ONLY=1  the batch case only: skips the big history (steps 2-5), and
#                             so needs no replay_file_benchmark; for trying the batch case out
#
# Steps: install the pinned npm packages into the cache (once; npm ci from package-lock.json),
# bundle workflows/counter.ts (once), write the history, check that it replays cleanly with
# both, then measure (a) replay only, history already in memory, and (b) the whole process,
# start to exit: `lockstep replay FILE` against `node replay.js file FILE`. Runs of the two
# alternate, so that load from elsewhere on the machine falls on both alike.
# Then the batch case, many small histories from files as a user replays production histories
# before a deploy: LOCKSTEP_COMPARE_BATCH copies of the counter history with 10 signals in one
# workflow task, each its own execution, in one directory; whole process, start to exit:
# `lockstep replay --jobs 2 DIR` and `--jobs 1 DIR` against `node replay.js dir DIR`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
cache=${LOCKSTEP_COMPARE_CACHE:-$HOME/.cache/lockstep-compare}
signals=${LOCKSTEP_COMPARE_SIGNALS:-10000}
runs=${LOCKSTEP_COMPARE_RUNS:-5}
batch=${LOCKSTEP_COMPARE_BATCH:-1000}
batch_only=${LOCKSTEP_COMPARE_BATCH_ONLY:-0}
lockstep=$build/tools/lockstep/lockstep
bench=$build/benchmarks/replay_file_benchmark

die() { echo "compare: $*" >&2; exit 2; }
# The SDK's native bridge needs Node.js 20.3 or newer (Debian 12's own nodejs is 18).
for tool in node npm; do
  command -v "$tool" >/dev/null || die "$tool is needed: Node.js 20.3 or newer with npm"
done
node -e 'const [a, b] = process.versions.node.split(".").map(Number);
         process.exit(a > 20 || (a === 20 && b >= 3) ? 0 : 1)' ||
  die "Node.js $(node --version) is too old: the Temporal TypeScript SDK 1.24 needs 20.3 or newer"
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "LOCKSTEP_COMPARE_RUNS must be a positive integer, not '$runs'"
[[ $batch =~ ^[1-9][0-9]*$ ]] || die "LOCKSTEP_COMPARE_BATCH must be a positive integer, not '$batch'"
[[ $batch_only =~ ^[01]$ ]] || die "LOCKSTEP_COMPARE_BATCH_ONLY must be 0 or 1, not '$batch_only'"
[ -x "$lockstep" ] || die "build $build first: no $lockstep"
[ "$batch_only" = 1 ] || [ -x "$bench" ] || die "build $build first: no $bench"

# 1. The Temporal TypeScript SDK, pinned by package-lock.json, and the workflow bundle.
mkdir -p "$cache"
if [ ! -d "$cache/node_modules" ] || ! cmp -s "$here/package-lock.json" "$cache/package-lock.json"; then
  echo "installing the Temporal TypeScript SDK into $cache"
  cp "$here/package.json" "$here/package-lock.json" "$cache/"
  (cd "$cache" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
cp "$here/bundle.js" "$here/gen_history.js" "$here/gen_batch.js" "$here/replay.js" "$here/report.js" "$cache/"
mkdir -p "$cache/workflows"
# Copied only when changed, so that its time stamp says when the bundle is stale.
cmp -s "$here/workflows/counter.ts" "$cache/workflows/counter.ts" ||
  cp "$here/workflows/counter.ts" "$cache/workflows/"
if [ ! -f "$cache/workflow-bundle.js" ] || [ "$cache/workflows/counter.ts" -nt "$cache/workflow-bundle.js" ]; then
  echo "bundling workflows/counter.ts"
  node "$cache/bundle.js" "$cache/workflow-bundle.js"
fi

out=$cache/results
rm -rf "$out" && mkdir -p "$out"
report_args=("$out")

if [ "$batch_only" != 1 ]; then
  # 2. The history, written anew each time (gen_history.js is deterministic).
  history=$cache/counter-$signals.json
  node "$cache/gen_history.js" "$signals" 100 "$history"

  # 3. Both must replay it cleanly, or the numbers would compare different work.
  if ! "$lockstep" replay --result=fail "$history" >"$out/lockstep-check.txt" 2>&1; then
    cat "$out/lockstep-check.txt" >&2
    die "lockstep replay did not replay $history cleanly"
  fi
  if ! node "$cache/replay.js" file "$history" >"$out/ts-check.txt" 2>&1; then
    cat "$out/ts-check.txt" >&2
    die "the TypeScript SDK did not replay $history cleanly"
  fi
  echo "both replay $history cleanly; measuring ($runs runs each)"

  # 4. Replay only. Lockstep: Google Benchmark repetitions (each many iterations) over the
  #    parsed history; the TypeScript SDK: one replay per process, history parsed beforehand.
  "$bench" --history="$history" --benchmark_repetitions="$runs" \
    --benchmark_report_aggregates_only=true --benchmark_format=json >"$out/lockstep-bench.json"
  for ((i = 0; i < runs; i++)); do
    node "$cache/replay.js" replay-only "$history" >>"$out/ts-replay-only.jsonl"
  done

  # 5. Whole process, start to exit: wall time in seconds (bash's EPOCHREALTIME, read before
  #    the fork and after the wait, so process creation and teardown are included).
  for ((i = 0; i < runs; i++)); do
    t0=$EPOCHREALTIME; "$lockstep" replay "$history" >/dev/null; t1=$EPOCHREALTIME
    echo "lockstep $t0 $t1" >>"$out/whole-process.txt"
    t0=$EPOCHREALTIME; node "$cache/replay.js" file "$history" >/dev/null; t1=$EPOCHREALTIME
    echo "ts $t0 $t1" >>"$out/whole-process.txt"
  done
  report_args+=(--history "$history")
fi

# 6. The batch case. The directory is written anew each time, so that no file of an earlier
#    run with another LOCKSTEP_COMPARE_BATCH is replayed too.
batch_dir=$cache/batch
rm -rf "$batch_dir" && mkdir -p "$batch_dir"
node "$cache/gen_batch.js" "$batch" 10 10 "$batch_dir"
if ! "$lockstep" replay --jobs 2 --result=fail "$batch_dir" >"$out/lockstep-batch-check.txt" 2>&1; then
  tail -n 20 "$out/lockstep-batch-check.txt" >&2
  die "lockstep replay --jobs 2 did not replay the $batch histories of $batch_dir cleanly" \
      "(all of its output: $out/lockstep-batch-check.txt)"
fi
if ! node "$cache/replay.js" dir "$batch_dir" >"$out/ts-batch-check.txt" 2>&1; then
  tail -n 20 "$out/ts-batch-check.txt" >&2
  die "the TypeScript SDK did not replay the $batch histories of $batch_dir cleanly" \
      "(all of its output: $out/ts-batch-check.txt)"
fi
echo "both replay the $batch histories of $batch_dir cleanly; measuring ($runs runs each)"

# Whole process, start to exit, as in step 5; the three alternate. Lockstep's one line per
# history goes to /dev/null as in step 5; the TypeScript process prints one line, kept for its
# own replay_ms.
for ((i = 0; i < runs; i++)); do
  t0=$EPOCHREALTIME; "$lockstep" replay --jobs 2 "$batch_dir" >/dev/null; t1=$EPOCHREALTIME
  echo "lockstep-jobs2 $t0 $t1" >>"$out/batch-process.txt"
  t0=$EPOCHREALTIME; "$lockstep" replay --jobs 1 "$batch_dir" >/dev/null; t1=$EPOCHREALTIME
  echo "lockstep-jobs1 $t0 $t1" >>"$out/batch-process.txt"
  t0=$EPOCHREALTIME; node "$cache/replay.js" dir "$batch_dir" >>"$out/ts-batch.jsonl"; t1=$EPOCHREALTIME
  echo "ts $t0 $t1" >>"$out/batch-process.txt"
done
report_args+=(--batch "$batch_dir")

node "$cache/report.js" "${report_args[@]}"
