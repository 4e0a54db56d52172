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
// The bundle comes from bundle.js (LOCKSTEP_COMPARE_BUNDLE or workflow-bundle.js beside this
// file). A replay that fails (nondeterminism included) exits with status 1.
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

const [mode, file] = process.argv.slice(2);
const modes = { file: replayFile, 'replay-only': replayOnly };
if (!modes[mode] || !file) {
  console.error('usage: node replay.js file|replay-only PATH');
  process.exit(2);
}
modes[mode](file).catch((e) => {
  console.error('replay failed:', e);
  process.exit(1);
});
