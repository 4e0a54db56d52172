#!/usr/bin/env bash
# The main job, for now: run the example workflows on the embedded engine in virtual time,
# show the histories they recorded and replay them (in full and with a cache eviction at every
# workflow task); then load real Temporal histories in both JSON shapes and convert one to
# binary and back. The simulator takes over the first part as it lands.
# usage: scripts/demo.sh LOCKSTEP_BINARY
set -euo pipefail
lockstep=$1
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "\$ lockstep list"
"$lockstep" list
echo
echo "\$ lockstep run counterWorkflow --input 3 --signal inc=1 --signal inc=2 --out $out/counter.pb"
"$lockstep" run counterWorkflow --input 3 --signal inc=1 --signal inc=2 --out "$out/counter.pb"
echo
echo "\$ lockstep run orderWorkflow --input '{...}' --signal approve=true --out $out/order.json"
"$lockstep" run orderWorkflow \
  --input '{"id":"o-1","card":"4242","cents":1250,"approval_timeout_seconds":3600}' \
  --signal approve=true --out "$out/order.json"
echo
echo "\$ lockstep run fanoutWorkflow --input '{\"n\":5,\"per_child\":3}' --out $out/fanout/parent.json"
mkdir "$out/fanout"
"$lockstep" run fanoutWorkflow --input '{"n":5,"per_child":3}' --out "$out/fanout/parent.json"
echo
echo "\$ lockstep replay --every-task $out/counter.pb $out/order.json $out/fanout"
"$lockstep" replay --every-task "$out/counter.pb" "$out/order.json" "$out/fanout"
echo

old_shape=tests/data/temporal/samples-go__helloworld__helloworld.json
new_shape=tests/data/temporal/sdk-java__temporal-sdk__src__test__resources__cancellationScopeDeterminism.json
retries=tests/data/temporal/features__features__activity__retry_on_error__history__history.go.v1.5.0.json

echo "\$ lockstep show $old_shape $new_shape $retries"
"$lockstep" show "$old_shape" "$new_shape" "$retries"
echo
echo "\$ lockstep show --binary $out/helloworld.pb $old_shape && lockstep show $out/helloworld.pb"
"$lockstep" show --binary "$out/helloworld.pb" "$old_shape"
"$lockstep" show "$out/helloworld.pb" | sed -n 1,2p
echo
echo "\$ lockstep show tests/data/temporal/*.json | grep '^workflow'   (summary line of every recorded history)"
"$lockstep" show tests/data/temporal/*.json | grep '^workflow'

echo
# Recordings of Temporal's Go and Java SDKs against Lockstep ports of their workflows
# (docs/temporal-corpus.md lists all 44 and which replay).
ported=(tests/data/temporal/sdk-go__internal__testdata__parentWF.json
        tests/data/temporal/sdk-go__test__replaytests__update_complete_and_exit.json
        tests/data/temporal/sdk-go__test__replaytests__workflow2.json
        tests/data/temporal/sdk-go__test__replaytests__local-activity.json
        "$new_shape" "$old_shape" "$retries")
echo "\$ lockstep replay --every-task --jobs 2 ${ported[*]}"
"$lockstep" replay --every-task --jobs 2 "${ported[@]}" | tail -n 1
echo
echo "lockstep binary: $lockstep"
