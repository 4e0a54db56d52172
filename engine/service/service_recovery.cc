// Service: restoring runs from their stored histories (RestoreRun), and arming what each
// restored run waits for. docs/recovery.md states every rule with its Temporal source.
//
// Temporal keeps a workflow's mutable state and its timer and transfer tasks in its
// persistence, beside the history; Lockstep's store holds the history only, so recovery
// rebuilds the mutable state from the events (run_restore.h) and re-creates the tasks from it,
// as Temporal's task refresher makes them again from mutable state (service/history/workflow/
// task_refresher.go TaskRefresherImpl.RefreshTasks: the start, close, workflow task, activity,
// user timer, child and external request tasks, through task_generator.go).
#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/history/validate.h"
#include "engine/service/service.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using service::DueKind;
using Phase = service::WorkflowTaskState::Phase;

std::string RunName(const std::string& workflow_id, const std::string& run_id) {
  return absl::StrCat("workflow \"", workflow_id, "\" run \"", run_id, "\"");
}

// The history's own statement of whose it is (WorkflowExecutionStarted), where it makes one.
// The service writes the run's own id as original_execution_run_id (Temporal keeps another
// there only for a run made by a reset, which the service does not make).
absl::Status CheckOwnership(const std::string& name, const std::string& workflow_id,
                            const std::string& run_id,
                            const temporal::api::history::v1::History& history) {
  const auto& a = history.events(0).workflow_execution_started_event_attributes();
  if (!a.workflow_id().empty() && a.workflow_id() != workflow_id) {
    return absl::InvalidArgumentError(
        absl::StrCat("restoring ", name, ": event 1 (WorkflowExecutionStarted) is workflow \"",
                     a.workflow_id(), "\"'s"));
  }
  if (!a.original_execution_run_id().empty() && a.original_execution_run_id() != run_id) {
    return absl::InvalidArgumentError(absl::StrCat("restoring ", name,
                                                   ": event 1 (WorkflowExecutionStarted) is run \"",
                                                   a.original_execution_run_id(), "\"'s"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Service::RestoreRun(const temporal::api::common::v1::WorkflowExecution& execution,
                                 const temporal::api::history::v1::History& history,
                                 absl::Span<const ActivityAttemptState> activity_attempts) {
  const std::string& workflow_id = execution.workflow_id();
  const std::string& run_id = execution.run_id();
  const std::string name = RunName(workflow_id, run_id);
  if (workflow_id.empty() || run_id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("restoring ", name, ": a workflow id and a run id are both required"));
  }
  if (absl::Status valid = history::ValidateHistory(history, absl::StrCat("restoring ", name));
      !valid.ok()) {
    return valid;
  }
  if (absl::Status owned = CheckOwnership(name, workflow_id, run_id, history); !owned.ok()) {
    return owned;
  }
  if (run_index_.contains({workflow_id, run_id})) {
    return absl::AlreadyExistsError(
        absl::StrCat("restoring ", name, ": the service already has this run"));
  }
  absl::btree_map<int64_t, const ActivityAttemptState*> attempts;
  for (const ActivityAttemptState& state : activity_attempts) {
    if (state.attempt < 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "restoring ", name, ": the attempt state of the activity scheduled at event ",
          state.scheduled_event_id, " has attempt ", state.attempt));
    }
    if (!attempts.emplace(state.scheduled_event_id, &state).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "restoring ", name, ": two attempt states for the activity scheduled at event ",
          state.scheduled_event_id));
    }
  }

  auto owned = std::make_unique<RunState>();
  RunState& run = *owned;
  run.workflow_id = workflow_id;
  run.run_id = run_id;
  service::RestoredFacts facts;
  service::RestoreRunState(history, &run, &facts);
  RunState* current = CurrentRun(workflow_id);
  if (run.running() && current != nullptr && current->running()) {
    // Temporal allows one open run per workflow id (the current execution record).
    return absl::FailedPreconditionError(absl::StrCat(
        "restoring ", name, ": open at event ", history.events_size(), ", but run \"",
        current->run_id, "\" of the workflow is open too (one open run per workflow id)"));
  }

  run.index = runs_.size();
  run.history.set_pool(&block_pool_);
  if (options_.keep_histories_decoded) run.history.Pin().IgnoreError();
  for (const temporal::api::history::v1::HistoryEvent& event : history.events()) {
    run.history.Append(event);
  }
  run.history.Seal();
  run.history.Trim(TrimPoint(run));
  runs_.push_back(std::move(owned));
  run_index_[{workflow_id, run_id}] = run.index;
  // Runs are restored in the order they were created, so the later one is the current one; a
  // closed run restored beside an open one of the id (an earlier run of its chain) is not.
  if (current == nullptr || !current->running()) current_run_[workflow_id] = run.index;
  // Ids made from here on depend on every run restored, so none repeats an id the service
  // that wrote these histories made from the same seed (id_generator.h).
  run_ids_.Absorb(run_id);
  request_ids_.Absorb(run_id);
  next_task_id_ = std::max(next_task_id_, facts.max_task_id + 1);
  ArmRestoredRun(run, facts, attempts);
  if (restored_deliveries_ == nullptr) {
    restored_deliveries_ = std::make_unique<service::RestoredDeliveries>();
  }
  restored_deliveries_->Add(run.index, run, facts);
  return absl::OkStatus();
}

void Service::ArmRestoredRun(
    RunState& run, const service::RestoredFacts& facts,
    const absl::btree_map<int64_t, const ActivityAttemptState*>& attempts) {
  for (const service::UpdateState& restored : facts.updates) {
    service::UpdateState& update = run.updates[restored.status.update_id];
    update = restored;
    update.admitted_seq = next_update_seq_++;
    update_index_[{run.workflow_id, restored.status.update_id}] = run.index;
  }
  if (!run.running()) {
    // An accepted update whose run closed before it completed ended then (AbortUpdates).
    AbortUpdates(run);
    if (RetentionReleases()) newly_closed_.push_back(run.index);
    // The close transfer task may not have run: the report to the parent (only the chain's
    // last run reports) and the children's parent close policies. Both are idempotent: a
    // parent that has the child's close, or a child that closed, is left alone.
    if ((run.parent.has_value() && run.new_execution_run_id.empty()) || !run.children.empty()) {
      Schedule(&timers_, Now(), service::RunItem(DueKind::kCloseExecution, run.index));
      run.close_report_pending = true;
    }
    return;
  }
  const absl::Duration zero = absl::ZeroDuration();

  // Run and execution timeouts, from when the first task could start, as CreateRun arms them.
  const absl::Time execution_time = run.start_time + std::max(facts.start_backoff, zero);
  ArmRunTimeout(run, execution_time);
  if (facts.start_backoff > zero && !facts.task_scheduled) {
    run.awaiting_start_backoff = true;
    run.start_key =
        Schedule(&timers_, execution_time, service::RunItem(DueKind::kWorkflowStart, run.index));
  }

  // The workflow task.
  service::WorkflowTaskState& task = run.task;
  if (task.phase == Phase::kScheduled) {
    // Still in the task queue: a worker polls it again.
    task.dispatch_key = Schedule(&workflow_dispatch_, Now(),
                                 service::RunItem(DueKind::kWorkflowTaskDispatch, run.index));
  } else if (task.phase == Phase::kStarted) {
    // Its worker died with the process: nobody answers, so it times out start-to-close from
    // when it started and is retried (Temporal's WorkflowTaskTimeoutTask, made when the task
    // started, fires whatever became of the worker).
    task.timeout_key = Schedule(&timers_, task.started_time + task.timeout,
                                service::RunItem(DueKind::kWorkflowTaskTimeout, run.index));
  } else if (facts.failed_task_event_id > 0) {
    // A failed or timed-out task has its next attempt scheduled at once, transient; events
    // written since make it a normal attempt-1 task when it is dispatched (as if it had
    // waited in the queue meanwhile).
    task.phase = Phase::kScheduled;
    task.transient = true;
    task.attempt = run.next_task_attempt;
    task.timeout = run.task_timeout;
    task.scheduled_time = Now();
    task.transient_history_length = facts.failed_task_event_id;
    task.scheduled_event_id = facts.failed_task_event_id + 1;
    task.dispatch_key = Schedule(&workflow_dispatch_, Now() + WorkflowTaskRetryDelay(task.attempt),
                                 service::RunItem(DueKind::kWorkflowTaskDispatch, run.index));
  }

  // User timers, in the order they were started (ties at one instant fire in that order).
  std::vector<service::TimerState*> timers;
  for (auto& [id, timer] : run.timers) timers.push_back(&timer);
  std::sort(timers.begin(), timers.end(),
            [](const auto* a, const auto* b) { return a->started_event_id < b->started_event_id; });
  for (service::TimerState* timer : timers) {
    DueItem item;
    item.kind = DueKind::kUserTimer;
    item.run = run.index;
    item.ref = timer->started_event_id;
    item.timer_id = timer->timer_id;
    timer->key = Schedule(&timers_, timer->fire_time, std::move(item));
  }

  for (auto& [id, activity] : run.activities) {
    auto restored = attempts.find(id);
    ArmRestoredActivity(run, activity, restored == attempts.end() ? nullptr : restored->second);
  }

  // Child starts not yet made (or made, with the parent's record of it lost: OnStartChild
  // finds the child run and adopts it), and requests to other workflows not yet delivered.
  for (const auto& [initiated_id, child] : run.children) {
    if (!child.run_id.empty()) continue;
    DueItem item = service::RunItem(DueKind::kStartChild, run.index);
    item.ref = initiated_id;
    Schedule(&timers_, Now(), std::move(item));
  }
  for (int64_t initiated_id : facts.pending_signals) {
    // The original request id is not in the history: a new one (docs/recovery.md).
    run.external_signal_request_ids[initiated_id] = NextRequestId();
    DueItem item = service::RunItem(DueKind::kSignalExternal, run.index);
    item.ref = initiated_id;
    Schedule(&timers_, Now(), std::move(item));
  }
  for (int64_t initiated_id : facts.pending_cancels) {
    DueItem item = service::RunItem(DueKind::kCancelExternal, run.index);
    item.ref = initiated_id;
    Schedule(&timers_, Now(), std::move(item));
  }
}

void Service::ArmRestoredActivity(RunState& run, ActivityState& activity,
                                  const ActivityAttemptState* restored) {
  if (restored != nullptr) {
    // The attempt state the history does not hold, as the last stored step left it
    // (Temporal's ActivityInfo, persisted with the events).
    activity.attempt = restored->attempt;
    activity.attempt_scheduled_time = restored->attempt_scheduled_time;
    activity.last_failure = restored->last_failure;
    activity.heartbeat_details = restored->heartbeat_details;
    if (restored->started_time.has_value() && !activity.started) {
      // Running on a worker: its ActivityTaskStarted is written when the activity closes.
      activity.started = true;
      activity.started_time = *restored->started_time;
      activity.started_request_id = restored->started_request_id;
    }
  }
  DueItem item;
  item.kind = DueKind::kActivityTimeout;
  item.run = run.index;
  item.ref = activity.scheduled_event_id;
  if (activity.schedule_to_close > absl::ZeroDuration()) {
    item.timeout_type = enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE;
    activity.schedule_to_close_key =
        Schedule(&timers_, activity.first_scheduled_time + activity.schedule_to_close, item);
  }
  if (!activity.started) {
    // Waiting for a worker or backing off (at its attempt's scheduled time), or, without a
    // stored attempt state, possibly running or backing off without a trace in the history
    // (dispatched again as the attempt the history implies, 1).
    EnqueueAttempt(run, activity);
    return;
  }
  // The attempt that was running (its ActivityTaskStarted in the history, or its start in the
  // stored attempt state) ran on a worker that died: it ends by its start-to-close timeout,
  // counted from its start, and its heartbeat timeout, counted from the last moment it can
  // have heartbeated (the recovery), then is retried as the next attempt or closed per its
  // retry policy, as when Temporal's workers are lost: task_refresher.go refreshTasksForActivity
  // makes no transfer task for a started activity, only its timers (CreateNextActivityTimer),
  // and the timeout's RetryActivity counts the lost attempt (Attempt++).
  if (activity.start_to_close > absl::ZeroDuration()) {
    item.timeout_type = enums::TIMEOUT_TYPE_START_TO_CLOSE;
    activity.start_to_close_key =
        Schedule(&timers_, activity.started_time + activity.start_to_close, item);
  }
  if (activity.heartbeat_timeout > absl::ZeroDuration()) {
    item.timeout_type = enums::TIMEOUT_TYPE_HEARTBEAT;
    activity.heartbeat_key = Schedule(&timers_, Now() + activity.heartbeat_timeout, item);
  }
}

bool Service::AdoptRestoredChild(RunState& parent, int64_t initiated_event_id) {
  auto it = parent.children.find(initiated_event_id);
  if (it == parent.children.end()) return false;
  service::ChildState& info = it->second;
  // The child's chain names this parent and this initiated event in its started event.
  RunState* child = CurrentRun(info.workflow_id);
  if (child == nullptr || !child->parent.has_value() ||
      child->parent->workflow_id != parent.workflow_id || child->parent->run_id != parent.run_id ||
      child->parent->initiated_event_id != initiated_event_id) {
    return false;
  }
  const HistoryEvent initiated = StoredEvent(parent, initiated_event_id);
  const auto& a = initiated.start_child_workflow_execution_initiated_event_attributes();
  HistoryEvent event = NewEvent(enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED);
  auto* s = event.mutable_child_workflow_execution_started_event_attributes();
  s->set_namespace_(a.namespace_());
  s->set_initiated_event_id(initiated_event_id);
  s->mutable_workflow_execution()->set_workflow_id(child->workflow_id);
  s->mutable_workflow_execution()->set_run_id(child->first_run_id);
  *s->mutable_workflow_type() = a.workflow_type();
  if (a.has_header()) *s->mutable_header() = a.header();
  info.run_id = child->first_run_id;
  info.started_event_id = Record(parent, std::move(event));
  ScheduleWorkflowTask(parent);
  if (!child->running()) ReportCloseToParent(*child);
  return true;
}

}  // namespace lockstep

namespace lockstep {

void Service::ReconcileRestoredDeliveries() {
  const std::unique_ptr<service::RestoredDeliveries> restored = std::move(restored_deliveries_);
  // A signal reaches its target's history and the sender's outcome in one step, but either
  // event may have waited in a buffer behind a workflow task of its run when the process
  // died. The target's events do not say which request they came from (the request id is
  // not the sender's to know again), so deliveries are counted per sender run and target
  // workflow: the target lost the last ones the sender counts beyond what the target has;
  // the sender lost the outcomes of its first pending ones the target has beyond them.
  for (const auto& [key, ledger] : restored->signals_sent) {
    RunState& sender = *runs_[key.first];
    auto it = restored->signals_received.find({key.second, sender.workflow_id, sender.run_id});
    const int64_t received = it == restored->signals_received.end() ? 0 : it->second;
    const int64_t delivered = static_cast<int64_t>(ledger.delivered.size());
    for (int64_t i = std::max<int64_t>(received, 0); i < delivered; ++i) {
      const int64_t initiated_id = ledger.delivered[static_cast<size_t>(i)];
      sender.redeliver_signals.insert(initiated_id);
      sender.external_signal_request_ids[initiated_id] = NextRequestId();
      DueItem item = service::RunItem(DueKind::kSignalExternal, sender.index);
      item.ref = initiated_id;
      Schedule(&timers_, Now(), std::move(item));
    }
    const int64_t extra =
        std::min<int64_t>(received - delivered, static_cast<int64_t>(ledger.pending.size()));
    for (int64_t i = 0; i < extra; ++i) {
      sender.delivered_signals.insert(ledger.pending[static_cast<size_t>(i)]);
    }
  }
  // A cancellation request names its initiated event in the target's event, so each one is
  // checked on its own.
  for (const auto& [index, initiated_id, target] : restored->cancels_sent) {
    RunState& sender = *runs_[index];
    if (restored->cancels_received.contains(
            {target, sender.workflow_id, sender.run_id, initiated_id})) {
      continue;
    }
    sender.redeliver_cancels.insert(initiated_id);
    DueItem item = service::RunItem(DueKind::kCancelExternal, sender.index);
    item.ref = initiated_id;
    Schedule(&timers_, Now(), std::move(item));
  }
}

}  // namespace lockstep
