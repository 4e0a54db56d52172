#!/usr/bin/env bash
# Installs the Debian packages Lockstep builds and tests with, and only those that are missing.
# Idempotent: a second run installs nothing and exits 0. Runs apt-get as root, or through sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build clang libclang-rt-14-dev
  protobuf-compiler libprotobuf-dev libabsl-dev
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev
  libsqlite3-dev libsimdjson-dev libcli11-dev
)
# Bazel is only needed by the Bazel build (.ci/run and `make bazel-test`).
if [[ "${LOCKSTEP_WITH_BAZEL:-0}" == 1 ]]; then
  packages+=(bazel-bootstrap bazel-rules-java)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo is available" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
