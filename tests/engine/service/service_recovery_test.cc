// Service::RestoreRun: a run restored from its history in a new service (the process died)
// goes on where the history left it: each element of its state is checked here on its own
// (timers, the workflow task, activities, children, external requests, run timeouts, signal
// deduplication, closed runs, ids, activity attempts from the stored attempt state), and every
// kind of bad input is refused with a status naming the execution.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "tests/engine/service/service_fixture.h"

namespace lockstep::testing {
namespace {

using temporal::api::common::v1::WorkflowExecution;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::Time TimeOf(const temporal::api::history::v1::HistoryEvent& e) {
  return FromProtoTime(e.event_time());
}

// An environment that delays the steps of `kinds` by `delay` (past a crash, say).
EnvFunctions DelaySteps(std::vector<StepKind> kinds, absl::Duration delay) {
  EnvFunctions env;
  env.step_delay = [kinds = std::move(kinds), delay](const Step& step) {
    for (StepKind kind : kinds) {
      if (step.kind == kind) return delay;
    }
    return absl::ZeroDuration();
  };
  return env;
}

// Keeps what a StoreRecorder stores beside the histories (engine/store): each pending
// activity's attempt state as the steps report it, dropped when its close event is written.
class AttemptKeeper : public StepObserver {
 public:
  void OnStep(const StepRecord& step) override {
    for (const ActivityAttemptChange& change : step.activity_attempts) {
      runs_[{std::string(change.workflow_id), std::string(change.run_id)}]
           [change.state.scheduled_event_id] = change.state;
    }
    for (const AppendedEvents& appended : step.appended) {
      auto& run = runs_[{std::string(appended.workflow_id), std::string(appended.run_id)}];
      for (int i = appended.first; i < appended.end; ++i) {
        const auto& e = appended.history->events(i);
        for (int64_t closed : {e.activity_task_completed_event_attributes().scheduled_event_id(),
                               e.activity_task_failed_event_attributes().scheduled_event_id(),
                               e.activity_task_timed_out_event_attributes().scheduled_event_id(),
                               e.activity_task_canceled_event_attributes().scheduled_event_id()}) {
          if (closed != 0) run.erase(closed);
        }
      }
    }
  }
  bool WantsActivityAttempts() const override { return true; }

  std::vector<ActivityAttemptState> Of(const WorkflowExecution& execution) const {
    std::vector<ActivityAttemptState> out;
    auto it = runs_.find({execution.workflow_id(), execution.run_id()});
    if (it == runs_.end()) return out;
    for (const auto& [id, state] : it->second) out.push_back(state);
    return out;
  }

 private:
  std::map<std::pair<std::string, std::string>, std::map<int64_t, ActivityAttemptState>> runs_;
};

class ServiceRecoveryTest : public ServiceTest {
 protected:
  struct Stored {
    WorkflowExecution execution;
    History history;
    std::vector<ActivityAttemptState> attempts;  // when KeepAttempts() was called
  };

  // Keeps the activities' attempt state from here on, as a store would, for CrashAndRecover.
  void KeepAttempts() {
    keeping_attempts_ = true;
    service().AddStepObserver(&keeper_);
  }

  // Starts "wf", which schedules one activity "a" of type "Act" with a retry policy of
  // `maximum_attempts` (1s, then doubling) and `start_to_close`, on a service whose attempts
  // `timing` paces, keeping attempt states. Returns when the activity was scheduled.
  absl::Time StartRetriedActivity(EnvFunctions timing, int32_t maximum_attempts,
                                  absl::Duration start_to_close) {
    Configure({}, std::move(timing));
    KeepAttempts();
    Start();
    ActivityCommandOptions o;
    o.start_to_close = start_to_close;
    o.retry_policy = Policy(absl::Seconds(1), 2, absl::Seconds(100), maximum_attempts);
    workflows_.Then({ScheduleActivity("a", "Act", o)});
    workflows_.Then({CompleteWorkflow()});
    Idle();
    return TimeOf(Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED));
  }

  // Runs until `t`, when the process dies, and recovers with attempts paced by `timing`
  // again. Returns how many activity tasks ran before the crash.
  size_t CrashAtAndRecover(absl::Time t, EnvFunctions timing) {
    RunUntil(service(), clock_, t);
    const size_t before = activities_.tasks().size();
    CrashAndRecover({}, std::move(timing));
    return before;
  }

  // What a store holds at this point: every run's history, in the order of creation.
  std::vector<Stored> Snapshot() {
    std::vector<Stored> out;
    for (const WorkflowExecution& run : service().ListRuns()) {
      out.push_back({run, HistoryOf(run.workflow_id(), run.run_id()), keeper_.Of(run)});
    }
    return out;
  }

  // The process dies now: the service and whatever it held beside the histories are gone. A
  // new service with the same seed restores every stored run at the same instant.
  void CrashAndRecover(ServiceOptions options = {}, EnvFunctions functions = {}) {
    stored_ = Snapshot();
    service_.reset();
    Configure(std::move(options), std::move(functions));
    for (const Stored& s : stored_) {
      absl::Status restored = service_->RestoreRun(s.execution, s.history, s.attempts);
      ASSERT_TRUE(restored.ok()) << restored;
    }
    if (keeping_attempts_) service_->AddStepObserver(&keeper_);
  }

  // The restored run's history starts with every event it had before the crash.
  void ExpectStoredPrefix() {
    for (const Stored& s : stored_) {
      const History& now = HistoryOf(s.execution.workflow_id(), s.execution.run_id());
      ASSERT_GE(now.events_size(), s.history.events_size());
      for (int i = 0; i < s.history.events_size(); ++i) {
        EXPECT_EQ(now.events(i).SerializeAsString(), s.history.events(i).SerializeAsString())
            << s.execution.workflow_id() << " event " << i + 1;
      }
    }
  }

  const temporal::api::history::v1::HistoryEvent* Find(const std::string& id,
                                                       enums::EventType type) {
    const History& h = HistoryOf(id);
    for (const auto& e : h.events()) {
      if (e.event_type() == type) return &e;
    }
    return nullptr;
  }

  void Signal(const std::string& workflow_id, std::string request_id = "") {
    absl::Status s = service().SignalWorkflow({.workflow_id = workflow_id,
                                               .run_id = "",
                                               .signal_name = "go",
                                               .input = {},
                                               .request_id = std::move(request_id),
                                               .identity = "client",
                                               .header = {}});
    ASSERT_TRUE(s.ok()) << s;
  }

  // Virtual time passes: everything due meanwhile happens, and the clock ends at now + d.
  void Pass(absl::Duration d) {
    const absl::Time until = clock_.Now() + d;
    RunUntil(service(), clock_, until);
    if (clock_.Now() < until) clock_.AdvanceTo(until);
    Idle();
  }

  std::vector<Stored> stored_;
  AttemptKeeper keeper_;
  bool keeping_attempts_ = false;
};

// --- Timers --------------------------------------------------------------------------------

TEST_F(ServiceRecoveryTest, TimerIsArmedAgainAndFiresAtItsStartedTimePlusItsTimeout) {
  const absl::Time start = clock_.Now();
  Start();
  workflows_.Then({StartTimer("t", absl::Hours(1))});
  workflows_.Then({CompleteWorkflow()});
  Pass(absl::Minutes(10));
  CrashAndRecover();
  auto described = service().DescribeWorkflow("wf", "");
  ASSERT_TRUE(described.ok());
  ASSERT_EQ(described->pending_timers.size(), 1u);
  EXPECT_EQ(described->pending_timers[0].fire_time, start + absl::Hours(1));
  Pass(absl::Minutes(49));
  EXPECT_EQ(Find("wf", enums::EVENT_TYPE_TIMER_FIRED), nullptr);
  Pass(absl::Minutes(2));
  const auto* fired = Find("wf", enums::EVENT_TYPE_TIMER_FIRED);
  ASSERT_NE(fired, nullptr);
  EXPECT_EQ(TimeOf(*fired), start + absl::Hours(1));
  EXPECT_EQ(fired->timer_fired_event_attributes().started_event_id(), 5);
  EXPECT_EQ(TypesOf("wf").back(), "WorkflowExecutionCompleted");
  ExpectStoredPrefix();
}

TEST_F(ServiceRecoveryTest, OverdueTimerFiresAtOnce) {
  Start();
  workflows_.Then({StartTimer("t", absl::Minutes(5))});
  workflows_.Then({CompleteWorkflow()});
  Pass(absl::Minutes(1));
  stored_ = Snapshot();
  service_.reset();
  clock_.Advance(absl::Hours(3));  // the process stays down past the timer's time
  const absl::Time restart = clock_.Now();
  Configure({});
  for (const Stored& s : stored_) ASSERT_TRUE(service_->RestoreRun(s.execution, s.history).ok());
  Idle();
  const auto* fired = Find("wf", enums::EVENT_TYPE_TIMER_FIRED);
  ASSERT_NE(fired, nullptr);
  EXPECT_EQ(TimeOf(*fired), restart);
  EXPECT_EQ(TypesOf("wf").back(), "WorkflowExecutionCompleted");
}

// --- The workflow task ---------------------------------------------------------------------

TEST_F(ServiceRecoveryTest, StartedWorkflowTaskIsLostTimesOutAndIsRetried) {
  const absl::Time start = clock_.Now();
  // The first task goes to a worker that never answers (it dies with the process).
  Configure({}, {.drop_workflow_task = [](const WorkflowTaskRequest&) { return true; }});
  Start();
  Pass(absl::Seconds(3));
  ASSERT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted"));
  CrashAndRecover();
  workflows_.Then({CompleteWorkflow()});
  Pass(absl::Seconds(6));
  EXPECT_EQ(Find("wf", enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT), nullptr);  // not yet
  Pass(absl::Seconds(2));
  ASSERT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskTimedOut",
                                         "WorkflowTaskScheduled", "WorkflowTaskStarted",
                                         "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
  const History& h = HistoryOf("wf");
  // Start-to-close (10s by default) from when the lost task started.
  EXPECT_EQ(TimeOf(h.events(3)), start + absl::Seconds(10));
  EXPECT_EQ(h.events(4).workflow_task_scheduled_event_attributes().attempt(), 2);
  ASSERT_FALSE(workflows_.seen().empty());
  EXPECT_EQ(workflows_.seen().back().attempt, 2);
  ExpectStoredPrefix();
}

TEST_F(ServiceRecoveryTest, ScheduledWorkflowTaskIsDispatchedAgain) {
  ServiceOptions options;
  options.workflow_workers_polling = false;
  Configure(options);
  Start();
  Pass(absl::Seconds(3));
  CrashAndRecover();
  workflows_.Then({CompleteWorkflow()});
  Idle();
  ASSERT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskCompleted",
                                         "WorkflowExecutionCompleted"));
  EXPECT_EQ(HistoryOf("wf").events(2).workflow_task_started_event_attributes().scheduled_event_id(),
            2);
}

TEST_F(ServiceRecoveryTest, FailedWorkflowTaskHasItsTransientRetryScheduled) {
  // The first attempt fails; the retry (attempt 2, transient: not written) is lost with the
  // process.
  Configure({}, {.drop_workflow_task = [](const WorkflowTaskRequest& r) { return r.attempt > 1; }});
  workflows_.Then(FailTask("boom"));
  Start();
  Idle();
  ASSERT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskFailed"));
  CrashAndRecover();
  workflows_.Then({CompleteWorkflow()});
  Idle();
  ASSERT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskFailed",
                                         "WorkflowTaskScheduled", "WorkflowTaskStarted",
                                         "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
  EXPECT_EQ(HistoryOf("wf").events(4).workflow_task_scheduled_event_attributes().attempt(), 2);
}

// --- Activities ----------------------------------------------------------------------------

TEST_F(ServiceRecoveryTest, ScheduledActivityIsDispatchedAgain) {
  ServiceOptions options;
  options.activity_workers_polling = false;
  Configure(options);
  Start();
  workflows_.Then({ScheduleActivity("a", "Act")});
  workflows_.Then({CompleteWorkflow()});
  Pass(absl::Seconds(5));
  ASSERT_EQ(TypesOf("wf").back(), "ActivityTaskScheduled");
  CrashAndRecover();
  Idle();
  ASSERT_EQ(activities_.tasks().size(), 1u);
  EXPECT_EQ(activities_.tasks()[0].activity_id, "a");
  EXPECT_EQ(activities_.tasks()[0].attempt, 1);
  EXPECT_EQ(activities_.tasks()[0].scheduled_event_id, 5);
  EXPECT_NE(Find("wf", enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED), nullptr);
  EXPECT_EQ(TypesOf("wf").back(), "WorkflowExecutionCompleted");
  ExpectStoredPrefix();
}

TEST_F(ServiceRecoveryTest, RestoredActivityKeepsItsRetryPolicyAndMaximumAttempts) {
  ServiceOptions options;
  options.activity_workers_polling = false;
  Configure(options);
  Start();
  ActivityCommandOptions o;
  o.retry_policy = Policy(absl::Seconds(1), 2, absl::Seconds(10), 3);
  workflows_.Then({ScheduleActivity("a", "Act", o)});
  workflows_.Then({CompleteWorkflow()});
  Pass(absl::Seconds(5));
  CrashAndRecover();
  activities_.FailThenSucceed("Act", 1000);
  Pass(absl::Minutes(1));
  // Attempts 1, 2, 3 (1s, then 2s apart), and the third failure closes it.
  std::vector<int32_t> attempts;
  for (const ActivityTask& t : activities_.tasks()) attempts.push_back(t.attempt);
  EXPECT_THAT(attempts, ElementsAre(1, 2, 3));
  const auto* failed = Find("wf", enums::EVENT_TYPE_ACTIVITY_TASK_FAILED);
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->activity_task_failed_event_attributes().retry_state(),
            enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  const auto* started = Find("wf", enums::EVENT_TYPE_ACTIVITY_TASK_STARTED);
  ASSERT_NE(started, nullptr);
  EXPECT_EQ(started->activity_task_started_event_attributes().attempt(), 3);
}

TEST_F(ServiceRecoveryTest, ScheduleToCloseTimeoutCountsFromTheOriginalSchedule) {
  const absl::Time start = clock_.Now();
  // Attempts hang (an hour each) on the first service and on the recovered one.
  EnvFunctions slow{.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{.latency = absl::Hours(1), .heartbeat_interval = absl::ZeroDuration()};
  }};
  Configure({}, slow);
  Start();
  ActivityCommandOptions o;
  o.schedule_to_close = absl::Seconds(60);
  o.start_to_close = absl::Seconds(60);
  workflows_.Then({ScheduleActivity("a", "Act", o)});
  workflows_.Then({CompleteWorkflow()});
  Pass(absl::Seconds(50));
  CrashAndRecover({}, slow);
  Pass(absl::Seconds(20));
  const auto* timed_out = Find("wf", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  ASSERT_NE(timed_out, nullptr);
  EXPECT_EQ(TimeOf(*timed_out), start + absl::Seconds(60));
  EXPECT_EQ(timed_out->activity_task_timed_out_event_attributes()
                .failure()
                .timeout_failure_info()
                .timeout_type(),
            enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE);
}

TEST_F(ServiceRecoveryTest, StartedActivityAttemptIsLostAndTimesOutStartToClose) {
  // Without a retry policy the start is written when it happens, so the history shows the
  // attempt in flight; its worker died with the process.
  ServiceOptions options;
  options.apply_default_activity_retry_policy = false;
  EnvFunctions slow{.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{.latency = absl::Hours(1), .heartbeat_interval = absl::ZeroDuration()};
  }};
  Configure(options, slow);
  const absl::Time start = clock_.Now();
  Start();
  ActivityCommandOptions o;
  o.start_to_close = absl::Seconds(30);
  workflows_.Then({ScheduleActivity("a", "Act", o)});
  workflows_.Then({CompleteWorkflow()});
  Pass(absl::Seconds(5));
  ASSERT_EQ(TypesOf("wf").back(), "ActivityTaskStarted");
  CrashAndRecover(options);
  Pass(absl::Seconds(20));
  EXPECT_EQ(Find("wf", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT), nullptr);
  Pass(absl::Seconds(10));
  const auto* timed_out = Find("wf", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  ASSERT_NE(timed_out, nullptr);
  EXPECT_EQ(TimeOf(*timed_out), start + absl::Seconds(30));
  const auto& a = timed_out->activity_task_timed_out_event_attributes();
  EXPECT_EQ(a.scheduled_event_id(), 5);
  EXPECT_EQ(a.started_event_id(), 6);
  EXPECT_EQ(a.retry_state(), enums::RETRY_STATE_RETRY_POLICY_NOT_SET);
  EXPECT_EQ(a.failure().timeout_failure_info().timeout_type(), enums::TIMEOUT_TYPE_START_TO_CLOSE);
  EXPECT_EQ(activities_.tasks().size(), 1u);  // no second attempt without a retry policy
  EXPECT_EQ(TypesOf("wf").back(), "WorkflowExecutionCompleted");
  ExpectStoredPrefix();
}

// The attempts the activity workers were given, from the `from`-th task on.
std::vector<int32_t> AttemptsFrom(const std::vector<ActivityTask>& tasks, size_t from) {
  std::vector<int32_t> attempts;
  for (size_t i = from; i < tasks.size(); ++i) attempts.push_back(tasks[i].attempt);
  return attempts;
}

TEST_F(ServiceRecoveryTest, RetryingActivityResumesAtItsStoredAttemptWithItsFailureAndDetails) {
  // Each attempt runs 2s, heartbeats every second, and fails.
  EnvFunctions timing{.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{.latency = absl::Seconds(2), .heartbeat_interval = absl::Seconds(1)};
  }};
  activities_.Always("Act", [](const ActivityTask& task) {
    ActivityOutcome o;
    o.kind = ActivityOutcome::Kind::kFailed;
    o.failure = ApplicationFailure(absl::StrCat("attempt ", task.attempt, " failed"), "", false);
    o.heartbeated = true;
    o.heartbeat_details = Json(absl::StrCat("\"progress-", task.attempt, "\""));
    return o;
  });
  const absl::Time scheduled = StartRetriedActivity(timing, 4, absl::Seconds(60));
  // Attempt 1 fails at +2s, attempt 2 runs from +3s and fails at +5s, attempt 3 is due at +7s:
  // the crash comes while it waits out its backoff.
  const size_t before = CrashAtAndRecover(scheduled + absl::Seconds(6), timing);
  ASSERT_EQ(before, 2u);
  Pass(absl::Minutes(1));
  // Attempts 3 and 4 run, 3 at its backoff's end, with attempt 2's heartbeat details; the
  // fourth failure closes the activity.
  const std::vector<ActivityTask>& tasks = activities_.tasks();
  ASSERT_THAT(AttemptsFrom(tasks, before), ElementsAre(3, 4));
  EXPECT_EQ(tasks[before].current_attempt_scheduled_time, scheduled + absl::Seconds(7));
  EXPECT_EQ(tasks[before].scheduled_time, scheduled);
  ASSERT_EQ(tasks[before].heartbeat_details.payloads_size(), 1);
  EXPECT_EQ(tasks[before].heartbeat_details.payloads(0).data(), "\"progress-2\"");
  const auto& failed = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_FAILED);
  EXPECT_EQ(failed.activity_task_failed_event_attributes().retry_state(),
            enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  const auto& started = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_STARTED);
  EXPECT_EQ(started.activity_task_started_event_attributes().attempt(), 4);
  EXPECT_EQ(started.activity_task_started_event_attributes().last_failure().message(),
            "attempt 3 failed");
  EXPECT_EQ(TypesOf("wf").back(), "WorkflowExecutionCompleted");
  ExpectStoredPrefix();
}

TEST_F(ServiceRecoveryTest, RunningAttemptIsLostAndCountsSoTheMaximumHolds) {
  // Attempts hang; each times out start-to-close after 30s.
  EnvFunctions slow{.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{.latency = absl::Hours(1), .heartbeat_interval = absl::ZeroDuration()};
  }};
  const absl::Time scheduled = StartRetriedActivity(slow, 2, absl::Seconds(30));
  // Attempt 1 times out at +30s; attempt 2, the last one allowed, runs from +31s when the
  // process dies.
  const size_t before = CrashAtAndRecover(scheduled + absl::Seconds(40), slow);
  ASSERT_EQ(before, 2u);
  Pass(absl::Minutes(5));
  // The lost attempt 2 times out start-to-close from its own start, and, being the last,
  // closes the activity: no attempt runs after the recovery.
  EXPECT_THAT(AttemptsFrom(activities_.tasks(), before), ElementsAre());
  const auto& timed_out = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  EXPECT_EQ(TimeOf(timed_out), scheduled + absl::Seconds(61));
  const auto& a = timed_out.activity_task_timed_out_event_attributes();
  EXPECT_EQ(a.retry_state(), enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  EXPECT_EQ(a.failure().timeout_failure_info().timeout_type(), enums::TIMEOUT_TYPE_START_TO_CLOSE);
  // Its cause is attempt 1's timeout, the last failure the crash did not lose.
  EXPECT_EQ(a.failure().cause().timeout_failure_info().timeout_type(),
            enums::TIMEOUT_TYPE_START_TO_CLOSE);
  const auto& started = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_STARTED);
  EXPECT_EQ(started.activity_task_started_event_attributes().attempt(), 2);
  EXPECT_EQ(TimeOf(started), scheduled + absl::Seconds(31));
  EXPECT_TRUE(started.activity_task_started_event_attributes().has_last_failure());
  EXPECT_EQ(TypesOf("wf").back(), "WorkflowExecutionCompleted");
  ExpectStoredPrefix();
}

TEST_F(ServiceRecoveryTest, RunningAttemptIsLostAndTheNextAttemptRunsAfterItsTimeout) {
  // Attempts 1 and 2 hang (each times out after 30s); later attempts succeed at once.
  EnvFunctions timing{.activity_timing = [](const ActivityTask& task) {
    return ActivityTiming{.latency = task.attempt <= 2 ? absl::Hours(1) : absl::ZeroDuration(),
                          .heartbeat_interval = absl::ZeroDuration()};
  }};
  const absl::Time scheduled = StartRetriedActivity(timing, 5, absl::Seconds(30));
  const size_t before = CrashAtAndRecover(scheduled + absl::Seconds(40), timing);
  ASSERT_EQ(before, 2u);
  Pass(absl::Minutes(5));
  // Attempt 2 was lost at +31s: it times out at +61s, and attempt 3 runs 2s later.
  ASSERT_THAT(AttemptsFrom(activities_.tasks(), before), ElementsAre(3));
  EXPECT_EQ(activities_.tasks()[before].current_attempt_scheduled_time,
            scheduled + absl::Seconds(63));
  const auto& started = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_STARTED);
  EXPECT_EQ(started.activity_task_started_event_attributes().attempt(), 3);
  EXPECT_EQ(started.activity_task_started_event_attributes()
                .last_failure()
                .timeout_failure_info()
                .timeout_type(),
            enums::TIMEOUT_TYPE_START_TO_CLOSE);
  EXPECT_NE(Find("wf", enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED), nullptr);
  ExpectStoredPrefix();
}

TEST_F(ServiceRecoveryTest, AttemptStateOfAnActivityTheHistoryClosedIsIgnored) {
  Start();
  workflows_.Then({ScheduleActivity("a", "Act")});
  workflows_.Then({CompleteWorkflow()});
  Pass(absl::Seconds(5));
  ASSERT_EQ(TypesOf("wf").back(), "WorkflowExecutionCompleted");
  const WorkflowExecution execution = service().ListRuns()[0];
  const History history = HistoryOf("wf");
  service_.reset();
  Configure({});
  ActivityAttemptState stale;
  stale.scheduled_event_id = 5;  // closed in the history
  stale.attempt = 7;
  EXPECT_TRUE(service_->RestoreRun(execution, history, {stale}).ok());
  Pass(absl::Seconds(5));
  EXPECT_EQ(activities_.tasks().size(), 1u);  // only the attempt before the crash
}

// --- Children ------------------------------------------------------------------------------

TEST_F(ServiceRecoveryTest, OpenChildsCloseReachesTheRestoredParent) {
  Start("parent");
  workflows_.ThenFor("parent", {StartChild("child", "Child")});
  workflows_.ThenFor("parent", Respond({}));  // learns of the start
  Pass(absl::Seconds(1));
  ASSERT_NE(Find("parent", enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED), nullptr);
  CrashAndRecover();
  auto described = service().DescribeWorkflow("parent", "");
  ASSERT_TRUE(described.ok());
  ASSERT_EQ(described->pending_children.size(), 1u);
  auto child = service().DescribeWorkflow("child", "");
  ASSERT_TRUE(child.ok());
  ASSERT_TRUE(child->parent_execution.has_value());
  EXPECT_EQ(child->parent_execution->workflow_id(), "parent");

  workflows_.ThenFor("child", {CompleteWorkflow("\"child done\"")});
  Signal("child");
  workflows_.ThenFor("parent", {CompleteWorkflow()});
  Idle();
  const auto* completed = Find("parent", enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED);
  ASSERT_NE(completed, nullptr);
  EXPECT_EQ(
      completed->child_workflow_execution_completed_event_attributes().result().payloads(0).data(),
      "\"child done\"");
  EXPECT_EQ(TypesOf("parent").back(), "WorkflowExecutionCompleted");
  ExpectStoredPrefix();
}

TEST_F(ServiceRecoveryTest, PendingChildStartIsMadeAfterRecovery) {
  // The child start is delayed past the crash.
  Configure({}, DelaySteps({StepKind::kStartChild}, absl::Minutes(1)));
  Start("parent");
  workflows_.ThenFor("parent", {StartChild("child", "Child")});
  Pass(absl::Seconds(10));
  ASSERT_EQ(TypesOf("parent").back(), "StartChildWorkflowExecutionInitiated");
  CrashAndRecover();
  workflows_.ThenFor("child", {CompleteWorkflow()});
  workflows_.ThenFor("parent", Respond({}));
  workflows_.ThenFor("parent", {CompleteWorkflow()});
  Idle();
  EXPECT_NE(Find("parent", enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED), nullptr);
  EXPECT_NE(Find("parent", enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED), nullptr);
  EXPECT_EQ(TypesOf("parent").back(), "WorkflowExecutionCompleted");
  auto child = service().DescribeWorkflow("child", "");
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child->status, enums::WORKFLOW_EXECUTION_STATUS_COMPLETED);
}

TEST_F(ServiceRecoveryTest, ChildStartedWhoseParentRecordWasBufferedIsAdopted) {
  // The child starts while the parent's second task is out; the parent's
  // ChildWorkflowExecutionStarted is buffered behind that task when the process dies, while
  // the child's own events are written. After recovery the same child is the parent's.
  EnvFunctions env = DelaySteps({StepKind::kStartChild}, absl::Seconds(12));
  env.workflow_task_latency = [](const WorkflowTaskRequest& r) {
    return r.workflow_id == "parent" && r.attempt == 1 && r.previous_started_event_id > 0
               ? absl::Seconds(5)
               : absl::ZeroDuration();
  };
  Configure({}, env);
  Start("parent");
  workflows_.ThenFor("parent", {StartChild("child", "Child"), StartTimer("t", absl::Seconds(10))});
  Pass(absl::Seconds(13));  // the timer's task is out from 10s to 15s; the child starts at 12s
  ASSERT_EQ(TypesOf("parent").back(), "WorkflowTaskStarted");
  ASSERT_EQ(Find("parent", enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED), nullptr);
  ASSERT_TRUE(service().DescribeWorkflow("child", "").ok());
  CrashAndRecover();
  workflows_.ThenFor("child", {CompleteWorkflow()});
  // The lost task times out at 20s; the next one sees the child's start and close.
  workflows_.ThenFor("parent", {CompleteWorkflow()});
  Signal("child");
  Pass(absl::Minutes(1));
  const auto* started = Find("parent", enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED);
  ASSERT_NE(started, nullptr);
  EXPECT_EQ(
      started->child_workflow_execution_started_event_attributes().workflow_execution().run_id(),
      stored_[1].execution.run_id());
  EXPECT_NE(Find("parent", enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED), nullptr);
  EXPECT_EQ(Find("parent", enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED), nullptr);
  EXPECT_EQ(TypesOf("parent").back(), "WorkflowExecutionCompleted");
  EXPECT_EQ(service().ListRuns().size(), 2u);  // no second child run
  ExpectStoredPrefix();
}

TEST_F(ServiceRecoveryTest, ParentClosedBeforeItsPolicyRanTerminatesTheChildAfterRecovery) {
  // The close transfer task (the parent close policy) is delayed past the crash.
  Configure({}, DelaySteps({StepKind::kCloseExecution}, absl::Minutes(1)));
  Start("parent");
  workflows_.ThenFor("parent", {StartChild("child", "Child")});
  workflows_.ThenFor("parent", {CompleteWorkflow()});
  Pass(absl::Seconds(10));
  ASSERT_EQ(TypesOf("parent").back(), "WorkflowExecutionCompleted");
  ASSERT_EQ(TypesOf("child").back(), "WorkflowTaskCompleted");
  CrashAndRecover();
  Idle();
  EXPECT_EQ(TypesOf("child").back(), "WorkflowExecutionTerminated");
}

// --- Requests to other workflows -----------------------------------------------------------

TEST_F(ServiceRecoveryTest, PendingExternalSignalAndCancelAreDelivered) {
  Configure({},
            DelaySteps({StepKind::kSignalExternal, StepKind::kCancelExternal}, absl::Minutes(1)));
  Start("target");
  Start("sender");
  workflows_.ThenFor("target", Respond({}));
  workflows_.ThenFor("sender", {SignalExternal("target", "", "hello"), CancelExternal("target")});
  Pass(absl::Seconds(10));
  CrashAndRecover();
  Idle();
  EXPECT_NE(Find("target", enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), nullptr);
  EXPECT_NE(Find("target", enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED), nullptr);
  EXPECT_NE(Find("sender", enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED), nullptr);
  EXPECT_NE(Find("sender", enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED),
            nullptr);
  ExpectStoredPrefix();
}

// A request from "sender" to "target" is delivered at 12s, while one of the two has its second
// workflow task (for a timer at 10s) out until 15s: that run's event of the delivery waits in
// its buffer, and the process dies at 13s with only the other run's event stored.
class ServiceRecoveryDeliveryTest : public ServiceRecoveryTest {
 protected:
  void DeliverWhileBusyAndCrash(const std::string& busy, Command request) {
    EnvFunctions env =
        DelaySteps({StepKind::kSignalExternal, StepKind::kCancelExternal}, absl::Seconds(12));
    env.workflow_task_latency = [busy](const WorkflowTaskRequest& r) {
      return r.workflow_id == busy && r.previous_started_event_id > 0 ? absl::Seconds(5)
                                                                      : absl::ZeroDuration();
    };
    Configure({}, env);
    Start("target");
    Start("sender");
    std::vector<Command> first = {std::move(request)};
    if (busy == "sender") first.push_back(StartTimer("t", absl::Seconds(10)));
    workflows_.ThenFor("sender", first);
    workflows_.ThenFor("target", {StartTimer("t", absl::Seconds(busy == "target" ? 10 : 100))});
    Pass(absl::Seconds(13));
    ASSERT_EQ(TypesOf(busy).back(), "WorkflowTaskStarted");
    CrashAndRecover();
    Pass(absl::Seconds(30));
  }

  int Count(const std::string& id, enums::EventType type) {
    int n = 0;
    for (const auto& e : HistoryOf(id).events()) n += e.event_type() == type ? 1 : 0;
    return n;
  }
};

TEST_F(ServiceRecoveryDeliveryTest, SignalTheTargetLostIsDeliveredAgain) {
  DeliverWhileBusyAndCrash("target", SignalExternal("target", "", "hello"));
  ASSERT_EQ(stored_.size(), 2u);
  EXPECT_EQ(Count("target", enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 1);
  EXPECT_EQ(Count("sender", enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED), 1);
  const auto* signaled = Find("target", enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
  ASSERT_NE(signaled, nullptr);
  EXPECT_EQ(signaled->workflow_execution_signaled_event_attributes()
                .external_workflow_execution()
                .workflow_id(),
            "sender");
  ExpectStoredPrefix();
}

TEST_F(ServiceRecoveryDeliveryTest, SignalWhoseOutcomeTheSenderLostIsNotDeliveredTwice) {
  DeliverWhileBusyAndCrash("sender", SignalExternal("target", "", "hello"));
  EXPECT_EQ(Count("target", enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 1);
  EXPECT_EQ(Count("sender", enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED), 1);
  ExpectStoredPrefix();
}

TEST_F(ServiceRecoveryDeliveryTest, CancelRequestTheTargetLostIsDeliveredAgain) {
  DeliverWhileBusyAndCrash("target", CancelExternal("target"));
  EXPECT_EQ(Count("target", enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED), 1);
  EXPECT_EQ(Count("sender", enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED), 1);
  ExpectStoredPrefix();
}

// --- Run state -----------------------------------------------------------------------------

TEST_F(ServiceRecoveryTest, RunTimeoutIsArmedAgain) {
  const absl::Time start = clock_.Now();
  StartWorkflowRequest r = StartRequest();
  r.run_timeout = absl::Hours(1);
  ASSERT_TRUE(service().StartWorkflow(r).ok());
  Pass(absl::Minutes(10));
  CrashAndRecover();
  Pass(absl::Hours(2));
  const auto* timed_out = Find("wf", enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT);
  ASSERT_NE(timed_out, nullptr);
  EXPECT_EQ(TimeOf(*timed_out), start + absl::Hours(1));
}

TEST_F(ServiceRecoveryTest, SignalRequestIdsInTheHistoryStillDeduplicate) {
  Start();
  Pass(absl::Seconds(1));
  SignalWorkflowRequest signal{.workflow_id = "wf",
                               .run_id = "",
                               .signal_name = "s",
                               .input = {},
                               .request_id = "req-1",
                               .identity = "client",
                               .header = {}};
  ASSERT_TRUE(service().SignalWorkflow(signal).ok());
  Pass(absl::Seconds(1));
  CrashAndRecover();
  const int before = HistoryOf("wf").events_size();
  ASSERT_TRUE(service().SignalWorkflow(signal).ok());  // a retry of the same request
  Idle();
  EXPECT_EQ(HistoryOf("wf").events_size(), before);
  signal.request_id = "req-2";
  ASSERT_TRUE(service().SignalWorkflow(signal).ok());
  Idle();
  EXPECT_GT(HistoryOf("wf").events_size(), before);
}

TEST_F(ServiceRecoveryTest, CancelRequestedStateIsRestored) {
  const CancelWorkflowRequest cancel{
      .workflow_id = "wf", .run_id = "", .reason = "r", .request_id = "", .identity = "client"};
  Start();
  Pass(absl::Seconds(1));
  ASSERT_TRUE(service().RequestCancelWorkflow(cancel).ok());
  Pass(absl::Seconds(1));
  CrashAndRecover();
  auto described = service().DescribeWorkflow("wf", "");
  ASSERT_TRUE(described.ok());
  EXPECT_TRUE(described->cancel_requested);
  const int before = HistoryOf("wf").events_size();
  ASSERT_TRUE(service().RequestCancelWorkflow(cancel).ok());
  EXPECT_EQ(HistoryOf("wf").events_size(), before);  // asked once already
}

TEST_F(ServiceRecoveryTest, ClosedRunsAnswerDescribeAndIdReuse) {
  Start();
  workflows_.Then({CompleteWorkflow("42")});
  Idle();
  CrashAndRecover();
  auto described = service().DescribeWorkflow("wf", "");
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->status, enums::WORKFLOW_EXECUTION_STATUS_COMPLETED);
  ASSERT_TRUE(described->result.has_value());
  EXPECT_EQ(described->result->payloads(0).data(), "42");
  // The worker answers queries from the restored history (the scripted one with its length).
  auto answer = service().QueryWorkflow("wf", "", "length", {});
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->payloads(0).data(), absl::StrCat(stored_[0].history.events_size()));
  StartWorkflowRequest again = StartRequest();
  again.id_reuse_policy = enums::WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE;
  EXPECT_EQ(service().StartWorkflow(again).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(service().ListRuns().size(), 1u);
}

TEST_F(ServiceRecoveryTest, IdsMadeAfterRecoveryDoNotRepeatTheStoredOnes) {
  // The same seed, so without moving the id sequence the next run id would be the first
  // service's next one, and its request ids the ones in the stored history.
  Start("a");
  Idle();
  const std::vector<Stored> before = Snapshot();
  Start("b");  // what the first service makes next
  Idle();
  const std::string first_service_b = HistoryOf("b")
                                          .events(0)
                                          .workflow_execution_started_event_attributes()
                                          .original_execution_run_id();
  const std::string first_service_request =
      HistoryOf("b").events(2).workflow_task_started_event_attributes().request_id();
  service_.reset();
  Configure({});
  for (const Stored& s : before) ASSERT_TRUE(service_->RestoreRun(s.execution, s.history).ok());
  const WorkflowExecution b = Start("b");
  Idle();
  EXPECT_NE(b.run_id(), first_service_b);
  EXPECT_NE(b.run_id(), before[0].execution.run_id());
  EXPECT_NE(HistoryOf("b").events(2).workflow_task_started_event_attributes().request_id(),
            first_service_request);
  // Task ids go on after the restored ones.
  EXPECT_GT(HistoryOf("b").events(0).task_id(),
            before[0].history.events(before[0].history.events_size() - 1).task_id());
}

TEST_F(ServiceRecoveryTest, ContinuedAsNewChainResumesOnItsLastRun) {
  Start();
  workflows_.Then({ContinueAsNew(Json("1"))});
  workflows_.Then({StartTimer("t", absl::Minutes(1))});
  Idle();
  ASSERT_EQ(service().ListRuns().size(), 2u);
  CrashAndRecover();
  workflows_.Then({CompleteWorkflow()});
  Pass(absl::Minutes(2));
  auto current = service().DescribeWorkflow("wf", "");
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->execution.run_id(), stored_[1].execution.run_id());
  EXPECT_EQ(current->status, enums::WORKFLOW_EXECUTION_STATUS_COMPLETED);
}

TEST_F(ServiceRecoveryTest, AcceptedUpdateIsRestoredAndCompletedAfterRecovery) {
  Start();
  Idle();
  int task = 0;
  workflows_.AnswerWith([&](const WorkflowTaskRequest& r) {
    WorkflowTaskResponse response;
    if (++task == 1) {  // accept, and wait for a timer
      response.messages = {AcceptUpdate(r.messages.at(0), "acc")};
      response.commands = {ProtocolMessage("acc"), StartTimer("t", absl::Seconds(10))};
    } else {  // after the recovery: complete it
      response.messages = {CompleteUpdate("u1", "done", "\"after\"")};
      response.commands = {ProtocolMessage("done")};
    }
    return response;
  });
  UpdateWorkflowRequest update;
  update.workflow_id = "wf";
  update.update_id = "u1";
  update.name = "set";
  update.identity = "client";
  ASSERT_TRUE(service().UpdateWorkflow(update).ok());
  Idle();
  CrashAndRecover();
  auto accepted = service().GetUpdateStatus("wf", "u1");
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->stage, UpdateStatus::Stage::kAccepted);
  Pass(absl::Seconds(20));
  auto completed = service().GetUpdateStatus("wf", "u1");
  ASSERT_TRUE(completed.ok());
  ASSERT_EQ(completed->stage, UpdateStatus::Stage::kCompleted);
  ASSERT_TRUE(completed->outcome.has_value());
  EXPECT_EQ(completed->outcome->success().payloads(0).data(), "\"after\"");
  EXPECT_EQ(TypesOf("wf").back(), "WorkflowExecutionUpdateCompleted");
}

// --- Bad input -----------------------------------------------------------------------------

class ServiceRecoveryErrorsTest : public ServiceRecoveryTest {
 protected:
  void SetUp() override {
    Start();
    workflows_.Then({StartTimer("t", absl::Hours(1))});
    Idle();
    stored_ = Snapshot();
    service_.reset();
    Configure({});
  }
};

TEST_F(ServiceRecoveryErrorsTest, InvalidHistoryNamesTheRunAndTheEvent) {
  History broken = stored_[0].history;
  broken.mutable_events(3)->set_event_id(9);  // ids must go 1, 2, 3, ...
  absl::Status s = service().RestoreRun(stored_[0].execution, broken);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("\"wf\""));
  EXPECT_THAT(s.message(), HasSubstr(stored_[0].execution.run_id()));
  EXPECT_THAT(s.message(), HasSubstr("event 9"));
  EXPECT_TRUE(service().ListRuns().empty());
}

TEST_F(ServiceRecoveryErrorsTest, EmptyHistoryIsRefused) {
  absl::Status s = service().RestoreRun(stored_[0].execution, History());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr(stored_[0].execution.run_id()));
  EXPECT_TRUE(service().ListRuns().empty());
}

TEST_F(ServiceRecoveryErrorsTest, MissingIdsAreRefused) {
  WorkflowExecution no_run = stored_[0].execution;
  no_run.clear_run_id();
  EXPECT_EQ(service().RestoreRun(no_run, stored_[0].history).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(service().ListRuns().empty());
}

TEST_F(ServiceRecoveryErrorsTest, AnotherExecutionsHistoryIsRefused) {
  WorkflowExecution other = stored_[0].execution;
  other.set_workflow_id("other");
  absl::Status s = service().RestoreRun(other, stored_[0].history);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("event 1"));
  other = stored_[0].execution;
  other.set_run_id("another-run");
  s = service().RestoreRun(other, stored_[0].history);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("another-run"));
  EXPECT_TRUE(service().ListRuns().empty());
}

TEST_F(ServiceRecoveryErrorsTest, BadAttemptStatesAreRefusedNamingTheActivity) {
  ActivityAttemptState zero;
  zero.scheduled_event_id = 5;
  zero.attempt = 0;
  ActivityAttemptState one;
  one.scheduled_event_id = 5;
  for (const std::vector<ActivityAttemptState>& states :
       {std::vector<ActivityAttemptState>{zero}, std::vector<ActivityAttemptState>{one, one}}) {
    absl::Status s = service().RestoreRun(stored_[0].execution, stored_[0].history, states);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("scheduled at event 5"));
    EXPECT_THAT(s.message(), HasSubstr("workflow \"wf\""));
  }
  EXPECT_TRUE(service().ListRuns().empty());  // unchanged
}

TEST_F(ServiceRecoveryErrorsTest, RunRestoredTwiceIsAlreadyExists) {
  ASSERT_TRUE(service().RestoreRun(stored_[0].execution, stored_[0].history).ok());
  absl::Status s = service().RestoreRun(stored_[0].execution, stored_[0].history);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(s.message(), HasSubstr(stored_[0].execution.run_id()));
  EXPECT_EQ(service().ListRuns().size(), 1u);
}

TEST_F(ServiceRecoveryErrorsTest, SecondOpenRunOfAnIdIsRefused) {
  ASSERT_TRUE(service().RestoreRun(stored_[0].execution, stored_[0].history).ok());
  History copy = stored_[0].history;
  copy.mutable_events(0)
      ->mutable_workflow_execution_started_event_attributes()
      ->set_original_execution_run_id("second");
  WorkflowExecution second = stored_[0].execution;
  second.set_run_id("second");
  absl::Status s = service().RestoreRun(second, copy);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("\"second\""));
  EXPECT_THAT(s.message(), HasSubstr(stored_[0].execution.run_id()));
  EXPECT_EQ(service().ListRuns().size(), 1u);
}

}  // namespace
}  // namespace lockstep::testing
