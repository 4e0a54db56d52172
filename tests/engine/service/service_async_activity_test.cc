// Asynchronous activity completion: attempts the environment defers report their outcome and
// heartbeats through the service later; stale reports are refused; the four timeouts still
// apply. Virtual time, deterministic.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/engine/service/service_fixture.h"

namespace lockstep::testing {
namespace service_async_activity_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ActivityOutcome Completed(absl::string_view json) {
  ActivityOutcome o;
  o.result = Json(json);
  return o;
}

// Every remote attempt is deferred; the test reports for it.
class ServiceAsyncActivityTest : public ServiceTest {
 protected:
  void SetUp() override {
    Configure({}, {.activity_attempt = [this](const ActivityTask& task,
                                              absl::FunctionRef<ActivityOutcome()>) {
                deferred_.push_back(task);
                ActivityAttempt attempt;
                attempt.deferred = true;
                return attempt;
              }});
  }
  // Starts "wf", whose first task schedules activity "a" (scheduled event id 5).
  void StartWithActivity(const ActivityCommandOptions& options) {
    start_ = clock_.Now();
    run_id_ = Start().run_id();
    workflows_.Then({ScheduleActivity("a", "Act", options)});
    Idle();
  }
  ActivityAttemptRef Ref(int index) const { return ActivityAttemptRef::Of(deferred_.at(index)); }
  void Advance(absl::Duration d) {
    clock_.Advance(d);
    Idle();
  }
  absl::Time TimeOf(const temporal::api::history::v1::HistoryEvent& e) const {
    return FromProtoTime(e.event_time());
  }
  std::vector<std::string> ActivityEvents() {
    std::vector<std::string> out;
    for (const std::string& type : TypesOf("wf")) {
      if (absl::StartsWith(type, "Activity")) out.push_back(type);
    }
    return out;
  }

  std::vector<ActivityTask> deferred_;
  absl::Time start_;
  std::string run_id_;
};

TEST_F(ServiceAsyncActivityTest, AReportedOutcomeIsRecordedByTheNextRunUntilIdle) {
  StartWithActivity({});
  ASSERT_EQ(deferred_.size(), 1u);
  EXPECT_TRUE(activities_.tasks().empty());  // the handler was never asked
  const ActivityAttemptRef ref = Ref(0);
  EXPECT_EQ(ref.workflow_id, "wf");
  EXPECT_EQ(ref.run_id, run_id_);
  EXPECT_EQ(ref.scheduled_event_id, 5);
  EXPECT_EQ(ref.attempt, 1);
  Advance(absl::Seconds(3));
  EXPECT_THAT(ActivityEvents(), ElementsAre("ActivityTaskScheduled"));

  ASSERT_TRUE(service().CompleteActivityAttempt(ref, Completed("\"late\"")).ok());
  // Nothing is written until the service runs what is due (now).
  EXPECT_THAT(ActivityEvents(), ElementsAre("ActivityTaskScheduled"));
  EXPECT_EQ(service().NextDeadline(), clock_.Now());
  Idle();
  EXPECT_THAT(ActivityEvents(),
              ElementsAre("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted"));
  // The start is stamped with the attempt's start, the completion with the report's time.
  EXPECT_EQ(TimeOf(Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_STARTED)), start_);
  const auto& completed = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
  EXPECT_EQ(TimeOf(completed), start_ + absl::Seconds(3));
  EXPECT_EQ(completed.activity_task_completed_event_attributes().result().payloads(0).data(),
            "\"late\"");
  // The activity is gone: a second report is refused.
  const absl::Status again = service().CompleteActivityAttempt(ref, Completed("1"));
  EXPECT_EQ(again.code(), absl::StatusCode::kNotFound) << again;
}

TEST_F(ServiceAsyncActivityTest, StartToCloseEndsAnAttemptThatNeverReports) {
  ActivityCommandOptions o;
  o.start_to_close = absl::Seconds(2);
  o.retry_policy = Policy(absl::Seconds(1), 1, absl::Seconds(1), 2);
  StartWithActivity(o);
  RunFor(absl::Minutes(1));
  ASSERT_EQ(deferred_.size(), 2u);
  EXPECT_EQ(deferred_[1].attempt, 2);
  // Attempt 1: 0..2, retry at 3, attempt 2: 3..5.
  const auto& e = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  EXPECT_EQ(TimeOf(e), start_ + absl::Seconds(5));
  const auto& t = e.activity_task_timed_out_event_attributes();
  EXPECT_EQ(t.failure().timeout_failure_info().timeout_type(), enums::TIMEOUT_TYPE_START_TO_CLOSE);
  EXPECT_EQ(t.retry_state(), enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);

  // Reports that come after the activity closed are refused, naming the attempt.
  const absl::Status late = service().CompleteActivityAttempt(Ref(1), Completed("1"));
  EXPECT_EQ(late.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(late.message(), HasSubstr("workflow id wf"));
  EXPECT_THAT(late.message(), HasSubstr(absl::StrCat("run id ", run_id_)));
  EXPECT_THAT(late.message(), HasSubstr("scheduled event id 5"));
  EXPECT_THAT(late.message(), HasSubstr("activity task not found"));
}

TEST_F(ServiceAsyncActivityTest, AReportOfARetriedAttemptIsStale) {
  ActivityCommandOptions o;
  o.start_to_close = absl::Seconds(2);
  o.retry_policy = Policy(absl::Seconds(1), 1, absl::Seconds(1), 3);
  StartWithActivity(o);
  Advance(absl::Seconds(2));  // attempt 1 times out
  Advance(absl::Seconds(1));  // attempt 2 starts
  ASSERT_EQ(deferred_.size(), 2u);

  const absl::Status stale = service().CompleteActivityAttempt(Ref(0), Completed("\"one\""));
  EXPECT_EQ(stale.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(stale.message(), HasSubstr("attempt 1"));
  EXPECT_THAT(stale.message(), HasSubstr("no longer current"));
  const absl::StatusOr<bool> stale_beat = service().RecordActivityHeartbeat(Ref(0), Json("0"));
  EXPECT_EQ(stale_beat.status().code(), absl::StatusCode::kNotFound);

  ASSERT_TRUE(service().CompleteActivityAttempt(Ref(1), Completed("\"two\"")).ok());
  Idle();
  const auto& completed = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
  EXPECT_EQ(completed.activity_task_completed_event_attributes().result().payloads(0).data(),
            "\"two\"");
  const auto& started = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_STARTED);
  EXPECT_EQ(started.activity_task_started_event_attributes().attempt(), 2);
  EXPECT_EQ(started.activity_task_started_event_attributes()
                .last_failure()
                .timeout_failure_info()
                .timeout_type(),
            enums::TIMEOUT_TYPE_START_TO_CLOSE);
}

TEST_F(ServiceAsyncActivityTest, AReportDueWithTheDeadlineIsLate) {
  ActivityCommandOptions o;
  o.start_to_close = absl::Seconds(2);
  o.retry_policy = Policy(absl::Seconds(1), 1, absl::Seconds(1), 1);
  StartWithActivity(o);
  // The report arrives at the very instant the start-to-close timeout is due, before the
  // service ran it: the timeout was scheduled first and wins, as for any result due then.
  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(service().CompleteActivityAttempt(Ref(0), Completed("1")).ok());
  Idle();
  EXPECT_THAT(ActivityEvents(),
              ElementsAre("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskTimedOut"));
}

TEST_F(ServiceAsyncActivityTest, HeartbeatsMoveTheHeartbeatTimeoutAndKeepTheirDetails) {
  ActivityCommandOptions o;
  o.start_to_close = absl::Seconds(60);
  o.heartbeat = absl::Seconds(2);
  o.retry_policy = Policy(absl::Seconds(1), 1, absl::Seconds(1), 2);
  StartWithActivity(o);
  Advance(absl::Milliseconds(1500));
  absl::StatusOr<bool> cancel = service().RecordActivityHeartbeat(Ref(0), Json("15"));
  ASSERT_TRUE(cancel.ok()) << cancel.status();
  EXPECT_FALSE(*cancel);
  // Past the first heartbeat deadline (2s), within the moved one (3.5s).
  Advance(absl::Milliseconds(1500));
  EXPECT_EQ(deferred_.size(), 1u);
  EXPECT_THAT(ActivityEvents(), ElementsAre("ActivityTaskScheduled"));
  // No more heartbeats: times out at 3.5s, retried at 4.5s with the details.
  RunFor(absl::Seconds(2));
  ASSERT_EQ(deferred_.size(), 2u);
  EXPECT_EQ(deferred_[1].current_attempt_scheduled_time, start_ + absl::Milliseconds(4500));
  EXPECT_EQ(deferred_[1].heartbeat_details.payloads(0).data(), "15");
  RunFor(absl::Seconds(10));
  const auto& t = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT)
                      .activity_task_timed_out_event_attributes();
  EXPECT_EQ(t.failure().timeout_failure_info().timeout_type(), enums::TIMEOUT_TYPE_HEARTBEAT);
  EXPECT_EQ(t.failure().timeout_failure_info().last_heartbeat_details().payloads(0).data(), "15");
}

TEST_F(ServiceAsyncActivityTest, AHeartbeatTellsOfCancellationAndTheAttemptReportsIt) {
  StartWithActivity({});
  // A cancellation nobody asked for is refused; the attempt goes on.
  ActivityOutcome canceled;
  canceled.kind = ActivityOutcome::Kind::kCanceled;
  const absl::Status early = service().CompleteActivityAttempt(Ref(0), canceled);
  EXPECT_EQ(early.code(), absl::StatusCode::kFailedPrecondition) << early;

  ASSERT_TRUE(service()
                  .SignalWorkflow({.workflow_id = "wf",
                                   .run_id = "",
                                   .signal_name = "cancel",
                                   .input = {},
                                   .request_id = "",
                                   .identity = "",
                                   .header = {}})
                  .ok());
  workflows_.Then({RequestCancelActivity(5)});
  Idle();
  absl::StatusOr<bool> cancel = service().RecordActivityHeartbeat(Ref(0), Json("1"));
  ASSERT_TRUE(cancel.ok()) << cancel.status();
  EXPECT_TRUE(*cancel);
  ASSERT_TRUE(service().CompleteActivityAttempt(Ref(0), canceled).ok());
  Idle();
  EXPECT_THAT(ActivityEvents(), ElementsAre("ActivityTaskScheduled", "ActivityTaskCancelRequested",
                                            "ActivityTaskStarted", "ActivityTaskCanceled"));
}

TEST_F(ServiceAsyncActivityTest, ACrashLosesAnUndeliveredReportButNotTheAttempt) {
  StartWithActivity({});
  ASSERT_TRUE(service().CompleteActivityAttempt(Ref(0), Completed("\"lost\"")).ok());
  service().CrashWorkers();
  service().AttachWorkers(&workflows_, &activities_);
  Idle();
  EXPECT_THAT(ActivityEvents(), ElementsAre("ActivityTaskScheduled"));
  // The attempt is still current: reported again, it completes.
  ASSERT_TRUE(service().CompleteActivityAttempt(Ref(0), Completed("\"again\"")).ok());
  Idle();
  const auto& completed = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
  EXPECT_EQ(completed.activity_task_completed_event_attributes().result().payloads(0).data(),
            "\"again\"");
}

TEST_F(ServiceAsyncActivityTest, AClosedRunRefusesReports) {
  StartWithActivity({});
  ASSERT_TRUE(
      service()
          .TerminateWorkflow(
              {.workflow_id = "wf", .run_id = "", .reason = "stop", .details = {}, .identity = ""})
          .ok());
  const absl::Status done = service().CompleteActivityAttempt(Ref(0), Completed("1"));
  EXPECT_EQ(done.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(done.message(), HasSubstr("workflow execution already completed"));
  ActivityAttemptRef unknown = Ref(0);
  unknown.run_id = "no-such-run";
  EXPECT_EQ(service().CompleteActivityAttempt(unknown, Completed("1")).code(),
            absl::StatusCode::kNotFound);
  unknown.run_id = "";
  EXPECT_EQ(service().CompleteActivityAttempt(unknown, Completed("1")).code(),
            absl::StatusCode::kInvalidArgument);
}

// An attempt the environment decided at dispatch (here: with a latency) is not open to
// reports.
class ServiceDecidedActivityTest : public ServiceTest {};

TEST_F(ServiceDecidedActivityTest, AnAttemptThatWasNotDeferredRefusesReports) {
  activities_.FailThenSucceed("Act", 0);
  Configure({}, {.activity_timing = [](const ActivityTask&) {
              return ActivityTiming{absl::Seconds(10), absl::ZeroDuration()};
            }});
  Start();
  workflows_.Then({ScheduleActivity("a", "Act")});
  Idle();
  ASSERT_EQ(activities_.tasks().size(), 1u);
  const ActivityAttemptRef ref = ActivityAttemptRef::Of(activities_.tasks()[0]);
  const absl::Status refused = service().CompleteActivityAttempt(ref, Completed("1"));
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("not deferred"));
  EXPECT_EQ(service().RecordActivityHeartbeat(ref, Json("1")).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace service_async_activity_test
}  // namespace lockstep::testing
