// Child workflows: initiated -> started -> closed reaching the parent, start failures, chains
// of child runs, parent close policies, and a parent's pending children in DescribeWorkflow.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "tests/engine/service/service_fixture.h"
#include "tests/testing/function_env.h"

namespace lockstep::testing {
namespace {

using ::lockstep::testing::FunctionEnv;

using ::testing::ElementsAre;

class ServiceChildrenTest : public ServiceTest {
 protected:
  // The child's only run (or the latest of its chain).
  temporal::api::common::v1::WorkflowExecution ChildRun(const std::string& id = "child") {
    auto d = service().DescribeWorkflow(id, "");
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? d->execution : temporal::api::common::v1::WorkflowExecution();
  }

  // The parent starts a child that never finishes, then completes; returns the child's
  // history.
  const History& CloseParentWith(enums::ParentClosePolicy policy) {
    ChildOptions o;
    o.parent_close_policy = policy;
    workflows_.ThenFor("wf", {StartChild("child", "Child", o)});
    workflows_.ThenFor("wf", {CompleteWorkflow()});
    Start("wf");
    Idle();
    return HistoryOf("child");
  }
};

// Parent events up to the child's start, for a parent whose first task starts one child.
const std::vector<std::string> kParentStart = {
    "WorkflowExecutionStarted",              // 1
    "WorkflowTaskScheduled",                 // 2
    "WorkflowTaskStarted",                   // 3
    "WorkflowTaskCompleted",                 // 4
    "StartChildWorkflowExecutionInitiated",  // 5
    "ChildWorkflowExecutionStarted",         // 6
    "WorkflowTaskScheduled",                 // 7
    "WorkflowTaskStarted",                   // 8
    "WorkflowTaskCompleted",                 // 9 (the parent's task for event 6)
};

std::vector<std::string> ParentThen(std::vector<std::string> more) {
  std::vector<std::string> all = kParentStart;
  all.insert(all.end(), more.begin(), more.end());
  return all;
}

TEST_F(ServiceChildrenTest, ChildStartsAndItsCompletionReachesTheParent) {
  auto parent = Start("wf");
  workflows_.ThenFor("wf", {StartChild("child", "Child", {}, Json("7"))});
  workflows_.ThenFor("wf", std::vector<Command>{});
  workflows_.ThenFor("wf", {CompleteWorkflow()});
  workflows_.ThenFor("child", {CompleteWorkflow("\"done\"")});
  Idle();

  ASSERT_EQ(TypesOf("wf"),
            ParentThen({"ChildWorkflowExecutionCompleted",  // 10
                        "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted",
                        "WorkflowExecutionCompleted"}));
  const History& p = HistoryOf("wf");
  const auto& initiated = p.events(4).start_child_workflow_execution_initiated_event_attributes();
  EXPECT_EQ(initiated.namespace_(), "default");
  EXPECT_EQ(initiated.workflow_id(), "child");
  EXPECT_EQ(initiated.workflow_type().name(), "Child");
  EXPECT_EQ(initiated.task_queue().name(), "queue");  // the parent's
  EXPECT_EQ(initiated.input().payloads(0).data(), "7");
  EXPECT_EQ(initiated.parent_close_policy(), enums::PARENT_CLOSE_POLICY_TERMINATE);
  EXPECT_EQ(initiated.workflow_id_reuse_policy(), enums::WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE);
  EXPECT_EQ(initiated.workflow_task_completed_event_id(), 4);
  EXPECT_EQ(FromProtoDuration(initiated.workflow_task_timeout()), absl::Seconds(10));

  const auto child = ChildRun();
  const auto& started = p.events(5).child_workflow_execution_started_event_attributes();
  EXPECT_EQ(started.initiated_event_id(), 5);
  EXPECT_EQ(started.namespace_(), "default");
  EXPECT_EQ(started.workflow_execution().workflow_id(), "child");
  EXPECT_EQ(started.workflow_execution().run_id(), child.run_id());
  EXPECT_EQ(started.workflow_type().name(), "Child");

  const auto& completed = p.events(9).child_workflow_execution_completed_event_attributes();
  EXPECT_EQ(completed.initiated_event_id(), 5);
  EXPECT_EQ(completed.started_event_id(), 6);
  EXPECT_EQ(completed.workflow_execution().run_id(), child.run_id());
  EXPECT_EQ(completed.workflow_type().name(), "Child");
  EXPECT_EQ(completed.result().payloads(0).data(), "\"done\"");

  ASSERT_THAT(TypesOf("child"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                            "WorkflowTaskStarted", "WorkflowTaskCompleted",
                                            "WorkflowExecutionCompleted"));
  const auto& s = HistoryOf("child").events(0).workflow_execution_started_event_attributes();
  EXPECT_EQ(s.parent_workflow_namespace(), "default");
  EXPECT_EQ(s.parent_workflow_execution().workflow_id(), "wf");
  EXPECT_EQ(s.parent_workflow_execution().run_id(), parent.run_id());
  EXPECT_EQ(s.parent_initiated_event_id(), 5);
  EXPECT_EQ(s.root_workflow_execution().workflow_id(), "wf");
  EXPECT_EQ(s.root_workflow_execution().run_id(), parent.run_id());
  EXPECT_EQ(s.input().payloads(0).data(), "7");
  EXPECT_EQ(s.task_queue().name(), "queue");
  // The top-level workflow names no parent and no root.
  EXPECT_FALSE(
      p.events(0).workflow_execution_started_event_attributes().has_parent_workflow_execution());
}

TEST_F(ServiceChildrenTest, TheCommandsOptionsReachTheChildRun) {
  Start("wf");
  ChildOptions o;
  o.task_queue = "child-queue";
  o.execution_timeout = absl::Minutes(10);
  o.run_timeout = absl::Minutes(20);  // capped by the execution timeout
  o.task_timeout = absl::Seconds(5);
  o.retry_policy = Policy(absl::Seconds(2), 3, absl::Seconds(30), 4);
  Command start = StartChild("child", "Child", o);
  auto* a = start.mutable_start_child_workflow_execution_command_attributes();
  (*a->mutable_memo()->mutable_fields())["m"] = history::JsonPayload("1");
  (*a->mutable_search_attributes()->mutable_indexed_fields())["s"] = history::JsonPayload("2");
  (*a->mutable_header()->mutable_fields())["h"] = history::JsonPayload("3");
  workflows_.ThenFor("wf", {start});
  Idle();
  const auto& i =
      HistoryOf("wf").events(4).start_child_workflow_execution_initiated_event_attributes();
  EXPECT_EQ(FromProtoDuration(i.workflow_run_timeout()), absl::Minutes(10));
  const auto& s = HistoryOf("child").events(0).workflow_execution_started_event_attributes();
  EXPECT_EQ(s.task_queue().name(), "child-queue");
  EXPECT_EQ(FromProtoDuration(s.workflow_execution_timeout()), absl::Minutes(10));
  EXPECT_EQ(FromProtoDuration(s.workflow_run_timeout()), absl::Minutes(10));
  EXPECT_EQ(FromProtoDuration(s.workflow_task_timeout()), absl::Seconds(5));
  EXPECT_EQ(s.retry_policy().maximum_attempts(), 4);
  EXPECT_EQ(s.retry_policy().backoff_coefficient(), 3);
  EXPECT_EQ(s.memo().fields().at("m").data(), "1");
  EXPECT_EQ(s.search_attributes().indexed_fields().at("s").data(), "2");
  EXPECT_EQ(s.header().fields().at("h").data(), "3");
  EXPECT_TRUE(s.has_workflow_execution_expiration_time());
  EXPECT_EQ(
      HistoryOf("child").events(1).workflow_task_scheduled_event_attributes().task_queue().name(),
      "child-queue");
  EXPECT_EQ(HistoryOf("wf")
                .events(5)
                .child_workflow_execution_started_event_attributes()
                .header()
                .fields()
                .at("h")
                .data(),
            "3");
}

TEST_F(ServiceChildrenTest, GrandchildrenShareTheRoot) {
  auto root = Start("wf");
  workflows_.ThenFor("wf", {StartChild("child", "Child")});
  workflows_.ThenFor("child", {StartChild("grandchild", "Grandchild")});
  Idle();
  const auto& s = HistoryOf("grandchild").events(0).workflow_execution_started_event_attributes();
  EXPECT_EQ(s.parent_workflow_execution().workflow_id(), "child");
  EXPECT_EQ(s.root_workflow_execution().workflow_id(), "wf");
  EXPECT_EQ(s.root_workflow_execution().run_id(), root.run_id());
}

TEST_F(ServiceChildrenTest, ChildFailureReachesTheParent) {
  Start("wf");
  workflows_.ThenFor("wf", {StartChild("child", "Child")});
  workflows_.ThenFor("child", {FailWorkflow(ApplicationFailure("child broke", "Broken"))});
  Idle();
  ASSERT_EQ(TypesOf("wf"), ParentThen({"ChildWorkflowExecutionFailed", "WorkflowTaskScheduled",
                                       "WorkflowTaskStarted", "WorkflowTaskCompleted"}));
  const auto& f = HistoryOf("wf").events(9).child_workflow_execution_failed_event_attributes();
  EXPECT_EQ(f.initiated_event_id(), 5);
  EXPECT_EQ(f.started_event_id(), 6);
  EXPECT_EQ(f.failure().message(), "child broke");
  EXPECT_EQ(f.retry_state(), enums::RETRY_STATE_RETRY_POLICY_NOT_SET);
  EXPECT_EQ(f.workflow_execution().run_id(), ChildRun().run_id());
}

TEST_F(ServiceChildrenTest, ChildCancellationReachesTheParent) {
  Start("wf");
  workflows_.ThenFor("wf", {StartChild("child", "Child")});
  Idle();
  CancelWorkflowRequest cancel;
  cancel.workflow_id = "child";
  ASSERT_TRUE(service().RequestCancelWorkflow(cancel).ok());
  workflows_.ThenFor("child", {CancelWorkflow()});
  Idle();
  ASSERT_EQ(TypesOf("wf"), ParentThen({"ChildWorkflowExecutionCanceled", "WorkflowTaskScheduled",
                                       "WorkflowTaskStarted", "WorkflowTaskCompleted"}));
  const auto& c = HistoryOf("wf").events(9).child_workflow_execution_canceled_event_attributes();
  EXPECT_EQ(c.initiated_event_id(), 5);
  EXPECT_EQ(c.started_event_id(), 6);
}

TEST_F(ServiceChildrenTest, ChildTimeoutReachesTheParent) {
  Start("wf");
  ChildOptions o;
  o.run_timeout = absl::Seconds(30);
  workflows_.ThenFor("wf", {StartChild("child", "Child", o)});
  RunFor(absl::Minutes(1));
  ASSERT_EQ(TypesOf("wf"), ParentThen({"ChildWorkflowExecutionTimedOut", "WorkflowTaskScheduled",
                                       "WorkflowTaskStarted", "WorkflowTaskCompleted"}));
  const auto& t = HistoryOf("wf").events(9).child_workflow_execution_timed_out_event_attributes();
  EXPECT_EQ(t.initiated_event_id(), 5);
  EXPECT_EQ(t.started_event_id(), 6);
  EXPECT_EQ(t.retry_state(), enums::RETRY_STATE_RETRY_POLICY_NOT_SET);
  EXPECT_EQ(FromProtoDuration(HistoryOf("child")
                                           .events(0)
                                           .workflow_execution_started_event_attributes()
                                           .workflow_run_timeout()),
            absl::Seconds(30));
}

TEST_F(ServiceChildrenTest, ChildTerminationReachesTheParent) {
  Start("wf");
  workflows_.ThenFor("wf", {StartChild("child", "Child")});
  Idle();
  TerminateWorkflowRequest terminate;
  terminate.workflow_id = "child";
  terminate.reason = "stop";
  ASSERT_TRUE(service().TerminateWorkflow(terminate).ok());
  Idle();
  ASSERT_EQ(TypesOf("wf"), ParentThen({"ChildWorkflowExecutionTerminated", "WorkflowTaskScheduled",
                                       "WorkflowTaskStarted", "WorkflowTaskCompleted"}));
  const auto& t = HistoryOf("wf").events(9).child_workflow_execution_terminated_event_attributes();
  EXPECT_EQ(t.initiated_event_id(), 5);
  EXPECT_EQ(t.started_event_id(), 6);
  EXPECT_EQ(t.workflow_execution().workflow_id(), "child");
}

TEST_F(ServiceChildrenTest, AChildThatContinuesAsNewReportsOnlyItsLastRun) {
  Start("wf");
  workflows_.ThenFor("wf", {StartChild("child", "Child")});
  workflows_.ThenFor("child", {ContinueAsNew(Json("2"))});
  workflows_.ThenFor("child", {CompleteWorkflow("\"second\"")});
  Idle();
  const auto runs = service().ListRuns();
  ASSERT_EQ(runs.size(), 3u);  // wf, child run 1, child run 2
  const std::string first = runs[1].run_id();
  const std::string second = runs[2].run_id();
  ASSERT_EQ(TypesOf("wf"), ParentThen({"ChildWorkflowExecutionCompleted", "WorkflowTaskScheduled",
                                       "WorkflowTaskStarted", "WorkflowTaskCompleted"}));
  const History& p = HistoryOf("wf");
  EXPECT_EQ(
      p.events(5).child_workflow_execution_started_event_attributes().workflow_execution().run_id(),
      first);
  const auto& c = p.events(9).child_workflow_execution_completed_event_attributes();
  EXPECT_EQ(c.workflow_execution().run_id(), second);
  EXPECT_EQ(c.result().payloads(0).data(), "\"second\"");
  // The new run still names the parent.
  const auto& s =
      HistoryOf("child", second).events(0).workflow_execution_started_event_attributes();
  EXPECT_EQ(s.parent_workflow_execution().workflow_id(), "wf");
  EXPECT_EQ(s.parent_initiated_event_id(), 5);
}

TEST_F(ServiceChildrenTest, ARetriedChildReportsOnlyItsLastAttempt) {
  Start("wf");
  ChildOptions o;
  o.retry_policy = Policy(absl::Seconds(1), 2, absl::Seconds(10), 2);
  workflows_.ThenFor("wf", {StartChild("child", "Child", o)});
  workflows_.ThenFor("child", {FailWorkflow(ApplicationFailure("one"))});
  workflows_.ThenFor("child", {FailWorkflow(ApplicationFailure("two"))});
  RunFor(absl::Minutes(1));
  ASSERT_EQ(TypesOf("wf"), ParentThen({"ChildWorkflowExecutionFailed", "WorkflowTaskScheduled",
                                       "WorkflowTaskStarted", "WorkflowTaskCompleted"}));
  const auto& f = HistoryOf("wf").events(9).child_workflow_execution_failed_event_attributes();
  EXPECT_EQ(f.failure().message(), "two");
  EXPECT_EQ(f.retry_state(), enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  // The initiated event carries the policy with the server's defaults filled in.
  const auto& initiated =
      HistoryOf("wf").events(4).start_child_workflow_execution_initiated_event_attributes();
  EXPECT_EQ(initiated.retry_policy().maximum_attempts(), 2);
}

TEST_F(ServiceChildrenTest, StartFailsWhenTheIdIsRunning) {
  Start("busy");
  Start("wf");
  workflows_.ThenFor("wf", {StartChild("busy", "Child")});
  Idle();
  ASSERT_THAT(
      TypesOf("wf"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "StartChildWorkflowExecutionInitiated",
                  "StartChildWorkflowExecutionFailed", "WorkflowTaskScheduled",
                  "WorkflowTaskStarted", "WorkflowTaskCompleted"));
  const auto& f =
      HistoryOf("wf").events(5).start_child_workflow_execution_failed_event_attributes();
  EXPECT_EQ(f.cause(), enums::START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS);
  EXPECT_EQ(f.initiated_event_id(), 5);
  EXPECT_EQ(f.workflow_task_completed_event_id(), 4);
  EXPECT_EQ(f.workflow_id(), "busy");
  EXPECT_EQ(f.workflow_type().name(), "Child");
  EXPECT_EQ(service().ListRuns().size(), 2u);
  EXPECT_TRUE(service().DescribeWorkflow("wf", "")->pending_children.empty());
}

TEST_F(ServiceChildrenTest, ReusePolicyCanRefuseAClosedId) {
  Start("done");
  workflows_.ThenFor("done", {CompleteWorkflow()});
  Idle();
  Start("wf");
  ChildOptions o;
  o.id_reuse_policy = enums::WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE;
  workflows_.ThenFor("wf", {StartChild("done", "Child", o), StartChild("fresh", "Child", o)});
  Idle();
  // Each start is its own step, in command order, each followed by the parent's new task.
  std::vector<std::string> types = TypesOf("wf");
  types.resize(10);
  EXPECT_THAT(
      types,
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "StartChildWorkflowExecutionInitiated",
                  "StartChildWorkflowExecutionInitiated", "StartChildWorkflowExecutionFailed",
                  "WorkflowTaskScheduled", "ChildWorkflowExecutionStarted", "WorkflowTaskStarted"));
  const History& p = HistoryOf("wf");
  EXPECT_EQ(
      p.events(6).start_child_workflow_execution_failed_event_attributes().initiated_event_id(), 5);
  EXPECT_EQ(p.events(8).child_workflow_execution_started_event_attributes().initiated_event_id(),
            6);
}

TEST_F(ServiceChildrenTest, DescribeShowsPendingChildrenAndTheParent) {
  auto parent = Start("wf");
  ChildOptions o;
  o.parent_close_policy = enums::PARENT_CLOSE_POLICY_ABANDON;
  workflows_.ThenFor("wf", {StartChild("child", "Child", o)});
  Idle();
  auto d = service().DescribeWorkflow("wf", "");
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->pending_children.size(), 1u);
  EXPECT_EQ(d->pending_children[0].workflow_id, "child");
  EXPECT_EQ(d->pending_children[0].run_id, ChildRun().run_id());
  EXPECT_EQ(d->pending_children[0].workflow_type, "Child");
  EXPECT_EQ(d->pending_children[0].initiated_event_id, 5);
  EXPECT_EQ(d->pending_children[0].parent_close_policy, enums::PARENT_CLOSE_POLICY_ABANDON);
  EXPECT_FALSE(d->parent_execution.has_value());
  auto c = service().DescribeWorkflow("child", "");
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->parent_execution.has_value());
  EXPECT_EQ(c->parent_execution->run_id(), parent.run_id());
  EXPECT_EQ(c->parent_initiated_event_id, 5);
}

TEST_F(ServiceChildrenTest, DescribeShowsUpsertedMemoAndSearchAttributes) {
  Start("wf");
  Command upsert;
  upsert.set_command_type(enums::COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES);
  (*upsert.mutable_upsert_workflow_search_attributes_command_attributes()
        ->mutable_search_attributes()
        ->mutable_indexed_fields())["CustomKeywordField"] = history::JsonPayload("\"k\"");
  Command modify;
  modify.set_command_type(enums::COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES);
  (*modify.mutable_modify_workflow_properties_command_attributes()
        ->mutable_upserted_memo()
        ->mutable_fields())["note"] = history::JsonPayload("\"n\"");
  workflows_.ThenFor("wf", {upsert, modify});
  Idle();
  auto d = service().DescribeWorkflow("wf", "");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->search_attributes.indexed_fields().at("CustomKeywordField").data(), "\"k\"");
  EXPECT_EQ(d->memo.fields().at("note").data(), "\"n\"");
}

// --- Parent close policy -------------------------------------------------------------------

TEST_F(ServiceChildrenTest, ParentClosePolicyTerminateIsTheDefault) {
  const History& h = CloseParentWith(enums::PARENT_CLOSE_POLICY_UNSPECIFIED);
  ASSERT_EQ(EventTypes(h).back(), "WorkflowExecutionTerminated");
  const auto& t = h.events(h.events_size() - 1).workflow_execution_terminated_event_attributes();
  EXPECT_EQ(t.reason(), "by parent close policy");
  EXPECT_EQ(t.identity(), "history-service");
  EXPECT_EQ(service().DescribeWorkflow("child", "")->status,
            enums::WORKFLOW_EXECUTION_STATUS_TERMINATED);
  // The parent has closed: the child's close is reported to no one.
  EXPECT_EQ(TypesOf("wf").back(), "WorkflowExecutionCompleted");
}

TEST_F(ServiceChildrenTest, ParentClosePolicyRequestCancel) {
  auto parent = Start("wf");
  ChildOptions o;
  o.parent_close_policy = enums::PARENT_CLOSE_POLICY_REQUEST_CANCEL;
  workflows_.ThenFor("wf", {StartChild("child", "Child", o)});
  workflows_.ThenFor("wf", {CompleteWorkflow()});
  Idle();
  ASSERT_THAT(
      TypesOf("child"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "WorkflowExecutionCancelRequested",
                  "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted"));
  const auto& c =
      HistoryOf("child").events(4).workflow_execution_cancel_requested_event_attributes();
  EXPECT_EQ(c.identity(), "history-service");
  EXPECT_EQ(c.external_workflow_execution().workflow_id(), "wf");
  EXPECT_EQ(c.external_workflow_execution().run_id(), parent.run_id());
  EXPECT_EQ(c.external_initiated_event_id(), 0);
  EXPECT_EQ(service().DescribeWorkflow("child", "")->status,
            enums::WORKFLOW_EXECUTION_STATUS_RUNNING);
}

TEST_F(ServiceChildrenTest, ParentClosePolicyAbandon) {
  const History& h = CloseParentWith(enums::PARENT_CLOSE_POLICY_ABANDON);
  EXPECT_THAT(EventTypes(h), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskCompleted"));
  EXPECT_EQ(service().DescribeWorkflow("child", "")->status,
            enums::WORKFLOW_EXECUTION_STATUS_RUNNING);
}

TEST_F(ServiceChildrenTest, ContinueAsNewClosesTheParentForItsChildren) {
  Start("wf");
  workflows_.ThenFor("wf", {StartChild("child", "Child")});
  workflows_.ThenFor("wf", {ContinueAsNew(Json("1"))});
  Idle();
  EXPECT_EQ(TypesOf("child").back(), "WorkflowExecutionTerminated");
}

TEST_F(ServiceChildrenTest, ParentTerminationAppliesThePolicy) {
  Start("wf");
  workflows_.ThenFor("wf", {StartChild("child", "Child")});
  Idle();
  TerminateWorkflowRequest terminate;
  terminate.workflow_id = "wf";
  ASSERT_TRUE(service().TerminateWorkflow(terminate).ok());
  Idle();
  EXPECT_EQ(TypesOf("child").back(), "WorkflowExecutionTerminated");
}

// --- Buffering and early requests ----------------------------------------------------------

TEST_F(ServiceChildrenTest, AChildCloseReachingABusyParentIsBuffered) {
  ServiceOptions options;
  FunctionEnv options_env;
  options.env = &options_env;
  options_env.workflow_task_latency = [](const WorkflowTaskRequest& r) {
    return r.workflow_id == "wf" ? absl::Seconds(2) : absl::ZeroDuration();
  };
  Configure(options);
  Start("wf");
  workflows_.ThenFor("wf", {StartChild("child", "Child")});
  workflows_.ThenFor("child", {CompleteWorkflow()});
  RunFor(absl::Minutes(1));
  // The child completed while the parent's second task was out: its event follows that
  // task's completion.
  ASSERT_EQ(TypesOf("wf"), ParentThen({"ChildWorkflowExecutionCompleted", "WorkflowTaskScheduled",
                                       "WorkflowTaskStarted", "WorkflowTaskCompleted"}));
  const auto& c = HistoryOf("wf").events(9).child_workflow_execution_completed_event_attributes();
  EXPECT_EQ(c.started_event_id(), 6);
  const History& p = HistoryOf("wf");
  EXPECT_LT(FromProtoTime(p.events(9).event_time()) -
                FromProtoTime(p.events(7).event_time()),
            absl::Seconds(2));
}

TEST_F(ServiceChildrenTest, ASignalToAChildBeforeItsFirstTaskIsDeliveredWithIt) {
  auto parent = Start("wf");
  workflows_.ThenFor(
      "wf", {StartChild("child", "Child"), SignalExternal("child", "", "hello", Json("1"))});
  Idle();
  // The child's first task carries the signal.
  std::vector<std::string> first_child_task;
  for (const auto& seen : workflows_.seen()) {
    if (seen.workflow_id == "child") {
      first_child_task = seen.event_types;
      break;
    }
  }
  ASSERT_THAT(first_child_task, ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                            "WorkflowExecutionSignaled", "WorkflowTaskStarted"));
  const auto& s = HistoryOf("child").events(2).workflow_execution_signaled_event_attributes();
  EXPECT_EQ(s.signal_name(), "hello");
  EXPECT_EQ(s.identity(), "history-service");
  EXPECT_EQ(s.external_workflow_execution().run_id(), parent.run_id());
  EXPECT_EQ(s.input().payloads(0).data(), "1");
}

TEST_F(ServiceChildrenTest, StartAndCancelOfOneChildInOneTaskFailsTheTask) {
  Start("wf");
  workflows_.ThenFor("wf", {StartChild("child", "Child"), CancelExternal("child")});
  Idle();
  const auto& f = HistoryOf("wf").events(3).workflow_task_failed_event_attributes();
  EXPECT_EQ(
      f.cause(),
      enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES);
  EXPECT_EQ(service().ListRuns().size(), 1u);
}

TEST_F(ServiceChildrenTest, ACancelRequestReachesAChildWhoseCodeHasNotRunYet) {
  // The child's first task is lost (a worker crash), so its code has not run when the parent
  // asks to cancel it; the request waits in its history for the retried task.
  ServiceOptions options;
  FunctionEnv options_env;
  options.env = &options_env;
  options_env.drop_workflow_task = [](const WorkflowTaskRequest& r) {
    return r.workflow_id == "child" && r.attempt == 1 && r.history->events_size() == 3;
  };
  Configure(options);
  Start("wf");
  workflows_.ThenFor("wf", {StartChild("child", "Child")});
  workflows_.ThenFor("wf", {CancelExternal("child", "", "no longer needed", true)});
  workflows_.ThenFor("child", {CancelWorkflow()});
  RunFor(absl::Minutes(1));
  ASSERT_THAT(TypesOf("child"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                            "WorkflowTaskStarted", "WorkflowTaskTimedOut",
                                            "WorkflowExecutionCancelRequested",
                                            "WorkflowTaskScheduled", "WorkflowTaskStarted",
                                            "WorkflowTaskCompleted", "WorkflowExecutionCanceled"));
  const auto& c =
      HistoryOf("child").events(4).workflow_execution_cancel_requested_event_attributes();
  EXPECT_EQ(c.cause(), "no longer needed");
  EXPECT_EQ(c.external_initiated_event_id(), 10);
  EXPECT_EQ(c.external_workflow_execution().workflow_id(), "wf");
  // The parent: the request is acknowledged, then the child's cancellation arrives.
  const History& p = HistoryOf("wf");
  EXPECT_EQ(p.events(9).event_type(),
            enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
  EXPECT_EQ(p.events(10).event_type(),
            enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED);
  EXPECT_EQ(TypesOf("wf")[TypesOf("wf").size() - 4], "ChildWorkflowExecutionCanceled");
}

}  // namespace
}  // namespace lockstep::testing
