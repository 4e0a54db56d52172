#!/usr/bin/env node
// Writes COUNT copies of the counter history with N signals, BATCH per workflow task, into DIR
// as h0000.json, h0001.json, ...: the batch case of compare.sh, many small histories as a user
// replays before a deploy. Each copy is its own execution (workflow id batch-wf-I, a run id
// ending in I), so that neither replayer can take one for a repeat of another. Compact JSON, one
// line a file (counterHistory(10, 10): 26 events, about 8.4 KB). DIR must exist and be empty.
// Usage: node gen_batch.js COUNT N BATCH DIR
'use strict';
const fs = require('fs');
const path = require('path');
const { counterHistory } = require('./gen_history');

const [count, n, batch] = process.argv.slice(2, 5).map((a) => parseInt(a, 10));
const dir = process.argv[5];
if (!(count > 0) || !(n >= 0) || !(batch > 0) || !dir) {
  console.error('usage: node gen_batch.js COUNT N BATCH DIR');
  process.exit(2);
}
const leftover = fs.readdirSync(dir);
if (leftover.length) {
  // Stale files would be replayed and counted too.
  console.error(`gen_batch: ${dir} is not empty (${leftover[0]}, ...)`);
  process.exit(2);
}
const width = Math.max(4, String(count - 1).length);  // names sort in the order written
for (let i = 0; i < count; i++) {
  const id = String(i).padStart(width, '0');
  const history = counterHistory(n, batch, {
    workflowId: `batch-wf-${id}`,
    runId: `0193a1b2-0000-7000-8000-${String(i + 1).padStart(12, '0')}`,
  });
  fs.writeFileSync(path.join(dir, `h${id}.json`), JSON.stringify(history) + '\n');
}
