// Unit tests of the counter workflow on TestEnvironment (testing/test_environment.h): signals,
// the count query, how signals that arrive together share one workflow task, and the same
// history whether or not the worker keeps the run cached between tasks.
#include "examples/counter/counter_workflow.h"

#include <string>

#include "engine/history/history_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/matchers.h"
#include "testing/test_environment.h"

namespace lockstep::examples {
namespace {

using ::lockstep::testing::HasEventTypes;
using ::lockstep::testing::IsOk;
using ::lockstep::testing::IsOkAndHolds;
using ::lockstep::testing::TestEnvironment;
using ::lockstep::testing::WorkflowFailedWithType;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;

TEST(CounterWorkflow, ReturnsTheCountOnceItReachesTheTarget) {
  TestEnvironment env;
  ASSERT_THAT(RegisterCounter(env.registry()), IsOk());
  auto handle = env.StartWorkflow(kCounter, {}, 5);
  ASSERT_THAT(handle, IsOk());
  // An increment of 2 an hour for three hours: the count passes the target on the third.
  for (int hour = 1; hour <= 3; ++hour) {
    env.RegisterDelayedCallback(absl::Hours(hour),
                                [&] { ASSERT_THAT(handle->Signal(kInc, 2), IsOk()); });
  }
  const absl::Time start = env.Now();
  EXPECT_THAT(handle->Result<int>(), IsOkAndHolds(6));
  EXPECT_EQ(env.Now() - start, absl::Hours(3));
}

TEST(CounterWorkflow, AnIncrementPastTheRangeOfIntFailsTheWorkflow) {
  TestEnvironment env;
  ASSERT_THAT(RegisterCounter(env.registry()), IsOk());
  auto handle = env.StartWorkflow(kCounter, {}, 5);
  ASSERT_THAT(handle, IsOk());
  // Two signals in one workflow task: 2147483647 + 1 wrapped to a negative count (undefined
  // behaviour) before the check, and the workflow went on waiting.
  env.RegisterDelayedCallback(absl::Hours(1), [&] {
    ASSERT_THAT(handle->Signal(kInc, 2147483647), IsOk());
    ASSERT_THAT(handle->Signal(kInc, 1), IsOk());
  });
  EXPECT_THAT(handle->Result<int>(), WorkflowFailedWithType("CounterOverflow"));
}

TEST(CounterWorkflow, GreetsAndSleepsThenWaitsForSignals) {
  TestEnvironment env;
  ASSERT_THAT(RegisterCounter(env.registry()), IsOk());
  auto handle = env.StartWorkflow(kCounter, {}, 3);
  ASSERT_THAT(handle, IsOk());
  env.AdvanceTime(absl::Minutes(1));
  EXPECT_FALSE(handle->IsClosed());
  EXPECT_EQ(env.ActivityAttempts(kGreet), 1);
  // The activity and the one-second timer are numbered as Temporal's SDKs number them, so the
  // history has the shape of the TypeScript peer's.
  for (const auto& event : handle->History().events()) {
    if (event.has_activity_task_scheduled_event_attributes()) {
      EXPECT_EQ(event.activity_task_scheduled_event_attributes().activity_id(), "1");
    } else if (event.has_timer_started_event_attributes()) {
      EXPECT_EQ(event.timer_started_event_attributes().timer_id(), "1");
      EXPECT_EQ(event.timer_started_event_attributes().start_to_fire_timeout().seconds(), 1);
    }
  }
  EXPECT_THAT(handle->History(), HasEventTypes(AllOf(Contains("ActivityTaskCompleted"),
                                                     Contains("TimerFired"))));
}

TEST(CounterWorkflow, SignalsThatArriveTogetherShareOneWorkflowTask) {
  TestEnvironment env;
  ASSERT_THAT(RegisterCounter(env.registry()), IsOk());
  auto handle = env.StartWorkflow(kCounter, {}, 3);
  ASSERT_THAT(handle, IsOk());
  env.AdvanceTime(absl::Minutes(1));  // past the greeting and the timer
  for (int i = 0; i < 3; ++i) ASSERT_THAT(handle->Signal(kInc, 1), IsOk());

  EXPECT_THAT(handle->Result<int>(), IsOkAndHolds(3));
  // The first signal schedules a workflow task; the next two land before it starts, so one
  // task sees all three (as a Temporal server records them).
  EXPECT_THAT(handle->History(),
              HasEventTypes(ElementsAre(
                  "WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "ActivityTaskScheduled", "ActivityTaskStarted",
                  "ActivityTaskCompleted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "TimerStarted", "TimerFired", "WorkflowTaskScheduled",
                  "WorkflowTaskStarted", "WorkflowTaskCompleted", "WorkflowExecutionSignaled",
                  "WorkflowTaskScheduled", "WorkflowExecutionSignaled",
                  "WorkflowExecutionSignaled", "WorkflowTaskStarted", "WorkflowTaskCompleted",
                  "WorkflowExecutionCompleted")));
}

TEST(CounterWorkflow, FiveHundredSignalsInOneWorkflowTask) {
  TestEnvironment env;
  ASSERT_THAT(RegisterCounter(env.registry()), IsOk());
  auto handle = env.StartWorkflow(kCounter, {}, 500);
  ASSERT_THAT(handle, IsOk());
  env.AdvanceTime(absl::Minutes(1));
  for (int i = 0; i < 500; ++i) ASSERT_THAT(handle->Signal(kInc, 1), IsOk());

  EXPECT_THAT(handle->Result<int>(), IsOkAndHolds(500));
  // Three tasks before the signals (start, greeting, timer) and one for all 500.
  EXPECT_THAT(handle->History(),
              HasEventTypes(AllOf(Contains("WorkflowExecutionSignaled").Times(500),
                                  Contains("WorkflowTaskStarted").Times(4))));
}

TEST(CounterWorkflow, SignalsBeforeTheHandlerIsSetAreBufferedNotLost) {
  TestEnvironment env;
  ASSERT_THAT(RegisterCounter(env.registry()), IsOk());
  auto handle = env.StartWorkflow(kCounter, {}, 2);
  ASSERT_THAT(handle, IsOk());
  // Both signals land before the first workflow task runs the code that sets the handler.
  ASSERT_THAT(handle->Signal(kInc, 1), IsOk());
  ASSERT_THAT(handle->Signal(kInc, 1), IsOk());
  EXPECT_THAT(handle->Result<int>(), IsOkAndHolds(2));
}

TEST(CounterWorkflow, QueryReadsTheCount) {
  TestEnvironment env;
  ASSERT_THAT(RegisterCounter(env.registry()), IsOk());
  auto handle = env.StartWorkflow(kCounter, {}, 10);
  ASSERT_THAT(handle, IsOk());
  EXPECT_THAT(handle->Query(kCount), IsOkAndHolds(0));
  ASSERT_THAT(handle->Signal(kInc, 4), IsOk());
  // A query first runs the workflow task the signal scheduled, as a Temporal server would.
  EXPECT_THAT(handle->Query(kCount), IsOkAndHolds(4));
}

TEST(CounterWorkflow, QueryGivesTheSameAnswerFromACachedRunAndFromHistory) {
  // Keep the run cached between tasks (the environment evicts it after each by default).
  TestEnvironment env({.evict_after_every_task = false});
  ASSERT_THAT(RegisterCounter(env.registry()), IsOk());
  auto handle = env.StartWorkflow(kCounter, {}, 10);
  ASSERT_THAT(handle, IsOk());
  ASSERT_THAT(handle->Signal(kInc, 4), IsOk());
  EXPECT_THAT(handle->Query(kCount), IsOkAndHolds(4));
  // A worker that lost the run rebuilds it from the history to answer.
  env.worker().Evict(handle->workflow_id(), handle->run_id());
  EXPECT_THAT(handle->Query(kCount), IsOkAndHolds(4));
}

// Runs the counter through a fixed script of signals; returns the history's bytes.
std::string ScriptedHistory(bool evict_after_every_task, WorkerStats* stats) {
  TestEnvironment env({.evict_after_every_task = evict_after_every_task});
  EXPECT_THAT(RegisterCounter(env.registry()), IsOk());
  auto handle = env.StartWorkflow(kCounter, {}, 18);
  EXPECT_THAT(handle, IsOk());
  if (!handle.ok()) return "";
  // Every 700 ms a signal, and 300 ms later two more at once; the timer fires in between.
  for (int round = 0; round < 6; ++round) {
    const absl::Duration at = absl::Milliseconds(700) * round;
    env.RegisterDelayedCallback(at, [&handle, round] {
      EXPECT_THAT(handle->Signal(kInc, round % 3), IsOk());
    });
    env.RegisterDelayedCallback(at + absl::Milliseconds(300), [&handle] {
      EXPECT_THAT(handle->Signal(kInc, 1), IsOk());
      EXPECT_THAT(handle->Signal(kInc, 1), IsOk());
    });
  }
  EXPECT_THAT(handle->Result<int>(), IsOkAndHolds(18));
  *stats = env.worker().stats();
  return history::SerializeHistoryBinary(handle->History());
}

TEST(CounterWorkflow, EvictionAtEveryTaskGivesTheSameHistory) {
  WorkerStats cached, evicted;
  const std::string with_cache = ScriptedHistory(false, &cached);
  const std::string with_eviction = ScriptedHistory(true, &evicted);
  EXPECT_EQ(with_cache, with_eviction);
  // The two runs really took different paths: one replayed the history at every task.
  EXPECT_EQ(cached.full_replays, 1);
  EXPECT_EQ(evicted.full_replays, evicted.workflow_tasks);
  EXPECT_GT(evicted.workflow_tasks, 5);
}

}  // namespace
}  // namespace lockstep::examples
