#!/usr/bin/env bash
# Exit statuses of the real `lockstep` binary, as CI scripts see them.
# usage: cli_exit_status_test.sh LOCKSTEP_BINARY CORPUS_DIR
set -u
lockstep=$1
corpus=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0

expect() {
  local want=$1
  shift
  "$@" >"$scratch/out" 2>"$scratch/err"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: '$*' exited $got, expected $want"
    sed 's/^/  stderr: /' "$scratch/err" | head -5
    failures=$((failures + 1))
  fi
}

expect 0 "$lockstep" show "$corpus"/*.json
expect 0 "$lockstep" help
for command in show run replay export sim bench list; do
  grep -q "^  $command " "$scratch/out" || { echo "FAIL: help does not list $command"; failures=$((failures + 1)); }
done
expect 0 "$lockstep" list
grep -qx "counterWorkflow" "$scratch/out" || { echo "FAIL: list does not name counterWorkflow"; failures=$((failures + 1)); }
expect 2 "$lockstep" list --bogus
expect 0 "$lockstep" bench signals --workflow counter --workflows 4 --signals 400 --per-task 10
grep -q "^workflows_completed: 4$" "$scratch/out" && grep -q "^signals_per_second: [0-9]*$" "$scratch/out" || { echo "FAIL: bench signals did not report its load"; failures=$((failures + 1)); }
expect 2 "$lockstep" bench
expect 2 "$lockstep" bench signals --workflow counter --per-task 0
expect 0 "$lockstep" run counterWorkflow --input 2 --signal inc=2 --out "$scratch/counter.pb"
grep -q "status Completed" "$scratch/out" || { echo "FAIL: run did not complete the counter"; failures=$((failures + 1)); }
expect 0 "$lockstep" show "$scratch/counter.pb"
expect 1 "$lockstep" run counterWorkflow --input 5 --out "$scratch/waiting.json"
expect 2 "$lockstep" run noSuchWorkflow
mkdir "$scratch/fanout"
expect 0 "$lockstep" run fanoutWorkflow --input '{"n":2,"per_child":2}' --out "$scratch/fanout/parent.json"
grep -q 'result={"children":2,"reported":2,"sum":30}' "$scratch/out" || { echo "FAIL: run did not complete the fan-out"; failures=$((failures + 1)); }
expect 0 "$lockstep" replay --every-task "$scratch/fanout"
grep -q "3 clean" "$scratch/out" || { echo "FAIL: the fan-out parent and its two children did not all replay cleanly"; failures=$((failures + 1)); }
expect 2 "$lockstep" run counterWorkflow --input not-json
expect 0 "$lockstep" replay "$scratch/counter.pb"
grep -q "1 clean" "$scratch/out" || { echo "FAIL: replay of a recorded history was not clean"; failures=$((failures + 1)); }
# A Nexus workflow: no port, its type is not registered.
expect 2 "$lockstep" replay "$corpus/sdk-go__test__replaytests__nexus-cancel-after-start.json"
# A ported recording replays cleanly; with ids compared strictly, it does not.
expect 0 "$lockstep" replay "$corpus/samples-go__helloworld__helloworld.json"
# A quoted pattern is expanded by the replayer; one that matches nothing is an error.
expect 0 "$lockstep" replay "$corpus/samples-go__hello*.json"
grep -q "replayed 1 histories" "$scratch/out" || { echo "FAIL: pattern not expanded"; failures=$((failures + 1)); }
expect 2 "$lockstep" replay "$corpus/no-such-*.json"
expect 1 "$lockstep" replay --ids=strict "$corpus/samples-go__helloworld__helloworld.json"
expect 2 "$lockstep" replay --ids=loose "$corpus/samples-go__helloworld__helloworld.json"
expect 2 "$lockstep" replay --until x "$scratch/counter.pb"
expect 0 "$lockstep" replay --every-task --jobs 2 "$scratch/counter.pb" "$scratch/counter.pb"
expect 0 "$lockstep" replay --until=3 --jobs=2 --result fail "$scratch/counter.pb"
# "-" reads the files to replay from standard input, one per line, beside other paths.
expect 0 "$lockstep" replay --jobs 2 - "$scratch/counter.pb" \
  < <(printf '%s\n%s\n' "$scratch/counter.pb" "$corpus/samples-go__helloworld__helloworld.json")
grep -q "replayed 3 histories" "$scratch/out" || { echo "FAIL: replay - did not read its list of files"; failures=$((failures + 1)); }
expect 2 "$lockstep" replay - < <(printf '%s\n' "$scratch/no-such.json")
grep -q "no-such.json" "$scratch/err" || { echo "FAIL: replay - did not name a listed file that is missing"; failures=$((failures + 1)); }
# History stores: a path that is not one is a usage error, naming it.
expect 2 "$lockstep" replay --store "$scratch/no-such.db"
grep -q "no-such.db: no such file" "$scratch/err" || { echo "FAIL: replay --store did not name the missing store"; failures=$((failures + 1)); }
expect 2 "$lockstep" export --store "$scratch/counter.pb" --all --out "$scratch/exported"
grep -q "counter.pb" "$scratch/err" || { echo "FAIL: export did not name the file that is not a store"; failures=$((failures + 1)); }
expect 2 "$lockstep" replay --jobs=0 "$scratch/counter.pb"
grep -q "^lockstep replay: --jobs needs a positive integer, got '0'" "$scratch/err" || { echo "FAIL: --jobs=0 not named"; failures=$((failures + 1)); }
# --every-task's event budget: a bad value is named; a small one samples and says so.
for bad in 0 -5 abc; do
  expect 2 "$lockstep" replay --every-task --every-task-events="$bad" "$scratch/counter.pb"
  grep -q "^lockstep replay: --every-task-events needs a positive integer, got '$bad'" "$scratch/err" || { echo "FAIL: --every-task-events=$bad not named"; failures=$((failures + 1)); }
done
expect 0 "$lockstep" replay --every-task --every-task-events 5 "$scratch/counter.pb"
grep -q "every-task checked 2 of [0-9]* task boundaries" "$scratch/out" || { echo "FAIL: --every-task-events 5 did not sample and say so"; failures=$((failures + 1)); }
expect 0 "$lockstep" replay --help
grep -q "Usage: lockstep replay" "$scratch/out" || { echo "FAIL: replay --help printed no usage"; failures=$((failures + 1)); }
expect 0 "$lockstep" help run
grep -q "Usage: lockstep run" "$scratch/out" || { echo "FAIL: help run printed no usage"; failures=$((failures + 1)); }
expect 2 "$lockstep"
expect 2 "$lockstep" frobnicate
expect 2 "$lockstep" show
expect 2 "$lockstep" show --no-such-flag "$corpus/samples-go__helloworld__helloworld.json"
expect 2 "$lockstep" show "$scratch/missing.json"
printf '{"events":[' >"$scratch/truncated.json"
expect 2 "$lockstep" show "$scratch/truncated.json"
: >"$scratch/empty.json"
expect 2 "$lockstep" show "$scratch/empty.json"
grep -q "empty.json: file is empty" "$scratch/err" || { echo "FAIL: no 'file is empty' message"; failures=$((failures + 1)); }
expect 0 "$lockstep" show --binary "$scratch/h.pb" "$corpus/samples-go__helloworld__helloworld.json"
expect 0 "$lockstep" show "$scratch/h.pb"
grep -q "status Completed" "$scratch/out" || { echo "FAIL: binary history did not show"; failures=$((failures + 1)); }

if [[ $failures -gt 0 ]]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "all exit statuses as expected"
