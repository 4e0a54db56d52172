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
    run.events.resize(static_cast<size_t>(appended.end - appended.first));
    for (int i = appended.first; i < appended.end; ++i) {
      std::string& bytes = run.events[static_cast<size_t>(i - appended.first)];
      if (appended.log != nullptr) {
        const absl::string_view stored = appended.log->EventBytes(i + appended.log_offset);
        bytes.assign(stored.data(), stored.size());
      } else {
        SerializeDeterministically(appended.history->events(i), &bytes);
      }
    }
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
  for (const RunAppend& run : batch_.runs) events_ += static_cast<int64_t>(run.events.size());
}

}  // namespace lockstep::store
