#!/usr/bin/env bash
# The main job: the simulator finds the bug planted in each example (examples/buggy/), shows
# what it found and the command that reproduces it, checks that the fixed twins survive the
# same campaign, replays the histories it recorded, and says where the timelines and
# histories were written. Then: Lockstep reading and replaying real Temporal histories.
# usage: scripts/demo.sh LOCKSTEP_BINARY [OUT_DIR]
set -euo pipefail
lockstep=$1
cd "$(dirname "$0")/.."
out=${2:-$(dirname "$lockstep")/../../demo}
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
seeds=${SEEDS:-1000}

echo "\$ lockstep sim --list"
"$lockstep" sim --list
echo
for name in child_signal charge eviction continue_as_new timer_race; do
  echo "\$ lockstep sim --workflow ${name}_buggy --seeds $seeds --jobs 2 --out $out"
  set +e
  "$lockstep" sim --workflow "${name}_buggy" --seeds "$seeds" --jobs 2 --out "$out" 2>/dev/null \
    | grep -v '^coverage: \|^progress:' | cut -c1-300
  rc=${PIPESTATUS[0]}
  set -e
  echo "(exit status $rc: 1 means a failing seed was found)"
  echo
done

echo "The fixed twins, same campaign:"
for name in child_signal charge eviction continue_as_new timer_race; do
  printf '  %-16s ' "$name"
  set +e
  "$lockstep" sim --workflow "$name" --seeds "$seeds" --jobs 2 2>/dev/null | sed -n 's/^summary: //p'
  rc=${PIPESTATUS[0]}
  set -e
  if [[ $rc -ne 0 ]]; then echo "  (exit status $rc)"; fi
done
echo

first=$(ls -d "$out"/child_signal_buggy-seed-* | head -n 1)
echo "\$ lockstep show $first/history-*.json | grep '^workflow'"
"$lockstep" show "$first"/history-*.json | grep '^workflow'
echo
echo "\$ lockstep replay $out/*-seed-*/history-*.binpb   (every history the failing seeds recorded)"
set +e
"$lockstep" replay "$out"/*-seed-*/history-*.binpb | tail -n 6
set -e
echo "(Replayed in a new process these histories are clean: the planted bugs break invariants,"
echo " lose signals or hang, and eviction_buggy diverges only when a worker that has run it"
echo " rebuilds it, which the simulation's replay checker saw as NON_DETERMINISTIC task failures.)"
echo
echo "\$ lockstep sim --workflow order --seeds $seeds --jobs 2"
"$lockstep" sim --workflow order --seeds "$seeds" --jobs 2 2>/dev/null
echo

old_shape=tests/data/temporal/samples-go__helloworld__helloworld.json
new_shape=tests/data/temporal/sdk-java__temporal-sdk__src__test__resources__cancellationScopeDeterminism.json
retries=tests/data/temporal/features__features__activity__retry_on_error__history__history.go.v1.5.0.json
echo "\$ lockstep show $old_shape | head -n 8"
"$lockstep" show "$old_shape" | head -n 8
echo
# Recordings of Temporal's Go and Java SDKs, and of its Rust sdk-core (under the Python,
# TypeScript, .NET and Ruby SDKs), against Lockstep ports of their workflows
# (docs/temporal-corpus.md lists all 55 and which replay).
ported=(tests/data/temporal/sdk-go__internal__testdata__parentWF.json
        tests/data/temporal/sdk-go__test__replaytests__update_complete_and_exit.json
        tests/data/temporal/sdk-go__test__replaytests__workflow2.json
        tests/data/temporal/sdk-go__test__replaytests__local-activity.json
        "$new_shape" "$old_shape" "$retries"
        tests/data/temporal/sdk-core/long_local_activity_with_update-1_history.bin
        tests/data/temporal/sdk-core/old_change_marker_format.bin)
echo "\$ lockstep replay --every-task --jobs 2 (9 histories recorded by Temporal's Go, Java and core SDKs)"
"$lockstep" replay --every-task --jobs 2 "${ported[@]}" | tail -n 1
echo
echo "Failing seeds' reports, histories (binary and JSON) and timelines: $out/<workload>-seed-<S>/"
echo "  open a trace.json in https://ui.perfetto.dev or chrome://tracing, e.g. $first/trace.json"
echo "lockstep binary: $lockstep"
