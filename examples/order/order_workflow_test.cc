// Unit tests of the order workflow on TestEnvironment (testing/test_environment.h): each test
// starts the workflow in virtual time, drives it as a client would (signals, queries at chosen
// instants), and mocks the activities whose answers it depends on. The environment replays
// the history at every workflow task, so each test also checks that the code is
// deterministic.
#include "examples/order/order_workflow.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/matchers.h"
#include "testing/test_environment.h"
#include "testing/workflow_status.h"

namespace lockstep::examples {
namespace {

using ::lockstep::testing::FailureOf;
using ::lockstep::testing::HasEventTypes;
using ::lockstep::testing::IsOk;
using ::lockstep::testing::IsOkAndHolds;
using ::lockstep::testing::TestEnvironment;
using ::lockstep::testing::WorkflowFailedWithType;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

// An order whose approval deadline is an hour away.
Order MakeOrder(std::string card) {
  return {.id = "o-1", .card = std::move(card), .cents = 1250, .approval_timeout_seconds = 3600};
}

TEST(OrderWorkflow, ApprovedOrderIsChargedAndReceipted) {
  TestEnvironment env;
  ASSERT_THAT(RegisterOrder(env.registry()), IsOk());
  // The registered charge_card runs; the receipt is mocked to see what it is sent.
  std::string receipt;
  env.OnActivity(kSendReceipt).Call([&receipt](const std::string& order_id,
                                               const std::string& charge_id) {
    receipt = order_id + " paid by " + charge_id;
  });

  auto handle = env.StartWorkflow(kOrder, {}, MakeOrder("4242"));
  ASSERT_THAT(handle, IsOk());
  ASSERT_THAT(handle->Signal(kApprove, true), IsOk());
  EXPECT_THAT(handle->Result<std::string>(), IsOkAndHolds("charge-4242-1250"));
  EXPECT_EQ(receipt, "o-1 paid by charge-4242-1250");
  EXPECT_EQ(env.ActivityAttempts(kChargeCard), 1);
}

TEST(OrderWorkflow, ApprovalBeforeTheDeadlineCancelsItsTimer) {
  TestEnvironment env;
  ASSERT_THAT(RegisterOrder(env.registry()), IsOk());
  auto handle = env.StartWorkflow(kOrder, {}, MakeOrder("4242"));
  ASSERT_THAT(handle, IsOk());
  env.RegisterDelayedCallback(absl::Minutes(5),
                              [&] { ASSERT_THAT(handle->Signal(kApprove, true), IsOk()); });

  const absl::Time start = env.Now();
  EXPECT_THAT(handle->Result<std::string>(), IsOk());
  // The order went on at the approval, not at the deadline an hour later.
  EXPECT_EQ(env.Now() - start, absl::Minutes(5));
  EXPECT_THAT(handle->History(),
              HasEventTypes(AllOf(Contains("TimerCanceled"), Not(Contains("TimerFired")))));
}

TEST(OrderWorkflow, UnansweredOrderExpiresAtItsDeadline) {
  TestEnvironment env;
  ASSERT_THAT(RegisterOrder(env.registry()), IsOk());
  const absl::Time start = env.Now();
  // Nothing answers: time skipping jumps to the deadline instead of waiting an hour.
  EXPECT_THAT(env.ExecuteWorkflow(kOrder, {}, MakeOrder("4242")), IsOkAndHolds("expired"));
  EXPECT_EQ(env.Now() - start, absl::Hours(1));
  EXPECT_EQ(env.ActivityAttempts(kChargeCard), 0);
  EXPECT_EQ(env.ActivityAttempts(kSendReceipt), 0);
}

TEST(OrderWorkflow, RejectedOrderIsNotCharged) {
  TestEnvironment env;
  ASSERT_THAT(RegisterOrder(env.registry()), IsOk());
  auto handle = env.StartWorkflow(kOrder, {}, MakeOrder("4242"));
  ASSERT_THAT(handle, IsOk());
  ASSERT_THAT(handle->Signal(kApprove, false), IsOk());
  EXPECT_THAT(handle->Result<std::string>(), IsOkAndHolds("rejected"));
  EXPECT_EQ(env.ActivityAttempts(kChargeCard), 0);
}

TEST(OrderWorkflow, FirstAnswerCounts) {
  TestEnvironment env;
  ASSERT_THAT(RegisterOrder(env.registry()), IsOk());
  auto handle = env.StartWorkflow(kOrder, {}, MakeOrder("4242"));
  ASSERT_THAT(handle, IsOk());
  // Both signals reach the same workflow task; a change of mind does not undo a rejection.
  ASSERT_THAT(handle->Signal(kApprove, false), IsOk());
  ASSERT_THAT(handle->Signal(kApprove, true), IsOk());
  EXPECT_THAT(handle->Result<std::string>(), IsOkAndHolds("rejected"));
}

TEST(OrderWorkflow, StatusQueryFollowsTheOrder) {
  TestEnvironment env;
  ASSERT_THAT(RegisterOrder(env.registry()), IsOk());
  // Each activity takes two seconds of virtual time, so a query can land in the middle of it.
  env.OnActivity(kChargeCard).Return("ch_1").Latency(absl::Seconds(2));
  env.OnActivity(kSendReceipt).Return().Latency(absl::Seconds(2));
  auto handle = env.StartWorkflow(kOrder, {}, MakeOrder("4242"));
  ASSERT_THAT(handle, IsOk());

  // Approved at 1m: charging until 1m2s, then sending the receipt until 1m4s.
  std::vector<std::string> statuses;
  auto query_at = [&](absl::Duration at) {
    env.RegisterDelayedCallback(at, [&] {
      statuses.push_back(handle->Query(kStatus).value_or("query failed"));
    });
  };
  query_at(absl::Seconds(30));
  env.RegisterDelayedCallback(absl::Minutes(1),
                              [&] { ASSERT_THAT(handle->Signal(kApprove, true), IsOk()); });
  query_at(absl::Minutes(1) + absl::Seconds(1));
  query_at(absl::Minutes(1) + absl::Seconds(3));

  EXPECT_THAT(handle->Result<std::string>(), IsOkAndHolds("ch_1"));
  EXPECT_THAT(statuses, ElementsAre("awaiting approval", "charging", "sending receipt"));
}

TEST(OrderWorkflow, FlakyChargeIsRetriedWithBackoff) {
  TestEnvironment env;
  ASSERT_THAT(RegisterOrder(env.registry()), IsOk());
  env.OnActivity(kChargeCard)
      .Fail(ApplicationFailure("gateway timeout", "Unavailable"))
      .Times(2)
      .Return("ch_1");
  auto handle = env.StartWorkflow(kOrder, {}, MakeOrder("4242"));
  ASSERT_THAT(handle, IsOk());
  ASSERT_THAT(handle->Signal(kApprove, true), IsOk());

  const absl::Time start = env.Now();
  EXPECT_THAT(handle->Result<std::string>(), IsOkAndHolds("ch_1"));
  EXPECT_EQ(env.ActivityAttempts(kChargeCard), 3);
  // The workflow's retry policy, in virtual time: 1s after the first failure, 2s after the
  // second.
  EXPECT_EQ(env.Now() - start, absl::Seconds(3));
}

TEST(OrderWorkflow, ChargeGivesUpAfterFiveAttempts) {
  TestEnvironment env;
  ASSERT_THAT(RegisterOrder(env.registry()), IsOk());
  env.OnActivity(kChargeCard).Fail(ApplicationFailure("gateway timeout", "Unavailable"));
  auto handle = env.StartWorkflow(kOrder, {}, MakeOrder("4242"));
  ASSERT_THAT(handle, IsOk());
  ASSERT_THAT(handle->Signal(kApprove, true), IsOk());

  EXPECT_THAT(handle->Result<std::string>(), WorkflowFailedWithType("Unavailable"));
  EXPECT_EQ(env.ActivityAttempts(kChargeCard), 5);
  EXPECT_EQ(env.ActivityAttempts(kSendReceipt), 0);
}

TEST(OrderWorkflow, DeclinedCardFailsTheOrderWithoutRetry) {
  TestEnvironment env;
  ASSERT_THAT(RegisterOrder(env.registry()), IsOk());
  // The registered charge_card declines this card with a retryable CardDeclined failure: only
  // the workflow's retry policy stops the retries.
  auto handle = env.StartWorkflow(kOrder, {}, MakeOrder("declined"));
  ASSERT_THAT(handle, IsOk());
  ASSERT_THAT(handle->Signal(kApprove, true), IsOk());

  const absl::StatusOr<std::string> result = handle->Result<std::string>();
  EXPECT_THAT(result, WorkflowFailedWithType("CardDeclined"));
  EXPECT_EQ(env.ActivityAttempts(kChargeCard), 1);
  const auto failure = FailureOf(result.status());
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->activity_failure_info().retry_state(),
            temporal::api::enums::v1::RETRY_STATE_NON_RETRYABLE_FAILURE);
}

}  // namespace
}  // namespace lockstep::examples
