// The GoogleTest helper and replay with an eviction at every workflow task boundary.
#include "engine/history/history_file.h"
#include "examples/counter/counter_workflow.h"
#include "gmock/gmock.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "replay/gtest.h"
#include "replay/replayer.h"
#include "tests/engine/workflow/test_env.h"
#include "tests/testing/test_data.h"

namespace lockstep::replay {
namespace {

using testing::TestEnv;

// Records the counter example with a few signals and saves it under `dir`.
std::string RecordCounter(const std::string& dir) {
  TestEnv env;
  EXPECT_TRUE(examples::RegisterCounter(&env.registry()).ok());
  env.Start(examples::kCounterWorkflow, "c", ToPayloads(3));
  env.RunUntilIdle();
  for (int i = 0; i < 3; ++i) env.Signal("c", examples::kIncSignal, ToPayloads(1));
  env.RunToEnd();
  const std::string path = dir + "/counter.pb";
  EXPECT_TRUE(
      history::SaveHistoryFile(path, env.History("c"), history::HistoryFormat::kBinary).ok());
  return path;
}

TEST(ReplayGtest, RecordedHistoriesReplayCleanly) {
  const std::string dir = lockstep::testing::ScratchDir();
  RecordCounter(dir);
  Registry registry;
  ASSERT_TRUE(examples::RegisterCounter(&registry).ok());
  LOCKSTEP_EXPECT_REPLAYS_CLEANLY(registry, dir);
}

TEST(ReplayGtest, AChangedWorkflowFailsWithTheReport) {
  const std::string dir = lockstep::testing::ScratchDir();
  RecordCounter(dir);
  Registry changed;
  ASSERT_TRUE(changed.RegisterActivity(examples::kGreetActivity, &examples::Greet).ok());
  ASSERT_TRUE(changed
                  .RegisterWorkflow(examples::kCounterWorkflow,
                                    [](WorkflowContext& ctx, int) -> Task<int> {
                                      co_await ctx.Sleep(absl::Seconds(1));  // order swapped
                                      co_return 0;
                                    })
                  .ok());
  EXPECT_NONFATAL_FAILURE(LOCKSTEP_EXPECT_REPLAYS_CLEANLY(changed, dir),
                          "NONDETERMINISM [command-mismatch]");
}

TEST(ReplayGtest, MissingPathIsAFailure) {
  Registry registry;
  EXPECT_FALSE(ReplaysCleanly(registry, "/nonexistent/history.json"));
}

// Runs `workflow` (as type "wf") to its end and returns its history; registers it in
// `registry` too, for the replays.
template <typename Workflow>
temporal::api::history::v1::History RecordWorkflow(Workflow workflow, Registry* registry) {
  TestEnv env;
  EXPECT_TRUE(env.registry().RegisterWorkflow("wf", workflow).ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_TRUE(registry->RegisterWorkflow("wf", workflow).ok());
  return env.History("w");
}

// A workflow that behaves differently live and in replay is caught, and the report says at
// which eviction point.
TEST(ReplayEveryTaskBoundary, CatchesCodeThatDependsOnReplaying) {
  auto workflow = [](WorkflowContext& ctx) -> Task<int> {
    co_await ctx.Sleep(absl::Seconds(1));
    if (!ctx.IsReplaying()) co_await ctx.Sleep(absl::Seconds(1));
    co_return 0;
  };
  Registry registry;
  const auto recorded = RecordWorkflow(workflow, &registry);
  // Replayed, the code skips the second sleep that the live run took.
  ReplayResult evicted = ReplayEveryTaskBoundary(registry, recorded, "w");
  ASSERT_EQ(evicted.outcome, Outcome::kNondeterministic);
  EXPECT_EQ(evicted.nondeterminism->expected, "timer id=2");
  EXPECT_EQ(evicted.nondeterminism->actual, "complete workflow");
  // The counter example is clean both ways.
  const std::string dir = lockstep::testing::ScratchDir();
  auto counter = history::LoadHistoryFile(RecordCounter(dir));
  ASSERT_TRUE(counter.ok());
  Registry counter_registry;
  ASSERT_TRUE(examples::RegisterCounter(&counter_registry).ok());
  EXPECT_EQ(ReplayEveryTaskBoundary(counter_registry, counter->histories[0], "c").outcome,
            Outcome::kClean);
}

// Past its event budget, --every-task checks boundaries spread evenly and says how many.
TEST(ReplayEveryTaskBoundary, ABudgetCapsTheReplaysAndSaysSo) {
  auto workflow = [](WorkflowContext& ctx) -> Task<int> {
    for (int i = 0; i < 20; ++i) co_await ctx.Sleep(absl::Seconds(1));
    co_return 0;
  };
  Registry registry;
  const auto recorded = RecordWorkflow(workflow, &registry);
  const int events = recorded.events_size();

  ReplayResult all = ReplayEveryTaskBoundary(registry, recorded, "w");
  EXPECT_EQ(all.outcome, Outcome::kClean);
  EXPECT_THAT(all.warnings, ::testing::IsEmpty());

  ReplayOptions capped;
  capped.every_task_max_events = 5 * events + events / 2;  // five replays' worth
  ReplayResult some = ReplayEveryTaskBoundary(registry, recorded, "w", capped);
  EXPECT_EQ(some.outcome, Outcome::kClean);
  EXPECT_THAT(some.warnings,
              ::testing::ElementsAre(::testing::AllOf(
                  ::testing::HasSubstr("--every-task checked 5 of 21 task boundaries"),
                  ::testing::HasSubstr("--every-task-events"))));

  // Never fewer than the first and the last boundary.
  capped.every_task_max_events = 1;
  EXPECT_THAT(ReplayEveryTaskBoundary(registry, recorded, "w", capped).warnings,
              ::testing::ElementsAre(::testing::HasSubstr("checked 2 of 21")));
}

}  // namespace
}  // namespace lockstep::replay
