// Whatever workflow code throws, from any of its entry points, leaves the worker usable.
//
// Each entry point (the main coroutine, a raw workflow function, a signal handler, plain or a
// coroutine, an update handler and validator, a query handler, a condition) throws something
// that is not a std::exception once: an int, or a struct of the code's own. The live task
// fails as WORKFLOW_WORKER_UNHANDLED_FAILURE with a message naming what was thrown, the
// service retries it, and the retry completes; a query answers with an error instead. Then
// the same worker and service run another workflow to its end. And the run's own
// NondeterminismAbort is not something user code can hide with catch (...).
#include <string>
#include <utility>
#include <vector>

#include "engine/workflow/workflow_run.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::history::v1::History;
using ::testing::HasSubstr;
using testing::TestEnv;

// Not a std::exception: no what(), so the failure names the type.
struct Oops {
  int code;
};

constexpr char kIntThrown[] = "non-std exception of type int (not derived from std::exception)";
constexpr char kOopsThrown[] = "non-std exception of type lockstep::(anonymous namespace)::Oops";

// True the first time only: the entry point throws on the live task, and the service's retry
// of that task runs through.
class Once {
 public:
  bool operator()() { return calls_++ == 0; }
  int calls() const { return calls_; }

 private:
  int calls_ = 0;
};

ActivityOptions Quick() { return {.start_to_close_timeout = absl::Seconds(10)}; }

// The workflow task failures recorded in `history`.
std::vector<temporal::api::history::v1::WorkflowTaskFailedEventAttributes> TaskFailures(
    const History& history) {
  std::vector<temporal::api::history::v1::WorkflowTaskFailedEventAttributes> failures;
  for (const auto& e : history.events()) {
    if (e.event_type() != enums::EVENT_TYPE_WORKFLOW_TASK_FAILED) continue;
    failures.push_back(e.workflow_task_failed_event_attributes());
  }
  return failures;
}

void ExpectOneUnhandledFailure(TestEnv& env, const std::string& id, const std::string& message) {
  const auto failures = TaskFailures(env.History(id));
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].cause(),
            enums::WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE);
  EXPECT_THAT(failures[0].failure().message(), HasSubstr(message));
  EXPECT_EQ(failures[0].failure().application_failure_info().type(), "CppException");
}

void ExpectCompletedWith(TestEnv& env, const std::string& id, int expected) {
  const auto& last = env.Last(id);
  ASSERT_EQ(last.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
      << history::EventTypeShortName(last.event_type());
  auto value = FromPayloads<int>(last.workflow_execution_completed_event_attributes().result());
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(std::get<0>(*value), expected);
}

// Registers "healthy" (an activity, a timer, a signal) and the activity it runs; call before
// the environment is first used.
void RegisterHealthy(TestEnv& env) {
  ASSERT_TRUE(env.registry()
                  .RegisterActivity("add", [](ActivityContext&, int a, int b) { return a + b; })
                  .ok());
  ASSERT_TRUE(
      env.registry()
          .RegisterWorkflow("healthy",
                            [](WorkflowContext& ctx) -> Task<int> {
                              int bonus = 0;
                              ctx.SetSignalHandler<int>("bonus", [&bonus](int b) { bonus = b; });
                              int sum = co_await ctx.ExecuteActivity<int>("add", Quick(), 20, 1);
                              co_await ctx.Sleep(absl::Seconds(1));
                              co_await ctx.WaitCondition([&bonus] { return bonus > 0; });
                              co_return sum + bonus;
                            })
          .ok());
}

// The same worker and service run a workflow that uses activities, timers and signals to its
// end, after whatever happened before.
void ExpectWorkerStillWorks(TestEnv& env) {
  const int64_t failed_before = env.worker().stats().failed_tasks;
  env.Start("healthy", "after");
  env.RunToEnd(absl::Minutes(5));
  env.Signal("after", "bonus", ToPayloads(21));
  env.RunToEnd(absl::Minutes(5));
  ExpectCompletedWith(env, "after", 42);
  EXPECT_TRUE(TaskFailures(env.History("after")).empty());
  EXPECT_EQ(env.worker().stats().failed_tasks, failed_before);
}

TEST(ExceptionSafety, MainCoroutineThrowsAnInt) {
  TestEnv env;
  RegisterHealthy(env);
  Once once;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [&once](WorkflowContext& ctx) -> Task<int> {
                                      co_await ctx.Sleep(absl::Seconds(1));
                                      if (once()) throw 42;
                                      co_return 7;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd(absl::Minutes(5));
  ExpectOneUnhandledFailure(env, "w", kIntThrown);
  ExpectCompletedWith(env, "w", 7);
  ExpectWorkerStillWorks(env);
}

TEST(ExceptionSafety, MainCoroutineThrowsAStructOfItsOwn) {
  TestEnv env;
  RegisterHealthy(env);
  Once once;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [&once](WorkflowContext&) -> Task<int> {
                                      if (once()) throw Oops{3};
                                      co_return 7;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd(absl::Minutes(5));
  ExpectOneUnhandledFailure(env, "w", kOopsThrown);
  ExpectCompletedWith(env, "w", 7);
  ExpectWorkerStillWorks(env);
}

Task<Payloads> Seven(WorkflowContext& ctx) {
  co_await ctx.Sleep(absl::Seconds(1));
  co_return ToPayloads(7);
}

// A raw workflow function is not necessarily a coroutine: it can throw before it returns one.
TEST(ExceptionSafety, RawWorkflowFunctionThrowsBeforeItsCoroutineExists) {
  TestEnv env;
  RegisterHealthy(env);
  Once once;
  ASSERT_TRUE(env.registry()
                  .RegisterRawWorkflow("raw",
                                       [&once](WorkflowContext& ctx, Payloads) -> Task<Payloads> {
                                         if (once()) throw Oops{1};
                                         return Seven(ctx);
                                       })
                  .ok());
  env.Start("raw", "w");
  env.RunToEnd(absl::Minutes(5));
  ExpectOneUnhandledFailure(env, "w", kOopsThrown);
  ExpectCompletedWith(env, "w", 7);
  ExpectWorkerStillWorks(env);
}

TEST(ExceptionSafety, PlainSignalHandlerThrows) {
  TestEnv env;
  RegisterHealthy(env);
  Once once;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [&once](WorkflowContext& ctx) -> Task<int> {
                                      int got = 0;
                                      ctx.SetSignalHandler<int>("set", [&once, &got](int v) {
                                        if (once()) throw 42;
                                        got = v;
                                      });
                                      co_await ctx.WaitCondition([&got] { return got != 0; });
                                      co_return got;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunUntilIdle();
  env.Signal("w", "set", ToPayloads(9));
  env.RunToEnd(absl::Minutes(5));
  ExpectOneUnhandledFailure(env, "w", kIntThrown);
  ExpectCompletedWith(env, "w", 9);
  EXPECT_EQ(once.calls(), 2);
  ExpectWorkerStillWorks(env);
}

TEST(ExceptionSafety, CoroutineSignalHandlerThrowsAfterSuspending) {
  TestEnv env;
  RegisterHealthy(env);
  Once once;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [&once](WorkflowContext& ctx) -> Task<int> {
                                      int got = 0;
                                      ctx.SetSignalHandler<int>(
                                          "set", [&ctx, &once, &got](int v) -> Task<void> {
                                            co_await ctx.Sleep(absl::Seconds(1));
                                            if (once()) throw Oops{2};
                                            got = v;
                                          });
                                      co_await ctx.WaitCondition([&got] { return got != 0; });
                                      co_return got;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunUntilIdle();
  env.Signal("w", "set", ToPayloads(9));
  env.RunToEnd(absl::Minutes(5));
  ExpectOneUnhandledFailure(env, "w", kOopsThrown);
  ExpectCompletedWith(env, "w", 9);
  ExpectWorkerStillWorks(env);
}

// A workflow failure (ApplicationFailure) thrown from a signal handler fails the workflow, as
// if the main coroutine had thrown it, the way Temporal's SDKs treat it
// (temporalio/sdk-java#1616). Failing the task instead would retry it forever. Both with the
// run cached and evicted after every task, so the failure replays too.
TEST(ExceptionSafety, AWorkflowFailureFromASignalHandlerFailsTheWorkflow) {
  for (bool evict : {false, true}) {
    for (bool coroutine_handler : {false, true}) {
      WorkerOptions options;
      options.evict_after_every_task = evict;
      TestEnv env(options);
      RegisterHealthy(env);
      ASSERT_TRUE(
          env.registry()
              .RegisterWorkflow(
                  "wf",
                  [coroutine_handler](WorkflowContext& ctx) -> Task<int> {
                    int got = 0;
                    if (coroutine_handler) {
                      ctx.SetSignalHandler<int>("set", [&ctx, &got](int v) -> Task<void> {
                        co_await ctx.Sleep(absl::Seconds(1));
                        if (v < 0) throw ApplicationFailure("negative", "Negative", true);
                        got = v;
                      });
                    } else {
                      ctx.SetSignalHandler<int>("set", [&got](int v) {
                        if (v < 0) throw ApplicationFailure("negative", "Negative", true);
                        got = v;
                      });
                    }
                    co_await ctx.ExecuteActivity<int>("add", Quick(), 1, 2);
                    co_await ctx.WaitCondition([&got] { return got != 0; });
                    co_return got;
                  })
              .ok());
      env.Start("wf", "w");
      env.RunToEnd(absl::Minutes(5));
      env.Signal("w", "set", ToPayloads(-1));
      env.RunToEnd(absl::Minutes(5));
      const auto& last = env.Last("w");
      ASSERT_EQ(last.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)
          << "evict=" << evict << " coroutine=" << coroutine_handler << ": "
          << history::EventTypeShortName(last.event_type());
      const auto& failure = last.workflow_execution_failed_event_attributes().failure();
      EXPECT_EQ(failure.message(), "negative");
      EXPECT_EQ(failure.application_failure_info().type(), "Negative");
      EXPECT_TRUE(TaskFailures(env.History("w")).empty());
      ExpectWorkerStillWorks(env);
    }
  }
}

TEST(ExceptionSafety, ConditionThrows) {
  TestEnv env;
  RegisterHealthy(env);
  Once once;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [&once](WorkflowContext& ctx) -> Task<int> {
                                      co_await ctx.Sleep(absl::Seconds(1));
                                      co_await ctx.WaitCondition([&once] {
                                        if (once()) throw 42;
                                        return true;
                                      });
                                      co_return 7;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd(absl::Minutes(5));
  ExpectOneUnhandledFailure(env, "w", kIntThrown);
  ExpectCompletedWith(env, "w", 7);
  ExpectWorkerStillWorks(env);
}

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

// "ok:<value>", or what else the update's status says.
std::string UpdateOutcome(TestEnv& env, const std::string& id, const std::string& update_id) {
  auto status = env.service().GetUpdateStatus(id, update_id);
  if (!status.ok()) return std::string(status.status().message());
  if (!status->completed()) return "pending";
  if (!status->error.ok()) return "error:" + std::string(status->error.message());
  if (status->outcome->has_failure()) {
    return (status->rejected ? "rejected:" : "failed:") + status->outcome->failure().message();
  }
  auto value = FromPayloads<int>(status->outcome->success());
  return value.ok() ? "ok:" + std::to_string(std::get<0>(*value)) : "undecodable";
}

// "add" updates add their argument; the workflow ends when the total reaches 10.
void RegisterUpdateWorkflow(TestEnv& env, Once* handler_throws, Once* validator_throws) {
  ASSERT_TRUE(
      env.registry()
          .RegisterWorkflow("wf",
                            [handler_throws, validator_throws](WorkflowContext& ctx) -> Task<int> {
                              int total = 0;
                              ctx.SetUpdateHandler<int>(
                                  "add",
                                  [&ctx, &total, handler_throws](int v) -> Task<int> {
                                    co_await ctx.Sleep(absl::Seconds(1));
                                    if ((*handler_throws)()) throw Oops{4};
                                    total += v;
                                    co_return total;
                                  },
                                  [validator_throws](int) {
                                    if ((*validator_throws)()) throw 42;
                                  });
                              co_await ctx.WaitCondition([&total] { return total >= 10; });
                              co_return total;
                            })
          .ok());
}

TEST(ExceptionSafety, UpdateHandlerThrows) {
  TestEnv env;
  RegisterHealthy(env);
  Once handler_throws, validator_never;
  (void)validator_never();  // used up: the validator passes
  RegisterUpdateWorkflow(env, &handler_throws, &validator_never);
  env.Start("wf", "w");
  env.RunUntilIdle();
  SendUpdate(env, "w", "u1", "add", ToPayloads(10));
  env.RunToEnd(absl::Minutes(5));
  // The handler threw in the task after its timer fired, which failed; the retry replayed the
  // update from its acceptance, and the handler's second run completed it.
  ExpectOneUnhandledFailure(env, "w", kOopsThrown);
  EXPECT_EQ(UpdateOutcome(env, "w", "u1"), "ok:10");
  ExpectCompletedWith(env, "w", 10);
  ExpectWorkerStillWorks(env);
}

TEST(ExceptionSafety, UpdateValidatorThrowsSomethingThatIsNoRejection) {
  TestEnv env;
  RegisterHealthy(env);
  Once handler_never, validator_throws;
  (void)handler_never();
  RegisterUpdateWorkflow(env, &handler_never, &validator_throws);
  env.Start("wf", "w");
  env.RunUntilIdle();
  SendUpdate(env, "w", "u1", "add", ToPayloads(10));
  env.RunToEnd(absl::Minutes(5));
  // Not a rejection (that takes a WorkflowFailure or a std::exception): the task failed, and
  // the update came again with the retried task.
  ExpectOneUnhandledFailure(env, "w", kIntThrown);
  EXPECT_EQ(validator_throws.calls(), 2);
  EXPECT_EQ(UpdateOutcome(env, "w", "u1"), "ok:10");
  ExpectCompletedWith(env, "w", 10);
  ExpectWorkerStillWorks(env);
}

void RegisterQueriedWorkflow(TestEnv& env) {
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<int> {
                                      int value = 5;
                                      bool done = false;
                                      ctx.SetQueryHandler<>("value", [&value] { return value; });
                                      ctx.SetQueryHandler<>("int", []() -> int { throw 42; });
                                      ctx.SetQueryHandler<>("oops", []() -> int { throw Oops{5}; });
                                      ctx.SetSignalHandler<>("done", [&done] { done = true; });
                                      co_await ctx.WaitCondition([&done] { return done; });
                                      co_return value;
                                    })
                  .ok());
}

void ExpectQueriesFailAndTheRunGoesOn(TestEnv& env) {
  env.Start("wf", "w");
  env.RunUntilIdle();
  auto thrown_int = env.service().QueryWorkflow("w", "", "int", {});
  ASSERT_FALSE(thrown_int.ok());
  EXPECT_THAT(thrown_int.status().message(), HasSubstr("query \"int\" threw: "));
  EXPECT_THAT(thrown_int.status().message(), HasSubstr(kIntThrown));
  auto thrown_oops = env.service().QueryWorkflow("w", "", "oops", {});
  ASSERT_FALSE(thrown_oops.ok());
  EXPECT_THAT(thrown_oops.status().message(), HasSubstr(kOopsThrown));
  // The run answers the next query and takes the next task as if nothing happened.
  auto value = env.service().QueryWorkflow("w", "", "value", {});
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(std::get<0>(*FromPayloads<int>(*value)), 5);
  env.Signal("w", "done");
  env.RunToEnd(absl::Minutes(5));
  ExpectCompletedWith(env, "w", 5);
  EXPECT_TRUE(TaskFailures(env.History("w")).empty());
  ExpectWorkerStillWorks(env);
}

TEST(ExceptionSafety, QueryHandlerThrowsOnACachedRun) {
  TestEnv env;
  RegisterHealthy(env);
  RegisterQueriedWorkflow(env);
  ExpectQueriesFailAndTheRunGoesOn(env);
}

TEST(ExceptionSafety, QueryHandlerThrowsOnARunRebuiltForTheQuery) {
  WorkerOptions options;
  options.evict_after_every_task = true;
  TestEnv env(options);
  RegisterHealthy(env);
  RegisterQueriedWorkflow(env);
  ExpectQueriesFailAndTheRunGoesOn(env);
}

// NondeterminismAbort, which the run throws through workflow code once it found
// nondeterminism, is no std::exception; even catch (...) in the code cannot hide the finding,
// whether the code swallows what it caught or throws something else instead.
History RecordSleeper() {
  TestEnv env;
  EXPECT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<int> {
                                      co_await ctx.Sleep(absl::Seconds(1));
                                      co_return 1;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  return env.History("w");
}

TEST(ExceptionSafety, CatchAllInWorkflowCodeDoesNotHideNondeterminism) {
  const History history = RecordSleeper();
  for (const bool rethrow_other : {false, true}) {
    Registry registry;
    ASSERT_TRUE(registry
                    .RegisterWorkflow("wf",
                                      [rethrow_other](WorkflowContext& ctx) -> Task<int> {
                                        try {
                                          // No marker in the history: nondeterminism.
                                          ctx.SideEffect<int>([] { return 1; });
                                        } catch (...) {
                                          if (rethrow_other) throw 42;
                                        }
                                        co_await ctx.Sleep(absl::Seconds(1));
                                        co_return 1;
                                      })
                    .ok());
    WorkflowRun run(&registry, {.workflow_id = "w", .run_id = "r"});
    auto processed = run.ProcessEvents(history, 0);
    ASSERT_FALSE(processed.ok()) << rethrow_other;
    EXPECT_EQ(processed.error().kind, RunError::Kind::kNondeterminism)
        << RunErrorKindName(processed.error().kind) << ": " << processed.error().message;
    ASSERT_TRUE(processed.error().nondeterminism.has_value());
    EXPECT_EQ(processed.error().nondeterminism->actual, "marker SideEffect #1");
  }
}

}  // namespace
}  // namespace lockstep
