// Lockstep records the same event sequences as a Temporal server for the same workflow logic:
// the logic of two recorded histories (see tests/data/temporal/INDEX.tsv for their sources)
// written as Lockstep workflows, run on the in-process service, compared event type by event
// type with the recorded files.
#include "engine/history/history_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"
#include "tests/testing/test_data.h"

namespace lockstep {
namespace {

using testing::TestEnv;

std::vector<std::string> RecordedTypes(const std::string& file) {
  auto loaded = history::LoadHistoryFile(testing::TestDataPath("temporal/" + file));
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  std::vector<std::string> types;
  if (!loaded.ok()) return types;
  for (const auto& e : loaded->histories[0].events()) {
    types.push_back(history::EventTypeShortName(e.event_type()));
  }
  return types;
}

// samples-go helloworld: Workflow(name) runs Activity(name) -> "Hello <name>!" and returns it.
TEST(TemporalSequences, SamplesGoHelloWorld) {
  TestEnv env;
  ASSERT_TRUE(
      env.registry()
          .RegisterActivity(
              "Activity", [](ActivityContext&, std::string name) { return "Hello " + name + "!"; })
          .ok());
  ASSERT_TRUE(
      env.registry()
          .RegisterWorkflow("Workflow",
                            [](WorkflowContext& ctx, std::string name) -> Task<std::string> {
                              co_return co_await ctx.ExecuteActivity<std::string>(
                                  "Activity",
                                  {.schedule_to_close_timeout = absl::Seconds(60),
                                   .schedule_to_start_timeout = absl::Seconds(60),
                                   .start_to_close_timeout = absl::Seconds(60)},
                                  name);
                            })
          .ok());
  env.Start("Workflow", "hello_world_workflowID", ToPayloads(std::string("Temporal")),
            "hello-world");
  env.RunToEnd();
  EXPECT_EQ(env.EventTypes("hello_world_workflowID"),
            RecordedTypes("samples-go__helloworld__helloworld.json"));
  auto result = FromPayloads<std::string>(
      env.Last("hello_world_workflowID").workflow_execution_completed_event_attributes().result());
  EXPECT_EQ(std::get<0>(*result), "Hello Temporal!");
}

// features activity/retry_on_error: the activity always fails; 5 attempts, retried at once;
// the workflow does not catch the failure and fails.
TEST(TemporalSequences, FeaturesRetryOnError) {
  TestEnv env;
  int attempts = 0;
  ASSERT_TRUE(env.registry()
                  .RegisterActivity("AlwaysFailActivity",
                                    [&attempts](ActivityContext& ctx) -> int {
                                      ++attempts;
                                      throw std::runtime_error(absl::StrCat(
                                          "activity attempt ", ctx.attempt(), " failed"));
                                    })
                  .ok());
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow(
                      "Workflow",
                      [](WorkflowContext& ctx) -> Task<void> {
                        ActivityOptions options{.schedule_to_close_timeout = absl::Minutes(1)};
                        options.has_retry_policy = true;
                        options.retry_policy = {.initial_interval = absl::Nanoseconds(1),
                                                .backoff_coefficient = 1,
                                                .maximum_attempts = 5};
                        co_await ctx.ExecuteActivity<void>("AlwaysFailActivity", options);
                      })
                  .ok());
  env.Start("Workflow", "retry", {}, "features-activity/retry_on_error");
  env.RunToEnd();
  EXPECT_EQ(attempts, 5);
  EXPECT_EQ(env.EventTypes("retry"),
            RecordedTypes(
                "features__features__activity__retry_on_error__history__history.go.v1.5.0.json"));
  const auto& failed = env.History("retry").events(6).activity_task_failed_event_attributes();
  EXPECT_EQ(failed.failure().message(), "activity attempt 5 failed");
  EXPECT_EQ(failed.retry_state(), temporal::api::enums::v1::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  EXPECT_EQ(env.History("retry").events(5).activity_task_started_event_attributes().attempt(), 5);
}

}  // namespace
}  // namespace lockstep
