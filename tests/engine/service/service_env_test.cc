// The service environment (service_env.h) and step observers (step_observer.h) against the
// service with scripted workers: every decision the environment makes shows in the history,
// and the default decides as the service always did.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/service/service_env.h"
#include "engine/service/step_observer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/service/service_fixture.h"

namespace lockstep::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ServiceEnvTest : public ServiceTest {
 public:
  using ServiceTest::Configure;
  using ServiceTest::Last;
  using ServiceTest::RunFor;
  using ServiceTest::Start;
  using ServiceTest::TypesOf;
  absl::Time Now() const { return clock_.Now(); }
  ScriptedWorkflows& workflows() { return workflows_; }
};

// Records every step with the events it appended, as "Kind wf:type,type".
class Recorder : public StepObserver {
 public:
  void OnStep(const StepRecord& step) override {
    std::string line(StepKindName(step.kind));
    for (const AppendedEvents& a : step.appended) {
      absl::StrAppend(&line, " ", a.workflow_id, ":");
      for (int i = a.first; i < a.end; ++i) {
        absl::StrAppend(&line, i > a.first ? "," : "",
                        history::EventTypeShortName(a.history->events(i).event_type()));
        seen_[std::string(a.workflow_id)].push_back(a.history->events(i).event_id());
      }
    }
    lines_.push_back(std::move(line));
    kinds_.push_back(step.kind);
  }
  const std::vector<std::string>& lines() const { return lines_; }
  const std::vector<StepKind>& kinds() const { return kinds_; }
  // Event ids reported per workflow id, in the order reported.
  const std::map<std::string, std::vector<int64_t>>& seen() const { return seen_; }

 private:
  std::vector<std::string> lines_;
  std::vector<StepKind> kinds_;
  std::map<std::string, std::vector<int64_t>> seen_;
};

// The parent starts a child and signals it in one task. The start runs first by default, so
// the signal reaches the child; delayed by the environment, the start comes after the
// signal's delivery, which finds no such workflow (Temporal's
// EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND), and the child starts 10s later.
void StartChildAndSignalIt(ServiceEnvTest* t, bool delayed) {
  const absl::Time start = t->Now();
  t->Configure({}, {.step_delay = [delayed](const Step& step) {
                      return delayed && step.kind == StepKind::kStartChild ? absl::Seconds(10)
                                                                           : absl::ZeroDuration();
                    }});
  t->Start("wf");
  t->workflows().ThenFor("wf",
                         {StartChild("child", "Child"), SignalExternal("child", "", "go")});
  t->RunFor(absl::Minutes(1));
  const auto& outcome =
      t->Last("wf", delayed ? enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED
                            : enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED);
  EXPECT_EQ(outcome.event_time().seconds(), absl::ToUnixSeconds(start));
  const auto& started = t->Last("wf", enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED);
  EXPECT_EQ(started.event_time().seconds(),
            absl::ToUnixSeconds(start + (delayed ? absl::Seconds(10) : absl::ZeroDuration())));
  const std::vector<std::string> child = t->TypesOf("child");
  EXPECT_EQ(std::count(child.begin(), child.end(), "WorkflowExecutionSignaled"), delayed ? 0 : 1);
  if (delayed) {
    EXPECT_EQ(
        outcome.signal_external_workflow_execution_failed_event_attributes().cause(),
        enums::
            SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND);
  }
}

TEST_F(ServiceEnvTest, ByDefaultAChildStartsBeforeASignalSentToItInTheSameTask) {
  StartChildAndSignalIt(this, false);
}

TEST_F(ServiceEnvTest, ADelayedChildStartComesAfterASignalSentToIt) {
  StartChildAndSignalIt(this, true);
}

TEST_F(ServiceEnvTest, AChildStartFailedByTheEnvironmentWritesStartChildFailed) {
  std::vector<std::string> asked;
  Configure({}, {.fail_child_start = [&asked](const ChildStartInfo& child)
                     -> std::optional<enums::StartChildWorkflowExecutionFailedCause> {
                   asked.push_back(absl::StrCat(child.parent_workflow_id, "->", child.workflow_id,
                                                " ", child.workflow_type, " @",
                                                child.initiated_event_id));
                   if (child.workflow_id != "bad") return std::nullopt;
                   return enums::START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_NAMESPACE_NOT_FOUND;
                 }});
  Start("wf");
  workflows_.ThenFor("wf", {StartChild("bad", "Child"), StartChild("good", "Child")});
  RunFor(absl::Minutes(1));
  EXPECT_THAT(asked, ElementsAre("wf->bad Child @5", "wf->good Child @6"));
  const auto& failed = Last("wf", enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED);
  const auto& f = failed.start_child_workflow_execution_failed_event_attributes();
  EXPECT_EQ(f.cause(), enums::START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_NAMESPACE_NOT_FOUND);
  EXPECT_EQ(f.workflow_id(), "bad");
  EXPECT_EQ(f.initiated_event_id(), 5);
  EXPECT_FALSE(service().DescribeWorkflow("bad", "").ok()) << "no run may exist";
  EXPECT_TRUE(service().DescribeWorkflow("good", "").ok());
}

TEST_F(ServiceEnvTest, TheEnvironmentChoosesAmongStepsDueAtOneInstant) {
  // Two timers fire at the same instant; the parent's close of the first task also made a
  // child start due then. Asked every time, the environment sees all of them in creation
  // order and picks the last; the history shows the order it chose.
  std::vector<std::vector<StepKind>> offered;
  Configure({}, {.pick_next = [&offered](absl::Span<const Step> ready) -> size_t {
                   std::vector<StepKind> kinds;
                   for (size_t i = 0; i < ready.size(); ++i) {
                     kinds.push_back(ready[i].kind);
                     if (i > 0) {
                       EXPECT_LT(ready[i - 1].seq, ready[i].seq);
                     }
                     EXPECT_EQ(ready[i].due, ready[0].due);
                   }
                   offered.push_back(std::move(kinds));
                   return ready.size() - 1;
                 }});
  Start("wf");
  workflows_.ThenFor("wf", {StartTimer("a", absl::Seconds(5)), StartTimer("b", absl::Seconds(5))});
  Idle();
  offered.clear();
  RunFor(absl::Seconds(5));
  ASSERT_FALSE(offered.empty());
  EXPECT_THAT(offered[0], ElementsAre(StepKind::kUserTimer, StepKind::kUserTimer));
  const History& h = HistoryOf("wf");
  std::vector<std::string> fired;
  for (const auto& e : h.events()) {
    if (e.event_type() == enums::EVENT_TYPE_TIMER_FIRED) {
      fired.push_back(e.timer_fired_event_attributes().timer_id());
    }
  }
  EXPECT_THAT(fired, ElementsAre("b", "a"));
}

TEST_F(ServiceEnvTest, TheDefaultEnvironmentKeepsCreationOrder) {
  Start("wf");
  workflows_.ThenFor("wf", {StartTimer("a", absl::Seconds(5)), StartTimer("b", absl::Seconds(5))});
  RunFor(absl::Seconds(5));
  std::vector<std::string> fired;
  for (const auto& e : HistoryOf("wf").events()) {
    if (e.event_type() == enums::EVENT_TYPE_TIMER_FIRED) {
      fired.push_back(e.timer_fired_event_attributes().timer_id());
    }
  }
  EXPECT_THAT(fired, ElementsAre("a", "b"));
}

TEST_F(ServiceEnvTest, AQueueNobodyPollsHoldsItsActivitiesUntilTheirScheduleToStartTimeout) {
  Configure({}, {.activity_worker_polls = [](absl::string_view queue) { return queue != "slow"; }});
  Start("wf");
  ActivityCommandOptions slow;
  slow.task_queue = "slow";
  slow.schedule_to_start = absl::Seconds(3);
  workflows_.ThenFor("wf", {ScheduleActivity("1", "Act", slow), ScheduleActivity("2", "Act")});
  RunFor(absl::Minutes(1));
  ASSERT_EQ(activities_.tasks().size(), 1u);
  EXPECT_EQ(activities_.tasks()[0].activity_id, "2");
  const auto& timed_out = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  EXPECT_EQ(timed_out.activity_task_timed_out_event_attributes().failure().timeout_failure_info()
                .timeout_type(),
            enums::TIMEOUT_TYPE_SCHEDULE_TO_START);
}

TEST_F(ServiceEnvTest, AWrapperOverridesOneDecisionAndForwardsTheRest) {
  // The base loses the first workflow task; the wrapper delays timers. Both show.
  FunctionEnv base({.drop_workflow_task = [n = 0](const WorkflowTaskRequest&) mutable {
    return n++ == 0;
  }});
  class DelayTimers : public ServiceEnvWrapper {
   public:
    using ServiceEnvWrapper::ServiceEnvWrapper;
    absl::Duration StepDelay(const Step& step) override {
      return step.kind == StepKind::kUserTimer ? absl::Seconds(7) : base()->StepDelay(step);
    }
  } wrapper(&base);
  Configure({.env = &wrapper});
  const absl::Time start = clock_.Now();
  Start("wf");
  workflows_.ThenFor("wf", {StartTimer("t", absl::Seconds(1))});
  RunFor(absl::Minutes(1));
  EXPECT_EQ(TypesOf("wf")[3], "WorkflowTaskTimedOut");
  const auto& fired = Last("wf", enums::EVENT_TYPE_TIMER_FIRED);
  // The lost task times out after 10s; the retry starts the 1s timer, which fires 7s late.
  EXPECT_EQ(fired.event_time().seconds(), absl::ToUnixSeconds(start + absl::Seconds(18)));
}

TEST_F(ServiceEnvTest, ObserversSeeEveryEventOnceInOrderWithTheStepThatWroteIt) {
  Configure({}, {.workflow_task_latency = [](const WorkflowTaskRequest&) {
                   return absl::Seconds(1);
                 }});
  Recorder recorder;
  service().AddStepObserver(&recorder);
  Start("wf");
  workflows_.ThenFor("wf", {ScheduleActivity("1", "Act"), StartChild("child", "Child")});
  workflows_.ThenFor("child", {CompleteWorkflow("1")});
  SignalWorkflowRequest signal;
  signal.workflow_id = "wf";
  signal.signal_name = "s";
  ASSERT_TRUE(service().SignalWorkflow(signal).ok());
  RunFor(absl::Minutes(1));
  EXPECT_EQ(recorder.lines()[0], "ClientStartWorkflow wf:WorkflowExecutionStarted,WorkflowTaskScheduled");
  // The signal came while nothing was out: written at once by its own step.
  EXPECT_EQ(recorder.lines()[1], "ClientSignalWorkflow wf:WorkflowExecutionSignaled");
  for (const std::string& id : {std::string("wf"), std::string("child")}) {
    const History& h = HistoryOf(id);
    std::vector<int64_t> all;
    for (int i = 1; i <= h.events_size(); ++i) all.push_back(i);
    EXPECT_EQ(recorder.seen().at(id), all) << id;
  }
  EXPECT_NE(std::find(recorder.kinds().begin(), recorder.kinds().end(), StepKind::kStartChild),
            recorder.kinds().end());
  EXPECT_NE(std::find(recorder.kinds().begin(), recorder.kinds().end(),
                      StepKind::kCloseExecution),
            recorder.kinds().end());
}

TEST_F(ServiceEnvTest, ACrashLosesTheTaskInFlightWhichTimesOutAndRunsOnTheNewWorker) {
  Configure({.default_workflow_task_timeout = absl::Seconds(10)},
            {.workflow_task_latency = [](const WorkflowTaskRequest& r) {
              return r.attempt == 1 ? absl::Seconds(5) : absl::ZeroDuration();
            }});
  Recorder recorder;
  service().AddStepObserver(&recorder);
  const absl::Time start = clock_.Now();
  Start("wf");
  workflows_.ThenFor("wf", {CompleteWorkflow("1")});
  RunFor(absl::Seconds(2));  // the task is out; its answer is due at +5s
  clock_.AdvanceTo(start + absl::Seconds(2));
  service().CrashWorkers();
  EXPECT_EQ(recorder.lines().back(), "WorkersCrashed");
  RunFor(absl::Seconds(30));  // no worker: the task times out, its retry waits
  EXPECT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskTimedOut"));
  ScriptedWorkflows fresh;
  fresh.ThenFor("wf", {CompleteWorkflow("2")});
  service().AttachWorkers(&fresh, &activities_);
  Idle();
  EXPECT_EQ(TypesOf("wf").back(), "WorkflowExecutionCompleted");
  EXPECT_EQ(Last("wf", enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT).event_time().seconds(),
            absl::ToUnixSeconds(start + absl::Seconds(10)));
  ASSERT_EQ(fresh.seen().size(), 1u);
  EXPECT_EQ(fresh.seen()[0].attempt, 2);
  EXPECT_TRUE(workflows_.evicted().empty()) << "a crashed worker is never called again";
}

TEST_F(ServiceEnvTest, ACrashLosesTheRunningActivityAttemptWhichIsRetried) {
  // Attempts take 5s and heartbeat every second; the heartbeat timeout is 3s. A crash at 2.5s
  // loses attempt 1: its last heartbeat was at 2s, so it times out (HEARTBEAT) at 5s and
  // attempt 2 runs on the new worker after the 1s backoff.
  Configure({}, {.activity_timing = [](const ActivityTask&) {
                   return ActivityTiming{absl::Seconds(5), absl::Seconds(1)};
                 }});
  const absl::Time start = clock_.Now();
  Start("wf");
  ActivityCommandOptions o;
  o.start_to_close = absl::Seconds(30);
  o.heartbeat = absl::Seconds(3);
  workflows_.ThenFor("wf", {ScheduleActivity("1", "Act", o)});
  workflows_.ThenFor("wf", {CompleteWorkflow("1")});
  RunFor(absl::Milliseconds(2500));
  clock_.AdvanceTo(start + absl::Milliseconds(2500));
  ASSERT_EQ(activities_.tasks().size(), 1u);
  service().CrashWorkers();
  ScriptedActivities fresh_activities;
  service().AttachWorkers(&workflows_, &fresh_activities);
  RunFor(absl::Minutes(1));
  ASSERT_EQ(fresh_activities.tasks().size(), 1u);
  EXPECT_EQ(fresh_activities.tasks()[0].attempt, 2);
  EXPECT_EQ(absl::ToUnixSeconds(fresh_activities.tasks()[0].current_attempt_scheduled_time),
            absl::ToUnixSeconds(start + absl::Seconds(6)));
  const auto& started = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_STARTED);
  EXPECT_EQ(started.activity_task_started_event_attributes().attempt(), 2);
  EXPECT_THAT(started.activity_task_started_event_attributes().last_failure().message(),
              HasSubstr("eartbeat"));
  EXPECT_EQ(TypesOf("wf").back(), "WorkflowExecutionCompleted");
}

TEST_F(ServiceEnvTest, AWorkflowTaskFailedByTheEnvironmentIsRecordedAndRetried) {
  Configure({}, {.fail_workflow_task = [](const WorkflowTaskRequest& r) {
                   return r.attempt == 1;
                 }});
  Start("wf");
  workflows_.ThenFor("wf", {CompleteWorkflow("1")});
  RunFor(absl::Minutes(1));
  EXPECT_THAT(TypesOf("wf"),
              ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                          "WorkflowTaskStarted", "WorkflowTaskFailed", "WorkflowTaskScheduled",
                          "WorkflowTaskStarted", "WorkflowTaskCompleted",
                          "WorkflowExecutionCompleted"));
  const auto& failed = Last("wf", enums::EVENT_TYPE_WORKFLOW_TASK_FAILED);
  EXPECT_EQ(failed.workflow_task_failed_event_attributes().cause(),
            enums::WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE);
  ASSERT_EQ(workflows_.seen().size(), 1u) << "the failed attempt never reached the worker";
  EXPECT_EQ(workflows_.seen()[0].attempt, 2);
  EXPECT_EQ(workflows_.evicted().size(), 1u);
}

TEST_F(ServiceEnvTest, DeadlinesAreNeverDelayed) {
  // Every step the environment is asked about is delayed by an hour. Timeouts, and the
  // arrival of answers whose latency was already chosen, are never asked about: the activity
  // still times out 2s after it started, though everything else happens an hour late.
  std::set<StepKind> asked;
  Configure({}, {.activity_timing = [](const ActivityTask&) {
                   return ActivityTiming{absl::Seconds(10), absl::ZeroDuration()};
                 },
                 .step_delay = [&asked](const Step& step) {
                   asked.insert(step.kind);
                   return absl::Hours(1);
                 }});
  Start("wf");
  ActivityCommandOptions o;
  o.start_to_close = absl::Seconds(2);
  o.retry_policy = Policy(absl::Seconds(1), 2, absl::Seconds(10), 1);
  workflows_.ThenFor("wf", {ScheduleActivity("1", "Act", o), StartTimer("t", absl::Seconds(1))});
  RunFor(absl::Hours(5));
  EXPECT_THAT(asked, ::testing::UnorderedElementsAre(StepKind::kWorkflowTaskDispatch,
                                                     StepKind::kActivityDispatch,
                                                     StepKind::kUserTimer));
  const auto& started = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_STARTED);
  const auto& timed_out = Last("wf", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  EXPECT_EQ(timed_out.event_time().seconds() - started.event_time().seconds(), 2);
}

TEST_F(ServiceEnvTest, QueriesWithoutAWorkerAreUnavailable) {
  Start("wf");
  Idle();
  service().CrashWorkers();
  auto answer = service().QueryWorkflow("wf", "", "q", {});
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kUnavailable) << answer.status();
}

}  // namespace
}  // namespace lockstep::testing
