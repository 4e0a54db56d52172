// Helpers for the real-time driver's tests: a registry of small workflows and activities, a
// two-party rendezvous with a hang guard, and readers of what a run recorded.
//
// Every wait here has a generous upper bound that only guards against a hang; no test asserts
// how long something took.
#ifndef LOCKSTEP_TESTS_ENGINE_REALTIME_REALTIME_FIXTURE_H_
#define LOCKSTEP_TESTS_ENGINE_REALTIME_REALTIME_FIXTURE_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/history/event_types.h"
#include "engine/payload/payload.h"
#include "engine/realtime/realtime_service.h"
#include "engine/workflow/registry.h"
#include "gtest/gtest.h"

namespace lockstep::testing {

// The bound on any wait in these tests: far beyond what a loaded machine needs.
inline constexpr absl::Duration kHangGuard = absl::Seconds(60);

// N parties meet: each Arrive() returns true once all have arrived, false if the others did
// not come within the guard (they ran one after another, not at once). Standard primitives, so
// that ThreadSanitizer sees the synchronization.
class Rendezvous {
 public:
  explicit Rendezvous(int parties) : parties_(parties) {}
  bool Arrive(absl::Duration guard = absl::Seconds(20)) {
    std::unique_lock<std::mutex> lock(mu_);
    ++arrived_;
    cv_.notify_all();
    return cv_.wait_for(lock, absl::ToChronoSeconds(guard),
                        [this] { return arrived_ >= parties_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  const int parties_;
  int arrived_ = 0;
};

// A one-shot flag with a guarded wait.
class Gate {
 public:
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool WaitOpen(absl::Duration guard = kHangGuard) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, absl::ToChronoSeconds(guard), [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Polls `done` until it holds or the guard runs out.
template <typename F>
bool Eventually(F done, absl::Duration guard = kHangGuard) {
  const absl::Time deadline = absl::Now() + guard;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

inline StartWorkflowRequest StartRequest(std::string workflow_id, std::string type,
                                         Payloads input = {}) {
  StartWorkflowRequest r;
  r.workflow_id = std::move(workflow_id);
  r.workflow_type = std::move(type);
  r.task_queue = "realtime";
  r.input = std::move(input);
  r.identity = "test";
  return r;
}

inline std::vector<std::string> EventTypes(const temporal::api::history::v1::History& history) {
  std::vector<std::string> out;
  for (const auto& e : history.events()) out.push_back(history::EventTypeShortName(e.event_type()));
  return out;
}

inline int CountEvents(const temporal::api::history::v1::History& history,
                       temporal::api::enums::v1::EventType type) {
  int n = 0;
  for (const auto& e : history.events()) n += e.event_type() == type ? 1 : 0;
  return n;
}

// The first event of `type`, or null.
inline const temporal::api::history::v1::HistoryEvent* FindEvent(
    const temporal::api::history::v1::History& history, temporal::api::enums::v1::EventType type) {
  for (const auto& e : history.events()) {
    if (e.event_type() == type) return &e;
  }
  return nullptr;
}

// Starts a run and returns its run id (empty, and the test fails, if the start is refused).
inline std::string StartRun(RealTimeService& service, std::string workflow_id, std::string type,
                            Payloads input = {}) {
  absl::StatusOr<temporal::api::common::v1::WorkflowExecution> run = service.StartWorkflow(
      StartRequest(std::move(workflow_id), std::move(type), std::move(input)));
  EXPECT_TRUE(run.ok()) << run.status();
  return run.ok() ? run->run_id() : "";
}

// The result of a completed run, decoded.
template <typename T>
T ResultOf(const absl::StatusOr<WorkflowDescription>& closed) {
  EXPECT_TRUE(closed.ok()) << closed.status();
  if (!closed.ok()) return T{};
  EXPECT_EQ(closed->status, temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_COMPLETED);
  if (!closed->result.has_value() || closed->result->payloads_size() == 0) {
    ADD_FAILURE() << "no result";
    return T{};
  }
  absl::StatusOr<T> value = FromPayload<T>(closed->result->payloads(0));
  EXPECT_TRUE(value.ok()) << value.status();
  return value.ok() ? *value : T{};
}

}  // namespace lockstep::testing

#endif  // LOCKSTEP_TESTS_ENGINE_REALTIME_REALTIME_FIXTURE_H_
