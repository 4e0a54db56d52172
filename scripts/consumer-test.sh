#!/usr/bin/env bash
# Builds and tests examples/consumer, a project of its own that depends on Lockstep, the two
# ways a user's project does (docs/dependency.md):
#
#   1. CMake: installs the release build in BUILD_DIR (default build/) into a temporary
#      prefix, checks that the installed package refers to nothing in the source or build
#      tree, then configures, builds and tests examples/consumer with find_package(Lockstep)
#      from that prefix, warnings as errors. Its simulation binary (SimMain) must run 200 clean
#      seeds, its signal-load benchmark (BenchMain) must complete its load, and record_history
#      must then reproduce the checked-in history fixture byte for byte.
#   2. Bazel: `bazel test //... @lockstep//tools/lockstep` in examples/consumer, whose
#      WORKSPACE takes Lockstep as a local_repository and calls lockstep_dependencies(); offline,
#      through scripts/bazel-test.sh (BAZEL_WORKSPACE=examples/consumer). This compiles every
#      Lockstep library a dependent project links and the `lockstep` binary, as an external
#      repository. CONSUMER_BAZEL_TARGETS replaces those targets: CI gives
#      //:shipment_workflow_test, which compiles the engine alone (scripts/bazel-check.sh says
#      why); "none" skips the Bazel part.
#
# Usage: scripts/consumer-test.sh [BUILD_DIR]   (`make consumer-test` builds BUILD_DIR first)
# Exits non-zero when either part fails; JOBS (default: nproc) bounds parallel compiles.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
build_dir=$(cd "${1:-build}" && pwd)
jobs=${JOBS:-$(nproc)}

fail() {
  echo "consumer-test: $*" >&2
  exit 1
}

[[ -f "$build_dir/CMakeCache.txt" ]] || fail "no CMake build in $build_dir (make build)"
work=$(mktemp -d "${TMPDIR:-/tmp}/lockstep-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "-- consumer (CMake): install into $work/prefix"
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
config_dir=$(dirname "$(find "$work/prefix" -name LockstepConfig.cmake -print -quit)")
[[ -f "$config_dir/LockstepTargets.cmake" ]] || fail "no LockstepTargets.cmake installed"
if grep -rlF -e "$root" -e "$build_dir" "$config_dir"; then
  fail "the installed package refers to the source or build tree (files above)"
fi

echo "-- consumer (CMake): build and test examples/consumer against the installed package"
cmake -S examples/consumer -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_FLAGS="-Wall -Wextra" \
  -DCMAKE_COMPILE_WARNING_AS_ERROR=ON >/dev/null
# Lockstep's headers must come from the installed prefix, never from this checkout.
grep -qF -- "$work/prefix/include" "$work/build/build.ninja" \
  || fail "examples/consumer does not include Lockstep's installed headers"
! grep -qE -- "-(I|isystem ?)$root( |$)" "$work/build/build.ninja" \
  || fail "examples/consumer includes Lockstep's source tree"
cmake --build "$work/build" -j "$jobs"
ctest --test-dir "$work/build" --output-on-failure -j "$jobs"
# The project's own simulation binary (SimMain) runs its workload clean.
"$work/build/shipment_sim" --workflow shipment --seeds 200 > "$work/sim.txt" 2>&1 \
  || { cat "$work/sim.txt" >&2; fail "shipment_sim found a failing seed or did not run"; }
grep -q '^summary: 200 seeds run, 0 failed' "$work/sim.txt" \
  || fail "shipment_sim did not report 200 clean seeds"
# The project's own signal-load benchmark (BenchMain) runs its load to the end.
"$work/build/shipment_bench" --workflow packing --workflows 10 --signals 2000 --per-task 10 \
  > "$work/bench.txt" 2>&1 \
  || { cat "$work/bench.txt" >&2; fail "shipment_bench failed"; }
grep -q '^workflows_completed: 10$' "$work/bench.txt" && grep -q '^signals_per_second: ' "$work/bench.txt" \
  || { cat "$work/bench.txt" >&2; fail "shipment_bench did not complete its 10 workflows"; }
"$work/build/record_history" "$work/shipment.json" >/dev/null
cmp -s "$work/shipment.json" examples/consumer/testdata/shipment.json \
  || fail "record_history no longer writes testdata/shipment.json; if the workflow's" \
          "commands were meant to change, re-record it (see record_history.cc)"

bazel_targets=${CONSUMER_BAZEL_TARGETS:-//... @lockstep//tools/lockstep}
[[ "$bazel_targets" == none ]] && exit 0
echo "-- consumer (Bazel): bazel test $bazel_targets in examples/consumer"
read -r -a targets <<< "$bazel_targets"
BAZEL_WORKSPACE=examples/consumer bash scripts/bazel-test.sh -- "${targets[@]}"
