// Service: writing events. Ids are assigned when an event enters the history (so buffered
// events get theirs when flushed), times when it is created, task ids from one counter.
#include "absl/container/btree_map.h"
#include "engine/core/proto_time.h"
#include "engine/service/service.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::history::v1::HistoryEvent;

}  // namespace

temporal::api::history::v1::HistoryEvent Service::NewEvent(enums::EventType type) const {
  HistoryEvent event;
  event.set_event_type(type);
  SetProtoTime(Now(), event.mutable_event_time());
  return event;
}

HistoryEvent* Service::AppendEvent(RunState& run, HistoryEvent event) {
  if (step_depth_ > 0) NoteAppend(run);
  event.set_event_id(NextEventId(run));
  event.set_task_id(next_task_id_++);
  return run.history.Append(std::move(event));
}

HistoryEvent Service::StoredEvent(const RunState& run, int64_t event_id) {
  HistoryEvent scratch;
  absl::StatusOr<const HistoryEvent*> event =
      run.history.Event(static_cast<int>(event_id - 1), &scratch);
  // Every event the service stores was validated on the way in (strings are UTF-8), so it
  // decodes; an event that does not reads as empty rather than stopping the service.
  if (!event.ok()) return HistoryEvent();
  return **event;
}

temporal::api::history::v1::HistoryEvent* Service::Append(RunState& run, enums::EventType type) {
  // As AppendEvent(run, NewEvent(type)), built in place: most events are made here.
  if (step_depth_ > 0) NoteAppend(run);
  const int64_t id = NextEventId(run);
  HistoryEvent* event = run.history.AppendNew();
  event->set_event_id(id);
  event->set_event_type(type);
  SetProtoTime(Now(), event->mutable_event_time());
  event->set_task_id(next_task_id_++);
  return event;
}

int64_t Service::Record(RunState& run, HistoryEvent event) {
  if (run.task.phase == service::WorkflowTaskState::Phase::kStarted) {
    run.buffered.push_back({std::move(event)});
    return service::kBufferedEventId;
  }
  AppendEvent(run, std::move(event));
  return run.history.size();
}

HistoryEvent* Service::RecordNew(RunState& run, enums::EventType type) {
  if (run.task.phase == service::WorkflowTaskState::Phase::kStarted) {
    run.buffered.push_back({NewEvent(type)});
    return &run.buffered.back().event;
  }
  return Append(run, type);
}

void Service::FlushBuffered(RunState& run) {
  // Started ids given out in this flush, by activity scheduled id / child initiated id.
  absl::btree_map<int64_t, int64_t> started_ids;
  absl::btree_map<int64_t, int64_t> child_started_ids;
  std::vector<service::BufferedEvent> buffered = std::move(run.buffered);
  run.buffered.clear();
  for (service::BufferedEvent& b : buffered) {
    HistoryEvent& e = b.event;
    if (e.event_type() == enums::EVENT_TYPE_ACTIVITY_TASK_STARTED) {
      const int64_t scheduled = e.activity_task_started_event_attributes().scheduled_event_id();
      started_ids[scheduled] = NextEventId(run);
      // An activity still running (no retry policy: started event written at start) learns
      // its started event id now.
      if (auto it = run.activities.find(scheduled);
          it != run.activities.end() && it->second.started_event_id == service::kBufferedEventId) {
        it->second.started_event_id = NextEventId(run);
      }
    }
    if (e.event_type() == enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED) {
      // A child still pending learns the id of its started event now.
      const int64_t initiated =
          e.child_workflow_execution_started_event_attributes().initiated_event_id();
      child_started_ids[initiated] = NextEventId(run);
      if (auto it = run.children.find(initiated); it != run.children.end()) {
        it->second.started_event_id = NextEventId(run);
      }
    }
    auto patch = [&](auto* attrs) {
      if (attrs->started_event_id() == service::kBufferedEventId) {
        attrs->set_started_event_id(started_ids[attrs->scheduled_event_id()]);
      }
    };
    auto patch_child = [&](auto* attrs) {
      if (attrs->started_event_id() == service::kBufferedEventId) {
        attrs->set_started_event_id(child_started_ids[attrs->initiated_event_id()]);
      }
    };
    switch (e.event_type()) {
      case enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        patch(e.mutable_activity_task_completed_event_attributes());
        break;
      case enums::EVENT_TYPE_ACTIVITY_TASK_FAILED:
        patch(e.mutable_activity_task_failed_event_attributes());
        break;
      case enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
        patch(e.mutable_activity_task_timed_out_event_attributes());
        break;
      case enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED:
        patch(e.mutable_activity_task_canceled_event_attributes());
        break;
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
        patch_child(e.mutable_child_workflow_execution_completed_event_attributes());
        break;
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
        patch_child(e.mutable_child_workflow_execution_failed_event_attributes());
        break;
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
        patch_child(e.mutable_child_workflow_execution_canceled_event_attributes());
        break;
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
        patch_child(e.mutable_child_workflow_execution_timed_out_event_attributes());
        break;
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED:
        patch_child(e.mutable_child_workflow_execution_terminated_event_attributes());
        break;
      default:
        break;
    }
    AppendEvent(run, std::move(e));
  }
}

}  // namespace lockstep
