// The walkthrough of docs/testing.md, compiled and run: a subscription workflow, its unit
// tests on TestEnvironment (mocked activities, a month skipped in virtual time, a signal at a
// chosen instant) and a replay test over a recorded history.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/history/json_writer.h"
#include "engine/workflow/context.h"
#include "engine/workflow/definitions.h"
#include "engine/workflow/registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/gtest.h"
#include "testing/matchers.h"
#include "testing/test_environment.h"

namespace subscription {

using lockstep::ActivityContext;
using lockstep::ActivityDef;
using lockstep::ActivityOptions;
using lockstep::SignalDef;
using lockstep::Task;
using lockstep::WorkflowContext;
using lockstep::WorkflowDef;

// [definitions]
// One name and one signature per operation, shared by the workflow, the worker and the tests.
inline constexpr WorkflowDef<int64_t(std::string, int)> kSubscription{"subscription"};
inline constexpr ActivityDef<std::string(std::string, int64_t)> kCharge{"charge"};
inline constexpr SignalDef<void()> kCancel{"cancel"};
// [definitions]

// [workflow]
// Charges `customer` once a month for `months` months, until the cancel signal; returns the
// number of charges made.
Task<int64_t> Subscription(WorkflowContext& ctx, std::string customer, int months) {
  bool canceled = false;
  ctx.SetSignalHandler(kCancel, [&] { canceled = true; });
  const ActivityOptions charge_options{.start_to_close_timeout = absl::Seconds(30)};
  int64_t charges = 0;
  for (int month = 0; month < months && !canceled; ++month) {
    co_await ctx.ExecuteActivity(kCharge, charge_options, customer, 999);
    ++charges;
    // A month, or less if the customer cancels first.
    co_await ctx.WaitCondition([&] { return canceled; }, absl::Hours(24 * 30));
  }
  co_return charges;
}

absl::Status Register(lockstep::Registry* registry) {
  return registry->RegisterWorkflow(kSubscription, &Subscription);
}
// [workflow]

}  // namespace subscription

namespace {

using ::lockstep::ApplicationFailure;
using ::lockstep::testing::IsOk;
using ::lockstep::testing::IsOkAndHolds;
using ::lockstep::testing::TestEnvironment;
using ::lockstep::testing::WorkflowFailedWithType;
using ::testing::Contains;

// [unit-tests]
TEST(Subscription, ChargesEveryMonthForAYearInVirtualTime) {
  TestEnvironment env;
  ASSERT_THAT(subscription::Register(env.registry()), IsOk());
  env.OnActivity(subscription::kCharge).Return("ch_1");

  const absl::Time start = env.Now();
  EXPECT_THAT(env.ExecuteWorkflow(subscription::kSubscription, {}, "ada", 12), IsOkAndHolds(12));
  EXPECT_EQ(env.Now() - start, absl::Hours(24 * 30 * 12));  // a year, skipped
  EXPECT_EQ(env.ActivityAttempts("charge"), 12);
}

TEST(Subscription, RetriesAFlakyChargeAndStopsWhenCanceled) {
  TestEnvironment env;
  ASSERT_THAT(subscription::Register(env.registry()), IsOk());
  env.OnActivity(subscription::kCharge)
      .Fail(ApplicationFailure("gateway timeout", "Unavailable"))
      .Times(2)
      .Return("ch_1");

  auto handle = env.StartWorkflow(subscription::kSubscription, {.id = "sub-ada"}, "ada", 12);
  ASSERT_THAT(handle, IsOk());
  // Cancel during the third month: charges in months 1, 2 and 3.
  env.RegisterDelayedCallback(absl::Hours(24 * 70),
                              [&] { ASSERT_THAT(handle->Signal(subscription::kCancel), IsOk()); });
  EXPECT_THAT(handle->Result<int64_t>(), IsOkAndHolds(3));
  EXPECT_THAT(handle->History(),
              lockstep::testing::HasEventTypes(Contains("WorkflowExecutionSignaled")));
}

TEST(Subscription, DeclinedCardFailsTheWorkflow) {
  TestEnvironment env;
  ASSERT_THAT(subscription::Register(env.registry()), IsOk());
  env.OnActivity(subscription::kCharge)
      .Fail(ApplicationFailure("card declined", "CardDeclined", /*non_retryable=*/true));
  EXPECT_THAT(env.ExecuteWorkflow(subscription::kSubscription, {}, "bob", 12),
              WorkflowFailedWithType("CardDeclined"));
}
// [unit-tests]

// [replay-test]
// In a project, the history is recorded once (below, from a test run; or exported from a
// Temporal cluster with `temporal workflow show --output json`), checked in, and replayed by
// every build against the current workflow code.
TEST(Subscription, RecordedHistoryReplaysCleanly) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "subscription_histories";
  std::filesystem::create_directories(dir);
  {
    TestEnvironment env;
    ASSERT_THAT(subscription::Register(env.registry()), IsOk());
    env.OnActivity(subscription::kCharge).Return("ch_1");
    auto handle = env.StartWorkflow(subscription::kSubscription, {.id = "sub-1"}, "ada", 3);
    ASSERT_THAT(handle, IsOk());
    ASSERT_THAT(handle->Result<int64_t>(), IsOkAndHolds(3));
    std::ofstream(dir / "sub-1.json") << lockstep::history::HistoryToJson(handle->History());
  }
  lockstep::Registry registry;
  ASSERT_THAT(subscription::Register(&registry), IsOk());
  LOCKSTEP_EXPECT_REPLAYS_CLEANLY(registry, dir.string());
}
// [replay-test]

}  // namespace
