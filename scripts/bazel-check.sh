#!/usr/bin/env bash
# Analyses every Bazel target of this workspace and of examples/consumer (which takes Lockstep
# as an external repository) without compiling: `bazel build --nobuild //...` in each.
#
# What it proves: every BUILD file loads, every label resolves (from inside Lockstep and from a
# dependent workspace), every source and data file exists, visibility holds and the offline
# repositories (deps.bzl) resolve; in well under a minute. What it does not: that the code
# compiles under Bazel's sandbox (an undeclared dependency shows only there). CI pairs it with
# the Bazel half of `make consumer-test` limited to the consumer's workflow test, which
# compiles the engine's libraries (protobuf generation included) as an external repository.
# `make bazel-test` (scripts/bazel-test.sh) is the full Bazel build and test of this workspace,
# about 13 minutes from cold on 2 cores, and a full `make consumer-test` compiles every library
# a dependent project links (about 10 more): CI leaves both out to stay well under half an hour,
# since the CMake builds compile and run the same code twice.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}"
export HOME

if ! LOCKSTEP_WITH_BAZEL=1 bash scripts/install-deps.sh; then
  echo "bazel-check: installing dependencies failed" >&2
  exit 1
fi

status=0
for workspace in . examples/consumer; do
  (
    cd "$workspace" || exit 1
    bazel build --nobuild --curses=no --color=no --noshow_progress --noshow_loading_progress \
      -- //... 2>&1
    rc=${PIPESTATUS[0]}
    if [[ -n "${CI:-}" ]]; then
      bazel shutdown >/dev/null 2>&1 || true
    fi
    exit "$rc"
  )
  rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "bazel-check: analysis of $workspace failed (bazel exited with status $rc)" >&2
    status=$rc
  else
    echo "bazel-check: every target of $workspace analysed"
  fi
done
exit "$status"
