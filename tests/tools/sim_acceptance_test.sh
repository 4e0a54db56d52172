#!/usr/bin/env bash
# The simulator's acceptance, on the real `lockstep` binary, for every example with a planted
# bug (examples/buggy/):
#   - `lockstep sim --workflow NAME_buggy --seeds BUGGY_SEEDS` (default 2,000) finds the bug
#     and exits 1;
#   - its printed reproduce line, run in a new process, fails again and writes the same
#     report, histories and timeline, byte for byte;
#   - the fixed twin NAME passes FIXED_SEEDS seeds (default 20,000) and exits 0;
#   - `--shrink` shrinks the failing seed to a smaller schedule that still fails, and its
#     printed reproduce line (`--schedule FILE`), run in a new process, writes the same
#     histories byte for byte.
# usage: sim_acceptance_test.sh LOCKSTEP_BINARY
set -uo pipefail
lockstep=${1:?usage: sim_acceptance_test.sh LOCKSTEP_BINARY}
fixed_seeds=${FIXED_SEEDS:-20000}
buggy_seeds=${BUGGY_SEEDS:-2000}
jobs=${JOBS:-2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

for name in child_signal charge eviction continue_as_new timer_race; do
  "$lockstep" sim --workflow "${name}_buggy" --seeds "$buggy_seeds" --out "$out/first" \
    > "$out/$name.txt" 2> /dev/null
  rc=$?
  if [[ $rc -ne 1 ]]; then
    fail "${name}_buggy: exit status $rc over $buggy_seeds seeds, expected 1 (bug found)"
    continue
  fi
  line=$(sed -n 's/^reproduce the first: //p' "$out/$name.txt")
  seed=$(sed -n 's/.* --seed \([0-9]*\) .*/\1/p' <<< "$line")
  if [[ -z $line || -z $seed ]]; then
    fail "${name}_buggy: no reproduce line in the output"
    continue
  fi
  # The reproduce line starts with "lockstep sim"; run it with this binary.
  read -r -a args <<< "${line#lockstep }"
  "$lockstep" "${args[@]}" --out "$out/again" > "$out/$name.again.txt" 2> /dev/null
  rc=$?
  [[ $rc -eq 1 ]] || fail "${name}_buggy: the reproduce line exited $rc, expected 1: $line"
  dir="${name}_buggy-seed-$seed"
  if ! diff -r "$out/first/$dir" "$out/again/$dir" > /dev/null; then
    fail "${name}_buggy: rerunning seed $seed wrote different artifacts"
  fi
  files=$(find "$out/again/$dir" -name '*.binpb' | wc -l)
  [[ $files -ge 1 ]] || fail "${name}_buggy: no history written for seed $seed"
  echo "${name}_buggy: found at seed $seed ($(grep -c '^  [a-z_]* ' "$out/$name.txt") finding lines);" \
       "reproduced byte for byte ($files histories)"

  "$lockstep" sim --workflow "${name}_buggy" --seed "$seed" --shrink --out "$out/shrunk" \
    > "$out/$name.shrunk.txt" 2> /dev/null
  rc=$?
  shrunk_line=$(sed -n 's/^  reproduce: //p' "$out/$name.shrunk.txt")
  if [[ $rc -ne 1 || -z $shrunk_line ]]; then
    fail "${name}_buggy: --shrink of seed $seed exited $rc without a reproduce line"
  else
    read -r -a args <<< "${shrunk_line#lockstep }"
    "$lockstep" "${args[@]}" --out "$out/shrunk-again" > "$out/$name.shrunk-again.txt" 2> /dev/null
    rc=$?
    [[ $rc -eq 1 ]] || fail "${name}_buggy: the shrunk schedule exited $rc, expected 1"
    shrunk_dir="$out/shrunk/${name}_buggy-shrunk"
    again_dir="$out/shrunk-again/${name}_buggy-schedule"
    histories=0
    for h in "$shrunk_dir"/history-*.binpb; do
      [[ -e $h ]] || continue
      histories=$((histories + 1))
      cmp -s "$h" "$again_dir/$(basename "$h")" ||
        fail "${name}_buggy: the shrunk schedule's rerun wrote different bytes for $(basename "$h")"
    done
    [[ $histories -ge 1 ]] || fail "${name}_buggy: no history written for the shrunk schedule"
    echo "${name}_buggy: $(sed -n 's/^seed [0-9]*: shrunk\(.*\):$/shrunk\1/p' "$out/$name.shrunk.txt");" \
         "rerun from its schedule byte for byte ($histories histories)"
  fi

  "$lockstep" sim --workflow "$name" --seeds "$fixed_seeds" --jobs "$jobs" \
    > "$out/$name.fixed.txt" 2> /dev/null
  rc=$?
  if [[ $rc -ne 0 ]]; then
    fail "$name (the fixed twin): exit status $rc over $fixed_seeds seeds"
    grep -A3 '^seed ' "$out/$name.fixed.txt" | head -8 >&2
  else
    echo "$name: $(sed -n 's/^summary: //p' "$out/$name.fixed.txt" | cut -d, -f1-3)"
  fi
done
exit $((failures > 0))
