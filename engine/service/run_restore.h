// Rebuilding a run's mutable state (run_state.h) from its history, as Temporal's server does
// when it loads a workflow whose mutable state it has to rebuild from events
// (service/history/workflow/mutable_state_rebuilder.go, StateRebuilder: one handler per event
// type, applied in order). Pure: the caller (Service::RestoreRun) registers the run and arms
// what it waits for (service_recovery.cc).
//
// What the events do not say is left as a fresh run would have it and listed in
// docs/recovery.md: an activity's attempt count and last failure while it retries (Temporal
// writes only the last attempt's ActivityTaskStarted, with its close) and heartbeat details,
// which Service::RestoreRun takes from the stored attempt state when there is one
// (activity_attempt_state.h), the start request id, events buffered while a workflow task was
// out, updates not yet accepted, the request ids of signals to other workflows.
#ifndef LOCKSTEP_ENGINE_SERVICE_RUN_RESTORE_H_
#define LOCKSTEP_ENGINE_SERVICE_RUN_RESTORE_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
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
  // Requests between workflows, for checking the runs' histories against each other: the
  // signals and cancellation requests this run recorded as delivered (initiated event id and
  // target workflow id, in order), the target of each pending signal, and the signals and
  // cancellation requests it received from other workflows (the sender, and for a
  // cancellation its initiated event id).
  std::vector<std::pair<int64_t, std::string>> signals_delivered;
  std::vector<std::pair<int64_t, std::string>> cancels_delivered;
  std::vector<std::string> pending_signal_targets;  // beside pending_signals
  std::vector<temporal::api::common::v1::WorkflowExecution> signals_received;
  std::vector<std::pair<temporal::api::common::v1::WorkflowExecution, int64_t>> cancels_received;
  // The largest HistoryEvent.task_id (the service's counter goes on after it).
  int64_t max_task_id = 0;
};

// Fills `run` (whose workflow_id and run_id are set) and `facts` from `history`, which
// passed history::ValidateHistory. Events the service does not act on (markers, search
// attribute upserts aside) are skipped.
// What restored histories say about requests between workflows (RestoredFacts), gathered over
// every restored run and checked against each other before the restored service's first step
// (Service::ReconcileRestoredDeliveries).
struct RestoredDeliveries {
  // Signals sent by one run to one workflow id: delivered (per the sender's history) and
  // pending, initiated event ids in order.
  struct SignalLedger {
    std::vector<int64_t> delivered;
    std::vector<int64_t> pending;
  };
  absl::btree_map<std::pair<size_t, std::string>, SignalLedger> signals_sent;  // (sender, target)
  // (target workflow id, sender workflow id, sender run id) -> signals received.
  absl::btree_map<std::tuple<std::string, std::string, std::string>, int64_t> signals_received;
  // Cancellation requests: (sender index, initiated event id, target workflow id) delivered per
  // the sender, and (target workflow id, sender workflow id, sender run id, initiated event id)
  // received per the target.
  std::vector<std::tuple<size_t, int64_t, std::string>> cancels_sent;
  absl::btree_set<std::tuple<std::string, std::string, std::string, int64_t>> cancels_received;

  // Adds what the restored run `run` (its index `index`) sent and received.
  void Add(size_t index, const RunState& run, const RestoredFacts& facts);
};

void RestoreRunState(const temporal::api::history::v1::History& history, RunState* run,
                     RestoredFacts* facts);

}  // namespace lockstep::service

#endif  // LOCKSTEP_ENGINE_SERVICE_RUN_RESTORE_H_
