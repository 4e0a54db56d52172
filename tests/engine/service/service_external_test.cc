// Signals and cancellation requests from one workflow to another: the initiated event with the
// completion, then the outcome in both histories, as a step of its own.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "tests/engine/service/service_fixture.h"

namespace lockstep::testing {
namespace {

using ::testing::ElementsAre;

// The sender "a" issues `command` in its first task; "b" is a running workflow (started first).
class ServiceExternalTest : public ServiceTest {
 protected:
  void SendFromA(Command command) {
    sender_ = Start("a");
    workflows_.ThenFor("a", {std::move(command)});
    Idle();
  }
  temporal::api::common::v1::WorkflowExecution sender_;
};

TEST_F(ServiceExternalTest, SignalReachesTheTargetAndTheSenderHearsOfIt) {
  Start("b");
  Idle();
  SendFromA(SignalExternal("b", "", "ping", Json("1")));
  // The outcome follows the completion's events; then the sender gets a new task.
  ASSERT_THAT(
      TypesOf("a"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "SignalExternalWorkflowExecutionInitiated",
                  "ExternalWorkflowExecutionSignaled", "WorkflowTaskScheduled",
                  "WorkflowTaskStarted", "WorkflowTaskCompleted"));
  const History& a = HistoryOf("a");
  const auto& initiated =
      a.events(4).signal_external_workflow_execution_initiated_event_attributes();
  EXPECT_EQ(initiated.workflow_task_completed_event_id(), 4);
  EXPECT_EQ(initiated.namespace_(), "default");
  EXPECT_EQ(initiated.workflow_execution().workflow_id(), "b");
  EXPECT_EQ(initiated.signal_name(), "ping");
  EXPECT_EQ(initiated.input().payloads(0).data(), "1");
  const auto& signaled = a.events(5).external_workflow_execution_signaled_event_attributes();
  EXPECT_EQ(signaled.initiated_event_id(), 5);
  EXPECT_EQ(signaled.namespace_(), "default");
  EXPECT_EQ(signaled.workflow_execution().workflow_id(), "b");
  EXPECT_EQ(signaled.workflow_execution().run_id(), "");  // as the command named it

  ASSERT_THAT(TypesOf("b"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                        "WorkflowTaskStarted", "WorkflowTaskCompleted",
                                        "WorkflowExecutionSignaled", "WorkflowTaskScheduled",
                                        "WorkflowTaskStarted", "WorkflowTaskCompleted"));
  const auto& s = HistoryOf("b").events(4).workflow_execution_signaled_event_attributes();
  EXPECT_EQ(s.signal_name(), "ping");
  EXPECT_EQ(s.input().payloads(0).data(), "1");
  EXPECT_EQ(s.identity(), "history-service");
  EXPECT_EQ(s.external_workflow_execution().workflow_id(), "a");
  EXPECT_EQ(s.external_workflow_execution().run_id(), sender_.run_id());
  EXPECT_EQ(s.request_id().size(), 36u);
}

TEST_F(ServiceExternalTest, SignalToAnUnknownWorkflowFails) {
  SendFromA(SignalExternal("nobody", "", "ping"));
  ASSERT_THAT(
      TypesOf("a"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "SignalExternalWorkflowExecutionInitiated",
                  "SignalExternalWorkflowExecutionFailed", "WorkflowTaskScheduled",
                  "WorkflowTaskStarted", "WorkflowTaskCompleted"));
  const auto& f =
      HistoryOf("a").events(5).signal_external_workflow_execution_failed_event_attributes();
  EXPECT_EQ(
      f.cause(),
      enums::SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND);
  EXPECT_EQ(f.initiated_event_id(), 5);
  EXPECT_EQ(f.workflow_task_completed_event_id(), 4);
  EXPECT_EQ(f.workflow_execution().workflow_id(), "nobody");
}

TEST_F(ServiceExternalTest, SignalToAClosedRunOrToItselfFails) {
  auto b = Start("b");
  workflows_.ThenFor("b", {CompleteWorkflow()});
  Idle();
  SendFromA(SignalExternal("b", b.run_id(), "ping"));
  workflows_.ThenFor("a", {SignalExternal("a", "", "me")});
  SignalWorkflowRequest nudge;
  nudge.workflow_id = "a";
  nudge.signal_name = "nudge";
  ASSERT_TRUE(service().SignalWorkflow(nudge).ok());
  Idle();
  int failed = 0;
  for (const auto& e : HistoryOf("a").events()) {
    failed += e.event_type() == enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED;
  }
  EXPECT_EQ(failed, 2);
  EXPECT_EQ(TypesOf("b").back(), "WorkflowExecutionCompleted");
}

TEST_F(ServiceExternalTest, AnEmptyRunIdMeansTheCurrentRun) {
  auto first = Start("b");
  workflows_.ThenFor("b", {ContinueAsNew(Json("2"))});
  Idle();
  SendFromA(SignalExternal("b", "", "ping"));
  const std::string current = service().DescribeWorkflow("b", "")->execution.run_id();
  ASSERT_NE(current, first.run_id());
  EXPECT_EQ(TypesOf("b", current)[4], "WorkflowExecutionSignaled");
  EXPECT_EQ(TypesOf("b", first.run_id()).back(), "WorkflowExecutionContinuedAsNew");
}

TEST_F(ServiceExternalTest, CancelRequestReachesTheTarget) {
  Start("b");
  Idle();
  SendFromA(CancelExternal("b", "", "enough"));
  ASSERT_THAT(
      TypesOf("a"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "RequestCancelExternalWorkflowExecutionInitiated",
                  "ExternalWorkflowExecutionCancelRequested", "WorkflowTaskScheduled",
                  "WorkflowTaskStarted", "WorkflowTaskCompleted"));
  const History& a = HistoryOf("a");
  const auto& initiated =
      a.events(4).request_cancel_external_workflow_execution_initiated_event_attributes();
  EXPECT_EQ(initiated.workflow_task_completed_event_id(), 4);
  EXPECT_EQ(initiated.workflow_execution().workflow_id(), "b");
  EXPECT_EQ(initiated.reason(), "enough");
  const auto& requested =
      a.events(5).external_workflow_execution_cancel_requested_event_attributes();
  EXPECT_EQ(requested.initiated_event_id(), 5);
  EXPECT_EQ(requested.workflow_execution().workflow_id(), "b");

  EXPECT_EQ(TypesOf("b")[4], "WorkflowExecutionCancelRequested");
  const auto& c = HistoryOf("b").events(4).workflow_execution_cancel_requested_event_attributes();
  EXPECT_EQ(c.cause(), "enough");
  EXPECT_EQ(c.identity(), "history-service");
  EXPECT_EQ(c.external_initiated_event_id(), 5);
  EXPECT_EQ(c.external_workflow_execution().workflow_id(), "a");
  EXPECT_EQ(c.external_workflow_execution().run_id(), sender_.run_id());
  EXPECT_TRUE(service().DescribeWorkflow("b", "")->cancel_requested);
}

TEST_F(ServiceExternalTest, CancelRequestToAnUnknownWorkflowFails) {
  SendFromA(CancelExternal("nobody"));
  const History& a = HistoryOf("a");
  ASSERT_EQ(a.events(5).event_type(),
            enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED);
  const auto& f = a.events(5).request_cancel_external_workflow_execution_failed_event_attributes();
  EXPECT_EQ(
      f.cause(),
      enums::CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND);
  EXPECT_EQ(f.initiated_event_id(), 5);
  EXPECT_EQ(f.workflow_task_completed_event_id(), 4);
}

TEST_F(ServiceExternalTest, CancelRequestToAClosedRunSucceedsAndWritesNothingThere) {
  // Cancellation is idempotent in Temporal: a closed target counts as done.
  Start("b");
  workflows_.ThenFor("b", {CompleteWorkflow()});
  Idle();
  const size_t b_events = TypesOf("b").size();
  SendFromA(CancelExternal("b"));
  EXPECT_EQ(HistoryOf("a").events(5).event_type(),
            enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED);
  EXPECT_EQ(TypesOf("b").size(), b_events);
}

TEST_F(ServiceExternalTest, ChildWorkflowOnlyRequiresTheTargetToBeTheSendersChild) {
  Start("b");
  Idle();
  auto a = Start("a");
  workflows_.ThenFor("a", {StartChild("child", "Child")});
  workflows_.ThenFor("a", {SignalExternal("b", "", "x", {}, /*child_workflow_only=*/true),
                           SignalExternal("child", "", "y", {}, /*child_workflow_only=*/true),
                           CancelExternal("b", "", "", /*child_workflow_only=*/true),
                           CancelExternal("child", "", "", /*child_workflow_only=*/true)});
  Idle();
  std::vector<enums::EventType> outcomes;
  for (const auto& e : HistoryOf("a").events()) {
    switch (e.event_type()) {
      case enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED:
      case enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED:
      case enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
      case enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED:
        outcomes.push_back(e.event_type());
        break;
      default:
        break;
    }
  }
  EXPECT_THAT(outcomes,
              ElementsAre(enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
                          enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
                          enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
                          enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED));
  EXPECT_FALSE(service().DescribeWorkflow("b", "")->cancel_requested);
  EXPECT_TRUE(service().DescribeWorkflow("child", "")->cancel_requested);
  ASSERT_THAT(TypesOf("b"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                        "WorkflowTaskStarted", "WorkflowTaskCompleted"));
}

TEST_F(ServiceExternalTest, BadAttributesFailTheTask) {
  SendFromA(SignalExternal("b", "", ""));
  EXPECT_EQ(HistoryOf("a").events(3).workflow_task_failed_event_attributes().cause(),
            enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES);
  workflows_.ThenFor("a", {CancelExternal("")});
  SignalWorkflowRequest nudge;
  nudge.workflow_id = "a";
  nudge.signal_name = "nudge";
  ASSERT_TRUE(service().SignalWorkflow(nudge).ok());
  Idle();
  EXPECT_EQ(
      Last("a", enums::EVENT_TYPE_WORKFLOW_TASK_FAILED)
          .workflow_task_failed_event_attributes()
          .cause(),
      enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES);
}

}  // namespace
}  // namespace lockstep::testing
