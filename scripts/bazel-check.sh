#!/usr/bin/env bash
# Analyses every Bazel target of this workspace without compiling: `bazel build --nobuild //...`.
#
# What it proves: every BUILD file loads, every label resolves, every source and data file
# exists, visibility holds and the offline repositories (deps.bzl) resolve; in about half a
# minute. What it does not: that the tests and tools compile under Bazel's sandbox (an
# undeclared dependency shows only there). CI pairs it with `make consumer-test`, whose Bazel
# half compiles Lockstep's libraries and the `lockstep` binary as a dependent project's
# external repository and runs that project's tests. `make bazel-test` (scripts/bazel-test.sh)
# is the full Bazel build and test of this workspace, about 13 minutes from cold on 2 cores;
# CI leaves it out to stay well under half an hour, since the CMake builds compile and run
# the same tests twice.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}"
export HOME

if ! LOCKSTEP_WITH_BAZEL=1 bash scripts/install-deps.sh; then
  echo "bazel-check: installing dependencies failed" >&2
  exit 1
fi

bazel build --nobuild --curses=no --color=no --noshow_progress --noshow_loading_progress \
  -- //... 2>&1
rc=${PIPESTATUS[0]}
if [[ -n "${CI:-}" ]]; then
  bazel shutdown >/dev/null 2>&1 || true
fi
if [[ $rc -ne 0 ]]; then
  echo "bazel-check: analysis failed (bazel exited with status $rc)" >&2
else
  echo "bazel-check: every target analysed"
fi
exit "$rc"
