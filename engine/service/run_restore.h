// Rebuilding a run's mutable state (run_state.h) from its history, as Temporal's server does
// when it loads a workflow whose mutable state it has to rebuild from events
// (service/history/workflow/mutable_state_rebuilder.go, StateRebuilder: one handler per event
// type, applied in order). Pure: the caller (Service::RestoreRun) registers the run and arms
// what it waits for (service_recovery.cc).
//
// What the events do not say is left as a fresh run would have it and listed in
// docs/recovery.md: an activity's attempt count and last failure while it retries (Temporal
// writes only the last attempt's ActivityTaskStarted, with its close), heartbeat details, the
// start request id, events buffered while a workflow task was out, updates not yet accepted,
// the request ids of signals to other workflows.
#ifndef LOCKSTEP_ENGINE_SERVICE_RUN_RESTORE_H_
#define LOCKSTEP_ENGINE_SERVICE_RUN_RESTORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "engine/service/run_state.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::service {

// What the history says beyond RunState's fields, for arming the run.
struct RestoredFacts {
  // WorkflowExecutionStarted's first_workflow_task_backoff.
  absl::Duration start_backoff = absl::ZeroDuration();
  // Whether any WorkflowTaskScheduled was written (the first task's backoff has passed).
  bool task_scheduled = false;
  // The last workflow task event is a WorkflowTaskFailed / WorkflowTaskTimedOut (this id):
  // Temporal then has the next, transient, attempt scheduled.
  int64_t failed_task_event_id = 0;
  // SignalExternalWorkflowExecutionInitiated / RequestCancelExternalWorkflowExecutionInitiated
  // without an outcome, by initiated event id, in order.
  std::vector<int64_t> pending_signals;
  std::vector<int64_t> pending_cancels;
  // Updates: (update id, accepted event id) of accepted updates without completion, and the
  // completed ones with their outcome, in history order.
  std::vector<UpdateState> updates;
  // The largest HistoryEvent.task_id (the service's counter goes on after it).
  int64_t max_task_id = 0;
};

// Fills `run` (whose workflow_id and run_id are set) and `facts` from `history`, which
// passed history::ValidateHistory. Events the service does not act on (markers, search
// attribute upserts aside) are skipped.
void RestoreRunState(const temporal::api::history::v1::History& history, RunState* run,
                     RestoredFacts* facts);

}  // namespace lockstep::service

#endif  // LOCKSTEP_ENGINE_SERVICE_RUN_RESTORE_H_
