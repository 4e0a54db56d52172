// Workflow tasks: failures and transient retries, timeouts of lost tasks, buffering while a
// task is out, rejected completions.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "tests/engine/service/service_fixture.h"

namespace lockstep::testing {
namespace service_workflow_task_test {
namespace {

using ::testing::ElementsAre;

absl::Time TimeOf(const temporal::api::history::v1::HistoryEvent& e) {
  return FromProtoTime(e.event_time());
}

SignalWorkflowRequest Signal(std::string name) {
  SignalWorkflowRequest s;
  s.workflow_id = "wf";
  s.signal_name = std::move(name);
  return s;
}

TEST_F(ServiceTest, FailedTaskIsRecordedAndRetried) {
  Start();
  workflows_.Then(FailTask("panic"));
  workflows_.Then({CompleteWorkflow()});
  Idle();
  EXPECT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskFailed",
                                         "WorkflowTaskScheduled", "WorkflowTaskStarted",
                                         "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
  const History& h = HistoryOf("wf");
  const auto& failed = h.events(3).workflow_task_failed_event_attributes();
  EXPECT_EQ(failed.cause(), enums::WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE);
  EXPECT_EQ(failed.failure().message(), "panic");
  EXPECT_EQ(failed.scheduled_event_id(), 2);
  EXPECT_EQ(failed.started_event_id(), 3);
  EXPECT_EQ(h.events(4).workflow_task_scheduled_event_attributes().attempt(), 2);
  ASSERT_EQ(workflows_.seen().size(), 2u);
  EXPECT_EQ(workflows_.seen()[1].attempt, 2);
  EXPECT_EQ(workflows_.seen()[1].previous_started_event_id, 0);
}

TEST_F(ServiceTest, RepeatedFailuresAreTransientAndBackOff) {
  const absl::Time start = clock_.Now();
  Start();
  for (int i = 0; i < 3; ++i) workflows_.Then(FailTask("panic"));
  workflows_.Then({CompleteWorkflow()});
  RunFor(absl::Minutes(1));
  // Only attempt 1's failure is written; attempt 4's events appear because it completed.
  EXPECT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskFailed",
                                         "WorkflowTaskScheduled", "WorkflowTaskStarted",
                                         "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
  const History& h = HistoryOf("wf");
  EXPECT_EQ(h.events(4).workflow_task_scheduled_event_attributes().attempt(), 4);
  // Attempt 2 at once, attempt 3 after 1s, attempt 4 after 2s more.
  EXPECT_EQ(TimeOf(h.events(5)), start + absl::Seconds(3));
  ASSERT_EQ(workflows_.seen().size(), 4u);
  // The worker saw the transient events of its attempt.
  EXPECT_THAT(
      workflows_.seen()[2].event_types,
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskFailed", "WorkflowTaskScheduled", "WorkflowTaskStarted"));
  EXPECT_EQ(workflows_.seen()[2].attempt, 3);
  // A transient task reports the size of the stored history (without its own events).
  History stored;
  for (int j = 0; j < 4; ++j) *stored.add_events() = h.events(j);
  EXPECT_EQ(h.events(5).workflow_task_started_event_attributes().history_size_bytes(),
            static_cast<int64_t>(stored.ByteSizeLong()));
  EXPECT_EQ(
      workflows_.seen()[2].history.events(4).workflow_task_scheduled_event_attributes().attempt(),
      3);
}

TEST_F(ServiceTest, NewEventsTurnATransientRetryIntoANormalTask) {
  Start();
  workflows_.Then(FailTask("panic"));
  workflows_.Then(FailTask("panic again"));
  workflows_.Then({CompleteWorkflow()});
  Idle();  // attempt 1 fails (written), attempt 2 fails (transient), attempt 3 waits 1s
  ASSERT_TRUE(service().SignalWorkflow(Signal("poke")).ok());
  RunFor(absl::Minutes(1));
  EXPECT_THAT(
      TypesOf("wf"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskFailed", "WorkflowExecutionSignaled", "WorkflowTaskScheduled",
                  "WorkflowTaskStarted", "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
  EXPECT_EQ(HistoryOf("wf").events(5).workflow_task_scheduled_event_attributes().attempt(), 1);
}

TEST_F(ServiceTest, DroppedTaskTimesOutAndIsRetried) {
  int dropped = 0;
  Configure({}, {.drop_workflow_task = [&dropped](const WorkflowTaskRequest&) {
                  return dropped++ == 0;
                }});
  const absl::Time start = clock_.Now();
  Start();
  workflows_.Then({CompleteWorkflow()});
  RunFor(absl::Minutes(1));
  EXPECT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskTimedOut",
                                         "WorkflowTaskScheduled", "WorkflowTaskStarted",
                                         "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
  const History& h = HistoryOf("wf");
  EXPECT_EQ(TimeOf(h.events(3)), start + absl::Seconds(10));
  const auto& t = h.events(3).workflow_task_timed_out_event_attributes();
  EXPECT_EQ(t.timeout_type(), enums::TIMEOUT_TYPE_START_TO_CLOSE);
  EXPECT_EQ(t.scheduled_event_id(), 2);
  EXPECT_EQ(t.started_event_id(), 3);
  EXPECT_EQ(h.events(4).workflow_task_scheduled_event_attributes().attempt(), 2);
  EXPECT_EQ(workflows_.seen().size(), 1u);  // the dropped task never reached the handler
  EXPECT_TRUE(workflows_.evicted().empty());
}

TEST_F(ServiceTest, SlowAnswerTimesOutAndTheWorkerIsEvicted) {
  Configure({}, {.workflow_task_latency = [](const WorkflowTaskRequest& r) {
    return r.attempt == 1 ? absl::Seconds(30) : absl::ZeroDuration();
  }});
  auto run = Start();
  workflows_.Then({StartTimer("late", absl::Seconds(1))});
  workflows_.Then({CompleteWorkflow()});
  RunFor(absl::Minutes(1));
  EXPECT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskTimedOut",
                                         "WorkflowTaskScheduled", "WorkflowTaskStarted",
                                         "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
  EXPECT_THAT(workflows_.evicted(), ElementsAre("wf/" + run.run_id()));
}

TEST_F(ServiceTest, EventsArrivingWhileATaskIsOutAreBuffered) {
  Configure({}, {.workflow_task_latency = [](const WorkflowTaskRequest&) { return absl::Seconds(1); }});
  Start();
  workflows_.Then({StartTimer("t", absl::Hours(1))});
  workflows_.Then({CompleteWorkflow()});
  Idle();  // the task is out for 1s
  clock_.Advance(absl::Milliseconds(500));
  ASSERT_TRUE(service().SignalWorkflow(Signal("during")).ok());
  EXPECT_EQ(TypesOf("wf").back(), "WorkflowTaskStarted");  // not written yet
  RunFor(absl::Minutes(1));
  EXPECT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskCompleted",
                                         "TimerStarted", "WorkflowExecutionSignaled",
                                         "WorkflowTaskScheduled", "WorkflowTaskStarted",
                                         "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
}

TEST_F(ServiceTest, ClosingWhileEventsAreBufferedIsAnUnhandledCommand) {
  Configure({}, {.workflow_task_latency = [](const WorkflowTaskRequest&) { return absl::Seconds(1); }});
  auto run = Start();
  workflows_.Then({CompleteWorkflow("1")});
  workflows_.Then({CompleteWorkflow("2")});
  Idle();
  clock_.Advance(absl::Milliseconds(500));
  ASSERT_TRUE(service().SignalWorkflow(Signal("late")).ok());
  RunFor(absl::Minutes(1));
  EXPECT_THAT(
      TypesOf("wf"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskFailed", "WorkflowExecutionSignaled", "WorkflowTaskScheduled",
                  "WorkflowTaskStarted", "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
  const History& h = HistoryOf("wf");
  EXPECT_EQ(h.events(3).workflow_task_failed_event_attributes().cause(),
            enums::WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND);
  EXPECT_EQ(h.events(5).workflow_task_scheduled_event_attributes().attempt(), 1);
  EXPECT_EQ(Last("wf", enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
                .workflow_execution_completed_event_attributes()
                .result()
                .payloads(0)
                .data(),
            "2");
  EXPECT_THAT(workflows_.evicted(), ElementsAre("wf/" + run.run_id()));
}

TEST_F(ServiceTest, ActivityResultArrivingWhileATaskIsOutIsBuffered) {
  Configure({}, {.activity_timing =
                 [](const ActivityTask&) {
                   return ActivityTiming{absl::Seconds(2), absl::ZeroDuration()};
                 },
             .workflow_task_latency =
                 [](const WorkflowTaskRequest& r) {
                   return r.previous_started_event_id == 0 ? absl::ZeroDuration()
                                                           : absl::Seconds(2);
                 }});
  Start();
  workflows_.Then({ScheduleActivity("a", "Act"), StartTimer("t", absl::Seconds(1))});
  workflows_.Then({RecordMarker("m")});  // out from 1s to 3s; the activity ends at 2s
  workflows_.Then({CompleteWorkflow()});
  RunFor(absl::Minutes(1));
  EXPECT_THAT(
      TypesOf("wf"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "ActivityTaskScheduled", "TimerStarted", "TimerFired",
                  "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted",
                  "MarkerRecorded", "ActivityTaskStarted", "ActivityTaskCompleted",
                  "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted",
                  "WorkflowExecutionCompleted"));
  const auto& completed = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
                              .activity_task_completed_event_attributes();
  EXPECT_EQ(completed.started_event_id(), 12);
  EXPECT_EQ(completed.scheduled_event_id(), 5);
}

TEST_F(ServiceTest, StartsWrittenAtOnceAreBufferedTooWhileATaskIsOut) {
  // Without retry policies ActivityTaskStarted is written when an attempt starts; an attempt
  // that starts while a task is out has its start buffered, and its close must name the id
  // the start gets when the buffer is flushed.
  Configure({.activity_workers_polling = false, .apply_default_activity_retry_policy = false}, {.activity_timing =
                 [](const ActivityTask& t) {
                   return ActivityTiming{
                       t.activity_id == "fast" ? absl::ZeroDuration() : absl::Seconds(5),
                       absl::ZeroDuration()};
                 },
             .workflow_task_latency =
                 [](const WorkflowTaskRequest& r) {
                   return r.previous_started_event_id == 0 ? absl::ZeroDuration()
                                                           : absl::Seconds(2);
                 }});
  Start();
  workflows_.Then({ScheduleActivity("fast", "Act"), ScheduleActivity("slow", "Act"),
                   StartTimer("t", absl::Seconds(1))});
  workflows_.Then({RecordMarker("m")});  // out from 1s to 3s
  RunFor(absl::Milliseconds(1500));
  service().SetActivityWorkersPolling(true);  // both start at 1.5s, "fast" also ends then
  RunFor(absl::Minutes(1));
  EXPECT_THAT(
      TypesOf("wf"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "ActivityTaskScheduled", "ActivityTaskScheduled",
                  "TimerStarted", "TimerFired", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "MarkerRecorded", "ActivityTaskStarted",
                  "ActivityTaskStarted", "ActivityTaskCompleted", "WorkflowTaskScheduled",
                  "WorkflowTaskStarted", "WorkflowTaskCompleted", "ActivityTaskCompleted",
                  "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted"));
  const History& h = HistoryOf("wf");
  // Event 13 starts "fast" (scheduled 5), 14 starts "slow" (scheduled 6), 15 completes "fast"
  // from the buffer, 19 completes "slow" after the flush.
  EXPECT_EQ(h.events(12).activity_task_started_event_attributes().scheduled_event_id(), 5);
  EXPECT_EQ(h.events(13).activity_task_started_event_attributes().scheduled_event_id(), 6);
  EXPECT_EQ(h.events(14).activity_task_completed_event_attributes().started_event_id(), 13);
  EXPECT_EQ(h.events(14).activity_task_completed_event_attributes().scheduled_event_id(), 5);
  EXPECT_EQ(h.events(18).activity_task_completed_event_attributes().started_event_id(), 14);
  EXPECT_EQ(h.events(18).activity_task_completed_event_attributes().scheduled_event_id(), 6);
}

TEST_F(ServiceTest, CancelingATimerWhoseFiringIsBufferedDropsTheFiring) {
  Configure({}, {.workflow_task_latency = [](const WorkflowTaskRequest& r) {
    return r.previous_started_event_id == 0 ? absl::ZeroDuration() : absl::Seconds(1);
  }});
  Start();
  workflows_.Then({StartTimer("t", absl::Seconds(1))});
  workflows_.Then({CancelTimer("t")});  // out from 0.5s to 1.5s; the timer fires at 1s
  workflows_.Then({CompleteWorkflow()});
  Idle();
  clock_.Advance(absl::Milliseconds(500));
  ASSERT_TRUE(service().SignalWorkflow(Signal("poke")).ok());
  RunFor(absl::Minutes(1));
  EXPECT_THAT(TypesOf("wf"),
              ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                          "WorkflowTaskStarted", "WorkflowTaskCompleted", "TimerStarted",
                          "WorkflowExecutionSignaled", "WorkflowTaskScheduled",
                          "WorkflowTaskStarted", "WorkflowTaskCompleted", "TimerCanceled"));
  EXPECT_EQ(Last("wf", enums::EVENT_TYPE_TIMER_CANCELED)
                .timer_canceled_event_attributes()
                .started_event_id(),
            5);
}

TEST_F(ServiceTest, InvalidCommandFailsTheTask) {
  auto run = Start();
  workflows_.Then({CancelTimer("no-such-timer")});
  workflows_.Then({CompleteWorkflow()});
  Idle();
  EXPECT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskFailed",
                                         "WorkflowTaskScheduled", "WorkflowTaskStarted",
                                         "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
  const auto& f = HistoryOf("wf").events(3).workflow_task_failed_event_attributes();
  EXPECT_EQ(f.cause(), enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES);
  EXPECT_TRUE(f.failure().has_server_failure_info());
  EXPECT_THAT(workflows_.evicted(), ElementsAre("wf/" + run.run_id()));
}

TEST_F(ServiceTest, DuplicateIdsFailTheTask) {
  Start();
  workflows_.Then({StartTimer("t", absl::Seconds(1)), StartTimer("t", absl::Seconds(2))});
  workflows_.Then({ScheduleActivity("a", "A"), ScheduleActivity("a", "A")});
  Idle();
  const History& h = HistoryOf("wf");
  std::vector<enums::WorkflowTaskFailedCause> causes;
  for (const auto& e : h.events()) {
    if (e.event_type() == enums::EVENT_TYPE_WORKFLOW_TASK_FAILED) {
      causes.push_back(e.workflow_task_failed_event_attributes().cause());
    }
  }
  EXPECT_THAT(causes, ElementsAre(enums::WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID));
  // The second failure was a transient attempt: not written.
  EXPECT_EQ(TypesOf("wf").size(), 4u);
}

TEST_F(ServiceTest, UnsupportedCommandFailsTheTaskLoudly) {
  Start();
  Command nexus;
  nexus.set_command_type(enums::COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION);
  nexus.mutable_schedule_nexus_operation_command_attributes()->set_endpoint("endpoint");
  workflows_.Then({nexus});
  Idle();
  EXPECT_EQ(HistoryOf("wf").events(3).workflow_task_failed_event_attributes().cause(),
            enums::WORKFLOW_TASK_FAILED_CAUSE_FEATURE_DISABLED);
}

TEST_F(ServiceTest, CloseCommandThatIsNotLastIsRefusedAndTheTaskTimesOut) {
  auto run = Start();
  workflows_.Then({CompleteWorkflow(), StartTimer("t", absl::Seconds(1))});
  workflows_.Then({CompleteWorkflow()});
  Idle();
  EXPECT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted"));
  EXPECT_THAT(workflows_.evicted(), ElementsAre("wf/" + run.run_id()));
  RunFor(absl::Minutes(1));
  EXPECT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskTimedOut",
                                         "WorkflowTaskScheduled", "WorkflowTaskStarted",
                                         "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
}

TEST_F(ServiceTest, TerminatingWhileATaskIsOutFailsItFirst) {
  Configure({}, {.workflow_task_latency = [](const WorkflowTaskRequest&) { return absl::Seconds(5); }});
  auto run = Start();
  workflows_.Then({CompleteWorkflow()});
  Idle();
  ASSERT_TRUE(service().SignalWorkflow(Signal("buffered")).ok());
  TerminateWorkflowRequest t;
  t.workflow_id = "wf";
  t.reason = "stop";
  ASSERT_TRUE(service().TerminateWorkflow(t).ok());
  RunFor(absl::Minutes(1));
  EXPECT_THAT(TypesOf("wf"),
              ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                          "WorkflowTaskStarted", "WorkflowTaskFailed", "WorkflowExecutionSignaled",
                          "WorkflowExecutionTerminated"));
  const auto& f = HistoryOf("wf").events(3).workflow_task_failed_event_attributes();
  EXPECT_EQ(f.cause(), enums::WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND);
  EXPECT_EQ(f.identity(), "history-service");
  EXPECT_THAT(workflows_.evicted(), ElementsAre("wf/" + run.run_id()));
}

TEST_F(ServiceTest, PausedWorkflowWorkersLeaveTheTaskScheduled) {
  service().SetWorkflowWorkersPolling(false);
  Start();
  RunFor(absl::Hours(1));
  EXPECT_TRUE(workflows_.seen().empty());
  service().SetWorkflowWorkersPolling(true);
  Idle();
  EXPECT_EQ(workflows_.seen().size(), 1u);
}

TEST_F(ServiceTest, HandlerMaySignalItsOwnRunWhileHandlingATask) {
  Start();
  int calls = 0;
  workflows_.AnswerWith([&](const WorkflowTaskRequest&) {
    if (calls++ == 0) {
      EXPECT_TRUE(service().SignalWorkflow(Signal("re-entrant")).ok());
      return Respond({});
    }
    return Respond({CompleteWorkflow()});
  });
  Idle();
  EXPECT_THAT(
      TypesOf("wf"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "WorkflowExecutionSignaled", "WorkflowTaskScheduled",
                  "WorkflowTaskStarted", "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
}

}  // namespace
}  // namespace service_workflow_task_test
}  // namespace lockstep::testing
