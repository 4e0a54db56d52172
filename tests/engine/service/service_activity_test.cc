// Activities: results, retries with only the last attempt's start written, the four timeouts,
// worker availability and cancellation.
#include <string>
#include <vector>

#include "engine/history/history_file.h"
#include "gmock/gmock.h"
#include "tests/engine/service/service_fixture.h"

namespace lockstep::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

absl::Time TimeOf(const temporal::api::history::v1::HistoryEvent& e) {
  return FromProtoTime(e.event_time());
}

// A workflow that runs one activity and then closes with its outcome.
class ServiceActivityTest : public ServiceTest {
 protected:
  void RunOne(const ActivityCommandOptions& options, absl::Duration horizon = absl::Hours(1)) {
    start_ = clock_.Now();
    Start();
    workflows_.Then({ScheduleActivity("5", "Act", options)});
    RunFor(horizon);
  }
  std::vector<int32_t> Attempts() const {
    std::vector<int32_t> out;
    for (const auto& t : activities_.tasks()) out.push_back(t.attempt);
    return out;
  }
  absl::Time start_;
};

TEST_F(ServiceActivityTest, SuccessWritesScheduledStartedCompleted) {
  activities_.FailThenSucceed("Act", 0, "\"done\"");
  RunOne({});
  const History& h = HistoryOf("wf");
  ASSERT_GE(h.events_size(), 8);
  EXPECT_EQ(h.events(4).event_type(), enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
  EXPECT_EQ(h.events(5).event_type(), enums::EVENT_TYPE_ACTIVITY_TASK_STARTED);
  EXPECT_EQ(h.events(6).event_type(), enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
  EXPECT_EQ(h.events(7).event_type(), enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
  const auto& scheduled = h.events(4).activity_task_scheduled_event_attributes();
  EXPECT_EQ(scheduled.activity_id(), "5");
  EXPECT_EQ(scheduled.task_queue().name(), "queue");  // the workflow's queue by default
  // Every activity gets the server's default retry policy, written into the event.
  EXPECT_EQ(FromProtoDuration(scheduled.retry_policy().initial_interval()),
            absl::Seconds(1));
  EXPECT_EQ(scheduled.retry_policy().backoff_coefficient(), 2.0);
  const auto& started = h.events(5).activity_task_started_event_attributes();
  EXPECT_EQ(started.scheduled_event_id(), 5);
  EXPECT_EQ(started.attempt(), 1);
  EXPECT_FALSE(started.has_last_failure());
  const auto& completed = h.events(6).activity_task_completed_event_attributes();
  EXPECT_EQ(completed.scheduled_event_id(), 5);
  EXPECT_EQ(completed.started_event_id(), 6);
  EXPECT_EQ(completed.result().payloads(0).data(), "\"done\"");
  ASSERT_EQ(activities_.tasks().size(), 1u);
  EXPECT_EQ(activities_.tasks()[0].activity_id, "5");
  EXPECT_EQ(activities_.tasks()[0].scheduled_event_id, 5);
}

TEST_F(ServiceActivityTest, RetriesUntilMaximumAttemptsLikeTheRecordedHistory) {
  // features/activity/retry_on_error: an always-failing activity, five attempts, no backoff.
  activities_.FailThenSucceed("AlwaysFailActivity", 1000);
  StartWorkflowRequest r = StartRequest();
  r.execution_timeout = absl::Seconds(60);
  r.run_timeout = absl::Seconds(60);
  ASSERT_TRUE(service().StartWorkflow(r).ok());
  ActivityCommandOptions o;
  o.schedule_to_close = absl::Seconds(60);
  o.retry_policy = Policy(absl::Nanoseconds(1), 1, absl::Nanoseconds(100), 5);
  workflows_.Then({ScheduleActivity("5", "AlwaysFailActivity", o)});
  workflows_.Then({FailWorkflow(ApplicationFailure("activity error"))});
  RunFor(absl::Seconds(1));

  auto loaded = history::LoadHistoryFile(
      std::string(LOCKSTEP_TESTDATA_DIR) +
      "/temporal/features__features__activity__retry_on_error__history__history.go.v1.5.0.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_THAT(TypesOf("wf"), ElementsAreArray(EventTypes(loaded->histories[0])));
  EXPECT_THAT(Attempts(), ElementsAre(1, 2, 3, 4, 5));

  const auto& started =
      Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_STARTED).activity_task_started_event_attributes();
  EXPECT_EQ(started.attempt(), 5);
  EXPECT_EQ(started.last_failure().message(), "activity attempt 4 failed");
  const auto& failed =
      Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_FAILED).activity_task_failed_event_attributes();
  EXPECT_EQ(failed.failure().message(), "activity attempt 5 failed");
  EXPECT_EQ(failed.retry_state(), enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  EXPECT_EQ(failed.started_event_id(), 6);
  EXPECT_EQ(Last("wf", enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)
                .workflow_execution_failed_event_attributes()
                .retry_state(),
            enums::RETRY_STATE_RETRY_POLICY_NOT_SET);
}

TEST_F(ServiceActivityTest, BackoffGrowsAndOnlyTheLastStartIsWritten) {
  activities_.FailThenSucceed("Act", 2);
  ActivityCommandOptions o;
  o.retry_policy = Policy(absl::Seconds(1), 2, absl::Seconds(100), 0);
  RunOne(o);
  ASSERT_EQ(activities_.tasks().size(), 3u);
  EXPECT_EQ(activities_.tasks()[1].current_attempt_scheduled_time, start_ + absl::Seconds(1));
  EXPECT_EQ(activities_.tasks()[2].current_attempt_scheduled_time, start_ + absl::Seconds(3));
  EXPECT_EQ(activities_.tasks()[2].scheduled_time, start_);
  EXPECT_THAT(TypesOf("wf"),
              ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                          "WorkflowTaskStarted", "WorkflowTaskCompleted", "ActivityTaskScheduled",
                          "ActivityTaskStarted", "ActivityTaskCompleted", "WorkflowTaskScheduled",
                          "WorkflowTaskStarted", "WorkflowTaskCompleted"));
  const auto& started = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_STARTED);
  EXPECT_EQ(started.activity_task_started_event_attributes().attempt(), 3);
  EXPECT_EQ(TimeOf(started), start_ + absl::Seconds(3));
}

TEST_F(ServiceActivityTest, NonRetryableErrorTypeFailsAtOnce) {
  activities_.FailThenSucceed("Act", 10, "\"x\"", "Fatal");
  ActivityCommandOptions o;
  o.retry_policy = Policy(absl::Seconds(1), 2, absl::Seconds(10), 0, {"Fatal"});
  RunOne(o);
  EXPECT_THAT(Attempts(), ElementsAre(1));
  const auto& failed =
      Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_FAILED).activity_task_failed_event_attributes();
  EXPECT_EQ(failed.retry_state(), enums::RETRY_STATE_NON_RETRYABLE_FAILURE);
  EXPECT_EQ(failed.failure().application_failure_info().type(), "Fatal");
}

TEST_F(ServiceActivityTest, NonRetryableFlagFailsAtOnce) {
  activities_.FailThenSucceed("Act", 10, "\"x\"", "Whatever", /*non_retryable=*/true);
  RunOne({});
  EXPECT_THAT(Attempts(), ElementsAre(1));
  EXPECT_EQ(Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_FAILED)
                .activity_task_failed_event_attributes()
                .retry_state(),
            enums::RETRY_STATE_NON_RETRYABLE_FAILURE);
}

TEST_F(ServiceActivityTest, ScheduleToStartTimesOutWithoutWorkers) {
  service().SetActivityWorkersPolling(false);
  ActivityCommandOptions o;
  o.schedule_to_start = absl::Seconds(5);
  RunOne(o);
  EXPECT_TRUE(activities_.tasks().empty());
  const auto& e = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  EXPECT_EQ(TimeOf(e), start_ + absl::Seconds(5));
  const auto& t = e.activity_task_timed_out_event_attributes();
  EXPECT_EQ(t.failure().timeout_failure_info().timeout_type(),
            enums::TIMEOUT_TYPE_SCHEDULE_TO_START);
  EXPECT_EQ(t.failure().message(), "activity ScheduleToStart timeout");
  EXPECT_EQ(t.failure().source(), "Server");
  EXPECT_EQ(t.retry_state(), enums::RETRY_STATE_TIMEOUT);
  EXPECT_EQ(t.started_event_id(), 0);
  for (const std::string& type : TypesOf("wf")) EXPECT_NE(type, "ActivityTaskStarted");
}

TEST_F(ServiceActivityTest, TimeoutsDueTogetherGoInTemporalsOrder) {
  // Schedule-to-start defaults to schedule-to-close, so both are due at once; Temporal handles
  // SCHEDULE_TO_START first.
  service().SetActivityWorkersPolling(false);
  ActivityCommandOptions o;
  o.schedule_to_close = absl::Seconds(5);
  RunOne(o);
  const auto& t = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT)
                      .activity_task_timed_out_event_attributes();
  EXPECT_EQ(t.failure().timeout_failure_info().timeout_type(),
            enums::TIMEOUT_TYPE_SCHEDULE_TO_START);
  EXPECT_EQ(t.retry_state(), enums::RETRY_STATE_TIMEOUT);
}

TEST_F(ServiceActivityTest, PausedWorkersPickUpTheTaskWhenTheyPollAgain) {
  service().SetActivityWorkersPolling(false);
  RunOne({});
  EXPECT_TRUE(activities_.tasks().empty());
  EXPECT_FALSE(service().NextDeadline().has_value());  // nothing happens without workers
  service().SetActivityWorkersPolling(true);
  EXPECT_EQ(service().NextDeadline(), start_);
  Idle();
  EXPECT_EQ(activities_.tasks().size(), 1u);
  EXPECT_EQ(TypesOf("wf").back(), "WorkflowTaskCompleted");
}

TEST_F(ServiceActivityTest, StartToCloseTimeoutIsRetried) {
  activities_.FailThenSucceed("Act", 0);
  Configure({}, {.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{absl::Seconds(10), absl::ZeroDuration()};
  }});
  ActivityCommandOptions o;
  o.start_to_close = absl::Seconds(2);
  o.retry_policy = Policy(absl::Seconds(1), 2, absl::Seconds(100), 3);
  RunOne(o);
  EXPECT_THAT(Attempts(), ElementsAre(1, 2, 3));
  // Attempt 1: 0..2, retry at 3 (1s), attempt 2: 3..5, retry at 7 (2s), attempt 3: 7..9.
  EXPECT_EQ(activities_.tasks()[2].current_attempt_scheduled_time, start_ + absl::Seconds(7));
  const auto& e = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  EXPECT_EQ(TimeOf(e), start_ + absl::Seconds(9));
  const auto& t = e.activity_task_timed_out_event_attributes();
  EXPECT_EQ(t.failure().timeout_failure_info().timeout_type(), enums::TIMEOUT_TYPE_START_TO_CLOSE);
  EXPECT_EQ(t.retry_state(), enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  // The cause is the previous attempt's failure.
  EXPECT_EQ(t.failure().cause().timeout_failure_info().timeout_type(),
            enums::TIMEOUT_TYPE_START_TO_CLOSE);
  const auto& started = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_STARTED);
  EXPECT_EQ(started.activity_task_started_event_attributes().attempt(), 3);
  EXPECT_EQ(TimeOf(started), start_ + absl::Seconds(7));
  EXPECT_EQ(t.started_event_id(), started.event_id());
}

TEST_F(ServiceActivityTest, HeartbeatTimeoutIsRetried) {
  activities_.FailThenSucceed("Act", 0);
  Configure({}, {.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{absl::Seconds(10), absl::ZeroDuration()};  // never heartbeats
  }});
  ActivityCommandOptions o;
  o.start_to_close = absl::Seconds(30);
  o.heartbeat = absl::Seconds(1);
  o.retry_policy = Policy(absl::Seconds(1), 1, absl::Seconds(1), 2);
  RunOne(o);
  EXPECT_THAT(Attempts(), ElementsAre(1, 2));
  const auto& e = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  // Attempt 1: 0..1, retry at 2, attempt 2: 2..3.
  EXPECT_EQ(TimeOf(e), start_ + absl::Seconds(3));
  const auto& t = e.activity_task_timed_out_event_attributes();
  EXPECT_EQ(t.failure().timeout_failure_info().timeout_type(), enums::TIMEOUT_TYPE_HEARTBEAT);
  EXPECT_EQ(t.failure().message(), "activity Heartbeat timeout");
  EXPECT_EQ(t.retry_state(), enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
}

TEST_F(ServiceActivityTest, HeartbeatingOftenEnoughAvoidsTheHeartbeatTimeout) {
  activities_.FailThenSucceed("Act", 0);
  Configure({}, {.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{absl::Seconds(10), absl::Milliseconds(500)};
  }});
  ActivityCommandOptions o;
  o.start_to_close = absl::Seconds(30);
  o.heartbeat = absl::Seconds(1);
  RunOne(o);
  EXPECT_THAT(Attempts(), ElementsAre(1));
  EXPECT_EQ(TimeOf(Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED)),
            start_ + absl::Seconds(10));
}

TEST_F(ServiceActivityTest, HeartbeatDetailsReachTheNextAttemptAndTheTimeout) {
  activities_.Always("Act", [](const ActivityTask& task) {
    ActivityOutcome o;
    o.heartbeated = true;
    o.heartbeat_details = Json(absl::StrCat(task.attempt * 100));
    return o;
  });
  Configure({}, {.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{absl::Seconds(10), absl::Seconds(1)};
  }});
  ActivityCommandOptions o;
  o.start_to_close = absl::Seconds(3);
  o.heartbeat = absl::Seconds(2);
  o.retry_policy = Policy(absl::Seconds(1), 1, absl::Seconds(1), 2);
  RunOne(o);
  ASSERT_EQ(activities_.tasks().size(), 2u);
  EXPECT_EQ(activities_.tasks()[1].heartbeat_details.payloads(0).data(), "100");
  const auto& t = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT)
                      .activity_task_timed_out_event_attributes();
  EXPECT_EQ(t.failure().timeout_failure_info().last_heartbeat_details().payloads(0).data(), "200");
}

TEST_F(ServiceActivityTest, ScheduleToCloseEndsTheRetries) {
  activities_.FailThenSucceed("Act", 0);
  Configure({}, {.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{absl::Seconds(100), absl::ZeroDuration()};
  }});
  ActivityCommandOptions o;
  o.schedule_to_close = absl::Seconds(5);
  o.start_to_close = absl::Seconds(5);
  RunOne(o);
  EXPECT_THAT(Attempts(), ElementsAre(1));
  const auto& e = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  EXPECT_EQ(TimeOf(e), start_ + absl::Seconds(5));
  const auto& t = e.activity_task_timed_out_event_attributes();
  EXPECT_EQ(t.failure().timeout_failure_info().timeout_type(),
            enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE);
  EXPECT_EQ(t.retry_state(), enums::RETRY_STATE_TIMEOUT);
  EXPECT_NE(t.started_event_id(), 0);  // the running attempt's start is written
}

TEST_F(ServiceActivityTest, NoRetryAfterTheScheduleToCloseDeadline) {
  activities_.FailThenSucceed("Act", 0);
  Configure({}, {.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{absl::Seconds(100), absl::ZeroDuration()};
  }});
  ActivityCommandOptions o;
  o.schedule_to_close = absl::Seconds(10);
  o.start_to_close = absl::Seconds(2);
  o.retry_policy = Policy(absl::Seconds(3), 2, absl::Seconds(100), 0);
  RunOne(o);
  // Attempt 1: 0..2, retry at 5; attempt 2: 5..7; the next retry (6s) would start after 10.
  EXPECT_THAT(Attempts(), ElementsAre(1, 2));
  const auto& e = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  EXPECT_EQ(TimeOf(e), start_ + absl::Seconds(7));
  const auto& t = e.activity_task_timed_out_event_attributes();
  EXPECT_EQ(t.failure().timeout_failure_info().timeout_type(),
            enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE);
  EXPECT_EQ(t.failure().message(),
            "Not enough time to schedule next retry before activity ScheduleToClose timeout, "
            "giving up retrying");
  EXPECT_EQ(t.retry_state(), enums::RETRY_STATE_TIMEOUT);
}

TEST_F(ServiceActivityTest, FailureWhoseRetryWouldBeTooLateFailsWithTimeoutState) {
  activities_.FailThenSucceed("Act", 10);
  ActivityCommandOptions o;
  o.schedule_to_close = absl::Seconds(2);
  o.retry_policy = Policy(absl::Seconds(5), 2, absl::Seconds(100), 0);
  RunOne(o);
  EXPECT_THAT(Attempts(), ElementsAre(1));
  EXPECT_EQ(Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_FAILED)
                .activity_task_failed_event_attributes()
                .retry_state(),
            enums::RETRY_STATE_TIMEOUT);
}

TEST_F(ServiceActivityTest, CancelingAnActivityThatIsNotRunningCancelsAtOnce) {
  service().SetActivityWorkersPolling(false);
  Start();
  workflows_.Then({ScheduleActivity("a", "Act")});
  workflows_.Then({RequestCancelActivity(5)});
  workflows_.Then({CompleteWorkflow()});
  SignalWorkflowRequest s;
  s.workflow_id = "wf";
  s.signal_name = "cancel-it";
  Idle();
  ASSERT_TRUE(service().SignalWorkflow(s).ok());
  Idle();
  EXPECT_THAT(
      TypesOf("wf"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "ActivityTaskScheduled", "WorkflowExecutionSignaled",
                  "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted",
                  "ActivityTaskCancelRequested", "ActivityTaskCanceled", "WorkflowTaskScheduled",
                  "WorkflowTaskStarted", "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
  const auto& c = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED)
                      .activity_task_canceled_event_attributes();
  EXPECT_EQ(c.latest_cancel_requested_event_id(), 10);
  EXPECT_EQ(c.started_event_id(), 0);
  EXPECT_EQ(c.details().payloads(0).data(), "\"ACTIVITY_ID_NOT_STARTED\"");
  EXPECT_TRUE(activities_.tasks().empty());
}

TEST_F(ServiceActivityTest, ARunningActivityLearnsOfCancellationWhenItHeartbeats) {
  activities_.FailThenSucceed("Act", 0);
  Configure({}, {.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{absl::Seconds(10), absl::Seconds(1)};
  }});
  start_ = clock_.Now();
  Start();
  workflows_.Then({ScheduleActivity("a", "Act"), StartTimer("t", absl::Milliseconds(2500))});
  workflows_.Then({RequestCancelActivity(5)});
  workflows_.Then({CompleteWorkflow()});
  RunFor(absl::Minutes(1));
  EXPECT_THAT(
      TypesOf("wf"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "ActivityTaskScheduled", "TimerStarted", "TimerFired",
                  "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted",
                  "ActivityTaskCancelRequested", "ActivityTaskStarted", "ActivityTaskCanceled",
                  "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted",
                  "WorkflowExecutionCompleted"));
  const auto& canceled = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED);
  EXPECT_EQ(TimeOf(canceled), start_ + absl::Seconds(3));  // the next heartbeat
  EXPECT_EQ(canceled.activity_task_canceled_event_attributes().latest_cancel_requested_event_id(),
            11);
  EXPECT_EQ(TimeOf(Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_STARTED)), start_);
}

TEST_F(ServiceActivityTest, ACancellationNobodyAskedForIsIgnored) {
  activities_.Always("Act", [](const ActivityTask&) {
    ActivityOutcome o;
    o.kind = ActivityOutcome::Kind::kCanceled;
    return o;
  });
  ActivityCommandOptions o;
  o.start_to_close = absl::Seconds(4);
  o.retry_policy = Policy(absl::Seconds(1), 1, absl::Seconds(1), 1);
  RunOne(o);
  const auto& t = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  EXPECT_EQ(TimeOf(t), start_ + absl::Seconds(4));
  EXPECT_EQ(t.activity_task_timed_out_event_attributes().retry_state(),
            enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
}

TEST_F(ServiceActivityTest, WithoutARetryPolicyTheStartIsWrittenWhenItHappens) {
  activities_.FailThenSucceed("Act", 1);
  Configure({.apply_default_activity_retry_policy = false}, {.activity_timing =
                 [](const ActivityTask&) {
                   return ActivityTiming{absl::Seconds(1), absl::ZeroDuration()};
                 }});
  Start();
  workflows_.Then({ScheduleActivity("a", "Act")});
  Idle();
  // Started is in the history while the attempt runs.
  EXPECT_EQ(TypesOf("wf").back(), "ActivityTaskStarted");
  RunFor(absl::Minutes(1));
  EXPECT_THAT(Attempts(), ElementsAre(1));
  const auto& f =
      Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_FAILED).activity_task_failed_event_attributes();
  EXPECT_EQ(f.retry_state(), enums::RETRY_STATE_RETRY_POLICY_NOT_SET);
  EXPECT_EQ(f.started_event_id(), 6);
  EXPECT_FALSE(
      HistoryOf("wf").events(4).activity_task_scheduled_event_attributes().has_retry_policy());
}

}  // namespace
}  // namespace lockstep::testing
