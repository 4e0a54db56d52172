// Service: signals and cancellation requests from one workflow to another.
//
// Temporal: the command writes SignalExternalWorkflowExecutionInitiated /
// RequestCancelExternalWorkflowExecutionInitiated with the workflow task's completion
// (workflow_task_completed_handler.go); a transfer task then delivers it
// (transfer_queue_active_task_executor.go processSignalExecution / processCancelExecution) and
// writes the outcome to the sender with a new workflow task. The target gets the signal or the
// cancel request from the identity "history-service" with the sender as its external
// execution (signalworkflow/api.go, requestcancelworkflow/api.go).
#include <utility>

#include "engine/service/failures.h"
#include "engine/service/service.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::common::v1::WorkflowExecution;

// The fields every outcome event shares with its initiated event `a`: the target as the command
// named it, the namespace and the initiated id; failures also name the completion.
template <typename Outcome, typename Initiated>
void FillOutcome(const Initiated& a, int64_t initiated_event_id, Outcome* outcome) {
  outcome->set_initiated_event_id(initiated_event_id);
  outcome->set_namespace_(a.namespace_());
  *outcome->mutable_workflow_execution() = a.workflow_execution();
}

template <typename Failed, typename Initiated>
void FillFailure(const Initiated& a, int64_t initiated_event_id, Failed* failed) {
  FillOutcome(a, initiated_event_id, failed);
  failed->set_workflow_task_completed_event_id(a.workflow_task_completed_event_id());
}

}  // namespace

void Service::InitiateSignalExternal(
    RunState& run,
    const temporal::api::command::v1::SignalExternalWorkflowExecutionCommandAttributes& c,
    int64_t completed_id) {
  auto* a = Append(run, enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED)
                ->mutable_signal_external_workflow_execution_initiated_event_attributes();
  a->set_workflow_task_completed_event_id(completed_id);
  a->set_namespace_(options_.namespace_name);
  *a->mutable_workflow_execution() = c.execution();
  a->set_signal_name(c.signal_name());
  if (c.has_input()) *a->mutable_input() = c.input();
  a->set_child_workflow_only(c.child_workflow_only());
  if (c.has_header()) *a->mutable_header() = c.header();
  const int64_t initiated_id = run.history.size();
  // The signal's request id, made when the command is recorded, dedupes its delivery.
  run.external_signal_request_ids[initiated_id] = NextRequestId();
  DueItem item = service::RunItem(service::DueKind::kSignalExternal, run.index);
  item.ref = initiated_id;
  Schedule(&timers_, Now(), std::move(item));
}

void Service::InitiateCancelExternal(
    RunState& run,
    const temporal::api::command::v1::RequestCancelExternalWorkflowExecutionCommandAttributes& c,
    int64_t completed_id) {
  auto* a = Append(run, enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED)
                ->mutable_request_cancel_external_workflow_execution_initiated_event_attributes();
  a->set_workflow_task_completed_event_id(completed_id);
  a->set_namespace_(options_.namespace_name);
  a->mutable_workflow_execution()->set_workflow_id(c.workflow_id());
  a->mutable_workflow_execution()->set_run_id(c.run_id());
  a->set_child_workflow_only(c.child_workflow_only());
  a->set_reason(c.reason());
  DueItem item = service::RunItem(service::DueKind::kCancelExternal, run.index);
  item.ref = run.history.size();
  Schedule(&timers_, Now(), std::move(item));
}

service::RunState* Service::ExternalTarget(const RunState& sender, const WorkflowExecution& target,
                                           bool child_workflow_only) {
  // A workflow cannot signal or cancel itself this way, whatever the run id.
  if (target.workflow_id() == sender.workflow_id) return nullptr;
  absl::StatusOr<RunState*> found = FindRun(target.workflow_id(), target.run_id());
  if (!found.ok()) return nullptr;
  RunState* run = *found;
  if (child_workflow_only && run->running() &&
      (!run->parent.has_value() || run->parent->workflow_id != sender.workflow_id ||
       run->parent->run_id != sender.run_id)) {
    return nullptr;  // "workflow parent does not match" (a NotFound in Temporal)
  }
  return run;
}

void Service::OnSignalExternal(RunState& sender, int64_t initiated_event_id) {
  auto request_id = sender.external_signal_request_ids.extract(initiated_event_id);
  // After a recovery: a delivery the target lost, whose outcome the sender has already
  // (service_recovery.cc), or one the target has, whose outcome the sender lost.
  const bool redeliver = sender.redeliver_signals.erase(initiated_event_id) > 0;
  const bool delivered = sender.delivered_signals.erase(initiated_event_id) > 0;
  // A sender that closed meanwhile does not signal (ErrWorkflowCompleted).
  if (!sender.running() && !redeliver) return;
  const HistoryEvent initiated = StoredEvent(sender, initiated_event_id);
  const auto& a = initiated.signal_external_workflow_execution_initiated_event_attributes();
  const std::string id = request_id.empty() ? std::string() : request_id.mapped();
  RunState* target = ExternalTarget(sender, a.workflow_execution(), a.child_workflow_only());
  const bool duplicate =
      delivered || (target != nullptr && !id.empty() && target->signal_request_ids.contains(id));
  if (target != nullptr && !duplicate && target->running()) {
    const WorkflowExecution from = sender.execution();
    RecordSignal(*target, a.signal_name(), a.input(), service::kServerIdentity, id, a.header(),
                 &from);
  }
  if (redeliver) return;
  HistoryEvent event;
  if (delivered || (target != nullptr && (duplicate || target->running()))) {
    event = NewEvent(enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED);
    FillOutcome(a, initiated_event_id,
                event.mutable_external_workflow_execution_signaled_event_attributes());
  } else {
    event = NewEvent(enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED);
    auto* f = event.mutable_signal_external_workflow_execution_failed_event_attributes();
    f->set_cause(
        enums::
            SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND);
    FillFailure(a, initiated_event_id, f);
  }
  Record(sender, std::move(event));
  ScheduleWorkflowTask(sender);
}

void Service::OnCancelExternal(RunState& sender, int64_t initiated_event_id) {
  // After a recovery: a request the target lost, whose outcome the sender has already.
  const bool redeliver = sender.redeliver_cancels.erase(initiated_event_id) > 0;
  if (!sender.running() && !redeliver) return;
  const HistoryEvent initiated = StoredEvent(sender, initiated_event_id);
  const auto& a = initiated.request_cancel_external_workflow_execution_initiated_event_attributes();
  RunState* target = ExternalTarget(sender, a.workflow_execution(), a.child_workflow_only());
  if (redeliver) {
    const WorkflowExecution from = sender.execution();
    if (target != nullptr) {
      RecordCancelRequest(*target, a.reason(), service::kServerIdentity, initiated_event_id, &from);
    }
    return;
  }
  HistoryEvent event;
  if (target != nullptr) {
    // A target that already closed, or was already asked, counts as canceled: cancellation is
    // idempotent (requestcancelworkflow/api.go).
    const WorkflowExecution from = sender.execution();
    RecordCancelRequest(*target, a.reason(), service::kServerIdentity, initiated_event_id, &from);
    event = NewEvent(enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED);
    FillOutcome(a, initiated_event_id,
                event.mutable_external_workflow_execution_cancel_requested_event_attributes());
  } else {
    event = NewEvent(enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED);
    auto* f = event.mutable_request_cancel_external_workflow_execution_failed_event_attributes();
    f->set_cause(
        enums::
            CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND);
    FillFailure(a, initiated_event_id, f);
  }
  Record(sender, std::move(event));
  ScheduleWorkflowTask(sender);
}

}  // namespace lockstep
