#!/usr/bin/env node
// Writes the history of counterWorkflow(n) as a Temporal server records it, in the JSON shape
// of `temporal workflow show --output json` (lowerCamelCase keys, 64-bit integers as strings,
// enums as EVENT_TYPE_..., durations as "10s", payloads with base64 metadata and data):
//
//   1       WorkflowExecutionStarted (input n)
//   2-4     workflow task 1 -> ActivityTaskScheduled greet("peer"), started, completed
//   8-10    workflow task 2 -> TimerStarted "1" (1s), TimerFired
//   then    `batch` WorkflowExecutionSignaled inc(1) and one workflow task, until n signals
//   last    WorkflowExecutionCompleted (result n)
//
// Every event is 1 ms after the one before (the timer adds its second). The output is a pure
// function of its arguments, so every run writes the same bytes.
// Usage: node gen_history.js N [BATCH=100] [OUT.json]   (stdout without OUT)
'use strict';

const base64 = (text) => Buffer.from(text, 'utf8').toString('base64');
const jsonPayloads = (value) => ({
  payloads: [{ metadata: { encoding: base64('json/plain') }, data: base64(JSON.stringify(value)) }],
});

// `ids` names the execution (workflowId, runId); copies of one history with distinct ids are
// distinct executions, as a directory of production histories has.
function counterHistory(n, batch = 100, ids = {}) {
  const runId = ids.runId || '0193a1b2-0000-7000-8000-000000000001';
  const identity = '1234@peer-host';
  const taskQueue = { name: 'peer-tq', kind: 'TASK_QUEUE_KIND_NORMAL' };
  const events = [];
  let time = Date.UTC(2025, 0, 1);

  // Appends an event of `type` (without its EVENT_TYPE_ prefix); returns its id.
  const append = (type, attributesKey, attributes) => {
    const eventId = events.length + 1;
    time += 1;
    events.push({
      eventId: String(eventId),
      eventTime: new Date(time).toISOString(),
      eventType: `EVENT_TYPE_${type}`,
      taskId: String(1048576 + eventId),
      [attributesKey]: attributes,
    });
    return eventId;
  };

  // A workflow task that completed; returns the id of its WorkflowTaskCompleted event.
  const workflowTask = (first) => {
    const scheduled = append('WORKFLOW_TASK_SCHEDULED', 'workflowTaskScheduledEventAttributes', {
      taskQueue, startToCloseTimeout: '10s', attempt: 1,
    });
    const started = append('WORKFLOW_TASK_STARTED', 'workflowTaskStartedEventAttributes', {
      scheduledEventId: String(scheduled),
      identity,
      requestId: `req-${scheduled}`,
      historySizeBytes: String(300 + 120 * events.length),
    });
    const sdkMetadata = first
      ? { coreUsedFlags: [1, 2, 3], langUsedFlags: [1, 2], sdkName: 'temporal-typescript', sdkVersion: '1.24.0' }
      : {};
    return append('WORKFLOW_TASK_COMPLETED', 'workflowTaskCompletedEventAttributes', {
      scheduledEventId: String(scheduled), startedEventId: String(started), identity, sdkMetadata, meteringMetadata: {},
    });
  };

  append('WORKFLOW_EXECUTION_STARTED', 'workflowExecutionStartedEventAttributes', {
    workflowType: { name: 'counterWorkflow' },
    taskQueue,
    input: jsonPayloads(n),
    workflowExecutionTimeout: '0s',
    workflowRunTimeout: '0s',
    workflowTaskTimeout: '10s',
    originalExecutionRunId: runId,
    identity,
    firstExecutionRunId: runId,
    attempt: 1,
    firstWorkflowTaskBackoff: '0s',
    header: { fields: {} },
    workflowId: ids.workflowId || 'peer-wf-1',
  });

  const firstTask = workflowTask(true);
  const scheduled = append('ACTIVITY_TASK_SCHEDULED', 'activityTaskScheduledEventAttributes', {
    activityId: '1',
    activityType: { name: 'greet' },
    taskQueue,
    header: { fields: {} },
    input: jsonPayloads('peer'),
    scheduleToCloseTimeout: '0s',
    scheduleToStartTimeout: '0s',
    startToCloseTimeout: '10s',
    heartbeatTimeout: '0s',
    workflowTaskCompletedEventId: String(firstTask),
    retryPolicy: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '100s' },
    useWorkflowBuildId: true,
  });
  const started = append('ACTIVITY_TASK_STARTED', 'activityTaskStartedEventAttributes', {
    scheduledEventId: String(scheduled), identity, requestId: 'act-req-1', attempt: 1,
  });
  append('ACTIVITY_TASK_COMPLETED', 'activityTaskCompletedEventAttributes', {
    result: jsonPayloads('Hello, peer!'),
    scheduledEventId: String(scheduled),
    startedEventId: String(started),
    identity,
  });

  const secondTask = workflowTask(false);
  const timer = append('TIMER_STARTED', 'timerStartedEventAttributes', {
    timerId: '1', startToFireTimeout: '1s', workflowTaskCompletedEventId: String(secondTask),
  });
  time += 1000;
  append('TIMER_FIRED', 'timerFiredEventAttributes', { timerId: '1', startedEventId: String(timer) });

  let lastTask = n > 0 ? 0 : workflowTask(false);
  for (let sent = 0; sent < n;) {
    const k = Math.min(batch, n - sent);
    for (let i = 0; i < k; i++) {
      append('WORKFLOW_EXECUTION_SIGNALED', 'workflowExecutionSignaledEventAttributes', {
        signalName: 'inc', input: jsonPayloads(1), identity, header: { fields: {} },
      });
    }
    sent += k;
    lastTask = workflowTask(false);
  }
  append('WORKFLOW_EXECUTION_COMPLETED', 'workflowExecutionCompletedEventAttributes', {
    result: jsonPayloads(n), workflowTaskCompletedEventId: String(lastTask),
  });
  return { events };
}

module.exports = { counterHistory };

if (require.main === module) {
  const n = parseInt(process.argv[2] || '3', 10);
  const batch = parseInt(process.argv[3] || '100', 10);
  const text = JSON.stringify(counterHistory(n, batch), null, 2) + '\n';
  if (process.argv[4]) require('fs').writeFileSync(process.argv[4], text);
  else process.stdout.write(text);
}
