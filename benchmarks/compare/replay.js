#!/usr/bin/env node
// Replays a history file with the Temporal TypeScript SDK (Worker.runReplayHistory, which runs
// Temporal's Rust sdk-core through @temporalio/core-bridge) against workflows/counter.ts.
//
//   node replay.js file PATH         what a person runs: read, parse, replay, exit. The
//                                    whole-process figure times this from start to exit.
//   node replay.js replay-only PATH  reads and parses first, untimed, then times
//                                    (a) Worker.runReplayHistory on the parsed history, which
//                                        creates and shuts down a replay worker, and
//                                    (b) the same history replayed by a worker already warmed
//                                        up on a one-signal history (runReplayHistories),
//                                    and prints both as one JSON line.
//   node replay.js dir DIR           the batch case: every *.json file of DIR, sorted by name,
//                                    through one Worker.runReplayHistories (one replay worker
//                                    for all), each file read and parsed only when the worker
//                                    asks for the next history, as a user would stream
//                                    production histories. Prints one JSON line: histories,
//                                    events, ok, failed, replay_ms (worker start to shutdown,
//                                    reading and parsing included; load_ms says how much of it
//                                    that was) and histories_per_s. Any failure: status 1.
// The bundle comes from bundle.js (LOCKSTEP_COMPARE_BUNDLE or workflow-bundle.js beside this
// file). A replay that fails (nondeterminism included) exits with status 1; bad usage, 2.
'use strict';
const fs = require('fs');
const path = require('path');
const { Worker, Runtime, DefaultLogger } = require('@temporalio/worker');
const { historyFromJSON } = require('@temporalio/common/lib/proto-utils');
const { counterHistory } = require('./gen_history');

Runtime.install({ logger: new DefaultLogger('WARN') });

const bundle = process.env.LOCKSTEP_COMPARE_BUNDLE || path.join(__dirname, 'workflow-bundle.js');
const options = { workflowBundle: { codePath: bundle }, replayName: 'lockstep-compare' };
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const load = (file) => historyFromJSON(JSON.parse(fs.readFileSync(file, 'utf8')));

async function replayFile(file) {
  const history = load(file);
  await Worker.runReplayHistory(options, history, 'peer-wf-1');
  console.log(JSON.stringify({ file, events: history.events.length, ok: true }));
}

async function replayOnly(file) {
  const history = load(file);
  const events = history.events.length;

  const t0 = nowMs();
  await Worker.runReplayHistory(options, history, 'peer-wf-1');
  const coldMs = nowMs() - t0;

  const warmup = historyFromJSON(counterHistory(1));
  const results = Worker.runReplayHistories(options, (async function* histories() {
    yield { history: warmup, workflowId: 'warmup' };
    yield { history, workflowId: 'peer-wf-1' };
  })());
  let r = await results.next();
  if (r.value.error) throw r.value.error;
  const t1 = nowMs();
  r = await results.next();
  const warmMs = nowMs() - t1;
  if (r.value.error) throw r.value.error;
  await results.return?.();

  console.log(JSON.stringify({
    file,
    events,
    run_replay_history_ms: +coldMs.toFixed(3),
    run_replay_history_events_per_s: Math.round(events / (coldMs / 1000)),
    warm_replay_ms: +warmMs.toFixed(3),
    warm_replay_events_per_s: Math.round(events / (warmMs / 1000)),
  }));
}

// The workflow id recorded in the started event where the history has one (the SDK's proto
// does), otherwise the file's name: the SDK takes ids from the caller, not from the history.
const workflowIdOf = (history, name) =>
  history.events[0]?.workflowExecutionStartedEventAttributes?.workflowId || path.basename(name, '.json');

async function replayDir(dir) {
  const names = fs.readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  if (!names.length) {
    console.error(`replay.js: no *.json file in ${dir}`);
    process.exit(2);
  }
  let events = 0;
  let ok = 0;
  let failed = 0;
  let loadMs = 0;
  const fail = (name, message) => {
    failed++;
    if (failed <= 5) console.error(`${path.join(dir, name)}: ${message}`);
  };
  // The worker replays one history at a time, in the order given, so results come back in the
  // order of `pending`: that is how a result is traced to its file.
  const pending = [];
  async function* histories() {
    for (const name of names) {
      const t = nowMs();
      let history;
      try {
        history = load(path.join(dir, name));
      } catch (e) {
        fail(name, `not a history: ${e.message}`);
        continue;
      } finally {
        loadMs += nowMs() - t;
      }
      events += history.events.length;
      pending.push(name);
      yield { history, workflowId: workflowIdOf(history, name) };
    }
  }

  const t0 = nowMs();
  for await (const result of Worker.runReplayHistories(options, histories())) {
    const name = pending.shift();
    if (result.error) fail(name, `${result.error.name}: ${result.error.message}`);
    else ok++;
  }
  const replayMs = nowMs() - t0;
  // A history the worker never answered for is not a clean replay either.
  for (const name of pending) fail(name, 'no replay result');
  if (failed > 5) console.error(`... ${failed} failed in all`);

  console.log(JSON.stringify({
    mode: 'dir',
    dir,
    histories: names.length,
    events,
    ok,
    failed,
    replay_ms: +replayMs.toFixed(3),
    load_ms: +loadMs.toFixed(3),
    histories_per_s: +(names.length / (replayMs / 1000)).toFixed(1),
  }));
  if (failed) process.exitCode = 1;
}

const [mode, file] = process.argv.slice(2);
const modes = { file: replayFile, 'replay-only': replayOnly, dir: replayDir };
if (!modes[mode] || !file) {
  console.error('usage: node replay.js file|replay-only PATH | dir DIR');
  process.exit(2);
}
modes[mode](file).catch((e) => {
  console.error('replay failed:', e);
  process.exit(1);
});
