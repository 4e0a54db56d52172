// Cancellation: a workflow cancel request reaching the code, cancellation scopes (cancel a
// group, shield cleanup), operations started in a canceled scope, and the three activity
// cancellation types, each against the in-process service.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using ::testing::ElementsAre;
using testing::TestEnv;

void CancelWorkflow(TestEnv& env, const std::string& id) {
  CancelWorkflowRequest request;
  request.workflow_id = id;
  request.reason = "test";
  ASSERT_TRUE(env.service().RequestCancelWorkflow(request).ok());
}

testing::EnvFunctions SlowActivities(absl::Duration latency) {
  testing::EnvFunctions functions;
  functions.activity_timing = [latency](const ActivityTask&) {
    return ActivityTiming{.latency = latency};
  };
  return functions;
}

void RegisterEcho(TestEnv& env) {
  ASSERT_TRUE(env.registry()
                  .RegisterActivity("echo", [](ActivityContext&, std::string s) { return s; })
                  .ok());
}

TEST(Cancellation, RequestCancelsPendingOperationsAndTheWorkflowEndsCanceled) {
  TestEnv env({}, {}, SlowActivities(absl::Minutes(5)));
  RegisterEcho(env);
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<void> {
                                      auto activity = ctx.ExecuteActivity<std::string>(
                                          "echo", {.start_to_close_timeout = absl::Minutes(10)},
                                          std::string("x"));
                                      auto timer = ctx.Sleep(absl::Minutes(5));
                                      co_await activity;
                                      co_await timer;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunUntilIdle();
  CancelWorkflow(env, "w");
  env.RunToEnd();
  EXPECT_THAT(
      env.EventTypes("w"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "ActivityTaskScheduled", "TimerStarted",
                  "WorkflowExecutionCancelRequested", "WorkflowTaskScheduled",
                  "WorkflowTaskStarted", "WorkflowTaskCompleted", "ActivityTaskCancelRequested",
                  "TimerCanceled", "WorkflowExecutionCanceled"));
}

// The cancellation request and the activity's completion reach the code in one task, the
// request first: as in Temporal's SDKs, a try-cancel activity ends with the cancellation (its
// result is dropped) and no cancel command goes out, the activity being closed.
TEST(Cancellation, TryCancelBeforeTheSameTasksCompletionEndsWithTheCancellation) {
  ServiceOptions options;
  options.apply_default_activity_retry_policy = false;  // ActivityTaskStarted written at once
  TestEnv env({}, options, SlowActivities(absl::Seconds(3)));
  RegisterEcho(env);
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      co_return co_await ctx.ExecuteActivity<std::string>(
                                          "echo", {.start_to_close_timeout = absl::Minutes(1)},
                                          std::string("x"));
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunUntilIdle();
  env.clock().Advance(absl::Seconds(2));
  env.service().SetWorkflowWorkersPolling(false);
  CancelWorkflow(env, "w");
  env.RunToEnd(absl::Seconds(2));  // the activity completes; the task waits for a worker
  env.service().SetWorkflowWorkersPolling(true);
  env.RunToEnd();
  EXPECT_THAT(env.EventTypes("w"),
              ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                          "WorkflowTaskStarted", "WorkflowTaskCompleted", "ActivityTaskScheduled",
                          "ActivityTaskStarted", "WorkflowExecutionCancelRequested",
                          "WorkflowTaskScheduled", "ActivityTaskCompleted", "WorkflowTaskStarted",
                          "WorkflowTaskCompleted", "WorkflowExecutionCanceled"));
}

TEST(Cancellation, CodeThatCatchesTheCancellationCompletesNormally) {
  TestEnv env;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      try {
                                        co_await ctx.Sleep(absl::Hours(1));
                                      } catch (const CanceledFailure&) {
                                        co_return ctx.IsCancelRequested() ? "saw cancel" : "?";
                                      }
                                      co_return "slept";
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunUntilIdle();
  CancelWorkflow(env, "w");
  env.RunToEnd();
  const auto& last = env.Last("w");
  ASSERT_EQ(last.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  EXPECT_EQ(std::get<0>(*FromPayloads<std::string>(
                last.workflow_execution_completed_event_attributes().result())),
            "saw cancel");
}

TEST(Cancellation, DetachedScopeShieldsCleanupFromTheWorkflowCancellation) {
  TestEnv env;
  RegisterEcho(env);
  ASSERT_TRUE(
      env.registry()
          .RegisterWorkflow(
              "wf",
              [](WorkflowContext& ctx) -> Task<void> {
                std::exception_ptr canceled;
                try {
                  co_await ctx.WaitCondition([] { return false; });
                } catch (const CanceledFailure&) {
                  canceled = std::current_exception();
                }
                // Started from the canceled root scope, this would fail at once; in a
                // detached scope it runs.
                co_await ctx.NewDetachedCancellationScope().Run([&ctx]() -> Task<std::string> {
                  co_return co_await ctx.ExecuteActivity<std::string>(
                      "echo", {.start_to_close_timeout = absl::Seconds(5)}, std::string("cleanup"));
                });
                if (canceled) std::rethrow_exception(canceled);
              })
          .ok());
  env.Start("wf", "w");
  env.RunUntilIdle();
  CancelWorkflow(env, "w");
  env.RunToEnd();
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED), 1);
  EXPECT_EQ(env.Last("w").event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED);
}

TEST(Cancellation, OperationsStartedInACanceledScopeFailAtOnceWithoutCommands) {
  TestEnv env;
  RegisterEcho(env);
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      try {
                                        co_await ctx.Sleep(absl::Hours(1));
                                      } catch (const CanceledFailure&) {
                                      }
                                      std::string seen;
                                      try {
                                        co_await ctx.ExecuteActivity<std::string>(
                                            "echo", {.start_to_close_timeout = absl::Seconds(5)},
                                            std::string("late"));
                                      } catch (const CanceledFailure&) {
                                        seen += "activity canceled;";
                                      }
                                      try {
                                        co_await ctx.Sleep(absl::Seconds(1));
                                      } catch (const CanceledFailure&) {
                                        seen += "timer canceled";
                                      }
                                      co_return seen;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunUntilIdle();
  CancelWorkflow(env, "w");
  env.RunToEnd();
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 0);
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_TIMER_STARTED), 1);
  EXPECT_EQ(std::get<0>(*FromPayloads<std::string>(
                env.Last("w").workflow_execution_completed_event_attributes().result())),
            "activity canceled;timer canceled");
}

TEST(Cancellation, CancelingAScopeCancelsOnlyItsOperationsAndChildScopes) {
  TestEnv env;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      CancellationScope scope = ctx.NewCancellationScope();
                                      CancellationScope inner;
                                      Future<void> inner_sleep;
                                      Future<void> in_scope = scope.Run([&]() -> Task<void> {
                                        inner = ctx.NewCancellationScope();
                                        inner_sleep = inner.Run([&]() -> Task<void> {
                                          co_await ctx.Sleep(absl::Hours(2));
                                        });
                                        co_await ctx.Sleep(absl::Hours(1));
                                      });
                                      Future<void> outside = ctx.Sleep(absl::Minutes(1));
                                      co_await ctx.Sleep(absl::Seconds(1));
                                      scope.Cancel();
                                      std::string seen;
                                      try {
                                        co_await in_scope;
                                      } catch (const CanceledFailure&) {
                                        seen += "scope canceled;";
                                      }
                                      try {
                                        co_await inner_sleep;
                                      } catch (const CanceledFailure&) {
                                        seen += "child scope canceled;";
                                      }
                                      co_await outside;
                                      seen += inner.IsCanceled() ? "outside slept" : "?";
                                      co_return seen;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_TIMER_CANCELED), 2);
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_TIMER_FIRED), 2);
  EXPECT_EQ(std::get<0>(*FromPayloads<std::string>(
                env.Last("w").workflow_execution_completed_event_attributes().result())),
            "scope canceled;child scope canceled;outside slept");
}

// The three cancellation types, observed by when the Future ends and what the history holds.
struct CancelTypeCase {
  const char* name;
  ActivityCancellationType type;
  int cancel_requested_events;
  const char* outcome;  // what the workflow saw, and at what time (seconds after start)
};

class ActivityCancellationTypeTest : public ::testing::TestWithParam<CancelTypeCase> {};

TEST_P(ActivityCancellationTypeTest, FutureEndsAsTheTypeSays) {
  const CancelTypeCase& c = GetParam();
  TestEnv env({}, {}, SlowActivities(absl::Seconds(30)));
  RegisterEcho(env);
  const absl::Time start = env.clock().Now();
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [&c, start](WorkflowContext& ctx) -> Task<std::string> {
                                      ActivityOptions options{.start_to_close_timeout =
                                                                  absl::Minutes(1)};
                                      options.cancellation_type = c.type;
                                      auto activity = ctx.ExecuteActivity<std::string>(
                                          "echo", options, std::string("done"));
                                      co_await ctx.Sleep(absl::Seconds(10));
                                      activity.Cancel();
                                      std::string seen;
                                      try {
                                        seen = co_await activity;
                                      } catch (const CanceledFailure&) {
                                        seen = "canceled";
                                      }
                                      co_return absl::StrCat(
                                          seen, " at ", absl::ToInt64Seconds(ctx.Now() - start));
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED),
            c.cancel_requested_events);
  EXPECT_EQ(std::get<0>(*FromPayloads<std::string>(
                env.Last("w").workflow_execution_completed_event_attributes().result())),
            c.outcome);
}

INSTANTIATE_TEST_SUITE_P(
    Each, ActivityCancellationTypeTest,
    ::testing::Values(
        CancelTypeCase{"TryCancel", ActivityCancellationType::kTryCancel, 1, "canceled at 10"},
        // The activity does not heartbeat, so it learns nothing and completes at 30 s; the
        // workflow waited for that.
        CancelTypeCase{"WaitCancellationCompleted",
                       ActivityCancellationType::kWaitCancellationCompleted, 1, "done at 30"},
        CancelTypeCase{"Abandon", ActivityCancellationType::kAbandon, 0, "canceled at 10"}),
    [](const ::testing::TestParamInfo<CancelTypeCase>& param) { return param.param.name; });

}  // namespace
}  // namespace lockstep
