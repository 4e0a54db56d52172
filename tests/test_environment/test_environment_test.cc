// TestEnvironment: mocks, delayed callbacks, time skipping, handles and matchers, on small
// workflows written against the typed definitions.
#include "testing/test_environment.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/matchers.h"

namespace lockstep {
namespace test_environment_test {
namespace {

using ::lockstep::testing::HasEventTypes;
using ::lockstep::testing::IsOk;
using ::lockstep::testing::IsOkAndHolds;
using ::lockstep::testing::StartWorkflowOptions;
using ::lockstep::testing::StatusIs;
using ::lockstep::testing::TestEnvironment;
using ::lockstep::testing::TestEnvironmentOptions;
using ::lockstep::testing::UpdateFailedWithType;
using ::lockstep::testing::WorkflowCanceled;
using ::lockstep::testing::WorkflowFailedWithType;
using ::lockstep::testing::WorkflowHandle;
using ::lockstep::testing::WorkflowTerminated;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

constexpr ActivityDef<std::string(std::string, int64_t)> kCharge{"charge"};
constexpr ActivityDef<int(int)> kDouble{"double"};
constexpr SignalDef<void(bool)> kApprove{"approve"};
constexpr QueryDef<std::string()> kStage{"stage"};
constexpr UpdateDef<int(int)> kAddItems{"add_items"};
constexpr WorkflowDef<std::string(std::string)> kPay{"pay"};
constexpr WorkflowDef<std::string(std::string)> kApproval{"approval"};
constexpr WorkflowDef<int(int)> kLongSleep{"long_sleep"};
constexpr WorkflowDef<std::string(std::string)> kShip{"ship"};
constexpr WorkflowDef<std::string(std::string)> kOrderWithShipping{"order_with_shipping"};
constexpr WorkflowDef<int(int)> kLocalDouble{"local_double"};
constexpr WorkflowDef<int()> kCart{"cart"};
constexpr ActivityDef<void(std::string)> kNotify{"notify"};
constexpr WorkflowDef<void(std::string)> kAudit{"audit"};
constexpr WorkflowDef<std::string(std::string)> kNotifyAndAudit{"notify_and_audit"};

ActivityOptions ChargeOptions() {
  ActivityOptions options{.start_to_close_timeout = absl::Seconds(10), .has_retry_policy = true};
  options.retry_policy.initial_interval = absl::Seconds(1);
  options.retry_policy.backoff_coefficient = 2;
  options.retry_policy.maximum_attempts = 5;
  return options;
}

// Charges a card through an activity retried per its policy.
Task<std::string> Pay(WorkflowContext& ctx, std::string card) {
  const ActivityOptions options = ChargeOptions();
  std::string charge = co_await ctx.ExecuteActivity(kCharge, options, card, 1250);
  co_return charge;
}

// Waits for approval (a signal) while answering the stage query.
Task<std::string> Approval(WorkflowContext& ctx, std::string order) {
  std::string stage = "waiting";
  bool decided = false;
  bool approved = false;
  ctx.SetQueryHandler(kStage, [&] { return stage; });
  ctx.SetSignalHandler(kApprove, [&](bool ok) {
    decided = true;
    approved = ok;
  });
  co_await ctx.Sleep(absl::Minutes(1));
  stage = "after first timer";
  co_await ctx.WaitCondition([&] { return decided; });
  stage = approved ? "approved" : "rejected";
  co_return order + ":" + stage;
}

Task<int> LongSleep(WorkflowContext& ctx, int days) {
  co_await ctx.Sleep(absl::Hours(24) * days);
  co_return days;
}

Task<std::string> OrderWithShipping(WorkflowContext& ctx, std::string order) {
  std::string shipped = co_await ctx.ExecuteChildWorkflow(kShip, {}, order);
  co_return "order " + order + " " + shipped;
}

Task<int> LocalDouble(WorkflowContext& ctx, int n) {
  LocalActivityOptions options{.start_to_close_timeout = absl::Seconds(5)};
  options.retry_policy.maximum_attempts = 3;
  int doubled = co_await ctx.ExecuteLocalActivity(kDouble, options, n);
  co_return doubled;
}

Task<int> Cart(WorkflowContext& ctx) {
  int items = 0;
  bool closed = false;
  ctx.SetUpdateHandler(
      kAddItems,
      [&](int n) {
        items += n;
        return items;
      },
      [&](int n) {
        if (n <= 0) throw ApplicationFailure("must add at least one item", "BadCount");
      });
  ctx.SetSignalHandler(kApprove, [&](bool) { closed = true; });
  co_await ctx.WaitCondition([&] { return closed; });
  co_return items;
}

// An activity and a child workflow that return nothing.
Task<std::string> NotifyAndAudit(WorkflowContext& ctx, std::string customer) {
  co_await ctx.ExecuteActivity(kNotify, {.start_to_close_timeout = absl::Seconds(5)}, customer);
  co_await ctx.ExecuteChildWorkflow(kAudit, {}, customer);
  co_return "notified " + customer;
}

TEST(TestEnvironment, MockedActivityFailsTwiceThenSucceedsUnderItsRetryPolicy) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kPay, &Pay), IsOk());
  env.OnActivity(kCharge)
      .Fail(ApplicationFailure("gateway down", "Unavailable"))
      .Times(2)
      .Return("ch_1");
  const absl::Time start = env.Now();
  auto handle = env.StartWorkflow(kPay, {.id = "pay-1"}, "4242");
  ASSERT_THAT(handle, IsOk());
  EXPECT_THAT(handle->Result<std::string>(), IsOkAndHolds("ch_1"));
  EXPECT_EQ(env.ActivityAttempts("charge"), 3);
  // Backoff 1s after attempt 1, 2s after attempt 2: the retry policy ran in virtual time.
  EXPECT_EQ(env.Now() - start, absl::Seconds(3));
  const auto& history = handle->History();
  const auto& completed = history.events(history.events_size() - 1);
  ASSERT_EQ(completed.event_type(), temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  int32_t attempt = 0;
  for (const auto& event : history.events()) {
    if (event.has_activity_task_started_event_attributes()) {
      attempt = event.activity_task_started_event_attributes().attempt();
    }
  }
  EXPECT_EQ(attempt, 3);
}

TEST(TestEnvironment, MockedActivityFailingPastTheRetryPolicyFailsTheWorkflow) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kPay, &Pay), IsOk());
  env.OnActivity(kCharge).Fail(ApplicationFailure("declined", "CardDeclined", true));
  EXPECT_THAT(env.ExecuteWorkflow(kPay, {}, "0000"), WorkflowFailedWithType("CardDeclined"));
  EXPECT_EQ(env.ActivityAttempts(kCharge), 1);  // non-retryable
  EXPECT_EQ(env.ActivityAttempts(kDouble), 0);  // counted by name: another activity is apart
}

TEST(TestEnvironment, MockCallSeesArgumentsAndAttempt) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kPay, &Pay), IsOk());
  env.OnActivity(kCharge).Call([](ActivityContext& ctx, const std::string& card, int64_t cents) {
    if (ctx.attempt() < 2) throw std::runtime_error("flaky");
    return card + "/" + std::to_string(cents) + "/" + std::to_string(ctx.attempt());
  });
  EXPECT_THAT(env.ExecuteWorkflow(kPay, {}, "4242"), IsOkAndHolds("4242/1250/2"));
}

TEST(TestEnvironment, MockOverridesTheRegisteredActivityAndAddsLatency) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kPay, &Pay), IsOk());
  ASSERT_THAT(env.RegisterActivity(kCharge,
                                   [](ActivityContext&, std::string card, int64_t) -> std::string {
                                     return "real-" + card;
                                   }),
              IsOk());
  EXPECT_THAT(env.ExecuteWorkflow(kPay, {.id = "a"}, "1"), IsOkAndHolds("real-1"));
  env.OnActivity(kCharge).Return("mocked").Latency(absl::Seconds(4));
  const absl::Time before = env.Now();
  EXPECT_THAT(env.ExecuteWorkflow(kPay, {.id = "b"}, "2"), IsOkAndHolds("mocked"));
  EXPECT_EQ(env.Now() - before, absl::Seconds(4));
}

TEST(TestEnvironment, MockedLocalActivityGoesThroughTheSameSeam) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kLocalDouble, &LocalDouble), IsOk());
  env.OnActivity(kDouble).Fail(ApplicationFailure("not yet", "Busy")).Call([](int n) {
    return 2 * n;
  });
  EXPECT_THAT(env.ExecuteWorkflow(kLocalDouble, {}, 21), IsOkAndHolds(42));
  EXPECT_EQ(env.ActivityAttempts("double"), 2);
}

TEST(TestEnvironment, TypedMocksOfDefinitionsThatReturnNothing) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kNotifyAndAudit, &NotifyAndAudit), IsOk());
  std::vector<std::string> notified;
  env.OnActivity(kNotify).Fail(ApplicationFailure("busy", "Busy")).Call(
      [&notified](const std::string& customer) { notified.push_back(customer); });
  env.OnWorkflow(kAudit).Return().Delay(absl::Minutes(1));
  EXPECT_THAT(env.ExecuteWorkflow(kNotifyAndAudit, {}, "ada"), IsOkAndHolds("notified ada"));
  EXPECT_THAT(notified, ElementsAre("ada"));
  EXPECT_EQ(env.ActivityAttempts(kNotify), 2);
}

TEST(TestEnvironment, DelayedCallbackSignalsAtAVirtualTime) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kApproval, &Approval), IsOk());
  auto handle = env.StartWorkflow(kApproval, {.id = "approval"}, "o-7");
  ASSERT_THAT(handle, IsOk());
  const absl::Time start = env.Now();
  absl::Time signaled_at;
  env.RegisterDelayedCallback(absl::Hours(5), [&] {
    signaled_at = env.Now();
    EXPECT_THAT(handle->Signal(kApprove, true), IsOk());
  });
  EXPECT_THAT(handle->Result<std::string>(), IsOkAndHolds("o-7:approved"));
  EXPECT_EQ(signaled_at - start, absl::Hours(5));
  const auto& events = handle->History().events();
  bool found = false;
  for (const auto& event : events) {
    if (event.has_workflow_execution_signaled_event_attributes()) {
      found = true;
      EXPECT_EQ(absl::FromUnixSeconds(event.event_time().seconds()), start + absl::Hours(5));
    }
  }
  EXPECT_TRUE(found);
}

TEST(TestEnvironment, ThirtyVirtualDaysPassWithoutWaiting) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kLongSleep, &LongSleep), IsOk());
  const absl::Time start = env.Now();
  EXPECT_THAT(env.ExecuteWorkflow(kLongSleep, {}, 30), IsOkAndHolds(30));
  EXPECT_EQ(env.Now() - start, absl::Hours(24 * 30));
}

TEST(TestEnvironment, ChildWorkflowMockAnswersForTheChild) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kOrderWithShipping, &OrderWithShipping), IsOk());
  env.OnWorkflow(kShip).Call([](const std::string& order) { return "shipped " + order; }).Delay(
      absl::Hours(2));
  auto handle = env.StartWorkflow(kOrderWithShipping, {.id = "o"}, "o-1");
  ASSERT_THAT(handle, IsOk());
  EXPECT_THAT(handle->Result<std::string>(), IsOkAndHolds("order o-1 shipped o-1"));
  EXPECT_THAT(handle->History(), HasEventTypes(Contains("ChildWorkflowExecutionCompleted")));
  // The child is a real run whose history shows the mocked delay.
  const auto& description = handle->Describe();
  ASSERT_THAT(description, IsOk());
  std::string child_id;
  for (const auto& event : handle->History().events()) {
    if (event.has_child_workflow_execution_started_event_attributes()) {
      child_id = event.child_workflow_execution_started_event_attributes()
                     .workflow_execution()
                     .workflow_id();
    }
  }
  auto child = env.GetHandle(child_id);
  ASSERT_THAT(child, IsOk());
  EXPECT_THAT(child->History(), HasEventTypes(Contains("TimerFired")));
}

TEST(TestEnvironment, ChildWorkflowMockFailureReachesTheParent) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kOrderWithShipping, &OrderWithShipping), IsOk());
  env.OnWorkflow(kShip).Fail(ApplicationFailure("no courier", "NoCourier", true));
  EXPECT_THAT(env.ExecuteWorkflow(kOrderWithShipping, {}, "o-2"),
              WorkflowFailedWithType("NoCourier"));
}

TEST(TestEnvironment, QueryBetweenSteps) {
  TestEnvironment env({.time_skipping = false});
  ASSERT_THAT(env.RegisterWorkflow(kApproval, &Approval), IsOk());
  auto handle = env.StartWorkflow(kApproval, {}, "o-1");
  ASSERT_THAT(handle, IsOk());
  EXPECT_THAT(handle->Query(kStage), IsOkAndHolds("waiting"));
  env.AdvanceTime(absl::Minutes(1));
  EXPECT_THAT(handle->Query(kStage), IsOkAndHolds("after first timer"));
  // Without time skipping, waiting for the result only runs what is due now.
  EXPECT_THAT(handle->Result<std::string>(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_THAT(handle->Signal(kApprove, false), IsOk());
  EXPECT_THAT(handle->Result<std::string>(), IsOkAndHolds("o-1:rejected"));
  // Query handlers refer to the coroutine's locals, gone once it returns: a closed run is
  // not queried (WorkflowRun::Query), unlike in Temporal.
  EXPECT_THAT(handle->Query(kStage), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(TestEnvironment, UpdateIsValidatedAndAnswered) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kCart, &Cart), IsOk());
  auto handle = env.StartWorkflow(kCart, {});
  ASSERT_THAT(handle, IsOk());
  EXPECT_THAT(handle->Update(kAddItems, 2), IsOkAndHolds(2));
  EXPECT_THAT(handle->Update(kAddItems, 3), IsOkAndHolds(5));
  EXPECT_THAT(handle->Update(kAddItems, 0), UpdateFailedWithType("BadCount"));
  ASSERT_THAT(handle->Signal(kApprove, true), IsOk());
  EXPECT_THAT(handle->Result<int>(), IsOkAndHolds(5));
}

TEST(TestEnvironment, CancelAndTerminate) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kApproval, &Approval), IsOk());
  auto canceled = env.StartWorkflow(kApproval, {.id = "c"}, "o");
  auto terminated = env.StartWorkflow(kApproval, {.id = "t"}, "o");
  ASSERT_THAT(canceled, IsOk());
  ASSERT_THAT(terminated, IsOk());
  env.RunUntilIdle();
  ASSERT_THAT(canceled->Cancel("changed my mind"), IsOk());
  ASSERT_THAT(terminated->Terminate("operator"), IsOk());
  EXPECT_THAT(canceled->Result<std::string>(), WorkflowCanceled());
  EXPECT_THAT(terminated->Result<std::string>(), WorkflowTerminated());
  EXPECT_THAT(terminated->Result<std::string>(), Not(WorkflowCanceled()));
}

TEST(TestEnvironment, BlockedWorkflowIsReportedNotHung) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kCart, &Cart), IsOk());
  auto handle = env.StartWorkflow(kCart, {});
  ASSERT_THAT(handle, IsOk());
  auto result = handle->Result<int>();
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(result.status().message()), ::testing::HasSubstr("nothing is pending"));
}

TEST(TestEnvironment, SignalWithStartStartsAgainAfterTheRunClosed) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kApproval, &Approval), IsOk());
  auto handle = env.StartWorkflow(kApproval, {.id = "swm"}, "o");
  ASSERT_THAT(handle, IsOk());
  ASSERT_THAT(handle->Signal(kApprove, true), IsOk());
  EXPECT_THAT(handle->Result<std::string>(), IsOkAndHolds("o:approved"));
  const std::string first_run = handle->run_id();
  ASSERT_THAT(handle->SignalWithStart(kApprove, false), IsOk());
  EXPECT_NE(handle->run_id(), first_run);
  EXPECT_THAT(handle->Result<std::string>(), IsOkAndHolds("o:rejected"));
}

TEST(TestEnvironment, EveryWorkflowTaskReplaysByDefault) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kApproval, &Approval), IsOk());
  auto handle = env.StartWorkflow(kApproval, {}, "o");
  ASSERT_THAT(handle, IsOk());
  ASSERT_THAT(handle->Signal(kApprove, true), IsOk());
  ASSERT_THAT(handle->Result<std::string>(), IsOk());
  EXPECT_GT(env.worker().stats().workflow_tasks, 1);
  EXPECT_EQ(env.worker().stats().full_replays, env.worker().stats().workflow_tasks);
  EXPECT_EQ(env.worker().stats().cache_hits, 0);
}

TEST(TestEnvironment, SameTestWritesTheSameHistory) {
  auto run = [] {
    TestEnvironment env;
    EXPECT_THAT(env.RegisterWorkflow(kPay, &Pay), IsOk());
    env.OnActivity(kCharge).Fail(ApplicationFailure("busy", "Busy")).Return("ch");
    auto handle = env.StartWorkflow(kPay, {}, "1");
    EXPECT_THAT(handle->Result<std::string>(), IsOk());
    return handle->History().SerializeAsString();
  };
  EXPECT_EQ(run(), run());
}

TEST(TestEnvironment, MisuseIsReportedClearly) {
  TestEnvironment env;
  EXPECT_THAT(env.StartWorkflow("missing", {}), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(env.RegisterWorkflow(kPay, &Pay), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THROW(env.OnWorkflow("never_registered"), std::logic_error);
  EXPECT_THROW(env.OnActivity("x").Times(2), std::logic_error);
}

TEST(TestEnvironment, RegisteringThroughTheRegistryAfterAStartFailsTheNextStart) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kLongSleep, &LongSleep), IsOk());
  ASSERT_THAT(env.StartWorkflow(kLongSleep, {}, 1), IsOk());
  ASSERT_THAT(env.registry()->RegisterWorkflow(kPay, &Pay), IsOk());
  EXPECT_THAT(env.StartWorkflow(kLongSleep, {}, 1),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(TestEnvironment, ResultThatDoesNotDecodeIsInvalidArgument) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kLongSleep, &LongSleep), IsOk());
  EXPECT_THAT(env.ExecuteWorkflow<std::vector<std::string>>("long_sleep", {}, 1),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TestEnvironment, HistoryMatcherSeesEventTypesInOrder) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kLongSleep, &LongSleep), IsOk());
  auto handle = env.StartWorkflow(kLongSleep, {}, 1);
  ASSERT_THAT(handle->Result<int>(), IsOk());
  EXPECT_THAT(handle->History(),
              HasEventTypes(ElementsAre(
                  "WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "TimerStarted", "TimerFired", "WorkflowTaskScheduled",
                  "WorkflowTaskStarted", "WorkflowTaskCompleted", "WorkflowExecutionCompleted")));
}

}  // namespace
}  // namespace test_environment_test
}  // namespace lockstep
