// Events, batches, activity attempt states and file paths for the history store tests.
#ifndef LOCKSTEP_TESTS_ENGINE_STORE_STORE_TEST_EVENTS_H_
#define LOCKSTEP_TESTS_ENGINE_STORE_STORE_TEST_EVENTS_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/history/history_file.h"
#include "engine/store/history_store.h"
#include "gtest/gtest.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::store::testing {

namespace enums = temporal::api::enums::v1;
using temporal::api::history::v1::History;
using temporal::api::history::v1::HistoryEvent;

// Event `id` of a run of `type`: WorkflowExecutionStarted for id 1, else a signal.
inline HistoryEvent MakeEvent(int64_t id, const std::string& type = "Type") {
  HistoryEvent event;
  event.set_event_id(id);
  if (id == 1) {
    event.set_event_type(enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
    event.mutable_workflow_execution_started_event_attributes()->mutable_workflow_type()->set_name(
        type);
  } else {
    event.set_event_type(enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
    event.mutable_workflow_execution_signaled_event_attributes()->set_signal_name(
        absl::StrCat("signal-", id));
  }
  return event;
}

inline HistoryEvent MakeCompleted(int64_t id) {
  HistoryEvent event;
  event.set_event_id(id);
  event.set_event_type(enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  event.mutable_workflow_execution_completed_event_attributes();
  return event;
}

inline std::string Bytes(const HistoryEvent& event) { return event.SerializeAsString(); }

// Events [first, last] of a run (MakeEvent), as one append.
inline RunAppend Append(const std::string& workflow_id, const std::string& run_id, int64_t first,
                        int64_t last, const std::string& type = "Type") {
  RunAppend run;
  run.workflow_id = workflow_id;
  run.run_id = run_id;
  run.first_event_id = first;
  if (first == 1) run.workflow_type = type;
  for (int64_t id = first; id <= last; ++id) run.events.push_back(Bytes(MakeEvent(id, type)));
  return run;
}

inline StoreBatch Batch(std::vector<RunAppend> runs) { return StoreBatch{std::move(runs)}; }

// The attempt state of the activity scheduled at `scheduled_event_id`, on `attempt`: running
// (since attempt_scheduled_time + 1s) when `started`, with a last failure and heartbeat details
// that name the attempt.
inline ActivityAttemptState AttemptState(int64_t scheduled_event_id, int32_t attempt,
                                         bool started) {
  ActivityAttemptState state;
  state.scheduled_event_id = scheduled_event_id;
  state.attempt = attempt;
  state.attempt_scheduled_time = absl::FromUnixSeconds(1704067200 + attempt);
  if (started) {
    state.started_time = state.attempt_scheduled_time + absl::Seconds(1);
    state.started_request_id = absl::StrCat("request-", attempt);
  }
  if (attempt > 1) {
    state.last_failure.emplace().set_message(absl::StrCat("attempt ", attempt - 1, " failed"));
    state.heartbeat_details.emplace().add_payloads()->set_data(
        absl::StrCat("progress-", attempt - 1));
  }
  return state;
}

// A run entry that carries `states` and no events, after the stored event `stored_events`.
inline RunAppend AttemptsOnly(const std::string& workflow_id, const std::string& run_id,
                              int64_t stored_events, std::vector<ActivityAttemptState> states) {
  RunAppend run;
  run.workflow_id = workflow_id;
  run.run_id = run_id;
  run.first_event_id = stored_events + 1;
  run.activity_attempts = std::move(states);
  return run;
}

// "id:attempt:scheduled:started:request:failure:details" of each state, to compare them (the
// protos have no ==).
inline std::vector<std::string> AttemptStrings(const std::vector<ActivityAttemptState>& states) {
  std::vector<std::string> out;
  for (const ActivityAttemptState& s : states) {
    out.push_back(absl::StrCat(
        s.scheduled_event_id, ":", s.attempt, ":", absl::FormatTime(s.attempt_scheduled_time), ":",
        s.started_time.has_value() ? absl::FormatTime(*s.started_time) : "-", ":",
        s.started_request_id, ":",
        s.last_failure.has_value() ? s.last_failure->ShortDebugString() : "-", ":",
        s.heartbeat_details.has_value() ? s.heartbeat_details->ShortDebugString() : "-"));
  }
  return out;
}

// The history MakeEvent gives for events [1, last].
inline History ExpectedHistory(int64_t last, const std::string& type = "Type") {
  History history;
  for (int64_t id = 1; id <= last; ++id) *history.add_events() = MakeEvent(id, type);
  return history;
}

// A fresh path in the test temporary directory, named after the running test, with no file
// (nor WAL files) left from an earlier run.
inline std::string FreshPath(const std::string& suffix = "") {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = absl::StrCat(test->test_suite_name(), "-", test->name(), suffix, ".db");
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  const std::string path = ::testing::TempDir() + name;
  for (const char* tail : {"", "-wal", "-shm"}) std::remove((path + tail).c_str());
  return path;
}

}  // namespace lockstep::store::testing

#endif  // LOCKSTEP_TESTS_ENGINE_STORE_STORE_TEST_EVENTS_H_
