// The real-time driver: real timers, activities on the pool (concurrently), retries,
// timeouts of attempts that never report, stale outcomes, live heartbeats and client calls
// from many threads.
#include "engine/realtime/realtime_service.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/core/proto_time.h"
#include "engine/workflow/context.h"
#include "engine/workflow/failure.h"
#include "gmock/gmock.h"
#include "tests/engine/realtime/realtime_fixture.h"

namespace lockstep::testing {
namespace realtime_service_test {
namespace {

namespace enums = temporal::api::enums::v1;
using ::testing::Contains;
using ::testing::Not;

constexpr ActivityOptions kOnce{.start_to_close_timeout = absl::Seconds(120),
                                .has_retry_policy = true,
                                .retry_policy = {.maximum_attempts = 1}};
constexpr ActivityOptions kRetried{.start_to_close_timeout = absl::Seconds(120),
                                   .has_retry_policy = true,
                                   .retry_policy = {.initial_interval = absl::Milliseconds(5),
                                                    .backoff_coefficient = 1,
                                                    .maximum_interval = absl::Milliseconds(5),
                                                    .maximum_attempts = 5}};
// Gives up on an attempt after 50ms; never retried.
constexpr ActivityOptions kShortStartToClose{.start_to_close_timeout = absl::Milliseconds(50),
                                             .has_retry_policy = true,
                                             .retry_policy = {.maximum_attempts = 1}};
constexpr ActivityOptions kHeartbeating{.start_to_close_timeout = absl::Seconds(120),
                                        .heartbeat_timeout = absl::Seconds(1),
                                        .has_retry_policy = true,
                                        .retry_policy = {.maximum_attempts = 1}};

Task<std::string> SleepWorkflow(WorkflowContext& ctx, int64_t millis) {
  co_await ctx.Sleep(absl::Milliseconds(millis));
  co_return "woke";
}

// Two activities at once; the result joins theirs.
Task<std::string> PairWorkflow(WorkflowContext& ctx) {
  Future<std::string> left = ctx.ExecuteActivity<std::string>("meet", kOnce, std::string("L"));
  Future<std::string> right = ctx.ExecuteActivity<std::string>("meet", kOnce, std::string("R"));
  const std::string l = co_await left;
  const std::string r = co_await right;
  co_return l + r;
}

Task<std::string> FlakyWorkflow(WorkflowContext& ctx) {
  co_return co_await ctx.ExecuteActivity<std::string>("flaky", kRetried);
}

Task<std::string> StuckWorkflow(WorkflowContext& ctx) {
  try {
    co_await ctx.ExecuteActivity<std::string>("stuck", kShortStartToClose);
  } catch (const ActivityFailure&) {
    co_return "gave up";
  }
  co_return "finished";
}

Task<std::string> HeartbeatWorkflow(WorkflowContext& ctx) {
  co_return co_await ctx.ExecuteActivity<std::string>("beat", kHeartbeating);
}

// Sums the "add" signals until `count` arrived.
Task<int64_t> CollectWorkflow(WorkflowContext& ctx, int64_t count) {
  int64_t received = 0;
  int64_t sum = 0;
  ctx.SetSignalHandler<int64_t>("add", [&](int64_t n) {
    ++received;
    sum += n;
  });
  auto all_in = [&received, count] { return received >= count; };
  co_await ctx.WaitCondition(all_in);
  co_return sum;
}

// A running total: "add" signals, a "total" query, a "double" update; runs until canceled.
Task<int64_t> LedgerWorkflow(WorkflowContext& ctx) {
  int64_t total = 0;
  ctx.SetSignalHandler<int64_t>("add", [&total](int64_t n) { total += n; });
  ctx.SetQueryHandler("total", [&total] { return total; });
  ctx.SetUpdateHandler("double", [&total] {
    total *= 2;
    return total;
  });
  auto never = [] { return false; };
  co_await ctx.WaitCondition(never);
  co_return total;
}

class RealTimeServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(registry_.RegisterWorkflow("Sleep", &SleepWorkflow).ok());
    ASSERT_TRUE(registry_.RegisterWorkflow("Pair", &PairWorkflow).ok());
    ASSERT_TRUE(registry_.RegisterWorkflow("Flaky", &FlakyWorkflow).ok());
    ASSERT_TRUE(registry_.RegisterWorkflow("Stuck", &StuckWorkflow).ok());
    ASSERT_TRUE(registry_.RegisterWorkflow("Heartbeat", &HeartbeatWorkflow).ok());
    ASSERT_TRUE(registry_.RegisterWorkflow("Collect", &CollectWorkflow).ok());
    ASSERT_TRUE(registry_.RegisterWorkflow("Ledger", &LedgerWorkflow).ok());
    ASSERT_TRUE(registry_
                    .RegisterActivity("meet",
                                      [this](ActivityContext&, std::string who) -> std::string {
                                        // Each waits for the other: they meet only if the pool
                                        // runs them at the same time.
                                        if (!pair_.Arrive()) {
                                          throw std::runtime_error("the other never arrived");
                                        }
                                        return who;
                                      })
                    .ok());
    ASSERT_TRUE(registry_
                    .RegisterActivity("flaky",
                                      [this](ActivityContext& ctx) -> std::string {
                                        flaky_attempts_.fetch_add(1);
                                        if (ctx.attempt() < 3) {
                                          throw std::runtime_error(
                                              absl::StrCat("attempt ", ctx.attempt(), " broke"));
                                        }
                                        return absl::StrCat("ok on ", ctx.attempt());
                                      })
                    .ok());
    ASSERT_TRUE(registry_
                    .RegisterActivity("stuck",
                                      [this](ActivityContext&) -> std::string {
                                        stuck_started_.Open();
                                        EXPECT_TRUE(stuck_release_.WaitOpen());
                                        return "too late";
                                      })
                    .ok());
    ASSERT_TRUE(registry_
                    .RegisterActivity("beat",
                                      [](ActivityContext& ctx) -> std::string {
                                        // Runs longer than the heartbeat timeout (1s), with
                                        // gaps well within it.
                                        for (int i = 0; i < 12; ++i) {
                                          absl::SleepFor(absl::Milliseconds(150));
                                          ctx.Heartbeat(int64_t{i});
                                        }
                                        return "kept alive";
                                      })
                    .ok());
  }

  // The run's history as it is now.
  static temporal::api::history::v1::History HistoryOf(RealTimeService& service,
                                                       const std::string& workflow_id,
                                                       const std::string& run_id) {
    absl::StatusOr<temporal::api::history::v1::History> history =
        service.GetHistory(workflow_id, run_id);
    EXPECT_TRUE(history.ok()) << history.status();
    return history.ok() ? *history : temporal::api::history::v1::History();
  }

  Registry registry_;
  Rendezvous pair_{2};
  std::atomic<int> flaky_attempts_{0};
  Gate stuck_started_;
  Gate stuck_release_;
};

TEST_F(RealTimeServiceTest, AWorkflowWithARealTimerCompletes) {
  RealTimeService service(&registry_);
  const absl::Time before = absl::Now();
  const std::string run_id = StartRun(service, "sleeper", "Sleep", ToPayloads(int64_t{20}));
  EXPECT_EQ(ResultOf<std::string>(service.WaitForClose("sleeper", run_id, kHangGuard)), "woke");
  const auto history = HistoryOf(service, "sleeper", run_id);
  const auto* fired = FindEvent(history, enums::EVENT_TYPE_TIMER_FIRED);
  ASSERT_NE(fired, nullptr);
  // Stamped by the system clock: the timer fired no earlier than it was due.
  const absl::Time started = FromProtoTime(history.events(0).event_time());
  EXPECT_GE(started, before - absl::Seconds(1));
  EXPECT_GE(FromProtoTime(fired->event_time()) - started, absl::Milliseconds(20));
  service.Shutdown(absl::Seconds(10));
  EXPECT_TRUE(service.status().ok());
}

TEST_F(RealTimeServiceTest, ActivitiesRunConcurrentlyOnThePool) {
  RealTimeService service(&registry_,
                          {.activity_threads = 2, .service = {}, .worker = {}, .store = nullptr});
  const std::string run_id = StartRun(service, "pair", "Pair");
  // With one thread, or attempts run one after another, neither activity meets the other.
  EXPECT_EQ(ResultOf<std::string>(service.WaitForClose("pair", run_id, kHangGuard)), "LR");
  EXPECT_EQ(
      CountEvents(HistoryOf(service, "pair", run_id), enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED),
      2);
  EXPECT_EQ(service.stats().activity_attempts, 2);
  EXPECT_EQ(service.stats().outcomes_recorded, 2);
}

TEST_F(RealTimeServiceTest, AFailingActivityIsRetriedPerItsPolicy) {
  RealTimeService service(&registry_);
  const std::string run_id = StartRun(service, "flaky", "Flaky");
  EXPECT_EQ(ResultOf<std::string>(service.WaitForClose("flaky", run_id, kHangGuard)), "ok on 3");
  EXPECT_EQ(flaky_attempts_.load(), 3);
  EXPECT_EQ(service.stats().activity_attempts, 3);
  // Only the last attempt's start is written, carrying the previous attempt's failure.
  const auto history = HistoryOf(service, "flaky", run_id);
  EXPECT_EQ(CountEvents(history, enums::EVENT_TYPE_ACTIVITY_TASK_STARTED), 1);
  const auto* started = FindEvent(history, enums::EVENT_TYPE_ACTIVITY_TASK_STARTED);
  ASSERT_NE(started, nullptr);
  EXPECT_EQ(started->activity_task_started_event_attributes().attempt(), 3);
  EXPECT_EQ(started->activity_task_started_event_attributes().last_failure().message(),
            "attempt 2 broke");
}

TEST_F(RealTimeServiceTest, StartToCloseEndsAnAttemptThatNeverReportsAndItsLateOutcomeIsStale) {
  RealTimeService service(&registry_);
  const std::string run_id = StartRun(service, "stuck", "Stuck");
  ASSERT_TRUE(stuck_started_.WaitOpen());
  // The activity is still running (it waits for the gate) when its timeout closes it.
  EXPECT_EQ(ResultOf<std::string>(service.WaitForClose("stuck", run_id, kHangGuard)), "gave up");
  const auto history = HistoryOf(service, "stuck", run_id);
  const auto* timed_out = FindEvent(history, enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  ASSERT_NE(timed_out, nullptr);
  EXPECT_EQ(timed_out->activity_task_timed_out_event_attributes()
                .failure()
                .timeout_failure_info()
                .timeout_type(),
            enums::TIMEOUT_TYPE_START_TO_CLOSE);
  // Now it finishes: the service refuses its outcome, and the history does not change.
  stuck_release_.Open();
  ASSERT_TRUE(Eventually([&] { return service.stats().stale_outcomes == 1; }));
  EXPECT_EQ(service.stats().outcomes_recorded, 0);
  EXPECT_EQ(HistoryOf(service, "stuck", run_id).SerializeAsString(), history.SerializeAsString());
}

TEST_F(RealTimeServiceTest, LiveHeartbeatsKeepALongAttemptAlive) {
  RealTimeService service(&registry_);
  const std::string run_id = StartRun(service, "beat", "Heartbeat");
  EXPECT_EQ(ResultOf<std::string>(service.WaitForClose("beat", run_id, kHangGuard)), "kept alive");
  EXPECT_THAT(EventTypes(HistoryOf(service, "beat", run_id)),
              Not(Contains("ActivityTaskTimedOut")));
  EXPECT_EQ(service.stats().heartbeats, 12);
}

TEST_F(RealTimeServiceTest, SignalsFromManyThreadsAreEachDeliveredOnce) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  RealTimeService service(&registry_);
  const std::string run_id =
      StartRun(service, "collector", "Collect", ToPayloads(int64_t{kThreads * kPerThread}));
  std::vector<std::thread> senders;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&service, &failures, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int64_t value = t * kPerThread + i;
        SignalWorkflowRequest signal;
        signal.workflow_id = "collector";
        signal.signal_name = "add";
        signal.input = ToPayloads(value);
        signal.request_id = absl::StrCat("signal-", value);
        if (!service.SignalWorkflow(signal).ok()) failures.fetch_add(1);
        // Queries and descriptions interleave with the signals.
        if (i % 5 == 0 && !service.DescribeWorkflow("collector", "").ok()) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& t : senders) t.join();
  EXPECT_EQ(failures.load(), 0);
  constexpr int64_t kTotal = kThreads * kPerThread;
  EXPECT_EQ(ResultOf<int64_t>(service.WaitForClose("collector", run_id, kHangGuard)),
            kTotal * (kTotal - 1) / 2);
  // Every value exactly once in the history.
  std::multiset<int64_t> values;
  const auto history = HistoryOf(service, "collector", run_id);
  for (const auto& e : history.events()) {
    if (e.event_type() != enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) continue;
    absl::StatusOr<int64_t> v =
        FromPayload<int64_t>(e.workflow_execution_signaled_event_attributes().input().payloads(0));
    ASSERT_TRUE(v.ok());
    values.insert(*v);
  }
  ASSERT_EQ(values.size(), static_cast<size_t>(kTotal));
  for (int64_t v = 0; v < kTotal; ++v) EXPECT_EQ(values.count(v), 1u) << v;
}

TEST_F(RealTimeServiceTest, SignalWithStartQueryUpdateAndCancelGoThroughTheLoop) {
  RealTimeService service(&registry_);
  SignalWithStartRequest start;
  start.start = StartRequest("ledger", "Ledger");
  start.signal_name = "add";
  start.signal_input = ToPayloads(int64_t{5});
  absl::StatusOr<temporal::api::common::v1::WorkflowExecution> run =
      service.SignalWithStartWorkflow(start);
  ASSERT_TRUE(run.ok()) << run.status();
  // A query is answered once the first workflow task completed.
  auto total = [&]() -> int64_t {
    absl::StatusOr<Payloads> answer = service.QueryWorkflow("ledger", run->run_id(), "total", {});
    if (!answer.ok() || answer->payloads_size() == 0) return -1;
    absl::StatusOr<int64_t> value = FromPayload<int64_t>(answer->payloads(0));
    return value.ok() ? *value : -1;
  };
  ASSERT_TRUE(Eventually([&] { return total() == 5; }));

  UpdateWorkflowRequest update;
  update.workflow_id = "ledger";
  update.update_id = "double-1";
  update.name = "double";
  ASSERT_TRUE(service.UpdateWorkflow(update).ok());
  ASSERT_TRUE(Eventually([&] {
    absl::StatusOr<UpdateStatus> status = service.GetUpdateStatus("ledger", "double-1");
    return status.ok() && status->completed();
  }));
  absl::StatusOr<UpdateStatus> updated = service.GetUpdateStatus("ledger", "double-1");
  ASSERT_TRUE(updated.ok() && updated->outcome.has_value());
  EXPECT_EQ(FromPayload<int64_t>(updated->outcome->success().payloads(0)).value_or(-1), 10);
  EXPECT_EQ(total(), 10);

  CancelWorkflowRequest cancel;
  cancel.workflow_id = "ledger";
  cancel.reason = "closing the books";
  ASSERT_TRUE(service.RequestCancelWorkflow(cancel).ok());
  absl::StatusOr<WorkflowDescription> closed =
      service.WaitForClose("ledger", run->run_id(), kHangGuard);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->status, enums::WORKFLOW_EXECUTION_STATUS_CANCELED);
}

TEST_F(RealTimeServiceTest, ClientCallsReturnTheServicesErrors) {
  RealTimeService service(&registry_);
  StartRun(service, "twice", "Collect", ToPayloads(int64_t{1}));
  StartWorkflowRequest again = StartRequest("twice", "Collect", ToPayloads(int64_t{1}));
  again.id_reuse_policy = enums::WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE;
  EXPECT_EQ(service.StartWorkflow(again).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(service.DescribeWorkflow("nobody", "").status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<std::vector<temporal::api::common::v1::WorkflowExecution>> runs =
      service.ListRuns();
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->size(), 1u);
  TerminateWorkflowRequest terminate;
  terminate.workflow_id = "twice";
  terminate.reason = "done";
  ASSERT_TRUE(service.TerminateWorkflow(terminate).ok());
  absl::StatusOr<WorkflowDescription> closed = service.WaitForClose("twice", "", kHangGuard);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->status, enums::WORKFLOW_EXECUTION_STATUS_TERMINATED);
}

}  // namespace
}  // namespace realtime_service_test
}  // namespace lockstep::testing
