#!/usr/bin/env node
// Prints the comparison that compare.sh measured: medians, rates and ratios.
// Usage: node report.js HISTORY RESULTS_DIR
'use strict';
const fs = require('fs');
const path = require('path');

const [historyPath, dir] = process.argv.slice(2);
const read = (name) => fs.readFileSync(path.join(dir, name), 'utf8');
const median = (values) => {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};
const events = JSON.parse(fs.readFileSync(historyPath, 'utf8')).events.length;
const megabytes = fs.statSync(historyPath).size / 1e6;
const rate = (perSecond) =>
  perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)} M events/s` : `${Math.round(perSecond).toLocaleString('en-US')} events/s`;
const ms = (seconds) => `${(seconds * 1000).toFixed(1)} ms`;

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

// Whole process: "who start end" lines.
const whole = { lockstep: [], ts: [] };
for (const line of read('whole-process.txt').trim().split('\n')) {
  const [who, start, end] = line.split(' ');
  whole[who].push(parseFloat(end.replace(',', '.')) - parseFloat(start.replace(',', '.')));
}
const lockWhole = median(whole.lockstep);
const tsWhole = median(whole.ts);

const ratio = (x) => `${Math.round(x).toLocaleString('en-US')}x`;
const replayRatio = lockReplay / Math.max(tsCold, tsWarm);
const wholeRatio = tsWhole / lockWhole;
const row = (label, a, b, r) => console.log(`${label.padEnd(44)}${a.padEnd(26)}${b.padEnd(26)}${r}`);

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
