#include "engine/history/history_builder.h"

#include <cmath>

#include "engine/history/event_types.h"

namespace lockstep::history {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::history::v1::HistoryEvent;

// 2024-01-01T00:00:00Z: a fixed start, so built histories are byte-for-byte reproducible.
constexpr int64_t kStartNanos = int64_t{1704067200} * 1000000000;

void SetDuration(double seconds, google::protobuf::Duration* d) {
  const int64_t nanos = std::llround(seconds * 1e9);
  d->set_seconds(nanos / 1000000000);
  d->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

}  // namespace

temporal::api::common::v1::Payload JsonPayload(absl::string_view json_text) {
  temporal::api::common::v1::Payload p;
  (*p.mutable_metadata())["encoding"] = "json/plain";
  p.set_data(std::string(json_text));
  return p;
}

HistoryBuilder::HistoryBuilder(absl::string_view workflow_type, absl::string_view task_queue,
                               absl::string_view workflow_id, absl::string_view run_id)
    : now_nanos_(kStartNanos), task_queue_(task_queue) {
  auto* attrs = AddEvent(enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
                    ->mutable_workflow_execution_started_event_attributes();
  attrs->mutable_workflow_type()->set_name(std::string(workflow_type));
  attrs->mutable_task_queue()->set_name(task_queue_);
  attrs->set_workflow_id(std::string(workflow_id));
  attrs->set_original_execution_run_id(std::string(run_id));
  attrs->set_first_execution_run_id(std::string(run_id));
  attrs->set_attempt(1);
  SetDuration(10, attrs->mutable_workflow_task_timeout());
}

HistoryEvent* HistoryBuilder::AddEvent(enums::EventType type) {
  HistoryEvent* event = history_.add_events();
  event->set_event_id(history_.events_size());
  event->set_event_type(type);
  event->mutable_event_time()->set_seconds(now_nanos_ / 1000000000);
  event->mutable_event_time()->set_nanos(static_cast<int32_t>(now_nanos_ % 1000000000));
  event->set_task_id(history_.events_size());
  if (const auto* field = AttributesFieldFor(type); field != nullptr) {
    event->GetReflection()->MutableMessage(event, field);
  }
  return event;
}

HistoryBuilder::WorkflowTask HistoryBuilder::AddWorkflowTask() {
  WorkflowTask task;
  task.scheduled = AddWorkflowTaskScheduled();
  task.started = AddWorkflowTaskStarted(task.scheduled);
  task.completed = AddWorkflowTaskCompleted(task.scheduled, task.started);
  return task;
}

int64_t HistoryBuilder::AddWorkflowTaskScheduled() {
  auto* e = AddEvent(enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
  auto* attrs = e->mutable_workflow_task_scheduled_event_attributes();
  attrs->mutable_task_queue()->set_name(task_queue_);
  SetDuration(10, attrs->mutable_start_to_close_timeout());
  attrs->set_attempt(1);
  return e->event_id();
}

int64_t HistoryBuilder::AddWorkflowTaskStarted(int64_t scheduled) {
  auto* e = AddEvent(enums::EVENT_TYPE_WORKFLOW_TASK_STARTED);
  e->mutable_workflow_task_started_event_attributes()->set_scheduled_event_id(scheduled);
  return e->event_id();
}

int64_t HistoryBuilder::AddWorkflowTaskCompleted(int64_t scheduled, int64_t started) {
  auto* e = AddEvent(enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  auto* attrs = e->mutable_workflow_task_completed_event_attributes();
  attrs->set_scheduled_event_id(scheduled);
  attrs->set_started_event_id(started);
  return e->event_id();
}

int64_t HistoryBuilder::AddActivityTaskScheduled(int64_t wft_completed,
                                                 absl::string_view activity_id,
                                                 absl::string_view activity_type) {
  auto* e = AddEvent(enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
  auto* attrs = e->mutable_activity_task_scheduled_event_attributes();
  attrs->set_activity_id(std::string(activity_id));
  attrs->mutable_activity_type()->set_name(std::string(activity_type));
  attrs->mutable_task_queue()->set_name(task_queue_);
  attrs->set_workflow_task_completed_event_id(wft_completed);
  SetDuration(10, attrs->mutable_start_to_close_timeout());
  return e->event_id();
}

int64_t HistoryBuilder::AddActivityTaskStarted(int64_t scheduled, int32_t attempt) {
  auto* e = AddEvent(enums::EVENT_TYPE_ACTIVITY_TASK_STARTED);
  auto* attrs = e->mutable_activity_task_started_event_attributes();
  attrs->set_scheduled_event_id(scheduled);
  attrs->set_attempt(attempt);
  return e->event_id();
}

int64_t HistoryBuilder::AddActivityTaskCompleted(int64_t scheduled, int64_t started,
                                                 absl::string_view result_json) {
  auto* e = AddEvent(enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
  auto* attrs = e->mutable_activity_task_completed_event_attributes();
  attrs->set_scheduled_event_id(scheduled);
  attrs->set_started_event_id(started);
  if (!result_json.empty()) *attrs->mutable_result()->add_payloads() = JsonPayload(result_json);
  return e->event_id();
}

int64_t HistoryBuilder::AddTimerStarted(int64_t wft_completed, absl::string_view timer_id,
                                        double seconds) {
  auto* e = AddEvent(enums::EVENT_TYPE_TIMER_STARTED);
  auto* attrs = e->mutable_timer_started_event_attributes();
  attrs->set_timer_id(std::string(timer_id));
  SetDuration(seconds, attrs->mutable_start_to_fire_timeout());
  attrs->set_workflow_task_completed_event_id(wft_completed);
  return e->event_id();
}

int64_t HistoryBuilder::AddTimerFired(int64_t started, absl::string_view timer_id) {
  auto* e = AddEvent(enums::EVENT_TYPE_TIMER_FIRED);
  auto* attrs = e->mutable_timer_fired_event_attributes();
  attrs->set_timer_id(std::string(timer_id));
  attrs->set_started_event_id(started);
  return e->event_id();
}

int64_t HistoryBuilder::AddSignal(absl::string_view signal_name, absl::string_view input_json) {
  auto* e = AddEvent(enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
  auto* attrs = e->mutable_workflow_execution_signaled_event_attributes();
  attrs->set_signal_name(std::string(signal_name));
  if (!input_json.empty()) *attrs->mutable_input()->add_payloads() = JsonPayload(input_json);
  return e->event_id();
}

int64_t HistoryBuilder::AddMarker(int64_t wft_completed, absl::string_view marker_name) {
  auto* e = AddEvent(enums::EVENT_TYPE_MARKER_RECORDED);
  auto* attrs = e->mutable_marker_recorded_event_attributes();
  attrs->set_marker_name(std::string(marker_name));
  attrs->set_workflow_task_completed_event_id(wft_completed);
  return e->event_id();
}

int64_t HistoryBuilder::AddWorkflowExecutionCompleted(int64_t wft_completed,
                                                      absl::string_view result_json) {
  auto* e = AddEvent(enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  auto* attrs = e->mutable_workflow_execution_completed_event_attributes();
  attrs->set_workflow_task_completed_event_id(wft_completed);
  if (!result_json.empty()) *attrs->mutable_result()->add_payloads() = JsonPayload(result_json);
  return e->event_id();
}

}  // namespace lockstep::history
