// A counter-workflow-shaped history of a given size, for benchmarks: the shape of a workflow
// that absorbs `signals_per_task` signals per workflow task (each signal carries a json/plain
// number), as the peer comparison in benchmarks/compare generates.
//
//   1 WorkflowExecutionStarted
//   2 WorkflowTaskScheduled, 3 WorkflowTaskStarted, 4 WorkflowTaskCompleted
//   then repeatedly: signals_per_task x WorkflowExecutionSignaled, WorkflowTaskScheduled,
//   WorkflowTaskStarted, WorkflowTaskCompleted
// until at least `min_events` events exist.
#ifndef LOCKSTEP_BENCHMARKS_SIGNAL_HISTORY_H_
#define LOCKSTEP_BENCHMARKS_SIGNAL_HISTORY_H_

#include "engine/history/history_builder.h"

namespace lockstep::bench {

inline temporal::api::history::v1::History SignalHistory(int64_t min_events,
                                                         int signals_per_task = 100) {
  history::HistoryBuilder b("CounterWorkflow", "bench", "counter-bench", "run-bench");
  b.AddWorkflowTask();
  while (b.history().events_size() < min_events) {
    for (int i = 0; i < signals_per_task; ++i) {
      b.AdvanceMillis(1);
      b.AddSignal("inc", "1");
    }
    b.AddWorkflowTask();
  }
  return b.history();
}

}  // namespace lockstep::bench

#endif  // LOCKSTEP_BENCHMARKS_SIGNAL_HISTORY_H_
