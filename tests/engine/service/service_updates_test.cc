// Workflow updates: requests delivered with workflow tasks, acceptance / rejection / completion
// by the worker (events at the PROTOCOL_MESSAGE commands' positions), outcomes to the caller,
// deduplication, redelivery after failed tasks, and updates outliving their run.
#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "tests/engine/service/service_fixture.h"
#include "tests/testing/function_env.h"

namespace lockstep::testing {
namespace {

using ::lockstep::testing::FunctionEnv;

using ::testing::ElementsAre;
using Stage = UpdateStatus::Stage;

class ServiceUpdateTest : public ServiceTest {
 protected:
  // Starts "wf" and runs its first task (no commands), so that the run is idle.
  void StartIdle() {
    run_ = Start("wf");
    Idle();
  }
  absl::StatusOr<UpdateStatus> Update(const std::string& update_id, std::string name = "set") {
    UpdateWorkflowRequest r;
    r.workflow_id = "wf";
    r.update_id = update_id;
    r.name = std::move(name);
    r.args = Json("5");
    r.identity = "client";
    return service().UpdateWorkflow(r);
  }
  UpdateStatus StatusOf(const std::string& update_id) {
    auto s = service().GetUpdateStatus("wf", update_id);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : UpdateStatus();
  }
  // The messages the worker was given with its n-th workflow task (0-based, all runs).
  const std::vector<Message>& MessagesOfTask(size_t n) {
    static const std::vector<Message> kNone;
    return n < workflows_.seen().size() ? workflows_.seen()[n].messages : kNone;
  }
  void Signal(const std::string& name) {
    SignalWorkflowRequest s;
    s.workflow_id = "wf";
    s.signal_name = name;
    ASSERT_TRUE(service().SignalWorkflow(s).ok());
  }

  // The worker answers the task carrying update "u1" with `bad`, then (on the retry, which
  // carries the request again) accepts and completes it.
  void ExpectBadAnswerFailsTheTask(
      std::function<WorkflowTaskResponse(const WorkflowTaskRequest&)> bad);

  temporal::api::common::v1::WorkflowExecution run_;
};

// Answers a task carrying one request: accept and complete it, each at a command.
WorkflowTaskResponse AcceptAndComplete(const WorkflowTaskRequest& r,
                                       std::vector<Command> before = {}) {
  WorkflowTaskResponse response;
  response.commands = std::move(before);
  if (r.messages.empty()) return response;
  const Message& request = r.messages[0];
  const std::string id = request.protocol_instance_id();
  response.messages = {AcceptUpdate(request, id + "/accept"),
                       CompleteUpdate(id, id + "/complete", "\"ok\"")};
  response.commands.push_back(ProtocolMessage(id + "/accept"));
  response.commands.push_back(ProtocolMessage(id + "/complete"));
  return response;
}

void ServiceUpdateTest::ExpectBadAnswerFailsTheTask(
    std::function<WorkflowTaskResponse(const WorkflowTaskRequest&)> bad) {
  StartIdle();
  int task = 0;
  workflows_.AnswerWith(
      [&](const WorkflowTaskRequest& r) { return ++task == 1 ? bad(r) : AcceptAndComplete(r); });
  ASSERT_TRUE(Update("u1").ok());
  Idle();
  EXPECT_EQ(Last("wf", enums::EVENT_TYPE_WORKFLOW_TASK_FAILED)
                .workflow_task_failed_event_attributes()
                .cause(),
            enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE);
  ASSERT_EQ(workflows_.seen().size(), 3u);
  EXPECT_EQ(MessagesOfTask(1).size(), 1u);
  EXPECT_EQ(MessagesOfTask(2).size(), 1u);
  EXPECT_EQ(StatusOf("u1").stage, Stage::kCompleted);
  EXPECT_EQ(TypesOf("wf").back(), "WorkflowExecutionUpdateCompleted");
}

TEST_F(ServiceUpdateTest, AcceptedAndCompletedInOneTask) {
  StartIdle();
  workflows_.AnswerWith([](const WorkflowTaskRequest& r) { return AcceptAndComplete(r); });
  auto admitted = Update("u1");
  ASSERT_TRUE(admitted.ok()) << admitted.status();
  EXPECT_EQ(admitted->stage, Stage::kAdmitted);
  EXPECT_EQ(admitted->execution.run_id(), run_.run_id());
  ASSERT_THAT(TypesOf("wf"),
              ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                          "WorkflowTaskStarted", "WorkflowTaskCompleted", "WorkflowTaskScheduled"));
  Idle();
  ASSERT_THAT(TypesOf("wf"), ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                         "WorkflowTaskStarted", "WorkflowTaskCompleted",
                                         "WorkflowTaskScheduled", "WorkflowTaskStarted",
                                         "WorkflowTaskCompleted",               // 7
                                         "WorkflowExecutionUpdateAccepted",     // 8
                                         "WorkflowExecutionUpdateCompleted"));  // 9

  // The request as the worker got it.
  ASSERT_EQ(MessagesOfTask(1).size(), 1u);
  const Message& m = MessagesOfTask(1)[0];
  EXPECT_EQ(m.id(), "u1/request");
  EXPECT_EQ(m.protocol_instance_id(), "u1");
  EXPECT_EQ(m.event_id(), 5);  // the event before WorkflowTaskStarted (6)
  temporal::api::update::v1::Request request;
  ASSERT_TRUE(m.body().UnpackTo(&request));
  EXPECT_EQ(request.meta().update_id(), "u1");
  EXPECT_EQ(request.meta().identity(), "client");
  EXPECT_EQ(request.input().name(), "set");
  EXPECT_EQ(request.input().args().payloads(0).data(), "5");

  const History& h = HistoryOf("wf");
  const auto& accepted = h.events(7).workflow_execution_update_accepted_event_attributes();
  EXPECT_EQ(accepted.protocol_instance_id(), "u1");
  EXPECT_EQ(accepted.accepted_request_message_id(), "u1/request");
  EXPECT_EQ(accepted.accepted_request_sequencing_event_id(), 5);
  EXPECT_EQ(accepted.accepted_request().input().name(), "set");
  const auto& completed = h.events(8).workflow_execution_update_completed_event_attributes();
  EXPECT_EQ(completed.meta().update_id(), "u1");
  EXPECT_EQ(completed.accepted_event_id(), 8);
  EXPECT_EQ(completed.outcome().success().payloads(0).data(), "\"ok\"");

  const UpdateStatus status = StatusOf("u1");
  EXPECT_EQ(status.stage, Stage::kCompleted);
  EXPECT_FALSE(status.rejected);
  ASSERT_TRUE(status.outcome.has_value());
  EXPECT_EQ(status.outcome->success().payloads(0).data(), "\"ok\"");
  EXPECT_FALSE(service().NextDeadline().has_value());  // no further task
}

TEST_F(ServiceUpdateTest, AcceptedThenCompletedInALaterTaskAtTheCommandPositions) {
  StartIdle();
  int task = 0;
  workflows_.AnswerWith([&](const WorkflowTaskRequest& r) {
    ++task;
    WorkflowTaskResponse response;
    if (task == 1) {  // accept between a timer and a marker
      response.messages = {AcceptUpdate(r.messages.at(0), "acc")};
      response.commands = {StartTimer("t", absl::Seconds(1)), ProtocolMessage("acc"),
                           RecordMarker("m")};
    } else if (task == 2) {  // the timer fired: complete it, after a marker
      response.messages = {CompleteUpdate("u1", "done", "\"later\"")};
      response.commands = {RecordMarker("m2"), ProtocolMessage("done")};
    }
    return response;
  });
  ASSERT_TRUE(Update("u1").ok());
  Idle();
  EXPECT_EQ(StatusOf("u1").stage, Stage::kAccepted);
  RunFor(absl::Seconds(5));
  ASSERT_THAT(
      TypesOf("wf"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted",            // 7
                  "TimerStarted",                     // 8
                  "WorkflowExecutionUpdateAccepted",  // 9
                  "MarkerRecorded",                   // 10
                  "TimerFired", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted",               // 14
                  "MarkerRecorded",                      // 15
                  "WorkflowExecutionUpdateCompleted"));  // 16
  EXPECT_TRUE(MessagesOfTask(2).empty());                // an accepted update is not sent again
  EXPECT_EQ(HistoryOf("wf")
                .events(15)
                .workflow_execution_update_completed_event_attributes()
                .accepted_event_id(),
            9);
  EXPECT_EQ(StatusOf("u1").outcome->success().payloads(0).data(), "\"later\"");
}

TEST_F(ServiceUpdateTest, MessagesNoCommandNamesFollowTheCommands) {
  StartIdle();
  workflows_.AnswerWith([](const WorkflowTaskRequest& r) {
    WorkflowTaskResponse response;
    if (r.messages.empty()) return response;
    response.messages = {AcceptUpdate(r.messages[0], "a"), CompleteUpdate("u1", "c", "1")};
    response.commands = {StartTimer("t", absl::Minutes(1))};
    return response;
  });
  ASSERT_TRUE(Update("u1").ok());
  Idle();
  const std::vector<std::string> types = TypesOf("wf");
  EXPECT_THAT(std::vector<std::string>(types.begin() + 6, types.end()),
              ElementsAre("WorkflowTaskCompleted", "TimerStarted",
                          "WorkflowExecutionUpdateAccepted", "WorkflowExecutionUpdateCompleted"));
}

TEST_F(ServiceUpdateTest, ARejectionWritesNoEventAndTheCallerGetsItsFailure) {
  StartIdle();
  workflows_.AnswerWith([](const WorkflowTaskRequest& r) {
    WorkflowTaskResponse response;
    if (!r.messages.empty()) {
      response.messages = {RejectUpdate(r.messages[0], "rej", ApplicationFailure("bad input"))};
    }
    return response;
  });
  ASSERT_TRUE(Update("u1").ok());
  Idle();
  ASSERT_THAT(TypesOf("wf"),
              ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                          "WorkflowTaskStarted", "WorkflowTaskCompleted", "WorkflowTaskScheduled",
                          "WorkflowTaskStarted", "WorkflowTaskCompleted"));
  const UpdateStatus status = StatusOf("u1");
  EXPECT_EQ(status.stage, Stage::kCompleted);
  EXPECT_TRUE(status.rejected);
  ASSERT_TRUE(status.outcome.has_value());
  EXPECT_EQ(status.outcome->failure().message(), "bad input");
}

TEST_F(ServiceUpdateTest, ARequestTheWorkerIgnoresIsRejectedByTheService) {
  StartIdle();
  ASSERT_TRUE(Update("u1").ok());
  Idle();  // the worker answers with nothing
  const UpdateStatus status = StatusOf("u1");
  EXPECT_TRUE(status.completed());
  EXPECT_TRUE(status.rejected);
  EXPECT_EQ(status.outcome->failure().application_failure_info().type(), "UnprocessedUpdate");
  EXPECT_TRUE(status.outcome->failure().application_failure_info().non_retryable());
  EXPECT_FALSE(service().NextDeadline().has_value());  // not sent again
}

TEST_F(ServiceUpdateTest, ARepeatedUpdateIdAnswersWithTheSameUpdate) {
  StartIdle();
  workflows_.AnswerWith([](const WorkflowTaskRequest& r) { return AcceptAndComplete(r); });
  ASSERT_TRUE(Update("u1").ok());
  auto again = Update("u1", "other-name");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->stage, Stage::kAdmitted);
  Idle();
  EXPECT_EQ(MessagesOfTask(1).size(), 1u);
  EXPECT_EQ(workflows_.seen().size(), 2u);
  // Completed: the same id now returns the outcome without a new task.
  auto done = Update("u1");
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->stage, Stage::kCompleted);
  EXPECT_EQ(done->outcome->success().payloads(0).data(), "\"ok\"");
  EXPECT_FALSE(service().NextDeadline().has_value());
  int accepted = 0;
  for (const auto& t : TypesOf("wf")) accepted += t == "WorkflowExecutionUpdateAccepted";
  EXPECT_EQ(accepted, 1);
}

TEST_F(ServiceUpdateTest, AnUpdateAndASignalArrivingTogetherShareATask) {
  StartIdle();
  workflows_.AnswerWith([](const WorkflowTaskRequest& r) { return AcceptAndComplete(r); });
  Signal("poke");
  ASSERT_TRUE(Update("u1").ok());
  Idle();
  ASSERT_EQ(workflows_.seen().size(), 2u);
  ASSERT_THAT(
      workflows_.seen()[1].event_types,
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "WorkflowExecutionSignaled", "WorkflowTaskScheduled",
                  "WorkflowTaskStarted"));
  ASSERT_EQ(MessagesOfTask(1).size(), 1u);
  // Sequenced after the signal: the worker handles the update after applying it.
  EXPECT_EQ(MessagesOfTask(1)[0].event_id(), 6);
  EXPECT_EQ(StatusOf("u1").stage, Stage::kCompleted);
}

TEST_F(ServiceUpdateTest, AnUpdateArrivingWhileATaskIsOutGoesWithTheNextOne) {
  ServiceOptions options;
  FunctionEnv options_env;
  options.env = &options_env;
  options_env.workflow_task_latency = [](const WorkflowTaskRequest&) { return absl::Seconds(1); };
  Configure(options);
  workflows_.AnswerWith([](const WorkflowTaskRequest& r) { return AcceptAndComplete(r); });
  Start("wf");
  Idle();  // the first task is out for 1s
  ASSERT_TRUE(Update("u1").ok());
  Signal("poke");
  RunFor(absl::Seconds(10));
  ASSERT_EQ(workflows_.seen().size(), 2u);
  EXPECT_TRUE(MessagesOfTask(0).empty());
  ASSERT_EQ(MessagesOfTask(1).size(), 1u);
  ASSERT_THAT(
      TypesOf("wf"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "WorkflowExecutionSignaled", "WorkflowTaskScheduled",
                  "WorkflowTaskStarted", "WorkflowTaskCompleted", "WorkflowExecutionUpdateAccepted",
                  "WorkflowExecutionUpdateCompleted"));
}

TEST_F(ServiceUpdateTest, AnUpdateAloneArrivingWhileATaskIsOutGetsATaskAfterIt) {
  ServiceOptions options;
  FunctionEnv options_env;
  options.env = &options_env;
  options_env.workflow_task_latency = [](const WorkflowTaskRequest&) { return absl::Seconds(1); };
  Configure(options);
  workflows_.AnswerWith([](const WorkflowTaskRequest& r) { return AcceptAndComplete(r); });
  Start("wf");
  Idle();
  ASSERT_TRUE(Update("u1").ok());
  RunFor(absl::Seconds(10));
  EXPECT_EQ(StatusOf("u1").stage, Stage::kCompleted);
  EXPECT_EQ(MessagesOfTask(1).size(), 1u);
}

TEST_F(ServiceUpdateTest, UpdatesToClosedOrUnknownRunsAreRefused) {
  Start("wf");
  workflows_.Then({CompleteWorkflow()});
  Idle();
  EXPECT_EQ(Update("u1").status().code(), absl::StatusCode::kNotFound);
  UpdateWorkflowRequest r;
  r.workflow_id = "nobody";
  r.name = "set";
  EXPECT_EQ(service().UpdateWorkflow(r).status().code(), absl::StatusCode::kNotFound);
  r.workflow_id = "wf";
  r.name.clear();
  EXPECT_EQ(service().UpdateWorkflow(r).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(service().GetUpdateStatus("wf", "u1").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ServiceUpdateTest, ARunClosingOverAnAcceptedUpdateFailsIt) {
  StartIdle();
  int task = 0;
  workflows_.AnswerWith([&](const WorkflowTaskRequest& r) {
    WorkflowTaskResponse response;
    if (++task == 1) {
      response.messages = {AcceptUpdate(r.messages.at(0), "acc")};
      response.commands = {ProtocolMessage("acc")};
    } else {
      response.commands = {CompleteWorkflow()};
    }
    return response;
  });
  ASSERT_TRUE(Update("u1").ok());
  Idle();
  ASSERT_EQ(StatusOf("u1").stage, Stage::kAccepted);
  Signal("finish");
  Idle();
  EXPECT_EQ(TypesOf("wf").back(), "WorkflowExecutionCompleted");
  const UpdateStatus status = StatusOf("u1");
  EXPECT_TRUE(status.completed());
  ASSERT_TRUE(status.outcome.has_value());
  EXPECT_EQ(status.outcome->failure().application_failure_info().type(),
            "AcceptedUpdateCompletedWorkflow");
  EXPECT_TRUE(status.error.ok());
}

TEST_F(ServiceUpdateTest, ARunClosingBeforeAcceptingEndsTheUpdateWithAnError) {
  StartIdle();
  // The worker completes the run in the task that carries the request.
  workflows_.AnswerWith([](const WorkflowTaskRequest&) { return Respond({CompleteWorkflow()}); });
  ASSERT_TRUE(Update("u1").ok());
  Idle();
  const UpdateStatus status = StatusOf("u1");
  EXPECT_TRUE(status.completed());
  EXPECT_FALSE(status.outcome.has_value());
  EXPECT_EQ(status.error.code(), absl::StatusCode::kNotFound);
}

TEST_F(ServiceUpdateTest, ContinueAsNewBeforeAcceptingAsksTheCallerToRetry) {
  StartIdle();
  workflows_.AnswerWith([](const WorkflowTaskRequest& r) {
    if (r.run_id == r.history->events(0)
                        .workflow_execution_started_event_attributes()
                        .first_execution_run_id() &&
        !r.messages.empty()) {
      return Respond({ContinueAsNew(Json("2"))});
    }
    return AcceptAndComplete(r);
  });
  ASSERT_TRUE(Update("u1").ok());
  Idle();
  const UpdateStatus status = StatusOf("u1");
  EXPECT_EQ(status.error.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status.execution.run_id(), run_.run_id());
  // Retrying lands on the new run.
  auto retry = Update("u1");
  ASSERT_TRUE(retry.ok());
  EXPECT_NE(retry->execution.run_id(), run_.run_id());
  Idle();
  EXPECT_EQ(StatusOf("u1").stage, Stage::kCompleted);
  EXPECT_TRUE(StatusOf("u1").outcome.has_value());
}

TEST_F(ServiceUpdateTest, TerminationAbortsPendingUpdates) {
  StartIdle();
  service().SetWorkflowWorkersPolling(false);
  ASSERT_TRUE(Update("u1").ok());
  TerminateWorkflowRequest t;
  t.workflow_id = "wf";
  ASSERT_TRUE(service().TerminateWorkflow(t).ok());
  EXPECT_EQ(StatusOf("u1").error.code(), absl::StatusCode::kNotFound);
}

TEST_F(ServiceUpdateTest, AFailedTaskDeliversTheRequestAgain) {
  StartIdle();
  int task = 0;
  workflows_.AnswerWith([&](const WorkflowTaskRequest& r) {
    if (++task == 1) return FailTask("handler crashed");
    return AcceptAndComplete(r);
  });
  ASSERT_TRUE(Update("u1").ok());
  Idle();
  ASSERT_EQ(workflows_.seen().size(), 3u);
  ASSERT_EQ(MessagesOfTask(1).size(), 1u);
  ASSERT_EQ(MessagesOfTask(2).size(), 1u);
  EXPECT_EQ(MessagesOfTask(2)[0].id(), "u1/request");
  EXPECT_EQ(workflows_.seen()[2].attempt, 2);
  EXPECT_EQ(StatusOf("u1").stage, Stage::kCompleted);
  const std::vector<std::string> types = TypesOf("wf");
  EXPECT_THAT(std::vector<std::string>(types.begin() + 4, types.end()),
              ElementsAre("WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskFailed",
                          "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted",
                          "WorkflowExecutionUpdateAccepted", "WorkflowExecutionUpdateCompleted"));
}

TEST_F(ServiceUpdateTest, ATimedOutTaskDeliversTheRequestAgain) {
  ServiceOptions options;
  FunctionEnv options_env;
  options.env = &options_env;
  int dropped = 0;
  options_env.drop_workflow_task = [&](const WorkflowTaskRequest& r) {
    return !r.messages.empty() && dropped++ == 0;
  };
  Configure(options);
  StartIdle();
  workflows_.AnswerWith([](const WorkflowTaskRequest& r) { return AcceptAndComplete(r); });
  ASSERT_TRUE(Update("u1").ok());
  RunFor(absl::Minutes(1));
  EXPECT_EQ(dropped, 2);
  EXPECT_EQ(StatusOf("u1").stage, Stage::kCompleted);
  EXPECT_EQ(Last("wf", enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT).event_type(),
            enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT);
}

TEST_F(ServiceUpdateTest, AResponseToAnUpdateNotAcceptedFailsTheTask) {
  ExpectBadAnswerFailsTheTask([](const WorkflowTaskRequest&) {
    WorkflowTaskResponse response;
    response.messages = {CompleteUpdate("u1", "c", "1")};
    return response;
  });
}

TEST_F(ServiceUpdateTest, ACommandNamingAnAbsentMessageFailsTheTask) {
  ExpectBadAnswerFailsTheTask(
      [](const WorkflowTaskRequest&) { return Respond({ProtocolMessage("missing")}); });
}

TEST_F(ServiceUpdateTest, AMessageForAnUnknownUpdateFailsTheTask) {
  ExpectBadAnswerFailsTheTask([](const WorkflowTaskRequest&) {
    WorkflowTaskResponse response;
    response.messages = {CompleteUpdate("nope", "c", "1")};
    return response;
  });
}

}  // namespace
}  // namespace lockstep::testing
