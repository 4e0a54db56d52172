// Builds histories event by event, for tests, benchmarks and canned fixtures.
//
// Event ids are assigned in order starting at 1; event times start at a fixed instant and
// advance only when the caller says so, so a built history is the same on every run. Each
// Add* returns the new event's id, so later events can refer to it:
//
//   HistoryBuilder b("Counter");                              // 1 WorkflowExecutionStarted
//   auto [scheduled, started, completed] = b.AddWorkflowTask();  // 2, 3, 4
//   int64_t timer = b.AddTimerStarted(completed, "1", 1.0);    // 5 TimerStarted
//
// The builder does not validate; validate.h does, and tests use the builder to make invalid
// histories on purpose (mutable_history()).
#ifndef LOCKSTEP_ENGINE_HISTORY_HISTORY_BUILDER_H_
#define LOCKSTEP_ENGINE_HISTORY_HISTORY_BUILDER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "temporal/api/common/v1/message.pb.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::history {

// A json/plain payload holding `json_text` (which must be JSON text, e.g. "\"hi\"" or "3").
temporal::api::common::v1::Payload JsonPayload(absl::string_view json_text);

class HistoryBuilder {
 public:
  struct WorkflowTask {
    int64_t scheduled, started, completed;
  };

  // Adds WorkflowExecutionStarted for `workflow_type` on task queue `task_queue`.
  explicit HistoryBuilder(absl::string_view workflow_type, absl::string_view task_queue = "default",
                          absl::string_view workflow_id = "", absl::string_view run_id = "");

  // Moves the clock used for subsequent events forward.
  void AdvanceMillis(int64_t millis) { now_nanos_ += millis * 1000000; }

  // Appends an event of `type` with empty attributes of the matching kind; the caller fills
  // the attributes through the returned pointer.
  temporal::api::history::v1::HistoryEvent* AddEvent(temporal::api::enums::v1::EventType type);

  WorkflowTask AddWorkflowTask();
  int64_t AddWorkflowTaskScheduled();
  int64_t AddWorkflowTaskStarted(int64_t scheduled);
  int64_t AddWorkflowTaskCompleted(int64_t scheduled, int64_t started);

  int64_t AddActivityTaskScheduled(int64_t wft_completed, absl::string_view activity_id,
                                   absl::string_view activity_type);
  int64_t AddActivityTaskStarted(int64_t scheduled, int32_t attempt = 1);
  int64_t AddActivityTaskCompleted(int64_t scheduled, int64_t started,
                                   absl::string_view result_json = "");
  int64_t AddTimerStarted(int64_t wft_completed, absl::string_view timer_id, double seconds);
  int64_t AddTimerFired(int64_t started, absl::string_view timer_id);
  int64_t AddSignal(absl::string_view signal_name, absl::string_view input_json = "");
  int64_t AddMarker(int64_t wft_completed, absl::string_view marker_name);
  int64_t AddWorkflowExecutionCompleted(int64_t wft_completed, absl::string_view result_json = "");

  const temporal::api::history::v1::History& history() const { return history_; }
  temporal::api::history::v1::History* mutable_history() { return &history_; }

 private:
  temporal::api::history::v1::History history_;
  int64_t now_nanos_;
  std::string task_queue_;
};

}  // namespace lockstep::history

#endif  // LOCKSTEP_ENGINE_HISTORY_HISTORY_BUILDER_H_
