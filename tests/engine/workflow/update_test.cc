// Workflow updates end to end: handlers and validators in workflow code, the update protocol
// through the in-process service, the caller's view of the outcome; including an update
// racing a signal and replay of update histories at every task boundary.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"

namespace lockstep {
namespace update_test {
namespace {

namespace enums = temporal::api::enums::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TestEnv;

std::string SendUpdate(TestEnv& env, const std::string& id, const std::string& update_id,
                       const std::string& name, Payloads args) {
  UpdateWorkflowRequest request;
  request.workflow_id = id;
  request.update_id = update_id;
  request.name = name;
  request.args = std::move(args);
  auto status = env.service().UpdateWorkflow(request);
  EXPECT_TRUE(status.ok()) << status.status();
  return update_id;
}

// "ok:<value>", "failed:<message>", "rejected:<message>" or the stage.
std::string Outcome(TestEnv& env, const std::string& id, const std::string& update_id) {
  auto status = env.service().GetUpdateStatus(id, update_id);
  if (!status.ok()) return std::string(status.status().message());
  if (!status->completed()) return "pending";
  if (!status->error.ok()) return "error:" + std::string(status->error.message());
  const auto& outcome = *status->outcome;
  if (outcome.has_failure()) {
    return absl::StrCat(status->rejected ? "rejected:" : "failed:", outcome.failure().message());
  }
  auto value = FromPayloads<std::string>(outcome.success());
  return "ok:" + (value.ok() ? std::get<0>(*value) : std::string("<undecodable>"));
}

// Appends to a log; "wait" sleeps first; "fail" throws; the validator refuses "bad".
void RegisterLogWorkflow(TestEnv& env) {
  ASSERT_TRUE(
      env.registry()
          .RegisterWorkflow("wf",
                            [](WorkflowContext& ctx) -> Task<std::string> {
                              std::string log;
                              bool done = false;
                              ctx.SetSignalHandler<std::string>(
                                  "note", [&log](const std::string& s) { log += "s:" + s + ";"; });
                              ctx.SetSignalHandler<>("finish", [&done] { done = true; });
                              ctx.SetUpdateHandler<std::string>(
                                  "append",
                                  [&ctx, &log](std::string s) -> Task<std::string> {
                                    if (s == "wait") co_await ctx.Sleep(absl::Seconds(3));
                                    if (s == "fail")
                                      throw ApplicationFailure("cannot append fail", "Refused");
                                    log += "u:" + s + ";";
                                    co_return log;
                                  },
                                  [](const std::string& s) {
                                    if (s == "bad")
                                      throw ApplicationFailure("bad input", "Invalid");
                                  });
                              co_await ctx.WaitCondition([&done] { return done; });
                              co_return log;
                            })
          .ok());
}

TEST(Update, AcceptedAndCompletedInOneTask) {
  TestEnv env;
  RegisterLogWorkflow(env);
  env.Start("wf", "w");
  env.RunUntilIdle();
  SendUpdate(env, "w", "u1", "append", ToPayloads(std::string("a")));
  env.RunUntilIdle();
  EXPECT_EQ(Outcome(env, "w", "u1"), "ok:u:a;");
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED), 1);
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED), 1);
}

TEST(Update, HandlerThatWaitsCompletesInALaterTask) {
  TestEnv env;
  RegisterLogWorkflow(env);
  env.Start("wf", "w");
  SendUpdate(env, "w", "u1", "append", ToPayloads(std::string("wait")));
  env.RunUntilIdle();
  EXPECT_EQ(Outcome(env, "w", "u1"), "pending");
  env.RunToEnd(absl::Seconds(10));
  EXPECT_EQ(Outcome(env, "w", "u1"), "ok:u:wait;");
  env.Signal("w", "finish");
  env.RunToEnd();
  EXPECT_THAT(
      env.EventTypes("w"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "WorkflowExecutionUpdateAccepted", "TimerStarted",
                  "TimerFired", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "WorkflowExecutionUpdateCompleted",
                  "WorkflowExecutionSignaled", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
}

TEST(Update, ValidatorRejectionLeavesNoEvent) {
  TestEnv env;
  RegisterLogWorkflow(env);
  env.Start("wf", "w");
  env.RunUntilIdle();
  const int before = env.History("w").events_size();
  SendUpdate(env, "w", "u1", "append", ToPayloads(std::string("bad")));
  SendUpdate(env, "w", "u2", "nosuch", ToPayloads(std::string("x")));
  env.RunUntilIdle();
  EXPECT_EQ(Outcome(env, "w", "u1"), "rejected:bad input");
  EXPECT_THAT(Outcome(env, "w", "u2"), HasSubstr("no update handler \"nosuch\""));
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED), 0);
  EXPECT_GE(env.History("w").events_size(), before);
}

TEST(Update, HandlerFailureIsTheOutcome) {
  TestEnv env;
  RegisterLogWorkflow(env);
  env.Start("wf", "w");
  env.RunUntilIdle();
  SendUpdate(env, "w", "u1", "append", ToPayloads(std::string("fail")));
  env.RunUntilIdle();
  EXPECT_EQ(Outcome(env, "w", "u1"), "failed:cannot append fail");
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED), 1);
}

TEST(Update, RacingASignalInTheSameTaskTheSignalRunsFirst) {
  TestEnv env;
  RegisterLogWorkflow(env);
  env.Start("wf", "w");
  env.RunUntilIdle();
  SendUpdate(env, "w", "u1", "append", ToPayloads(std::string("b")));
  env.Signal("w", "note", ToPayloads(std::string("n")));
  env.RunUntilIdle();
  EXPECT_EQ(Outcome(env, "w", "u1"), "ok:s:n;u:b;");
}

TEST(Update, DeliveredWithTheFirstTaskReachesTheHandlerSetByTheMainFunction) {
  TestEnv env;
  RegisterLogWorkflow(env);
  env.Start("wf", "w");
  SendUpdate(env, "w", "u1", "append", ToPayloads(std::string("first")));
  env.RunUntilIdle();
  EXPECT_EQ(Outcome(env, "w", "u1"), "ok:u:first;");
}

TEST(Update, HistoriesReplayAtEveryTaskBoundary) {
  WorkerOptions evicting;
  evicting.evict_after_every_task = true;
  TestEnv cached, evicted(evicting);
  for (TestEnv* env : {&cached, &evicted}) {
    RegisterLogWorkflow(*env);
    env->Start("wf", "w");
    SendUpdate(*env, "w", "u0", "append", ToPayloads(std::string("wait")));
    env->RunUntilIdle();
    SendUpdate(*env, "w", "u1", "append", ToPayloads(std::string("a")));
    env->Signal("w", "note", ToPayloads(std::string("n")));
    SendUpdate(*env, "w", "u2", "append", ToPayloads(std::string("bad")));
    env->RunToEnd(absl::Seconds(10));
    env->Signal("w", "finish");
    env->RunToEnd();
    EXPECT_EQ(Outcome(*env, "w", "u0"), "ok:s:n;u:a;u:wait;");
  }
  EXPECT_EQ(cached.History("w").SerializeAsString(), evicted.History("w").SerializeAsString());
  EXPECT_EQ(evicted.worker().stats().failed_tasks, 0);
  EXPECT_GT(evicted.worker().stats().full_replays, 3);
}

}  // namespace
}  // namespace update_test
}  // namespace lockstep
