// Service: recording a completed workflow task's commands, one event per command in order
// (service/history/api/respondworkflowtaskcompleted/workflow_task_completed_handler.go). The
// commands were checked first (command_checker.h), so each one here is valid.
#include <utility>

#include "engine/core/proto_time.h"
#include "engine/service/service.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;

void MergeMemo(const temporal::api::common::v1::Memo& update,
               temporal::api::common::v1::Memo* memo) {
  for (const auto& [key, value] : update.fields()) (*memo->mutable_fields())[key] = value;
}

}  // namespace

void Service::ApplyCommand(RunState& run, Command& command, int64_t completed_id,
                           bool* needs_new_task) {
  switch (command.command_type()) {
    case enums::COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK:
      ScheduleActivity(run, *command.mutable_schedule_activity_task_command_attributes(),
                       completed_id);
      return;
    case enums::COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK:
      if (RequestCancelActivity(
              run, command.request_cancel_activity_task_command_attributes().scheduled_event_id(),
              completed_id)) {
        *needs_new_task = true;  // activityNotStartedCancelled
      }
      return;
    case enums::COMMAND_TYPE_START_TIMER:
      StartTimer(run, command.start_timer_command_attributes(), completed_id);
      return;
    case enums::COMMAND_TYPE_CANCEL_TIMER:
      CancelTimer(run, command.cancel_timer_command_attributes().timer_id(), completed_id);
      return;
    case enums::COMMAND_TYPE_RECORD_MARKER: {
      const auto& c = command.record_marker_command_attributes();
      auto* a = Append(run, enums::EVENT_TYPE_MARKER_RECORDED)
                    ->mutable_marker_recorded_event_attributes();
      a->set_marker_name(c.marker_name());
      *a->mutable_details() = c.details();
      a->set_workflow_task_completed_event_id(completed_id);
      if (c.has_header()) *a->mutable_header() = c.header();
      if (c.has_failure()) *a->mutable_failure() = c.failure();
      return;
    }
    case enums::COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
      const auto& c = command.upsert_workflow_search_attributes_command_attributes();
      auto* a = Append(run, enums::EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
                    ->mutable_upsert_workflow_search_attributes_event_attributes();
      a->set_workflow_task_completed_event_id(completed_id);
      *a->mutable_search_attributes() = c.search_attributes();
      for (const auto& [key, value] : c.search_attributes().indexed_fields()) {
        (*run.search_attributes.mutable_indexed_fields())[key] = value;
      }
      return;
    }
    case enums::COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES: {
      const auto& c = command.modify_workflow_properties_command_attributes();
      auto* a = Append(run, enums::EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED)
                    ->mutable_workflow_properties_modified_event_attributes();
      a->set_workflow_task_completed_event_id(completed_id);
      *a->mutable_upserted_memo() = c.upserted_memo();
      MergeMemo(c.upserted_memo(), &run.memo);
      return;
    }
    case enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
      CompleteRun(run,
                  *command.mutable_complete_workflow_execution_command_attributes()->mutable_result(),
                  completed_id);
      return;
    case enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
      FailRun(run, command.fail_workflow_execution_command_attributes().failure(), completed_id);
      return;
    case enums::COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
      CancelRun(run, command.cancel_workflow_execution_command_attributes().details(),
                completed_id);
      return;
    case enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
      ContinueAsNew(run, command.continue_as_new_workflow_execution_command_attributes(),
                    completed_id);
      return;
    case enums::COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION:
      InitiateChild(run, command.start_child_workflow_execution_command_attributes(), completed_id);
      return;
    case enums::COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION:
      InitiateSignalExternal(run, command.signal_external_workflow_execution_command_attributes(),
                             completed_id);
      return;
    case enums::COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION:
      InitiateCancelExternal(
          run, command.request_cancel_external_workflow_execution_command_attributes(),
          completed_id);
      return;
    default:
      // PROTOCOL_MESSAGE is handled by CompleteWorkflowTask; the checker refused the others.
      return;
  }
}

// --- Timers --------------------------------------------------------------------------------

void Service::StartTimer(RunState& run,
                         const temporal::api::command::v1::StartTimerCommandAttributes& c,
                         int64_t completed_id) {
  auto* a = Append(run, enums::EVENT_TYPE_TIMER_STARTED)->mutable_timer_started_event_attributes();
  a->set_timer_id(c.timer_id());
  *a->mutable_start_to_fire_timeout() = c.start_to_fire_timeout();
  a->set_workflow_task_completed_event_id(completed_id);
  service::TimerState& timer = run.timers[c.timer_id()];
  timer.timer_id = c.timer_id();
  timer.started_event_id = run.history.size();
  timer.fire_time = Now() + FromProtoDuration(c.start_to_fire_timeout());
  DueItem item;
  item.kind = service::DueKind::kUserTimer;
  item.run = run.index;
  item.ref = timer.started_event_id;
  item.timer_id = c.timer_id();
  timer.key = Schedule(&timers_, timer.fire_time, std::move(item));
}

void Service::CancelTimer(RunState& run, const std::string& timer_id, int64_t completed_id) {
  int64_t started_event_id = 0;
  if (auto it = run.timers.find(timer_id); it != run.timers.end()) {
    started_event_id = it->second.started_event_id;
    timers_.Remove(&it->second.key);
    run.timers.erase(it);
  } else {
    // The timer fired while the task was out: its buffered TimerFired is dropped and the
    // cancellation recorded instead (Temporal: AddTimerCanceledEvent).
    for (auto b = run.buffered.begin(); b != run.buffered.end(); ++b) {
      if (b->event.event_type() == enums::EVENT_TYPE_TIMER_FIRED &&
          b->event.timer_fired_event_attributes().timer_id() == timer_id) {
        started_event_id = b->event.timer_fired_event_attributes().started_event_id();
        run.buffered.erase(b);
        break;
      }
    }
  }
  auto* a =
      Append(run, enums::EVENT_TYPE_TIMER_CANCELED)->mutable_timer_canceled_event_attributes();
  a->set_timer_id(timer_id);
  a->set_started_event_id(started_event_id);
  a->set_workflow_task_completed_event_id(completed_id);
  a->set_identity(options_.worker_identity);
}

void Service::OnTimerFired(RunState& run, const std::string& timer_id) {
  auto it = run.timers.find(timer_id);
  if (!run.running() || it == run.timers.end()) return;
  HistoryEvent event = NewEvent(enums::EVENT_TYPE_TIMER_FIRED);
  auto* a = event.mutable_timer_fired_event_attributes();
  a->set_timer_id(timer_id);
  a->set_started_event_id(it->second.started_event_id);
  run.timers.erase(it);
  Record(run, std::move(event));
  ScheduleWorkflowTask(run);
}

// --- Closing the run -----------------------------------------------------------------------

void Service::CompleteRun(RunState& run, Payloads& result, int64_t completed_id) {
  auto* a = Append(run, enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
                ->mutable_workflow_execution_completed_event_attributes();
  *a->mutable_result() = result;
  a->set_workflow_task_completed_event_id(completed_id);
  run.result = std::move(result);
  CloseRun(run, enums::WORKFLOW_EXECUTION_STATUS_COMPLETED);
}

void Service::FailRun(RunState& run, const Failure& failure, int64_t completed_id) {
  const retry::RetryDecision decision = WorkflowRetry(run, failure);
  std::string new_run_id;
  if (decision.state == enums::RETRY_STATE_IN_PROGRESS) new_run_id = run_ids_.NextUuid();
  auto* a = Append(run, enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)
                ->mutable_workflow_execution_failed_event_attributes();
  *a->mutable_failure() = failure;
  a->set_retry_state(decision.state);
  a->set_workflow_task_completed_event_id(completed_id);
  a->set_new_execution_run_id(new_run_id);
  run.failure = failure;
  run.new_execution_run_id = new_run_id;
  CloseRun(run, enums::WORKFLOW_EXECUTION_STATUS_FAILED);
  if (!new_run_id.empty()) {
    StartNextRunInChain(run, RetryRunParams(run, failure, decision.backoff, new_run_id));
  }
}

void Service::CancelRun(RunState& run, const Payloads& details, int64_t completed_id) {
  auto* a = Append(run, enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED)
                ->mutable_workflow_execution_canceled_event_attributes();
  a->set_workflow_task_completed_event_id(completed_id);
  *a->mutable_details() = details;
  CloseRun(run, enums::WORKFLOW_EXECUTION_STATUS_CANCELED);
}

void Service::ContinueAsNew(
    RunState& run,
    const temporal::api::command::v1::ContinueAsNewWorkflowExecutionCommandAttributes& c,
    int64_t completed_id) {
  NewRun p;
  p.workflow_id = run.workflow_id;
  p.run_id = run_ids_.NextUuid();
  p.workflow_type = c.workflow_type().name().empty() ? run.workflow_type : c.workflow_type().name();
  p.task_queue = c.task_queue().name().empty() ? run.task_queue : c.task_queue().name();
  p.input = c.input();
  p.execution_timeout = run.execution_timeout;
  const absl::Duration run_timeout = FromProtoDuration(c.workflow_run_timeout());
  const absl::Duration task_timeout = FromProtoDuration(c.workflow_task_timeout());
  p.run_timeout = run_timeout > absl::ZeroDuration() ? run_timeout : run.run_timeout;
  p.task_timeout = task_timeout > absl::ZeroDuration() ? task_timeout : run.task_timeout;
  if (c.has_retry_policy()) p.retry_policy = retry::WithRetryDefaults(c.retry_policy());
  p.header = c.header();
  p.memo = c.has_memo() ? c.memo() : run.memo;
  p.search_attributes = c.has_search_attributes() ? c.search_attributes() : run.search_attributes;
  p.identity = run.identity;
  p.first_run_id = run.first_run_id;
  p.continued_run_id = run.run_id;
  p.expiration_time = run.expiration_time;
  p.initiator = c.initiator() == enums::CONTINUE_AS_NEW_INITIATOR_UNSPECIFIED
                    ? enums::CONTINUE_AS_NEW_INITIATOR_WORKFLOW
                    : c.initiator();
  if (c.has_failure()) p.continued_failure = c.failure();
  if (c.has_last_completion_result()) p.last_completion_result = c.last_completion_result();
  p.start_backoff = FromProtoDuration(c.backoff_start_interval());

  auto* a = Append(run, enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW)
                ->mutable_workflow_execution_continued_as_new_event_attributes();
  a->set_new_execution_run_id(p.run_id);
  a->mutable_workflow_type()->set_name(p.workflow_type);
  a->mutable_task_queue()->set_name(p.task_queue);
  a->mutable_task_queue()->set_kind(enums::TASK_QUEUE_KIND_NORMAL);
  if (p.input.payloads_size() > 0) *a->mutable_input() = p.input;
  SetProtoDuration(p.run_timeout, a->mutable_workflow_run_timeout());
  SetProtoDuration(p.task_timeout, a->mutable_workflow_task_timeout());
  a->set_workflow_task_completed_event_id(completed_id);
  SetProtoDuration(p.start_backoff, a->mutable_backoff_start_interval());
  a->set_initiator(p.initiator);
  // (The event's failure field is deprecated in the schema; the new run's
  // continued_failure carries it.)
  if (p.last_completion_result.has_value()) {
    *a->mutable_last_completion_result() = *p.last_completion_result;
  }
  *a->mutable_header() = p.header;
  *a->mutable_memo() = *p.memo;
  *a->mutable_search_attributes() = *p.search_attributes;
  run.new_execution_run_id = p.run_id;
  CloseRun(run, enums::WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW);
  StartNextRunInChain(run, std::move(p));
}

}  // namespace lockstep
