// Child workflows and requests to other workflows, end to end: workflow code on the worker,
// the in-process service in between. Includes the races a simulator provokes: a signal to a
// child before it has started, cancellation while a child's start is pending.
#include "absl/strings/str_cat.h"
#include "engine/history/history_builder.h"
#include "engine/history/json_reader.h"
#include "engine/history/json_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"

namespace lockstep {
namespace child_workflow_test {
namespace {

namespace enums = temporal::api::enums::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TestEnv;

std::string StringResult(TestEnv& env, const std::string& id) {
  const auto& last = env.Last(id);
  EXPECT_EQ(last.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
      << history::EventTypeShortName(last.event_type());
  auto v = FromPayloads<std::string>(last.workflow_execution_completed_event_attributes().result());
  return v.ok() ? std::get<0>(*v) : "<" + std::string(v.status().message()) + ">";
}

// A child that waits for a "go" signal and returns its input and what it was sent.
void RegisterWaitingChild(TestEnv& env) {
  ASSERT_TRUE(
      env.registry()
          .RegisterWorkflow("child",
                            [](WorkflowContext& ctx, std::string name) -> Task<std::string> {
                              std::string got;
                              ctx.SetSignalHandler<std::string>(
                                  "go", [&got](const std::string& s) { got = s; });
                              co_await ctx.WaitCondition([&] { return !got.empty(); });
                              co_return name + ":" + got;
                            })
          .ok());
}

TEST(ChildWorkflow, StartSignalAndCollectTheResult) {
  TestEnv env;
  RegisterWaitingChild(env);
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("parent",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      auto child = ctx.StartChildWorkflow<std::string>(
                                          "child", {.workflow_id = "kid"}, std::string("a"));
                                      ChildExecution started = co_await child.Started();
                                      co_await child.Signal("go", std::string("hello"));
                                      std::string result = co_await child.Result();
                                      co_return result +
                                          " run=" + (started.run_id.empty() ? "none" : "set");
                                    })
                  .ok());
  env.Start("parent", "p");
  env.RunToEnd();
  EXPECT_EQ(StringResult(env, "p"), "a:hello run=set");
  EXPECT_THAT(
      env.EventTypes("p"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "StartChildWorkflowExecutionInitiated",
                  "ChildWorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "SignalExternalWorkflowExecutionInitiated",
                  "ExternalWorkflowExecutionSignaled", "WorkflowTaskScheduled",
                  "WorkflowTaskStarted", "WorkflowTaskCompleted", "ChildWorkflowExecutionCompleted",
                  "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted",
                  "WorkflowExecutionCompleted"));
  const auto& child_start =
      env.History("kid").events(0).workflow_execution_started_event_attributes();
  EXPECT_EQ(child_start.parent_workflow_execution().workflow_id(), "p");
  EXPECT_EQ(child_start.parent_initiated_event_id(), 5);
}

TEST(ChildWorkflow, ChildKnowsItsParent) {
  TestEnv env;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("child",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      co_return ctx.info().parent_workflow_id + "/" +
                                          (ctx.info().parent_run_id.empty() ? "?" : "run");
                                    })
                  .ok());
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("parent",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      co_return co_await ctx.ExecuteChildWorkflow<std::string>(
                                          "child", {});
                                    })
                  .ok());
  env.Start("parent", "p");
  env.RunToEnd();
  EXPECT_EQ(StringResult(env, "p"), "p/run");
}

// How a child that timed out or was terminated reaches the parent: a ChildWorkflowFailure
// whose cause says which.
TEST(ChildWorkflow, TimedOutAndTerminatedChildrenFailTheAwaitWithTheirCause) {
  TestEnv env;
  RegisterWaitingChild(env);
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow(
                      "parent",
                      [](WorkflowContext& ctx) -> Task<std::string> {
                        std::string seen;
                        auto slow = ctx.StartChildWorkflow<std::string>(
                            "child", {.workflow_id = "slow", .execution_timeout = absl::Minutes(1)},
                            std::string("s"));
                        auto doomed = ctx.StartChildWorkflow<std::string>(
                            "child", {.workflow_id = "doomed"}, std::string("d"));
                        for (auto* child : {&slow, &doomed}) {
                          try {
                            co_await child->Result();
                          } catch (const ChildWorkflowFailure& f) {
                            const auto& cause = f.failure().cause();
                            seen += f.failure()
                                        .child_workflow_execution_failure_info()
                                        .workflow_execution()
                                        .workflow_id() +
                                    (cause.has_timeout_failure_info()      ? ":timed out;"
                                     : cause.has_terminated_failure_info() ? ":terminated;"
                                                                           : ":other;");
                          }
                        }
                        co_return seen;
                      })
                  .ok());
  env.Start("parent", "p");
  env.RunUntilIdle();
  TerminateWorkflowRequest terminate;
  terminate.workflow_id = "doomed";
  terminate.reason = "test";
  ASSERT_TRUE(env.service().TerminateWorkflow(terminate).ok());
  env.RunToEnd();
  EXPECT_EQ(StringResult(env, "p"), "slow:timed out;doomed:terminated;");
  EXPECT_EQ(env.Count("p", enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT), 1);
  EXPECT_EQ(env.Count("p", enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED), 1);
}

TEST(ChildWorkflow, SignalSentBeforeTheChildStartedIsNotLost) {
  TestEnv env;
  RegisterWaitingChild(env);
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("parent",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      auto child = ctx.StartChildWorkflow<std::string>(
                                          "child", {.workflow_id = "kid"}, std::string("b"));
                                      // Same task as the start command: the child has not run.
                                      Future<void> sent = child.Signal("go", std::string("early"));
                                      co_await sent;
                                      co_return co_await child.Result();
                                    })
                  .ok());
  env.Start("parent", "p");
  env.RunToEnd();
  EXPECT_EQ(StringResult(env, "p"), "b:early");
}

TEST(ChildWorkflow, FailureReachesTheParentAsChildWorkflowFailure) {
  TestEnv env;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("child",
                                    [](WorkflowContext&) -> Task<void> {
                                      throw ApplicationFailure("boom", "Kaput");
                                      co_return;
                                    })
                  .ok());
  ASSERT_TRUE(
      env.registry()
          .RegisterWorkflow(
              "parent",
              [](WorkflowContext& ctx) -> Task<std::string> {
                try {
                  co_await ctx.ExecuteChildWorkflow<void>("child", {});
                } catch (const ChildWorkflowFailure& f) {
                  co_return absl::StrCat(
                      f.failure().child_workflow_execution_failure_info().workflow_type().name(),
                      ": ", f.failure().cause().message(), " (",
                      f.failure().cause().application_failure_info().type(), ")");
                }
                co_return "no failure";
              })
          .ok());
  env.Start("parent", "p");
  env.RunToEnd();
  EXPECT_EQ(StringResult(env, "p"), "child: boom (Kaput)");
  EXPECT_EQ(env.Count("p", enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED), 1);
}

TEST(ChildWorkflow, StartFailsWhenTheIdIsInUse) {
  TestEnv env;
  RegisterWaitingChild(env);
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("parent",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      auto first = ctx.StartChildWorkflow<std::string>(
                                          "child", {.workflow_id = "kid"}, std::string("1"));
                                      co_await first.Started();
                                      auto second = ctx.StartChildWorkflow<std::string>(
                                          "child", {.workflow_id = "kid"}, std::string("2"));
                                      std::string seen;
                                      try {
                                        co_await second.Started();
                                      } catch (const ChildWorkflowFailure& f) {
                                        seen =
                                            f.failure().cause().application_failure_info().type();
                                      }
                                      co_await first.Signal("go", std::string("x"));
                                      co_return seen + " " + co_await first.Result();
                                    })
                  .ok());
  env.Start("parent", "p");
  env.RunToEnd();
  EXPECT_EQ(StringResult(env, "p"), "ChildWorkflowExecutionAlreadyStarted 1:x");
  EXPECT_EQ(env.Count("p", enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED), 1);
}

// Cancellation of a child, per cancellation type; canceled in the same task as its start, so
// the cancellation arrives while the start is pending.
struct ChildCancelCase {
  const char* name;
  ChildWorkflowCancellationType type;
  int cancel_requests;    // RequestCancelExternalWorkflowExecutionInitiated in the parent
  const char* child_end;  // last event of the child
};

class ChildCancellationTest : public ::testing::TestWithParam<ChildCancelCase> {};

TEST_P(ChildCancellationTest, CancelWhileTheStartIsPending) {
  const ChildCancelCase& c = GetParam();
  TestEnv env;
  RegisterWaitingChild(env);
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow(
                      "parent",
                      [&c](WorkflowContext& ctx) -> Task<std::string> {
                        ChildWorkflowOptions options{.workflow_id = "kid"};
                        options.parent_close_policy = enums::PARENT_CLOSE_POLICY_ABANDON;
                        options.cancellation_type = c.type;
                        auto child =
                            ctx.StartChildWorkflow<std::string>("child", options, std::string("c"));
                        co_await ctx.Sleep(absl::Seconds(1));
                        child.Cancel();
                        std::string seen;
                        try {
                          seen = co_await child.Result();
                        } catch (const CanceledFailure&) {
                          seen = "canceled";
                        } catch (const ChildWorkflowFailure& f) {
                          seen = f.failure().cause().has_canceled_failure_info() ? "child canceled"
                                                                                 : "child failed";
                        }
                        // Requests of a closed workflow are dropped (as in
                        // Temporal): stay open until they were delivered.
                        co_await ctx.Sleep(absl::Seconds(1));
                        co_return seen;
                      })
                  .ok());
  // The child is canceled by its own code once it sees the request (its wait is canceled).
  env.Start("parent", "p");
  env.RunToEnd();
  EXPECT_EQ(env.Count("p", enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED),
            c.cancel_requests);
  EXPECT_EQ(history::EventTypeShortName(env.Last("kid").event_type()), c.child_end);
  const std::string result = StringResult(env, "p");
  if (c.type == ChildWorkflowCancellationType::kWaitCancellationCompleted) {
    EXPECT_EQ(result, "child canceled");
  } else {
    EXPECT_EQ(result, "canceled");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Each, ChildCancellationTest,
    ::testing::Values(ChildCancelCase{"WaitCancellationCompleted",
                                      ChildWorkflowCancellationType::kWaitCancellationCompleted, 1,
                                      "WorkflowExecutionCanceled"},
                      ChildCancelCase{"WaitCancellationRequested",
                                      ChildWorkflowCancellationType::kWaitCancellationRequested, 1,
                                      "WorkflowExecutionCanceled"},
                      ChildCancelCase{"TryCancel", ChildWorkflowCancellationType::kTryCancel, 1,
                                      "WorkflowExecutionCanceled"},
                      ChildCancelCase{"Abandon", ChildWorkflowCancellationType::kAbandon, 0,
                                      "WorkflowTaskCompleted"}),
    [](const ::testing::TestParamInfo<ChildCancelCase>& param) { return param.param.name; });

TEST(ChildWorkflow, ScopeCanceledBeforeTheStartIsRecordedWithdrawsTheCommand) {
  TestEnv env;
  RegisterWaitingChild(env);
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("parent",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      auto child = ctx.StartChildWorkflow<std::string>(
                                          "child", {.workflow_id = "kid"}, std::string("d"));
                                      child.Cancel();
                                      try {
                                        co_await child.Started();
                                      } catch (const CanceledFailure&) {
                                        co_return "never started";
                                      }
                                      co_return "started";
                                    })
                  .ok());
  env.Start("parent", "p");
  env.RunToEnd();
  EXPECT_EQ(StringResult(env, "p"), "never started");
  EXPECT_EQ(env.Count("p", enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED), 0);
}

TEST(ExternalWorkflow, SignalAndCancelOtherWorkflowsAndReportMissingOnes) {
  TestEnv env;
  RegisterWaitingChild(env);
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow(
                      "sender",
                      [](WorkflowContext& ctx) -> Task<std::string> {
                        std::string seen;
                        co_await ctx.SignalExternalWorkflow("other", "", "go", std::string("hi"));
                        seen += "signaled;";
                        try {
                          co_await ctx.SignalExternalWorkflow("nobody", "", "go", std::string("x"));
                        } catch (const ApplicationFailure& f) {
                          seen += f.failure().application_failure_info().type() + ";";
                        }
                        co_await ctx.RequestCancelExternalWorkflow("third");
                        seen += "cancel requested;";
                        try {
                          co_await ctx.RequestCancelExternalWorkflow("nobody");
                        } catch (const ApplicationFailure&) {
                          seen += "no one to cancel";
                        }
                        co_return seen;
                      })
                  .ok());
  env.Start("child", "other", ToPayloads(std::string("o")));
  env.Start("child", "third", ToPayloads(std::string("t")));
  env.RunUntilIdle();
  env.Start("sender", "s");
  env.RunToEnd();
  EXPECT_EQ(StringResult(env, "s"),
            "signaled;ExternalWorkflowExecutionNotFound;cancel requested;no one to cancel");
  EXPECT_EQ(StringResult(env, "other"), "o:hi");
  EXPECT_EQ(env.Last("third").event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED);
}

TEST(ChildWorkflow, EveryTaskReplaysFromScratchWithTheSameHistory) {
  WorkerOptions evicting;
  evicting.evict_after_every_task = true;
  TestEnv cached, evicted(evicting);
  for (TestEnv* env : {&cached, &evicted}) {
    RegisterWaitingChild(*env);
    ASSERT_TRUE(env->registry()
                    .RegisterWorkflow("parent",
                                      [](WorkflowContext& ctx) -> Task<std::string> {
                                        std::vector<ChildWorkflowHandle<std::string>> kids;
                                        for (int i = 0; i < 3; ++i) {
                                          kids.push_back(ctx.StartChildWorkflow<std::string>(
                                              "child", {}, absl::StrCat("k", i)));
                                        }
                                        for (auto& k : kids)
                                          co_await k.Signal("go", std::string("!"));
                                        std::string all;
                                        for (auto& k : kids) all += co_await k.Result();
                                        co_return all;
                                      })
                    .ok());
    env->Start("parent", "p");
    env->RunToEnd();
    EXPECT_EQ(StringResult(*env, "p"), "k0:!k1:!k2:!");
  }
  EXPECT_EQ(cached.History("p").SerializeAsString(), evicted.History("p").SerializeAsString());
  EXPECT_EQ(evicted.worker().stats().failed_tasks, 0);
}

// Another SDK's child ids are its own (TypeScript draws UUIDs). Where ids are not compared, the
// child's recorded id is adopted, so the signal the code then sends through its handle (to the
// id the run generated) is matched with the recorded signal to the recorded id; compared
// strictly, the ids differ.
Task<std::string> StartAndSignalChild(WorkflowContext& ctx) {
  auto child = ctx.StartChildWorkflow<std::string>("child", {}, std::string("a"));
  co_await child.Started();
  co_await child.Signal("go", std::string("hello"));
  co_return co_await child.Result();
}

TEST(ChildWorkflow, AnotherSdksChildIdIsAdoptedForLaterRequests) {
  TestEnv env;
  RegisterWaitingChild(env);
  ASSERT_TRUE(env.registry().RegisterWorkflow("parent", StartAndSignalChild).ok());
  env.Start("parent", "p");
  env.RunToEnd();
  auto history = env.History("p");
  const std::string generated =
      history.events(4).start_child_workflow_execution_initiated_event_attributes().workflow_id();
  ASSERT_FALSE(generated.empty());
  // As another SDK would have recorded it: its own id for the child (in every event that
  // names the child), no "lockstep" SDK name.
  std::string json = history::HistoryToJson(history);
  const std::string theirs = "8c3e1f9a-0b7d-4e52-9a61-2f4d7c0e5b13";
  int replaced = 0;
  for (size_t at = json.find(generated); at != std::string::npos; at = json.find(generated)) {
    json.replace(at, generated.size(), theirs);
    ++replaced;
  }
  EXPECT_GE(replaced, 4);  // initiated, started, signal initiated, signaled, completed
  auto parsed = history::ParseHistoriesJson(json, "edited");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  history = (*parsed)[0];
  for (auto& e : *history.mutable_events()) {
    if (e.event_type() == enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
      e.mutable_workflow_task_completed_event_attributes()->clear_sdk_metadata();
    }
  }
  for (const IdRule rule : {IdRule::kAuto, IdRule::kStrict}) {
    RunOptions options;
    options.id_rule = rule;
    WorkflowRun run(&env.registry(), {.workflow_id = "p", .run_id = "r"}, options);
    const bool clean = run.ProcessEvents(history, 0).ok() && run.CheckAllCommandsRecorded().ok();
    EXPECT_EQ(clean, rule == IdRule::kAuto);
    if (rule == IdRule::kAuto) {
      EXPECT_FALSE(run.result_mismatch().has_value()) << run.result_mismatch()->message;
    }
  }
}

// A child canceled after its initiation was recorded but before it started: the cancellation
// request goes out in the task that learns the child's run id. The service starts children
// in the same step that records their initiation, so this race is built by hand, as a
// history in which ChildWorkflowExecutionStarted arrives a task later.
TEST(ChildWorkflow, CancelBetweenInitiationAndStartIsSentOnceStarted) {
  Registry registry;
  ASSERT_TRUE(registry
                  .RegisterWorkflow("parent",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      ChildWorkflowOptions options{.workflow_id = "kid"};
                                      options.cancellation_type =
                                          ChildWorkflowCancellationType::kWaitCancellationRequested;
                                      auto child = ctx.StartChildWorkflow<void>("child", options);
                                      ctx.SetSignalHandler<>("stop", [child] { child.Cancel(); });
                                      try {
                                        co_await child.Result();
                                      } catch (const CanceledFailure&) {
                                        co_return "canceled";
                                      }
                                      co_return "completed";
                                    })
                  .ok());
  history::HistoryBuilder b("parent", "q", "p", "run-p");
  const auto first = b.AddWorkflowTask();
  auto* initiated = b.AddEvent(enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED);
  auto* ia = initiated->mutable_start_child_workflow_execution_initiated_event_attributes();
  ia->set_workflow_id("kid");
  ia->mutable_workflow_type()->set_name("child");
  ia->set_workflow_task_completed_event_id(first.completed);
  const int64_t initiated_id = initiated->event_id();
  b.AddSignal("stop");
  const int64_t scheduled = b.AddWorkflowTaskScheduled();
  b.AddWorkflowTaskStarted(scheduled);

  WorkflowRun run(&registry, {.workflow_id = "p", .run_id = "run-p"});
  auto second = run.ProcessEvents(b.history(), 0);
  ASSERT_TRUE(second.ok()) << second.error().message;
  ASSERT_TRUE(second->has_value());
  EXPECT_TRUE((*second)->commands.empty());  // the run id is not known yet

  const int64_t completed = b.AddWorkflowTaskCompleted(scheduled, scheduled + 1);
  auto* started = b.AddEvent(enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED);
  auto* sa = started->mutable_child_workflow_execution_started_event_attributes();
  sa->set_initiated_event_id(initiated_id);
  sa->mutable_workflow_execution()->set_workflow_id("kid");
  sa->mutable_workflow_execution()->set_run_id("run-kid");
  sa->mutable_workflow_type()->set_name("child");
  const int64_t scheduled3 = b.AddWorkflowTaskScheduled();
  b.AddWorkflowTaskStarted(scheduled3);
  auto third = run.ProcessEvents(b.history(), static_cast<int>(completed) - 1);
  ASSERT_TRUE(third.ok()) << third.error().message;
  ASSERT_TRUE(third->has_value());
  ASSERT_EQ((*third)->commands.size(), 1u);
  const auto& cancel = (*third)->commands[0];
  EXPECT_EQ(cancel.command_type(), enums::COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION);
  EXPECT_EQ(cancel.request_cancel_external_workflow_execution_command_attributes().run_id(),
            "run-kid");
  EXPECT_TRUE(
      cancel.request_cancel_external_workflow_execution_command_attributes().child_workflow_only());
}

}  // namespace
}  // namespace child_workflow_test
}  // namespace lockstep
