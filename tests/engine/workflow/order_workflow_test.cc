// The order example: approval by signal or expiry, a charge with retries, a receipt, and the
// status query along the way.
#include "examples/order/order_workflow.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"
#include "tests/testing/function_env.h"

namespace lockstep {
namespace {

using ::lockstep::testing::FunctionEnv;

namespace enums = temporal::api::enums::v1;
using testing::TestEnv;

std::string Status(TestEnv& env, const std::string& id) {
  auto answer = env.service().QueryWorkflow(id, "", examples::kStatusQuery, {});
  if (!answer.ok()) return "<" + std::string(answer.status().message()) + ">";
  return std::get<0>(*FromPayloads<std::string>(*answer));
}

std::string Result(TestEnv& env, const std::string& id) {
  const auto& last = env.Last(id);
  if (last.event_type() != enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) {
    return history::EventTypeShortName(last.event_type());
  }
  return std::get<0>(
      *FromPayloads<std::string>(last.workflow_execution_completed_event_attributes().result()));
}

examples::Order MakeOrder(std::string card) {
  return {.id = "o-1", .card = std::move(card), .cents = 1250, .approval_timeout_seconds = 3600};
}

TEST(OrderWorkflow, ApprovedOrderIsChargedAndReceipted) {
  TestEnv env;
  ASSERT_TRUE(examples::RegisterOrder(&env.registry()).ok());
  env.Start(examples::kOrderWorkflow, "o", ToPayloads(MakeOrder("4242")));
  env.RunUntilIdle();
  EXPECT_EQ(Status(env, "o"), "awaiting approval");
  env.clock().Advance(absl::Minutes(5));
  env.Signal("o", examples::kApproveSignal, ToPayloads(true));
  env.RunToEnd();
  EXPECT_EQ(Result(env, "o"), "charge-4242-1250");
  EXPECT_EQ(env.Count("o", enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED), 2);
  EXPECT_EQ(env.Count("o", enums::EVENT_TYPE_TIMER_CANCELED), 1);  // the approval deadline
}

TEST(OrderWorkflow, UnansweredOrderExpires) {
  TestEnv env;
  ASSERT_TRUE(examples::RegisterOrder(&env.registry()).ok());
  env.Start(examples::kOrderWorkflow, "o", ToPayloads(MakeOrder("4242")));
  env.RunToEnd();
  EXPECT_EQ(Result(env, "o"), "expired");
  EXPECT_EQ(env.Count("o", enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 0);
}

TEST(OrderWorkflow, RejectedOrderIsNotCharged) {
  TestEnv env;
  ASSERT_TRUE(examples::RegisterOrder(&env.registry()).ok());
  env.Start(examples::kOrderWorkflow, "o", ToPayloads(MakeOrder("4242")));
  env.Signal("o", examples::kApproveSignal, ToPayloads(false));
  env.RunToEnd();
  EXPECT_EQ(Result(env, "o"), "rejected");
}

TEST(OrderWorkflow, StatusDuringChargeAndDeclinedCardFailsWithoutRetry) {
  ServiceOptions service_options;
  FunctionEnv service_options_env;
  service_options.env = &service_options_env;
  service_options_env.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{.latency = absl::Seconds(2)};
  };
  TestEnv env({}, service_options);
  ASSERT_TRUE(examples::RegisterOrder(&env.registry()).ok());
  env.Start(examples::kOrderWorkflow, "o", ToPayloads(MakeOrder("declined")));
  env.Signal("o", examples::kApproveSignal, ToPayloads(true));
  env.RunUntilIdle();
  EXPECT_EQ(Status(env, "o"), "charging");
  env.RunToEnd();
  EXPECT_EQ(Result(env, "o"), "WorkflowExecutionFailed");
  const auto& failure = env.Last("o").workflow_execution_failed_event_attributes().failure();
  EXPECT_EQ(failure.cause().application_failure_info().type(), "CardDeclined");
  EXPECT_EQ(failure.activity_failure_info().retry_state(),
            enums::RETRY_STATE_NON_RETRYABLE_FAILURE);
}

TEST(OrderWorkflow, RetriesAFlakyCharge) {
  TestEnv env;
  int attempts = 0;
  ASSERT_TRUE(
      env.registry().RegisterWorkflow(examples::kOrderWorkflow, &examples::OrderWorkflow).ok());
  ASSERT_TRUE(
      env.registry()
          .RegisterActivity(examples::kChargeCardActivity,
                            [&attempts](ActivityContext&, std::string, int64_t) -> std::string {
                              if (++attempts < 3) throw std::runtime_error("gateway timeout");
                              return "charge-ok";
                            })
          .ok());
  ASSERT_TRUE(env.registry()
                  .RegisterActivity(examples::kSendReceiptActivity,
                                    [](ActivityContext&, std::string, std::string) {})
                  .ok());
  env.Start(examples::kOrderWorkflow, "o", ToPayloads(MakeOrder("4242")));
  env.Signal("o", examples::kApproveSignal, ToPayloads(true));
  env.RunToEnd();
  EXPECT_EQ(Result(env, "o"), "charge-ok");
  EXPECT_EQ(attempts, 3);
}

}  // namespace
}  // namespace lockstep
