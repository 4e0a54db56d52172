#!/usr/bin/env node
// Bundles workflows/counter.ts once (webpack and swc, both local), so that replay timings
// never include bundling. Usage: node bundle.js OUT.js
'use strict';
const fs = require('fs');
const path = require('path');
const { bundleWorkflowCode } = require('@temporalio/worker');

const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error };

async function main(out) {
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, 'workflows', 'counter.ts'),
    logger: quiet,
  });
  fs.writeFileSync(out, code);
}

main(process.argv[2] || path.join(__dirname, 'workflow-bundle.js')).catch((e) => {
  console.error(e);
  process.exit(1);
});
