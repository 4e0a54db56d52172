#!/usr/bin/env bash
# Builds every Bazel target and runs every Bazel test: `bazel test //...`.
#
# Non-interactive and CI-safe: installs Bazel and the -dev packages if they are missing
# (scripts/install-deps.sh, idempotent), never downloads anything (see .bazelrc), prints the
# log of each failing test, ends with a "bazel: N passed, N failed" line, and exits non-zero
# if anything failed to build or any test failed. Bazel's exit codes pass through: 1 build
# failed, 3 a test failed, 4 no test targets found. Extra arguments go to `bazel test`
# (flags, and target patterns that replace the default //..., e.g. //tests/...).
#
# BAZEL_WORKSPACE names another workspace to test the same way, relative to the repository
# root (scripts/consumer-test.sh tests examples/consumer, which depends on Lockstep).
#
# Bazel's output base lives in ~/.cache/bazel (one per workspace path); `bazel clean --expunge`
# in the workspace removes it.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}"
export HOME

if ! LOCKSTEP_WITH_BAZEL=1 bash scripts/install-deps.sh; then
  echo "bazel-test: installing dependencies failed" >&2
  exit 1
fi
cd "${BAZEL_WORKSPACE:-.}" || exit 1

# Arguments go to `bazel test`; without a target pattern among them, //... is tested.
args=("$@")
have_pattern=0
for a in "$@"; do
  [[ "$a" == //* || "$a" == -//* || "$a" == "--" ]] && have_pattern=1
done
[[ $have_pattern -eq 1 ]] || args+=(-- //...)

log=$(mktemp "${TMPDIR:-/tmp}/bazel-test.XXXXXX")
trap 'rm -f "$log"' EXIT

bazel test \
  --curses=no \
  --color=no \
  --noshow_progress \
  --noshow_loading_progress \
  --keep_going \
  --test_output=errors \
  --test_summary=short \
  "${args[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

# One line per test target in Bazel's summary: "//pkg:name   (cached) PASSED in 0.1s", etc.
passed=$(grep -cE '^//[^ ]+ +(\(cached\) )?(PASSED|FLAKY)' "$log")
failed=$(grep -cE '^//[^ ]+ +(\(cached\) )?(FAILED|TIMEOUT|NO STATUS|INCOMPLETE|REMOTE FAILURE|FAILED TO BUILD)' "$log")

if [[ -n "${CI:-}" ]]; then
  # Leave no Bazel server behind in CI (it would otherwise idle for hours).
  bazel shutdown >/dev/null 2>&1 || true
fi

case $rc in
  0) ;;
  4) echo "bazel-test: no test targets were found" >&2 ;;
  3) echo "bazel-test: tests failed (logs above; also under $PWD/bazel-testlogs/)" >&2 ;;
  *) echo "bazel-test: bazel exited with status $rc" >&2 ;;
esac
echo "bazel: $passed passed, $failed failed"
exit "$rc"
