// A query answers from the state after the run's last completed workflow task, whether the
// worker has the run cached, has evicted it, or has already run a task whose completion has
// not reached the service yet. (The simulator's query purity checker found the evicted and
// the in-flight cases answering from different states.)
#include <string>

#include "engine/service/service_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/matchers.h"
#include "testing/test_environment.h"

namespace lockstep {
namespace {

using ::lockstep::testing::IsOkAndHolds;
using ::lockstep::testing::TestEnvironment;

constexpr WorkflowDef<std::string()> kStaged{"staged"};
constexpr SignalDef<void()> kAdvance{"advance"};
constexpr QueryDef<std::string()> kStage{"stage"};

Task<std::string> Staged(WorkflowContext& ctx) {
  std::string stage = "waiting";
  bool advanced = false;
  ctx.SetSignalHandler(kAdvance, [&advanced] { advanced = true; });
  ctx.SetQueryHandler(kStage, [&stage] { return stage; });
  co_await ctx.WaitCondition([&advanced] { return advanced; });
  stage = "advanced";
  co_await ctx.Sleep(absl::Hours(1));
  stage = "done";
  co_return stage;
}

// Workflow tasks after the first take five seconds to answer (within the 10s task timeout).
class SlowAnswers : public ServiceEnv {
 public:
  WorkflowTaskPlan PlanWorkflowTask(const WorkflowTaskRequest& request) override {
    WorkflowTaskPlan plan;
    if (++tasks_ > 1) plan.latency = absl::Seconds(5);
    (void)request;
    return plan;
  }

 private:
  int tasks_ = 0;
};

TEST(QueryConsistencyTest, AnswersComeFromTheLastCompletedTaskCachedOrNot) {
  SlowAnswers slow;
  TestEnvironment env({.time_skipping = false, .evict_after_every_task = false,
                       .schedule = &slow});
  ASSERT_TRUE(env.RegisterWorkflow(kStaged, &Staged).ok());
  auto handle = env.StartWorkflow(kStaged, {.id = "staged"});
  ASSERT_TRUE(handle.ok());
  env.RunUntilIdle();
  EXPECT_THAT(handle->Query(kStage), IsOkAndHolds("waiting"));

  // The signal's task runs on the worker (its state moves to "advanced") but its answer takes
  // five seconds: until then the last completed task says "waiting", cached or evicted.
  ASSERT_TRUE(handle->Signal(kAdvance).ok());
  env.RunUntilIdle();
  EXPECT_THAT(handle->Query(kStage), IsOkAndHolds("waiting"));
  env.Evict("staged", handle->run_id());
  EXPECT_THAT(handle->Query(kStage), IsOkAndHolds("waiting"));

  // The answer arrives: both paths now say "advanced".
  env.AdvanceTime(absl::Seconds(5));
  EXPECT_THAT(handle->Query(kStage), IsOkAndHolds("advanced"));
  env.Evict("staged", handle->run_id());
  EXPECT_THAT(handle->Query(kStage), IsOkAndHolds("advanced"));
}

}  // namespace
}  // namespace lockstep
