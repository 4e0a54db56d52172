#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets (fuzz/) in a clang build with AddressSanitizer and
# UndefinedBehaviorSanitizer, then for each target:
#   1. runs every file of its checked-in corpus (fuzz/corpus/TARGET) and every input of a
#      defect found before (fuzz/regressions/TARGET-*) once: each must pass;
#   2. fuzzes for FUZZ_SECONDS, starting from that corpus, with fuzz/history.dict. New corpus
#      entries and crash inputs go to a fresh directory under /tmp, never into fuzz/corpus.
# Prints one summary line per target (exec/s, coverage) and exits 1 if any target crashed,
# leaked, timed out, ran out of memory or reported a sanitizer error, naming the input.
#
#   scripts/fuzz.sh [TARGET...]          (default: every target)
#
# Environment:
#   FUZZ_SECONDS=15      fuzzing time per target
#   FUZZ_DIR=build-fuzz  the build directory
#   FUZZ_OUT=DIR         where new corpus entries and crash inputs go (default: a fresh
#                        /tmp/lockstep-fuzz.XXXXXX, kept after the run)
#   FUZZ_REGRESSIONS=0   skip fuzz/regressions/ (for a tree without the fixes they check)
#   FUZZ_CONFIGURE=0     use FUZZ_DIR as it is configured (it must have LOCKSTEP_FUZZ=ON):
#                        `make fuzz-check` fuzzes in the sanitizer build of `make asan-test`
#   JOBS, WERROR         build parallelism; warnings as errors (default ON)
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(fuzz_json_load fuzz_binary_load fuzz_json_roundtrip fuzz_replay)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")
seconds=${FUZZ_SECONDS:-15}
build=${FUZZ_DIR:-build-fuzz}
jobs=${JOBS:-$(nproc)}
out=${FUZZ_OUT:-$(mktemp -d /tmp/lockstep-fuzz.XXXXXX)}
mkdir -p "$out"

if [[ ${FUZZ_CONFIGURE:-1} == 1 ]]; then
  # Release-like optimization keeps executions per second up; the sanitizers and coverage
  # instrumentation come from LOCKSTEP_SANITIZE and LOCKSTEP_FUZZ.
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLOCKSTEP_WERROR="${WERROR:-ON}" -DLOCKSTEP_FUZZ=ON -DLOCKSTEP_SANITIZE=address,undefined \
    -DLOCKSTEP_BENCHMARKS=OFF -DLOCKSTEP_BUILD_TESTS=OFF -DLOCKSTEP_INSTALL=OFF >/dev/null
elif ! grep -qx 'LOCKSTEP_FUZZ:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "fuzz: FUZZ_CONFIGURE=0 needs $build configured with -DLOCKSTEP_FUZZ=ON" \
    "(make asan-test does)" >&2
  exit 2
fi
cmake --build "$build" -j "$jobs" --target fuzz_all

# A stale dictionary only makes fuzzing less effective, so it is a warning.
if ! "$build/fuzz/make_fuzz_dictionary" | cmp -s - fuzz/history.dict; then
  echo "fuzz: warning: fuzz/history.dict differs from the schema; regenerate it with" \
    "$build/fuzz/make_fuzz_dictionary > fuzz/history.dict" >&2
fi

# The targets write each input to a file (fuzz/fuzz_support.h): in memory, and removed with
# the run even when a target dies before its own cleanup.
scratch=$(mktemp -d /dev/shm/lockstep-fuzz-run.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export TMPDIR=$scratch
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
limits=(-rss_limit_mb=2048 -timeout=10)

# Prints where the failing input is, from a libFuzzer log.
report_failure() {
  local target=$1 log=$2
  echo "fuzz: $target FAILED; log: $log" >&2
  grep -aE '(^==[0-9]+== ?ERROR|^SUMMARY:|runtime error:|check failed:|^ALARM:)' "$log" \
    | tail -n 6 >&2 || true
  grep -aE 'Test unit written to|^Running: ' "$log" | tail -n 1 \
    | sed -E 's/^.*(Test unit written to|Running:) /fuzz: failing input: /' >&2 || true
}

status=0
summaries=()
for target in "${targets[@]}"; do
  bin=$build/fuzz/$target
  corpus=fuzz/corpus/$target
  mkdir -p "$out/$target/corpus"
  log=$out/$target/regression.log

  # 1. The checked-in corpus and the recorded regressions, each file once.
  inputs=("$corpus"/*)
  if [[ ${FUZZ_REGRESSIONS:-1} == 1 ]]; then
    inputs+=(fuzz/regressions/"$target"-*)
  fi
  existing=()
  for f in "${inputs[@]}"; do [[ -f $f ]] && existing+=("$f"); done
  if [[ ${#existing[@]} -eq 0 ]]; then
    # Without file arguments the target would start fuzzing instead.
    echo "fuzz: $target: no corpus in $corpus" >&2
    summaries+=("$target: FAILED, no corpus in $corpus")
    status=1
    continue
  fi
  if ! "$bin" "${limits[@]}" "${existing[@]}" >"$log" 2>&1; then
    report_failure "$target (corpus regression)" "$log"
    summaries+=("$target: FAILED on its corpus, see $log")
    status=1
    continue
  fi

  # 2. Time-boxed fuzzing. New entries go to the first directory only.
  log=$out/$target/fuzz.log
  echo "fuzz: $target: ${#existing[@]} corpus and regression files pass;" \
    "fuzzing for ${seconds}s" >&2
  if "$bin" "${limits[@]}" -dict=fuzz/history.dict -max_len=65536 -max_total_time="$seconds" \
      -print_final_stats=1 -artifact_prefix="$out/$target/" \
      "$out/$target/corpus" "$corpus" >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    report_failure "$target" "$log"
    status=1
  fi
  stats=$(grep -aE '^#[0-9]+' "$log" | tail -n 1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$stats")
  execs=$(grep -a '^stat::average_exec_per_sec:' "$log" | tail -n 1 | tr -dc '0-9' || true)
  [[ -n $execs ]] || execs=$(sed -nE 's/.* exec\/s: ([0-9]+).*/\1/p' <<<"$stats")
  runs=$(grep -a '^stat::number_of_executed_units:' "$log" | tail -n 1 | tr -dc '0-9' || true)
  added=$(find "$out/$target/corpus" -type f | wc -l)
  summaries+=("$(printf '%-20s %-6s exec/s: %-6s cov: %-6s runs: %-8s new corpus entries: %s' \
    "$target" "$result" "${execs:-?}" "${cov:-?}" "${runs:-?}" "$added")")
done

echo "fuzz: ${seconds}s per target; logs, new corpus entries and crash inputs in $out"
printf '%s\n' "${summaries[@]}"
exit $status
