// The real-time driver's shutdown: in-flight attempts finish within the grace and are
// recorded, calls are refused from the start of shutdown, attempts that outlive the grace are
// abandoned, and the destructor shuts down on its own.
#include <atomic>
#include <string>
#include <thread>

#include "engine/realtime/realtime_service.h"
#include "engine/workflow/context.h"
#include "gmock/gmock.h"
#include "tests/engine/realtime/realtime_fixture.h"

namespace lockstep::testing {
namespace realtime_shutdown_test {
namespace {

namespace enums = temporal::api::enums::v1;
using ::testing::HasSubstr;

constexpr ActivityOptions kOnce{.start_to_close_timeout = absl::Seconds(120),
                                .has_retry_policy = true,
                                .retry_policy = {.maximum_attempts = 1}};

Task<std::string> SlowWorkflow(WorkflowContext& ctx) {
  const std::string first = co_await ctx.ExecuteActivity<std::string>("slow", kOnce);
  // Never reached before shutdown: workers stop polling, so no workflow task follows.
  co_return first;
}

class RealTimeShutdownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(registry_.RegisterWorkflow("Slow", &SlowWorkflow).ok());
    ASSERT_TRUE(registry_
                    .RegisterActivity("slow",
                                      [this](ActivityContext&) -> std::string {
                                        started_.Open();
                                        EXPECT_TRUE(release_.WaitOpen());
                                        returned_.store(true);
                                        return "finished in time";
                                      })
                    .ok());
  }

  // Starts the workflow and waits until its activity runs on the pool.
  std::string StartSlow(RealTimeService& service) {
    const std::string run_id = StartRun(service, "slow", "Slow");
    EXPECT_TRUE(started_.WaitOpen());
    return run_id;
  }

  static temporal::api::history::v1::History StoppedHistory(const RealTimeService& service,
                                                            const std::string& run_id) {
    const Service* stopped = service.stopped_service();
    EXPECT_NE(stopped, nullptr);
    if (stopped == nullptr) return {};
    absl::StatusOr<const temporal::api::history::v1::History*> history =
        stopped->GetHistory("slow", run_id);
    EXPECT_TRUE(history.ok()) << history.status();
    return history.ok() ? **history : temporal::api::history::v1::History();
  }

  Registry registry_;
  Gate started_;
  Gate release_;
  std::atomic<bool> returned_{false};
};

TEST_F(RealTimeShutdownTest, WaitsForAnInFlightActivityAndRecordsItsResult) {
  RealTimeService service(&registry_);
  const std::string run_id = StartSlow(service);
  EXPECT_EQ(service.stopped_service(), nullptr);
  std::thread shutdown([&service] { service.Shutdown(kHangGuard); });
  // Calls are refused as soon as shutdown begins, while the activity still runs.
  ASSERT_TRUE(Eventually([&] {
    return service.DescribeWorkflow("slow", run_id).status().code() ==
           absl::StatusCode::kFailedPrecondition;
  }));
  release_.Open();
  shutdown.join();

  const auto history = StoppedHistory(service, run_id);
  ASSERT_EQ(CountEvents(history, enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED), 1);
  const auto* completed = FindEvent(history, enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
  absl::StatusOr<std::string> result = FromPayload<std::string>(
      completed->activity_task_completed_event_attributes().result().payloads(0));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, "finished in time");
  // The next workflow task is scheduled but never dispatched: workers stopped polling.
  EXPECT_EQ(history.events(history.events_size() - 1).event_type(),
            enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
  EXPECT_EQ(service.stats().outcomes_recorded, 1);
  EXPECT_EQ(service.stats().abandoned_attempts, 0);

  const absl::Status refused = service.SignalWorkflow(SignalWorkflowRequest{.workflow_id = "slow",
                                                                            .run_id = "",
                                                                            .signal_name = "x",
                                                                            .input = {},
                                                                            .request_id = "",
                                                                            .identity = "",
                                                                            .header = {}});
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("shutting down"));
  EXPECT_EQ(service.StartWorkflow(StartRequest("other", "Slow")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  service.Shutdown(absl::ZeroDuration());  // a second call returns at once
}

TEST_F(RealTimeShutdownTest, AnAttemptThatOutlivesTheGraceIsAbandoned) {
  RealTimeService service(&registry_);
  const std::string run_id = StartSlow(service);
  std::thread shutdown([&service] { service.Shutdown(absl::Milliseconds(1)); });
  // The grace has run out once the attempt is counted as abandoned; only then may it finish.
  ASSERT_TRUE(Eventually([&] { return service.stats().abandoned_attempts == 1; }));
  release_.Open();
  shutdown.join();
  const auto history = StoppedHistory(service, run_id);
  EXPECT_EQ(CountEvents(history, enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 1);
  EXPECT_EQ(CountEvents(history, enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED), 0);
  EXPECT_EQ(service.stats().outcomes_recorded, 0);
}

TEST_F(RealTimeShutdownTest, TheDestructorShutsDownAndJoinsTheRunningActivity) {
  std::thread releaser;
  {
    RealTimeService service(&registry_);
    StartSlow(service);
    // Released from elsewhere while the destructor waits for the pool.
    releaser = std::thread([this] {
      absl::SleepFor(absl::Milliseconds(20));
      release_.Open();
    });
  }
  // The destructor returned only after the running activity function did.
  EXPECT_TRUE(returned_.load());
  releaser.join();
}

}  // namespace
}  // namespace realtime_shutdown_test
}  // namespace lockstep::testing
