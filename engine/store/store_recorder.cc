#include "engine/store/store_recorder.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace lockstep::store {
namespace {

using temporal::api::history::v1::HistoryEvent;

// As the service's log stores events (event_log.h): deterministic, map entries in key order.
void SerializeDeterministically(const HistoryEvent& event, std::string* out) {
  out->clear();
  google::protobuf::io::StringOutputStream stream(out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  event.SerializeToCodedStream(&coded);
}

// The scheduled event id of the activity `event` closes, or 0.
int64_t ClosedActivity(const HistoryEvent& event) {
  switch (event.event_type()) {
    case temporal::api::enums::v1::EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      return event.activity_task_completed_event_attributes().scheduled_event_id();
    case temporal::api::enums::v1::EVENT_TYPE_ACTIVITY_TASK_FAILED:
      return event.activity_task_failed_event_attributes().scheduled_event_id();
    case temporal::api::enums::v1::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
      return event.activity_task_timed_out_event_attributes().scheduled_event_id();
    case temporal::api::enums::v1::EVENT_TYPE_ACTIVITY_TASK_CANCELED:
      return event.activity_task_canceled_event_attributes().scheduled_event_id();
    default:
      return 0;
  }
}

}  // namespace

void StoreRecorder::OnStep(const StepRecord& step) {
  if (!status_.ok()) return;
  size_t used = 0;
  for (const AppendedEvents& appended : step.appended) {
    if (appended.first >= appended.end) continue;
    if (batch_.runs.size() <= used) batch_.runs.emplace_back();
    RunAppend& run = batch_.runs[used++];
    const HistoryEvent& first = appended.history->events(appended.first);
    const HistoryEvent& last = appended.history->events(appended.end - 1);
    run.workflow_id.assign(appended.workflow_id.data(), appended.workflow_id.size());
    run.run_id.assign(appended.run_id.data(), appended.run_id.size());
    run.first_event_id = first.event_id();
    run.workflow_type =
        first.has_workflow_execution_started_event_attributes()
            ? first.workflow_execution_started_event_attributes().workflow_type().name()
            : "";
    run.status = RunStatusAfter(last.event_type());
    run.activity_attempts.clear();
    run.closed_activities.clear();
    run.events.resize(static_cast<size_t>(appended.end - appended.first));
    for (int i = appended.first; i < appended.end; ++i) {
      std::string& bytes = run.events[static_cast<size_t>(i - appended.first)];
      if (appended.log != nullptr) {
        const absl::string_view stored = appended.log->EventBytes(i + appended.log_offset);
        bytes.assign(stored.data(), stored.size());
      } else {
        SerializeDeterministically(appended.history->events(i), &bytes);
      }
      if (const int64_t closed = ClosedActivity(appended.history->events(i)); closed != 0) {
        run.closed_activities.push_back(closed);
      }
    }
  }
  // Attempt states go with their run's events; a run the step appended nothing to gets an
  // entry of its own, after its stored events.
  for (const ActivityAttemptChange& change : step.activity_attempts) {
    RunAppend* run = nullptr;
    for (size_t i = 0; i < used && run == nullptr; ++i) {
      if (batch_.runs[i].workflow_id == change.workflow_id &&
          batch_.runs[i].run_id == change.run_id) {
        run = &batch_.runs[i];
      }
    }
    if (run == nullptr) {
      if (batch_.runs.size() <= used) batch_.runs.emplace_back();
      run = &batch_.runs[used++];
      run->workflow_id.assign(change.workflow_id.data(), change.workflow_id.size());
      run->run_id.assign(change.run_id.data(), change.run_id.size());
      run->workflow_type.clear();
      run->first_event_id = change.history_length + 1;
      run->status = temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_RUNNING;
      run->events.clear();
      run->activity_attempts.clear();
      run->closed_activities.clear();
    }
    run->activity_attempts.push_back(change.state);
  }
  if (used == 0) return;
  batch_.runs.resize(used);
  status_ = store_->Commit(batch_);
  if (!status_.ok()) {
    status_ = absl::Status(status_.code(),
                           absl::StrCat("writing the histories of the step at ",
                                        absl::FormatTime(step.time), ": ", status_.message()));
    return;
  }
  ++batches_;
  for (const RunAppend& run : batch_.runs) {
    events_ += static_cast<int64_t>(run.events.size());
    activity_attempts_ += static_cast<int64_t>(run.activity_attempts.size());
  }
}

}  // namespace lockstep::store
