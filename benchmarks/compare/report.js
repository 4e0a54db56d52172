#!/usr/bin/env node
// Prints the comparison that compare.sh measured: medians, rates and ratios.
// Usage: node report.js RESULTS_DIR [--history HISTORY] [--batch BATCH_DIR]
//   --history  the big history's section (steps 2-5 of compare.sh)
//   --batch    the batch case's section (step 6)
'use strict';
const fs = require('fs');
const path = require('path');

const usage = () => {
  console.error('usage: node report.js RESULTS_DIR [--history HISTORY] [--batch BATCH_DIR]');
  process.exit(2);
};
const args = process.argv.slice(2);
const dir = args.shift();
const given = {};
while (args.length) {
  const [flag, value] = args.splice(0, 2);
  if (!['--history', '--batch'].includes(flag) || !value) usage();
  given[flag.slice(2)] = value;
}
if (!dir || (!given.history && !given.batch)) usage();

const read = (name) => fs.readFileSync(path.join(dir, name), 'utf8');
const median = (values) => {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};
const rate = (perSecond) =>
  perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)} M events/s` : `${Math.round(perSecond).toLocaleString('en-US')} events/s`;
const ms = (seconds) => (seconds >= 10 ? `${seconds.toFixed(2)} s` : `${(seconds * 1000).toFixed(1)} ms`);
// One decimal where a whole number would hide the difference.
const ratio = (x) => (x < 10 ? `${x.toFixed(1)}x` : `${Math.round(x).toLocaleString('en-US')}x`);
const row = (label, a, b, r) => console.log(`${label.padEnd(44)}${a.padEnd(26)}${b.padEnd(26)}${r}`);

// "who start end" lines (bash's EPOCHREALTIME, whose decimal point follows the locale):
// wall seconds of each run, by who.
const wallTimes = (name) => {
  const times = {};
  for (const line of read(name).trim().split('\n')) {
    const [who, start, end] = line.split(' ');
    (times[who] ||= []).push(parseFloat(end.replace(',', '.')) - parseFloat(start.replace(',', '.')));
  }
  return times;
};

function reportHistory(historyPath) {
  const events = JSON.parse(fs.readFileSync(historyPath, 'utf8')).events.length;
  const megabytes = fs.statSync(historyPath).size / 1e6;

  // Lockstep: the medians Google Benchmark computed over its repetitions.
  const bench = JSON.parse(read('lockstep-bench.json')).benchmarks;
  // One repetition reports no aggregates, only the run itself.
  const medianOf = (name) =>
    bench.find((b) => b.run_name === name && b.aggregate_name === 'median') ||
    bench.find((b) => b.run_name === name && b.run_type === 'iteration');
  const lockReplay = medianOf('BM_ReplayFile').items_per_second;
  const lockJsonLoad = medianOf('BM_LoadFile/validate:0').bytes_per_second;
  const lockLoad = medianOf('BM_LoadFile/validate:1');

  // TypeScript SDK: one JSON line per process.
  const tsRuns = read('ts-replay-only.jsonl').trim().split('\n').map((line) => JSON.parse(line));
  const tsCold = median(tsRuns.map((r) => r.run_replay_history_events_per_s));
  const tsWarm = median(tsRuns.map((r) => r.warm_replay_events_per_s));

  // Whole process.
  const whole = wallTimes('whole-process.txt');
  const lockWhole = median(whole.lockstep);
  const tsWhole = median(whole.ts);

  const replayRatio = lockReplay / Math.max(tsCold, tsWarm);
  const wholeRatio = tsWhole / lockWhole;

  console.log(`\nhistory ${historyPath}: ${events} events, ${megabytes.toFixed(2)} MB`);
  console.log(`medians of ${tsRuns.length} runs each\n`);
  row('', 'Lockstep', 'Temporal TS SDK 1.24.0', 'ratio');
  row('(a) replay only, history in memory', rate(lockReplay), rate(tsWarm), ratio(lockReplay / tsWarm));
  row('    TS: Worker.runReplayHistory (worker start', '', rate(tsCold), ratio(lockReplay / tsCold));
  row('    and shutdown included)', '', '', '');
  row('(b) whole process, start to exit', ms(lockWhole), ms(tsWhole), ratio(wholeRatio));
  row('    as events per second', rate(events / lockWhole), rate(events / tsWhole), '');
  console.log(`\nLockstep JSON load (map + parse): ${(lockJsonLoad / 1e6).toFixed(0)} MB per CPU second; ` +
              `map + parse + validate: ${lockLoad.real_time.toFixed(1)} ${lockLoad.time_unit} wall`);
  const verdict = (x, target) => `${ratio(x)} (target ${target}x: ${x >= target ? 'met' : 'NOT met'})`;
  console.log(`replay-only ratio ${verdict(replayRatio, 1000)}, against the faster TS figure`);
  console.log(`whole-process ratio ${verdict(wholeRatio, 100)}`);
}

// The batch case: one process replays a directory of small histories; histories per second
// of the whole process, start to exit.
function reportBatch(batchDir) {
  const files = fs.readdirSync(batchDir).filter((name) => name.endsWith('.json'));
  let events = 0;
  let bytes = 0;
  for (const name of files) {
    const text = fs.readFileSync(path.join(batchDir, name), 'utf8');
    events += JSON.parse(text).events.length;
    bytes += Buffer.byteLength(text);
  }
  const whole = wallTimes('batch-process.txt');
  for (const who of ['lockstep-jobs2', 'lockstep-jobs1', 'ts']) {
    if (!whole[who]) throw new Error(`batch-process.txt has no run of ${who}`);
  }
  const perSecond = (who) => files.length / median(whole[who]);
  const hps = (x) => `${Math.round(x).toLocaleString('en-US')} histories/s`;
  const lock2 = perSecond('lockstep-jobs2');
  const lock1 = perSecond('lockstep-jobs1');
  const ts = perSecond('ts');
  // The TypeScript process's own figure: its runReplayHistories loop, without Node.js start.
  const tsRuns = read('ts-batch.jsonl').trim().split('\n').map((line) => JSON.parse(line));
  const tsLoop = median(tsRuns.map((r) => r.histories_per_s));

  console.log(`\nbatch ${batchDir}: ${files.length.toLocaleString('en-US')} histories, ` +
              `${events.toLocaleString('en-US')} events, ${(bytes / 1e6).toFixed(2)} MB`);
  console.log(`whole process, start to exit, medians of ${whole.ts.length} runs each\n`);
  row('', 'time', 'histories/s', 'Lockstep / TS');
  row('Lockstep replay --jobs 2 DIR', ms(median(whole['lockstep-jobs2'])), hps(lock2), ratio(lock2 / ts));
  row('Lockstep replay --jobs 1 DIR', ms(median(whole['lockstep-jobs1'])), hps(lock1), ratio(lock1 / ts));
  row('TS SDK 1.24.0: node replay.js dir DIR', ms(median(whole.ts)), hps(ts), '');
  row('    its runReplayHistories loop alone', '', hps(tsLoop), '');
  const target = (x, min) =>
    `${hps(x)} (target ${min.toLocaleString('en-US')}: ${x >= min ? 'met' : 'NOT met'})`;
  console.log(`\nbatch, Lockstep --jobs 2: ${target(lock2, 50000)}`);
  console.log(`batch, Lockstep --jobs 1: ${target(lock1, 20000)}`);
}

if (given.history) reportHistory(given.history);
if (given.batch) reportBatch(given.batch);
