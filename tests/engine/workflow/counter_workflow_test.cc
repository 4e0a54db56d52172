// The counter example end to end: signals, activity, timer, condition, query, and the
// guarantee that evicting the cache at every workflow task changes nothing in the history.
#include "examples/counter/counter_workflow.h"

#include "engine/history/history_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using ::testing::ElementsAre;
using testing::TestEnv;

int ResultOf(const temporal::api::history::v1::HistoryEvent& e) {
  EXPECT_EQ(e.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  auto value = FromPayloads<int>(e.workflow_execution_completed_event_attributes().result());
  EXPECT_TRUE(value.ok()) << value.status();
  return value.ok() ? std::get<0>(*value) : -1;
}

TEST(CounterWorkflow, RunsActivityTimerThenWaitsForSignals) {
  TestEnv env;
  ASSERT_TRUE(examples::RegisterCounter(&env.registry()).ok());
  env.Start(examples::kCounterWorkflow, "c1", ToPayloads(3));
  env.RunToEnd();
  // Still waiting for the signals.
  EXPECT_EQ(env.Last("c1").event_type(), enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  for (int i = 0; i < 3; ++i) env.Signal("c1", examples::kIncSignal, ToPayloads(1));
  env.RunToEnd();
  EXPECT_EQ(ResultOf(env.Last("c1")), 3);
  EXPECT_THAT(
      env.EventTypes("c1"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "ActivityTaskScheduled", "ActivityTaskStarted",
                  "ActivityTaskCompleted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "TimerStarted", "TimerFired", "WorkflowTaskScheduled",
                  "WorkflowTaskStarted", "WorkflowTaskCompleted", "WorkflowExecutionSignaled",
                  // The first signal schedules a task; the next two land before it
                  // starts, so one task sees all three (as a Temporal server records).
                  "WorkflowTaskScheduled", "WorkflowExecutionSignaled", "WorkflowExecutionSignaled",
                  "WorkflowTaskStarted", "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
  // The timer is the one-second sleep.
  const auto& timer = env.History("c1").events(10).timer_started_event_attributes();
  EXPECT_EQ(timer.start_to_fire_timeout().seconds(), 1);
  EXPECT_EQ(timer.timer_id(), "1");
  EXPECT_EQ(env.History("c1").events(4).activity_task_scheduled_event_attributes().activity_id(),
            "1");
}

TEST(CounterWorkflow, ManySignalsInOneWorkflowTask) {
  TestEnv env;
  ASSERT_TRUE(examples::RegisterCounter(&env.registry()).ok());
  env.Start(examples::kCounterWorkflow, "c1", ToPayloads(500));
  env.RunToEnd();
  const int tasks_before = env.Count("c1", enums::EVENT_TYPE_WORKFLOW_TASK_STARTED);
  for (int i = 0; i < 500; ++i) env.Signal("c1", examples::kIncSignal, ToPayloads(1));
  env.RunToEnd();
  EXPECT_EQ(ResultOf(env.Last("c1")), 500);
  // All 500 signals were absorbed by a single workflow task.
  EXPECT_EQ(env.Count("c1", enums::EVENT_TYPE_WORKFLOW_TASK_STARTED), tasks_before + 1);
  EXPECT_EQ(env.Count("c1", enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 500);
}

TEST(CounterWorkflow, SignalsBeforeTheHandlerExistsAreBufferedNotLost) {
  TestEnv env;
  ASSERT_TRUE(examples::RegisterCounter(&env.registry()).ok());
  env.Start(examples::kCounterWorkflow, "c1", ToPayloads(2));
  // Both signals land before the first workflow task runs the code that sets the handler.
  env.Signal("c1", examples::kIncSignal, ToPayloads(1));
  env.Signal("c1", examples::kIncSignal, ToPayloads(1));
  env.RunToEnd();
  EXPECT_EQ(ResultOf(env.Last("c1")), 2);
}

TEST(CounterWorkflow, QueryReadsTheCount) {
  TestEnv env;
  ASSERT_TRUE(examples::RegisterCounter(&env.registry()).ok());
  env.Start(examples::kCounterWorkflow, "c1", ToPayloads(10));
  env.RunToEnd();
  env.Signal("c1", examples::kIncSignal, ToPayloads(4));
  env.RunToEnd();
  auto answer = env.service().QueryWorkflow("c1", "", examples::kCountQuery, {});
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(std::get<0>(*FromPayloads<int>(*answer)), 4);
  // The same answer from a worker that has to rebuild the run from history.
  env.worker().Evict("c1", env.History("c1")
                               .events(0)
                               .workflow_execution_started_event_attributes()
                               .original_execution_run_id());
  answer = env.service().QueryWorkflow("c1", "", examples::kCountQuery, {});
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(std::get<0>(*FromPayloads<int>(*answer)), 4);
}

// Runs the counter through a fixed script of signals and returns the binary history.
std::string ScriptedHistory(bool evict_after_every_task, WorkerStats* stats) {
  WorkerOptions options;
  options.evict_after_every_task = evict_after_every_task;
  TestEnv env(options);
  EXPECT_TRUE(examples::RegisterCounter(&env.registry()).ok());
  env.Start(examples::kCounterWorkflow, "c1", ToPayloads(18));
  env.RunUntilIdle();
  for (int round = 0; round < 6; ++round) {
    env.Signal("c1", examples::kIncSignal, ToPayloads(round % 3));
    env.clock().Advance(absl::Milliseconds(300));
    env.RunUntilIdle();
    env.Signal("c1", examples::kIncSignal, ToPayloads(1));
    env.Signal("c1", examples::kIncSignal, ToPayloads(1));
    AdvanceToNextDeadline(env.service(), env.clock());
  }
  env.RunToEnd();
  EXPECT_EQ(ResultOf(env.Last("c1")), 18);
  *stats = env.worker().stats();
  return history::SerializeHistoryBinary(env.History("c1"));
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
}  // namespace lockstep
