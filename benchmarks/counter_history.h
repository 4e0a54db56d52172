// The counter workflow's history as the engine records it, for the replay benchmarks:
// counterWorkflow(n) (examples/counter) receiving n signals of 1, `per_task` per workflow task,
// the shape the TypeScript peer's gen_history.js produces (benchmarks/compare).
#ifndef LOCKSTEP_BENCHMARKS_COUNTER_HISTORY_H_
#define LOCKSTEP_BENCHMARKS_COUNTER_HISTORY_H_

#include <cstdlib>

#include "engine/core/clock.h"
#include "engine/service/service.h"
#include "engine/service/virtual_time.h"
#include "engine/workflow/registry.h"
#include "engine/workflow/worker.h"
#include "examples/counter/counter_workflow.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::bench {

// A registry holding the counter workflow, as `lockstep replay`'s built-in one does.
inline const Registry& CounterRegistry() {
  static const Registry* registry = [] {
    auto* r = new Registry();
    if (!examples::RegisterCounter(r).ok()) std::abort();
    return r;
  }();
  return *registry;
}

// Aborts if the engine cannot record it: a benchmark without its input measures nothing.
inline temporal::api::history::v1::History RecordCounterHistory(int n, int per_task) {
  ManualClock clock;
  Worker worker(&CounterRegistry());
  Service service(&clock, &worker, &worker);
  StartWorkflowRequest start;
  start.workflow_id = "peer-wf-1";
  start.workflow_type = examples::kCounterWorkflow;
  start.task_queue = "peer-tq";
  start.input = ToPayloads(n);
  if (!service.StartWorkflow(start).ok()) std::abort();
  RunUntil(service, clock, clock.Now() + absl::Minutes(1));
  SignalWorkflowRequest signal;
  signal.workflow_id = start.workflow_id;
  signal.signal_name = examples::kIncSignal;
  signal.input = ToPayloads(1);
  for (int sent = 0; sent < n;) {
    for (int i = 0; i < per_task && sent < n; ++i, ++sent) {
      if (!service.SignalWorkflow(signal).ok()) std::abort();
    }
    clock.Advance(absl::Milliseconds(1));
    service.RunUntilIdle();
  }
  auto history = service.GetHistory(start.workflow_id, "");
  if (!history.ok()) std::abort();
  return **history;
}

}  // namespace lockstep::bench

#endif  // LOCKSTEP_BENCHMARKS_COUNTER_HISTORY_H_
