#include "engine/service/run_restore.h"

#include <algorithm>
#include <utility>

#include "engine/core/proto_time.h"
#include "engine/history/event_types.h"

namespace lockstep::service {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::history::v1::HistoryEvent;
using Phase = WorkflowTaskState::Phase;

void RestoreStart(const HistoryEvent& event, RunState* run, RestoredFacts* facts) {
  const auto& a = event.workflow_execution_started_event_attributes();
  run->workflow_type = a.workflow_type().name();
  run->task_queue = a.task_queue().name();
  run->first_run_id = a.first_execution_run_id().empty() ? run->run_id : a.first_execution_run_id();
  run->start_time = FromProtoTime(event.event_time());
  // The timeouts as the service wrote them, its defaults applied (CreateRun).
  run->execution_timeout = FromProtoDuration(a.workflow_execution_timeout());
  run->run_timeout = FromProtoDuration(a.workflow_run_timeout());
  run->task_timeout = FromProtoDuration(a.workflow_task_timeout());
  if (a.has_workflow_execution_expiration_time()) {
    run->expiration_time = FromProtoTime(a.workflow_execution_expiration_time());
  }
  if (a.has_retry_policy()) run->retry_policy = a.retry_policy();
  run->attempt = std::max(a.attempt(), 1);
  run->input = a.input();
  run->header = a.header();
  run->memo = a.memo();
  run->search_attributes = a.search_attributes();
  run->identity = a.identity();
  if (a.has_parent_workflow_execution()) {
    run->parent =
        ParentLink{a.parent_workflow_namespace(), a.parent_workflow_execution().workflow_id(),
                   a.parent_workflow_execution().run_id(), a.parent_initiated_event_id()};
  }
  if (a.has_root_workflow_execution()) run->root = a.root_workflow_execution();
  facts->start_backoff = FromProtoDuration(a.first_workflow_task_backoff());
}

void RestoreWorkflowTask(const HistoryEvent& event, RunState* run, RestoredFacts* facts) {
  WorkflowTaskState& task = run->task;
  const absl::Time time = FromProtoTime(event.event_time());
  switch (event.event_type()) {
    case enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: {
      const auto& a = event.workflow_task_scheduled_event_attributes();
      task = {};
      task.phase = Phase::kScheduled;
      task.attempt = std::max(a.attempt(), 1);
      task.scheduled_event_id = event.event_id();
      task.scheduled_time = time;
      const absl::Duration timeout = FromProtoDuration(a.start_to_close_timeout());
      task.timeout = timeout > absl::ZeroDuration() ? timeout : run->task_timeout;
      facts->task_scheduled = true;
      facts->failed_task_event_id = 0;
      return;
    }
    case enums::EVENT_TYPE_WORKFLOW_TASK_STARTED:
      task.phase = Phase::kStarted;
      task.started_event_id = event.event_id();
      task.started_time = time;
      task.request_id = event.workflow_task_started_event_attributes().request_id();
      return;
    case enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
      run->completed_any_task = true;
      run->last_completed_started_event_id =
          event.workflow_task_completed_event_attributes().started_event_id();
      run->next_task_attempt = 1;
      task = {};
      return;
    default:  // failed or timed out: Temporal schedules the next attempt at once
      run->next_task_attempt = task.attempt + 1;
      task = {};
      facts->failed_task_event_id = event.event_id();
      return;
  }
}

void RestoreActivity(const HistoryEvent& event, RunState* run) {
  const absl::Time time = FromProtoTime(event.event_time());
  switch (event.event_type()) {
    case enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
      const auto& a = event.activity_task_scheduled_event_attributes();
      ActivityState& activity = run->activities[event.event_id()];
      activity.scheduled_event_id = event.event_id();
      activity.activity_id = a.activity_id();
      activity.activity_type = a.activity_type().name();
      activity.task_queue = a.task_queue().name();
      activity.input = a.input();
      activity.header = a.header();
      activity.schedule_to_close = FromProtoDuration(a.schedule_to_close_timeout());
      activity.schedule_to_start = FromProtoDuration(a.schedule_to_start_timeout());
      activity.start_to_close = FromProtoDuration(a.start_to_close_timeout());
      activity.heartbeat_timeout = FromProtoDuration(a.heartbeat_timeout());
      if (a.has_retry_policy()) activity.retry_policy = a.retry_policy();
      activity.first_scheduled_time = time;
      activity.attempt_scheduled_time = time;
      return;
    }
    case enums::EVENT_TYPE_ACTIVITY_TASK_STARTED: {
      // Written at start only for an activity without a retry policy; otherwise it comes
      // with the close, which follows at once and drops the activity.
      const auto& a = event.activity_task_started_event_attributes();
      auto it = run->activities.find(a.scheduled_event_id());
      if (it == run->activities.end()) return;
      ActivityState& activity = it->second;
      activity.started = true;
      activity.started_time = time;
      activity.started_request_id = a.request_id();
      activity.started_event_id = event.event_id();
      activity.attempt = std::max(a.attempt(), 1);
      if (a.has_last_failure()) activity.last_failure = a.last_failure();
      return;
    }
    case enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED: {
      const auto& a = event.activity_task_cancel_requested_event_attributes();
      auto it = run->activities.find(a.scheduled_event_id());
      if (it == run->activities.end()) return;
      it->second.cancel_requested = true;
      it->second.cancel_requested_event_id = event.event_id();
      return;
    }
    case enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      run->activities.erase(event.activity_task_completed_event_attributes().scheduled_event_id());
      return;
    case enums::EVENT_TYPE_ACTIVITY_TASK_FAILED:
      run->activities.erase(event.activity_task_failed_event_attributes().scheduled_event_id());
      return;
    case enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
      run->activities.erase(event.activity_task_timed_out_event_attributes().scheduled_event_id());
      return;
    default:  // canceled
      run->activities.erase(event.activity_task_canceled_event_attributes().scheduled_event_id());
      return;
  }
}

// Child workflows, by the parent's initiated event id.
void RestoreChild(const HistoryEvent& event, RunState* run) {
  switch (event.event_type()) {
    case enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: {
      const auto& a = event.start_child_workflow_execution_initiated_event_attributes();
      ChildState& child = run->children[event.event_id()];
      child.initiated_event_id = event.event_id();
      child.workflow_id = a.workflow_id();
      child.workflow_type = a.workflow_type().name();
      child.parent_close_policy = a.parent_close_policy();
      return;
    }
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED: {
      const auto& a = event.child_workflow_execution_started_event_attributes();
      auto it = run->children.find(a.initiated_event_id());
      if (it == run->children.end()) return;
      it->second.run_id = a.workflow_execution().run_id();
      it->second.started_event_id = event.event_id();
      return;
    }
    case enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED:
      run->children.erase(
          event.start_child_workflow_execution_failed_event_attributes().initiated_event_id());
      return;
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
      run->children.erase(
          event.child_workflow_execution_completed_event_attributes().initiated_event_id());
      return;
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
      run->children.erase(
          event.child_workflow_execution_failed_event_attributes().initiated_event_id());
      return;
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
      run->children.erase(
          event.child_workflow_execution_canceled_event_attributes().initiated_event_id());
      return;
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
      run->children.erase(
          event.child_workflow_execution_timed_out_event_attributes().initiated_event_id());
      return;
    default:  // terminated
      run->children.erase(
          event.child_workflow_execution_terminated_event_attributes().initiated_event_id());
      return;
  }
}

void Erase(std::vector<int64_t>* pending, int64_t initiated_event_id) {
  pending->erase(std::remove(pending->begin(), pending->end(), initiated_event_id), pending->end());
}

void RestoreUpdate(const HistoryEvent& event, const RunState& run, RestoredFacts* facts) {
  if (event.event_type() == enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) {
    const auto& a = event.workflow_execution_update_accepted_event_attributes();
    UpdateState update;
    update.status.update_id = a.protocol_instance_id();
    update.status.execution = run.execution();
    update.status.stage = UpdateStatus::Stage::kAccepted;
    update.request = a.accepted_request();
    update.accepted_event_id = event.event_id();
    facts->updates.push_back(std::move(update));
    return;
  }
  const auto& a = event.workflow_execution_update_completed_event_attributes();
  for (UpdateState& update : facts->updates) {
    if (update.status.update_id != a.meta().update_id()) continue;
    update.status.stage = UpdateStatus::Stage::kCompleted;
    update.status.outcome = a.outcome();
    return;
  }
}

// The close event: status, outcome, the next run of the chain.
void RestoreClose(const HistoryEvent& event, RunState* run) {
  run->close_time = FromProtoTime(event.event_time());
  switch (event.event_type()) {
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: {
      const auto& a = event.workflow_execution_completed_event_attributes();
      run->status = enums::WORKFLOW_EXECUTION_STATUS_COMPLETED;
      run->result = a.result();
      run->new_execution_run_id = a.new_execution_run_id();
      return;
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: {
      const auto& a = event.workflow_execution_failed_event_attributes();
      run->status = enums::WORKFLOW_EXECUTION_STATUS_FAILED;
      run->failure = a.failure();
      run->new_execution_run_id = a.new_execution_run_id();
      return;
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      run->status = enums::WORKFLOW_EXECUTION_STATUS_TIMED_OUT;
      run->new_execution_run_id =
          event.workflow_execution_timed_out_event_attributes().new_execution_run_id();
      return;
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      run->status = enums::WORKFLOW_EXECUTION_STATUS_CANCELED;
      return;
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      run->status = enums::WORKFLOW_EXECUTION_STATUS_TERMINATED;
      return;
    default:  // continued as new
      run->status = enums::WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW;
      run->new_execution_run_id =
          event.workflow_execution_continued_as_new_event_attributes().new_execution_run_id();
      return;
  }
}

}  // namespace

void RestoreRunState(const temporal::api::history::v1::History& history, RunState* run,
                     RestoredFacts* facts) {
  for (const HistoryEvent& event : history.events()) {
    facts->max_task_id = std::max(facts->max_task_id, event.task_id());
    switch (event.event_type()) {
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        RestoreStart(event, run, facts);
        break;
      case enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
      case enums::EVENT_TYPE_WORKFLOW_TASK_STARTED:
      case enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
      case enums::EVENT_TYPE_WORKFLOW_TASK_FAILED:
      case enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
        RestoreWorkflowTask(event, run, facts);
        break;
      case enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
      case enums::EVENT_TYPE_ACTIVITY_TASK_STARTED:
      case enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED:
      case enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      case enums::EVENT_TYPE_ACTIVITY_TASK_FAILED:
      case enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
      case enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED:
        RestoreActivity(event, run);
        break;
      case enums::EVENT_TYPE_TIMER_STARTED: {
        const auto& a = event.timer_started_event_attributes();
        TimerState& timer = run->timers[a.timer_id()];
        timer.timer_id = a.timer_id();
        timer.started_event_id = event.event_id();
        timer.fire_time =
            FromProtoTime(event.event_time()) + FromProtoDuration(a.start_to_fire_timeout());
        break;
      }
      case enums::EVENT_TYPE_TIMER_FIRED:
        run->timers.erase(event.timer_fired_event_attributes().timer_id());
        break;
      case enums::EVENT_TYPE_TIMER_CANCELED:
        run->timers.erase(event.timer_canceled_event_attributes().timer_id());
        break;
      case enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
      case enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED:
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED:
        RestoreChild(event, run);
        break;
      case enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        facts->pending_signals.push_back(event.event_id());
        break;
      case enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED: {
        const auto& a = event.external_workflow_execution_signaled_event_attributes();
        Erase(&facts->pending_signals, a.initiated_event_id());
        facts->signals_delivered.emplace_back(a.initiated_event_id(),
                                              a.workflow_execution().workflow_id());
        break;
      }
      case enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED:
        Erase(&facts->pending_signals,
              event.signal_external_workflow_execution_failed_event_attributes()
                  .initiated_event_id());
        break;
      case enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        facts->pending_cancels.push_back(event.event_id());
        break;
      case enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED: {
        const auto& a = event.external_workflow_execution_cancel_requested_event_attributes();
        Erase(&facts->pending_cancels, a.initiated_event_id());
        facts->cancels_delivered.emplace_back(a.initiated_event_id(),
                                              a.workflow_execution().workflow_id());
        break;
      }
      case enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED:
        Erase(&facts->pending_cancels,
              event.request_cancel_external_workflow_execution_failed_event_attributes()
                  .initiated_event_id());
        break;
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: {
        // Signal deduplication survives for every signal the history holds.
        const auto& a = event.workflow_execution_signaled_event_attributes();
        if (!a.request_id().empty()) run->signal_request_ids.insert(a.request_id());
        if (a.has_external_workflow_execution()) {
          facts->signals_received.push_back(a.external_workflow_execution());
        }
        break;
      }
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED: {
        run->cancel_requested = true;
        const auto& a = event.workflow_execution_cancel_requested_event_attributes();
        if (a.has_external_workflow_execution()) {
          facts->cancels_received.emplace_back(a.external_workflow_execution(),
                                               a.external_initiated_event_id());
        }
        break;
      }
      case enums::EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        for (const auto& [key, value] : event.upsert_workflow_search_attributes_event_attributes()
                                            .search_attributes()
                                            .indexed_fields()) {
          (*run->search_attributes.mutable_indexed_fields())[key] = value;
        }
        break;
      case enums::EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
        for (const auto& [key, value] :
             event.workflow_properties_modified_event_attributes().upserted_memo().fields()) {
          (*run->memo.mutable_fields())[key] = value;
        }
        break;
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
        RestoreUpdate(event, *run, facts);
        break;
      default:
        // The close event (always the last), or one that leaves nothing pending (markers).
        if (history::IsCloseEvent(event.event_type())) RestoreClose(event, run);
        break;
    }
  }
  for (int64_t initiated_id : facts->pending_signals) {
    facts->pending_signal_targets.push_back(
        history.events(static_cast<int>(initiated_id - 1))
            .signal_external_workflow_execution_initiated_event_attributes()
            .workflow_execution()
            .workflow_id());
  }
}

void RestoredDeliveries::Add(size_t index, const RunState& run, const RestoredFacts& facts) {
  for (const auto& [initiated_id, target] : facts.signals_delivered) {
    signals_sent[{index, target}].delivered.push_back(initiated_id);
  }
  for (size_t i = 0; i < facts.pending_signals.size(); ++i) {
    signals_sent[{index, facts.pending_signal_targets[i]}].pending.push_back(
        facts.pending_signals[i]);
  }
  for (const auto& sender : facts.signals_received) {
    ++signals_received[{run.workflow_id, sender.workflow_id(), sender.run_id()}];
  }
  for (const auto& [initiated_id, target] : facts.cancels_delivered) {
    cancels_sent.emplace_back(index, initiated_id, target);
  }
  for (const auto& [sender, initiated_id] : facts.cancels_received) {
    cancels_received.emplace(run.workflow_id, sender.workflow_id(), sender.run_id(), initiated_id);
  }
}

}  // namespace lockstep::service
