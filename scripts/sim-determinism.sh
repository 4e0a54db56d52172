#!/usr/bin/env bash
# Same seed, same bytes, across builds: runs the same simulation seeds with two `lockstep`
# binaries (CI: g++ -O3 release and clang -O0 with sanitizers) and compares every seed's
# seed lines (fault plan, steps, virtual time, fingerprint, findings, reproduce line), and every
# seed's report, histories (binary and JSON) and timeline byte for byte.
#
#   scripts/sim-determinism.sh BUILD_A/tools/lockstep/lockstep BUILD_B/tools/lockstep/lockstep
set -euo pipefail
a=${1:?usage: sim-determinism.sh LOCKSTEP_A LOCKSTEP_B}
b=${2:?usage: sim-determinism.sh LOCKSTEP_A LOCKSTEP_B}
seeds=${SEEDS:-25}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

status=0
for workload in $("$a" sim --list | cut -f1); do
  for side in a b; do
    bin=$a; [[ $side == b ]] && bin=$b
    # Exit 1 (a failing seed) is expected for the buggy examples; 2 is not.
    set +e
    "$bin" sim --workflow "$workload" --seeds "$seeds" --keep-going --verbose --record \
      --out "$out/$side" 2> "$out/stderr" \
      | grep -E '^(seed [0-9]+: faults |  )' > "$out/$side-$workload.txt"
    rc=${PIPESTATUS[0]}
    set -e
    if [[ $rc -ne 0 && $rc -ne 1 ]]; then
      echo "sim-determinism: $bin sim --workflow $workload exited with status $rc:" >&2
      cat "$out/stderr" >&2
      exit 2
    fi
  done
  if ! cmp -s "$out/a-$workload.txt" "$out/b-$workload.txt"; then
    echo "sim-determinism: $workload: the two builds' seeds differ:" >&2
    diff "$out/a-$workload.txt" "$out/b-$workload.txt" | head -20 >&2 || true
    status=1
  fi
done
if ! diff -r -q "$out/a" "$out/b" >&2; then
  echo "sim-determinism: recorded histories, reports or timelines differ between the builds" >&2
  status=1
fi
files=$(find "$out/a" -type f | wc -l)
if [[ $status -eq 0 ]]; then
  echo "sim-determinism: $seeds seeds per workload, $files recorded files identical between $a and $b"
fi
exit $status
