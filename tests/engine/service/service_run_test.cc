// Runs: timeouts, the workflow retry policy, continue-as-new, and determinism of the whole.
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "engine/history/history_file.h"
#include "gmock/gmock.h"
#include "tests/engine/service/service_fixture.h"
#include "tests/testing/function_env.h"

namespace lockstep::testing {
namespace service_run_test {
namespace {

using ::lockstep::testing::FunctionEnv;

using ::testing::ElementsAre;

absl::Time TimeOf(const temporal::api::history::v1::HistoryEvent& e) {
  return FromProtoTime(e.event_time());
}

TEST_F(ServiceTest, RunTimeoutClosesTheRun) {
  const absl::Time start = clock_.Now();
  StartWorkflowRequest r = StartRequest();
  r.run_timeout = absl::Seconds(30);
  ASSERT_TRUE(service().StartWorkflow(r).ok());
  workflows_.Then({StartTimer("t", absl::Minutes(5))});
  RunFor(absl::Hours(1));
  EXPECT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskCompleted",
                                         "TimerStarted", "WorkflowExecutionTimedOut"));
  const auto& e = Last("wf", enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT);
  EXPECT_EQ(TimeOf(e), start + absl::Seconds(30));
  EXPECT_EQ(e.workflow_execution_timed_out_event_attributes().retry_state(),
            enums::RETRY_STATE_RETRY_POLICY_NOT_SET);
  EXPECT_FALSE(service().NextDeadline().has_value());
  EXPECT_EQ(service().DescribeWorkflow("wf", "")->status,
            enums::WORKFLOW_EXECUTION_STATUS_TIMED_OUT);
}

TEST_F(ServiceTest, FailedRunIsRetriedPerItsPolicy) {
  const absl::Time start = clock_.Now();
  StartWorkflowRequest r = StartRequest();
  r.input = Json("\"in\"");
  r.retry_policy = Policy(absl::Seconds(1), 2, absl::Seconds(10), 2);
  auto first = service().StartWorkflow(r);
  ASSERT_TRUE(first.ok());
  workflows_.Then({FailWorkflow(ApplicationFailure("first"))});
  workflows_.Then({FailWorkflow(ApplicationFailure("second"))});
  RunFor(absl::Minutes(1));

  const auto& failed =
      HistoryOf("wf", first->run_id()).events(4).workflow_execution_failed_event_attributes();
  EXPECT_EQ(failed.retry_state(), enums::RETRY_STATE_IN_PROGRESS);
  const std::string second_run = failed.new_execution_run_id();
  ASSERT_FALSE(second_run.empty());
  EXPECT_THAT(
      TypesOf("wf", second_run),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "WorkflowExecutionFailed"));
  const History& h = HistoryOf("wf", second_run);
  const auto& s = h.events(0).workflow_execution_started_event_attributes();
  EXPECT_EQ(s.attempt(), 2);
  EXPECT_EQ(s.continued_execution_run_id(), first->run_id());
  EXPECT_EQ(s.first_execution_run_id(), first->run_id());
  EXPECT_EQ(s.original_execution_run_id(), second_run);
  EXPECT_EQ(s.initiator(), enums::CONTINUE_AS_NEW_INITIATOR_RETRY);
  EXPECT_EQ(s.continued_failure().message(), "first");
  EXPECT_EQ(s.input().payloads(0).data(), "\"in\"");
  EXPECT_EQ(FromProtoDuration(s.first_workflow_task_backoff()), absl::Seconds(1));
  // The first task of the retry waits for the backoff.
  EXPECT_EQ(TimeOf(h.events(1)), start + absl::Seconds(1));
  EXPECT_EQ(h.events(4).workflow_execution_failed_event_attributes().retry_state(),
            enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  EXPECT_EQ(service().DescribeWorkflow("wf", "")->execution.run_id(), second_run);
}

TEST_F(ServiceTest, SignalsDuringTheRetryBackoffWaitForTheFirstTask) {
  StartWorkflowRequest r = StartRequest();
  r.retry_policy = Policy(absl::Seconds(10), 2, absl::Seconds(100), 0);
  ASSERT_TRUE(service().StartWorkflow(r).ok());
  workflows_.Then({FailWorkflow(ApplicationFailure("first"))});
  workflows_.Then({CompleteWorkflow()});
  Idle();
  SignalWorkflowRequest s;
  s.workflow_id = "wf";
  s.signal_name = "early";
  ASSERT_TRUE(service().SignalWorkflow(s).ok());
  EXPECT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowExecutionSignaled"));
  RunFor(absl::Minutes(1));
  EXPECT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowExecutionSignaled",
                                         "WorkflowTaskScheduled", "WorkflowTaskStarted",
                                         "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
}

TEST_F(ServiceTest, NonRetryableFailureEndsTheChain) {
  StartWorkflowRequest r = StartRequest();
  r.retry_policy = Policy(absl::Seconds(1), 2, absl::Seconds(10), 0, {"Fatal"});
  ASSERT_TRUE(service().StartWorkflow(r).ok());
  workflows_.Then({FailWorkflow(ApplicationFailure("no", "Fatal"))});
  RunFor(absl::Minutes(1));
  EXPECT_EQ(service().ListRuns().size(), 1u);
  EXPECT_EQ(Last("wf", enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)
                .workflow_execution_failed_event_attributes()
                .retry_state(),
            enums::RETRY_STATE_NON_RETRYABLE_FAILURE);
}

TEST_F(ServiceTest, CancelRequestDoesNotWaitForTheRetryBackoff) {
  StartWorkflowRequest r = StartRequest();
  r.retry_policy = Policy(absl::Seconds(10), 2, absl::Seconds(100), 0);
  ASSERT_TRUE(service().StartWorkflow(r).ok());
  workflows_.Then({FailWorkflow(ApplicationFailure("first"))});
  workflows_.Then({CancelWorkflow()});
  Idle();
  CancelWorkflowRequest c;
  c.workflow_id = "wf";
  ASSERT_TRUE(service().RequestCancelWorkflow(c).ok());
  Idle();
  EXPECT_THAT(TypesOf("wf"),
              ElementsAre("WorkflowExecutionStarted", "WorkflowExecutionCancelRequested",
                          "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted",
                          "WorkflowExecutionCanceled"));
}

TEST_F(ServiceTest, ExecutionTimeoutSpansRetries) {
  const absl::Time start = clock_.Now();
  StartWorkflowRequest r = StartRequest();
  r.execution_timeout = absl::Seconds(25);
  r.run_timeout = absl::Seconds(10);
  r.retry_policy = Policy(absl::Seconds(1), 1, absl::Seconds(1), 0);
  auto first = service().StartWorkflow(r);
  ASSERT_TRUE(first.ok());
  RunFor(absl::Minutes(5));  // every task answers with nothing: each run times out
  std::vector<enums::RetryState> states;
  for (const auto& run : service().ListRuns()) {
    const auto& last = HistoryOf("wf", run.run_id()).events();
    const auto& e = last[last.size() - 1];
    ASSERT_EQ(e.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT);
    states.push_back(e.workflow_execution_timed_out_event_attributes().retry_state());
  }
  // Runs at 0-10 and 11-21; the third starts at 22 and the execution expires at 25.
  EXPECT_THAT(states, ElementsAre(enums::RETRY_STATE_IN_PROGRESS, enums::RETRY_STATE_IN_PROGRESS,
                                  enums::RETRY_STATE_TIMEOUT));
  EXPECT_EQ(TimeOf(Last("wf", enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT)),
            start + absl::Seconds(25));
}

TEST_F(ServiceTest, ContinueAsNewStartsTheNextRun) {
  auto first = Start();
  workflows_.Then({ContinueAsNew(Json("2"))});
  workflows_.Then({CompleteWorkflow("\"done\"")});
  Idle();
  EXPECT_THAT(
      TypesOf("wf", first.run_id()),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "WorkflowExecutionContinuedAsNew"));
  const auto& can = HistoryOf("wf", first.run_id())
                        .events(4)
                        .workflow_execution_continued_as_new_event_attributes();
  const std::string next = can.new_execution_run_id();
  EXPECT_EQ(can.workflow_type().name(), "Workflow");
  EXPECT_EQ(can.workflow_task_completed_event_id(), 4);
  const auto& s = HistoryOf("wf", next).events(0).workflow_execution_started_event_attributes();
  EXPECT_EQ(s.continued_execution_run_id(), first.run_id());
  EXPECT_EQ(s.first_execution_run_id(), first.run_id());
  EXPECT_EQ(s.initiator(), enums::CONTINUE_AS_NEW_INITIATOR_WORKFLOW);
  EXPECT_EQ(s.attempt(), 1);
  EXPECT_EQ(s.input().payloads(0).data(), "2");
  EXPECT_EQ(TypesOf("wf").back(), "WorkflowExecutionCompleted");
  EXPECT_EQ(service().DescribeWorkflow("wf", first.run_id())->status,
            enums::WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW);
}

// One busy scenario: signals, activities with retries and timeouts, timers, a failed task.
std::vector<std::string> RunScenario(uint64_t seed) {
  ManualClock clock;
  ScriptedWorkflows workflows;
  ScriptedActivities activities;
  activities.FailThenSucceed("Flaky", 2);
  ServiceOptions options;
  FunctionEnv options_env;
  options.env = &options_env;
  options.seed = seed;
  options_env.activity_timing = [](const ActivityTask& t) {
    return ActivityTiming{absl::Milliseconds(300 * t.attempt), absl::Milliseconds(100)};
  };
  Service service(&clock, &workflows, &activities, options);
  int task = 0;
  workflows.AnswerWith([&](const WorkflowTaskRequest& r) {
    ++task;
    if (task == 1) {
      ActivityCommandOptions o;
      o.retry_policy = Policy(absl::Milliseconds(200), 2, absl::Seconds(10), 0);
      return Respond({ScheduleActivity("a", "Flaky", o), StartTimer("t", absl::Seconds(1)),
                      ScheduleActivity("b", "Plain")});
    }
    if (task == 2) return FailTask("transient bug");
    if (r.history->events_size() > 30) return Respond({CompleteWorkflow("\"end\"")});
    return Respond({RecordMarker(absl::StrCat("m", task))});
  });
  for (const char* id : {"w1", "w2"}) {
    StartWorkflowRequest start;
    start.workflow_id = id;
    start.workflow_type = "Busy";
    start.task_queue = "q";
    EXPECT_TRUE(service.StartWorkflow(start).ok());
  }
  for (int i = 0; i < 5; ++i) {
    clock.Advance(absl::Milliseconds(150));
    SignalWorkflowRequest s;
    s.workflow_id = i % 2 ? "w1" : "w2";
    s.signal_name = "tick";
    s.request_id = absl::StrCat("r", i % 3);
    EXPECT_TRUE(service.SignalWorkflow(s).ok());
    service.RunUntilIdle();
  }
  RunUntil(service, clock, clock.Now() + absl::Minutes(10));
  std::vector<std::string> out;
  for (const auto& run : service.ListRuns()) {
    auto h = service.GetHistory(run.workflow_id(), run.run_id());
    EXPECT_TRUE(history::ValidateHistory(**h, run.workflow_id()).ok());
    out.push_back(history::SerializeHistoryBinary(**h));
  }
  return out;
}

// FNV-1a over the serialized histories: a short fingerprint to compare across builds.
uint64_t Fingerprint(const std::vector<std::string>& histories) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const std::string& bytes : histories) {
    for (const unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  }
  return h;
}

TEST(ServiceDeterminismTest, SameInputsGiveByteIdenticalHistories) {
  const std::vector<std::string> a = RunScenario(7);
  const std::vector<std::string> b = RunScenario(7);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a, b);
  EXPECT_GT(a[0].size(), 500u);
  // Another seed changes the ids, so the bytes.
  EXPECT_NE(RunScenario(8), a);
  // The same bytes in every build: g++ and clang++, -O0 (with sanitizers) and -O3 all give
  // this fingerprint. Update it only when the service's output changes on purpose.
  std::cout << "fingerprint " << std::hex << Fingerprint(a) << std::dec << std::endl;
  EXPECT_EQ(Fingerprint(a), 0xc1e4e3d60073c600ULL);
}

}  // namespace
}  // namespace service_run_test
}  // namespace lockstep::testing
