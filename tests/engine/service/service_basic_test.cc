// The service's client API and the basic workflow task cycle.
#include <string>
#include <vector>

#include "engine/history/history_file.h"
#include "gmock/gmock.h"
#include "tests/engine/service/service_fixture.h"

namespace lockstep::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

std::vector<std::string> FixtureTypes(const std::string& name) {
  auto loaded = history::LoadHistoryFile(std::string(LOCKSTEP_TESTDATA_DIR) + "/temporal/" + name);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  if (!loaded.ok() || loaded->histories.empty()) return {};
  return EventTypes(loaded->histories[0]);
}

TEST_F(ServiceTest, StartWritesStartedAndScheduled) {
  StartWorkflowRequest request = StartRequest();
  request.input = Json("\"Temporal\"");
  request.run_timeout = absl::Seconds(60);
  auto started = service().StartWorkflow(request);
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(started->workflow_id(), "wf");
  EXPECT_EQ(started->run_id().size(), 36u);

  const History& h = HistoryOf("wf");
  EXPECT_THAT(EventTypes(h), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled"));
  const auto& s = h.events(0).workflow_execution_started_event_attributes();
  EXPECT_EQ(s.workflow_id(), "wf");
  EXPECT_EQ(s.workflow_type().name(), "Workflow");
  EXPECT_EQ(s.task_queue().name(), "queue");
  EXPECT_EQ(s.original_execution_run_id(), started->run_id());
  EXPECT_EQ(s.first_execution_run_id(), started->run_id());
  EXPECT_EQ(s.attempt(), 1);
  EXPECT_EQ(s.input().payloads(0).data(), "\"Temporal\"");
  EXPECT_EQ(FromProtoDuration(s.workflow_run_timeout()), absl::Seconds(60));
  EXPECT_EQ(FromProtoDuration(s.workflow_task_timeout()), absl::Seconds(10));
  EXPECT_EQ(s.identity(), "client");
  const auto& w = h.events(1).workflow_task_scheduled_event_attributes();
  EXPECT_EQ(w.attempt(), 1);
  EXPECT_EQ(w.task_queue().name(), "queue");
  EXPECT_EQ(FromProtoDuration(w.start_to_close_timeout()), absl::Seconds(10));
  EXPECT_EQ(FromProtoTime(h.events(0).event_time()), clock_.Now());
  EXPECT_LT(h.events(0).task_id(), h.events(1).task_id());
}

TEST_F(ServiceTest, StartValidatesRequest) {
  StartWorkflowRequest request = StartRequest("");
  EXPECT_EQ(service().StartWorkflow(request).status().code(), absl::StatusCode::kInvalidArgument);
  request = StartRequest();
  request.task_queue.clear();
  EXPECT_EQ(service().StartWorkflow(request).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ServiceTest, WorkflowTaskRecordsOneEventPerCommand) {
  Start();
  workflows_.Then(
      {StartTimer("t1", absl::Seconds(5)), RecordMarker("marker"), ScheduleActivity("a1", "Echo")});
  activities_.FailThenSucceed("Echo", 0);
  Idle();
  ASSERT_EQ(workflows_.seen().size(), 2u);
  EXPECT_THAT(
      workflows_.seen()[0].event_types,
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted"));
  EXPECT_THAT(
      TypesOf("wf"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "TimerStarted", "MarkerRecorded",
                  "ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted",
                  "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted"));
  const History& h = HistoryOf("wf");
  EXPECT_EQ(h.events(3).workflow_task_completed_event_attributes().scheduled_event_id(), 2);
  EXPECT_EQ(h.events(3).workflow_task_completed_event_attributes().started_event_id(), 3);
  EXPECT_EQ(h.events(4).timer_started_event_attributes().workflow_task_completed_event_id(), 4);
  EXPECT_EQ(h.events(5).marker_recorded_event_attributes().workflow_task_completed_event_id(), 4);
  EXPECT_EQ(
      h.events(6).activity_task_scheduled_event_attributes().workflow_task_completed_event_id(), 4);
  // WorkflowTaskStarted reports the size of the history before it.
  for (int i : {2, 10}) {
    History prefix;
    for (int j = 0; j < i; ++j) *prefix.add_events() = h.events(j);
    EXPECT_EQ(h.events(i).workflow_task_started_event_attributes().history_size_bytes(),
              static_cast<int64_t>(prefix.ByteSizeLong()));
  }
  // The second task tells the worker where its cached state ends.
  EXPECT_EQ(workflows_.seen()[1].previous_started_event_id, 3);
}

TEST_F(ServiceTest, HelloWorldMatchesRecordedHistory) {
  StartWorkflowRequest request = StartRequest("hello-world");
  request.input = Json("\"Temporal\"");
  ASSERT_TRUE(service().StartWorkflow(request).ok());
  workflows_.Then({ScheduleActivity("5", "Activity", {}, Json("\"Temporal\""))});
  workflows_.Then({CompleteWorkflow("\"Hello Temporal!\"")});
  activities_.FailThenSucceed("Activity", 0, "\"Hello Temporal!\"");
  Idle();
  EXPECT_THAT(TypesOf("hello-world"),
              ElementsAreArray(FixtureTypes("samples-go__helloworld__helloworld.json")));
  auto d = service().DescribeWorkflow("hello-world", "");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->status, enums::WORKFLOW_EXECUTION_STATUS_COMPLETED);
  EXPECT_EQ(d->result->payloads(0).data(), "\"Hello Temporal!\"");
  EXPECT_EQ(d->history_length, 11);
  EXPECT_FALSE(service().NextDeadline().has_value());
}

TEST_F(ServiceTest, TimerFiresAndSchedulesATask) {
  Start();
  workflows_.Then({StartTimer("t", absl::Seconds(5))});
  Idle();
  const absl::Time started = clock_.Now();
  EXPECT_EQ(service().NextDeadline(), started + absl::Seconds(5));
  RunFor(absl::Seconds(10));
  EXPECT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskCompleted",
                                         "TimerStarted", "TimerFired", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskCompleted"));
  const auto& fired = Last("wf", enums::EVENT_TYPE_TIMER_FIRED);
  EXPECT_EQ(FromProtoTime(fired.event_time()), started + absl::Seconds(5));
  EXPECT_EQ(fired.timer_fired_event_attributes().started_event_id(), 5);
  EXPECT_EQ(fired.timer_fired_event_attributes().timer_id(), "t");
}

TEST_F(ServiceTest, ManySignalsBeforeTheTaskStartsLandInOneTask) {
  Start();
  for (int i = 0; i < 3; ++i) {
    SignalWorkflowRequest s;
    s.workflow_id = "wf";
    s.signal_name = "add";
    s.input = Json(absl::StrCat(i));
    s.identity = "sender";
    ASSERT_TRUE(service().SignalWorkflow(s).ok());
  }
  Idle();
  ASSERT_EQ(workflows_.seen().size(), 1u);
  EXPECT_THAT(
      workflows_.seen()[0].event_types,
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowExecutionSignaled",
                  "WorkflowExecutionSignaled", "WorkflowExecutionSignaled", "WorkflowTaskStarted"));
  const auto& signal = HistoryOf("wf").events(2).workflow_execution_signaled_event_attributes();
  EXPECT_EQ(signal.signal_name(), "add");
  EXPECT_EQ(signal.identity(), "sender");
  EXPECT_EQ(signal.input().payloads(0).data(), "0");
}

TEST_F(ServiceTest, SignalsAreDeduplicatedByRequestId) {
  Start();
  SignalWorkflowRequest s;
  s.workflow_id = "wf";
  s.signal_name = "go";
  s.request_id = "req-1";
  ASSERT_TRUE(service().SignalWorkflow(s).ok());
  ASSERT_TRUE(service().SignalWorkflow(s).ok());  // accepted, ignored
  workflows_.Then({CompleteWorkflow()});
  Idle();
  int signals = 0;
  for (const auto& e : HistoryOf("wf").events()) {
    signals += e.event_type() == enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED;
  }
  EXPECT_EQ(signals, 1);
  EXPECT_EQ(Last("wf", enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
                .workflow_execution_signaled_event_attributes()
                .request_id(),
            "req-1");
  // After the run closed: the same request id is still a duplicate (OK), a new one NotFound.
  EXPECT_TRUE(service().SignalWorkflow(s).ok());
  s.request_id = "req-2";
  EXPECT_EQ(service().SignalWorkflow(s).code(), absl::StatusCode::kNotFound);
}

TEST_F(ServiceTest, SignalToUnknownWorkflowIsNotFound) {
  SignalWorkflowRequest s;
  s.workflow_id = "nope";
  s.signal_name = "x";
  EXPECT_EQ(service().SignalWorkflow(s).code(), absl::StatusCode::kNotFound);
  Start();
  s.workflow_id = "wf";
  s.run_id = "00000000-0000-4000-8000-000000000000";
  EXPECT_EQ(service().SignalWorkflow(s).code(), absl::StatusCode::kNotFound);
}

TEST_F(ServiceTest, SignalWithStartStartsOrSignals) {
  SignalWithStartRequest r;
  r.start = StartRequest();
  r.signal_name = "hello";
  r.signal_input = Json("1");
  auto first = service().SignalWithStartWorkflow(r);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowExecutionSignaled",
                                         "WorkflowTaskScheduled"));
  auto second = service().SignalWithStartWorkflow(r);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->run_id(), first->run_id());
  EXPECT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowExecutionSignaled",
                                         "WorkflowTaskScheduled", "WorkflowExecutionSignaled"));
}

TEST_F(ServiceTest, RunningIdIsAlreadyStarted) {
  StartWorkflowRequest request = StartRequest();
  request.request_id = "start-1";
  auto first = service().StartWorkflow(request);
  ASSERT_TRUE(first.ok());
  // The same request again: the run it created.
  auto again = service().StartWorkflow(request);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->run_id(), first->run_id());
  request.request_id = "start-2";
  EXPECT_EQ(service().StartWorkflow(request).status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(ServiceTest, IdReusePoliciesForClosedRuns) {
  Start();
  workflows_.Then({CompleteWorkflow()});
  Idle();
  StartWorkflowRequest r = StartRequest();
  r.id_reuse_policy = enums::WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE;
  EXPECT_EQ(service().StartWorkflow(r).status().code(), absl::StatusCode::kAlreadyExists);
  r.id_reuse_policy = enums::WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY;
  EXPECT_EQ(service().StartWorkflow(r).status().code(), absl::StatusCode::kAlreadyExists);
  r.id_reuse_policy = enums::WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE;
  auto second = service().StartWorkflow(r);
  ASSERT_TRUE(second.ok());
  // A failed run may be reused under ALLOW_DUPLICATE_FAILED_ONLY.
  workflows_.Then({FailWorkflow(ApplicationFailure("boom"))});
  Idle();
  r.id_reuse_policy = enums::WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY;
  auto third = service().StartWorkflow(r);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(service().ListRuns().size(), 3u);
}

TEST_F(ServiceTest, TerminateIfRunningTerminatesTheRunningRun) {
  auto first = Start();
  StartWorkflowRequest r = StartRequest();
  r.id_reuse_policy = enums::WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING;
  auto second = service().StartWorkflow(r);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->run_id(), first.run_id());
  EXPECT_THAT(TypesOf("wf", first.run_id()),
              ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                          "WorkflowExecutionTerminated"));
  const auto& t =
      HistoryOf("wf", first.run_id()).events(2).workflow_execution_terminated_event_attributes();
  EXPECT_EQ(t.reason(), "TerminateIfRunning WorkflowIdReusePolicy");
  EXPECT_EQ(t.identity(), "history-service");
  EXPECT_EQ(t.details().payloads(0).data(),
            absl::StrCat("\"terminated by new runID: ", second->run_id(), "\""));
  EXPECT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled"));
}

TEST_F(ServiceTest, TerminateClosesTheRunAndDropsItsWork) {
  Start();
  workflows_.Then({StartTimer("t", absl::Hours(1)), ScheduleActivity("a", "Slow")});
  service().SetActivityWorkersPolling(false);
  Idle();
  ASSERT_TRUE(service().NextDeadline().has_value());
  TerminateWorkflowRequest t;
  t.workflow_id = "wf";
  t.reason = "enough";
  t.identity = "admin";
  ASSERT_TRUE(service().TerminateWorkflow(t).ok());
  const auto& e = Last("wf", enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED);
  EXPECT_EQ(e.workflow_execution_terminated_event_attributes().reason(), "enough");
  EXPECT_EQ(e.workflow_execution_terminated_event_attributes().identity(), "admin");
  EXPECT_FALSE(service().NextDeadline().has_value());
  auto d = service().DescribeWorkflow("wf", "");
  EXPECT_EQ(d->status, enums::WORKFLOW_EXECUTION_STATUS_TERMINATED);
  EXPECT_TRUE(d->pending_activities.empty());
  EXPECT_TRUE(d->pending_timers.empty());
  EXPECT_EQ(service().TerminateWorkflow(t).code(), absl::StatusCode::kNotFound);
}

TEST_F(ServiceTest, CancelRequestSchedulesATaskOnce) {
  Start();
  workflows_.Then({StartTimer("t", absl::Hours(1))});
  Idle();
  CancelWorkflowRequest c;
  c.workflow_id = "wf";
  c.reason = "user";
  c.identity = "admin";
  ASSERT_TRUE(service().RequestCancelWorkflow(c).ok());
  ASSERT_TRUE(service().RequestCancelWorkflow(c).ok());  // idempotent
  workflows_.Then({CancelTimer("t"), CancelWorkflow()});
  Idle();
  EXPECT_THAT(
      TypesOf("wf"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "TimerStarted", "WorkflowExecutionCancelRequested",
                  "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted",
                  "TimerCanceled", "WorkflowExecutionCanceled"));
  const auto& r = Last("wf", enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED)
                      .workflow_execution_cancel_requested_event_attributes();
  EXPECT_EQ(r.cause(), "user");
  EXPECT_EQ(r.identity(), "admin");
  EXPECT_TRUE(service().RequestCancelWorkflow(c).ok());  // closed: still OK, nothing written
  EXPECT_EQ(HistoryOf("wf").events_size(), 11);
}

TEST_F(ServiceTest, QueriesNeedACompletedTask) {
  Start();
  EXPECT_EQ(service().QueryWorkflow("wf", "", "state", {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  workflows_.Then({CompleteWorkflow("1")});
  Idle();
  auto answer = service().QueryWorkflow("wf", "", "state", {});
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->payloads(0).data(), "5");  // the fake answers with the history length
  EXPECT_EQ(service().QueryWorkflow("other", "", "state", {}).status().code(),
            absl::StatusCode::kNotFound);
  // A run that closed before any task completed cannot be queried.
  Start("short");
  TerminateWorkflowRequest t;
  t.workflow_id = "short";
  ASSERT_TRUE(service().TerminateWorkflow(t).ok());
  EXPECT_EQ(service().QueryWorkflow("short", "", "state", {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ServiceTest, DescribeShowsPendingWork) {
  Start();
  service().SetActivityWorkersPolling(false);
  workflows_.Then({ScheduleActivity("a", "A"), StartTimer("t", absl::Minutes(1))});
  Idle();
  auto d = service().DescribeWorkflow("wf", "");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->status, enums::WORKFLOW_EXECUTION_STATUS_RUNNING);
  EXPECT_EQ(d->workflow_type, "Workflow");
  EXPECT_EQ(d->history_length, 6);
  ASSERT_EQ(d->pending_activities.size(), 1u);
  EXPECT_EQ(d->pending_activities[0].activity_id, "a");
  EXPECT_EQ(d->pending_activities[0].activity_type, "A");
  EXPECT_EQ(d->pending_activities[0].attempt, 1);
  EXPECT_EQ(d->pending_activities[0].state, enums::PENDING_ACTIVITY_STATE_SCHEDULED);
  ASSERT_EQ(d->pending_timers.size(), 1u);
  EXPECT_EQ(d->pending_timers[0].timer_id, "t");
  EXPECT_EQ(d->pending_timers[0].fire_time, clock_.Now() + absl::Minutes(1));
  EXPECT_EQ(d->workflow_task_state, enums::PENDING_WORKFLOW_TASK_STATE_UNSPECIFIED);
  EXPECT_FALSE(d->close_time.has_value());
}

TEST_F(ServiceTest, EvictForwardsToTheWorker) {
  auto run = Start();
  service().Evict("wf", run.run_id());
  EXPECT_THAT(workflows_.evicted(), ElementsAre("wf/" + run.run_id()));
}

}  // namespace
}  // namespace lockstep::testing
