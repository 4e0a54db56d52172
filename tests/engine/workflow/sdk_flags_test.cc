// SDK flags (engine/workflow/sdk_flags.h): every rule of the table, with the flag and
// without; and replays of histories built both ways, which must each be clean against the
// same code and nondeterministic against the other form.
#include "engine/workflow/sdk_flags.h"

#include <initializer_list>
#include <string>
#include <vector>

#include "engine/history/history_builder.h"
#include "engine/workflow/context.h"
#include "engine/workflow/registry.h"
#include "engine/workflow/workflow_run.h"
#include "gtest/gtest.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using history::HistoryBuilder;
using temporal::api::history::v1::History;
using temporal::api::history::v1::WorkflowTaskCompletedEventAttributes;

WorkflowTaskCompletedEventAttributes Completed(const std::string& sdk_name,
                                               std::initializer_list<uint32_t> core,
                                               std::initializer_list<uint32_t> lang) {
  WorkflowTaskCompletedEventAttributes a;
  auto* m = a.mutable_sdk_metadata();
  m->set_sdk_name(sdk_name);
  for (uint32_t f : core) m->add_core_used_flags(f);
  for (uint32_t f : lang) m->add_lang_used_flags(f);
  return a;
}

// Each row: the SDK it names has the old form without the flag and the new one with it; an
// SDK the row does not name is unaffected by that flag.
TEST(SdkFlags, EveryRuleOnlyWithItsFlagAndOnlyForItsSdk) {
  ASSERT_FALSE(SdkFlagRules().empty());
  for (const SdkFlagRule& rule : SdkFlagRules()) {
    const std::string sdk = rule.sdk == "core" ? "temporal-typescript" : std::string(rule.sdk);
    SCOPED_TRACE(sdk + " flag " + std::to_string(rule.flag));
    SdkFlags without;
    // Another flag of the same kind, so the history is the SDK's and the flag is what differs.
    without.Observe(rule.core_flag ? Completed(sdk, {rule.flag + 100}, {})
                                   : Completed(sdk, {}, {rule.flag + 100}));
    EXPECT_FALSE(without.Follows(rule.behaviour));
    SdkFlags with;
    with.Observe(rule.core_flag ? Completed(sdk, {rule.flag}, {})
                                : Completed(sdk, {}, {rule.flag}));
    EXPECT_TRUE(with.Follows(rule.behaviour));
    // The same number in the other list means nothing.
    SdkFlags other_list;
    other_list.Observe(rule.core_flag ? Completed(sdk, {}, {rule.flag})
                                      : Completed(sdk, {rule.flag + 100}, {rule.flag + 1}));
    EXPECT_FALSE(other_list.Follows(rule.behaviour));
    // Go's and Java's histories (lang flags of their own) never had the old form.
    SdkFlags go;
    go.Observe(Completed("temporal-go", {}, {1, 2, 3}));
    EXPECT_TRUE(go.Follows(rule.behaviour));
    SdkFlags none;
    EXPECT_TRUE(none.Follows(rule.behaviour));
  }
}

TEST(SdkFlags, AFlagStaysOnForLaterTasksAndTheNameIsKept) {
  SdkFlags flags;
  flags.Observe(Completed("temporal-python", {3}, {1}));
  flags.Observe(WorkflowTaskCompletedEventAttributes());  // a later task writes nothing
  flags.Observe(Completed("", {}, {}));                   // nor a name
  EXPECT_TRUE(flags.core_based());
  EXPECT_EQ(flags.sdk_name(), "temporal-python");
  EXPECT_TRUE(flags.Follows(SdkBehaviour::kCommandsAfterCompletionKept));
  EXPECT_TRUE(flags.Follows(SdkBehaviour::kCancelBeatsSameTaskActivityResult));
}

TEST(SdkFlags, CoreFlagsAloneMakeAHistoryCoreBased) {
  SdkFlags flags;
  flags.Observe(Completed("", {2}, {}));
  EXPECT_TRUE(flags.core_based());
  EXPECT_FALSE(flags.Follows(SdkBehaviour::kCommandsAfterCompletionKept));
  EXPECT_TRUE(IsCoreSdkName("temporal-dotnet"));
  EXPECT_FALSE(IsCoreSdkName("temporal-go"));
}

// --- core flag 3: commands issued after the workflow function ended ----------------------

// The main function sleeps 1 s; the "go" signal's handler sleeps 1 s too, lets every other
// coroutine run (as `await asyncio.sleep(0)` does), then starts an activity. Both timers fire
// in the same task: the workflow function ends first, then the handler issues the activity,
// after the completion in the code's order.
Task<void> CompletesBeforeItsHandler(WorkflowContext& ctx) {
  ctx.SetSignalHandler<>("go", [&ctx]() -> Task<void> {
    co_await ctx.Sleep(absl::Seconds(1));
    co_await ctx.Yield();
    co_await ctx.ExecuteActivity<void>("act", {.start_to_close_timeout = absl::Seconds(5)});
  });
  co_await ctx.Sleep(absl::Seconds(1));
}

// The history as an sdk-core SDK records it: with `activity_sent`, the activity command the
// handler issued after the completion is there (as with MoveTerminalCommands), else not.
History CompletionHistory(const WorkflowTaskCompletedEventAttributes& first_completion,
                          bool activity_sent) {
  HistoryBuilder b("wf");
  b.AddSignal("go");
  const auto first = b.AddWorkflowTask();
  *b.mutable_history()
       ->mutable_events(static_cast<int>(first.completed) - 1)
       ->mutable_workflow_task_completed_event_attributes()
       ->mutable_sdk_metadata() = first_completion.sdk_metadata();
  const int64_t t1 = b.AddTimerStarted(first.completed, "1", 1.0);
  const int64_t t2 = b.AddTimerStarted(first.completed, "2", 1.0);
  b.AdvanceMillis(1000);
  b.AddTimerFired(t1, "1");
  b.AddTimerFired(t2, "2");
  const auto second = b.AddWorkflowTask();
  if (activity_sent) b.AddActivityTaskScheduled(second.completed, "1", "act");
  b.AddWorkflowExecutionCompleted(second.completed);
  return b.history();
}

// Replays `history` against `fn` registered as "wf"; the nondeterminism found, if any.
std::optional<Nondeterminism> Replay(const History& history, Task<void> (*fn)(WorkflowContext&),
                                     const char* type = "wf") {
  Registry registry;
  EXPECT_TRUE(registry.RegisterWorkflow(type, fn).ok());
  EXPECT_TRUE(registry.RegisterActivity("act", [](ActivityContext&) {}).ok());
  WorkflowRun run(&registry, {.workflow_id = "w", .run_id = "r"});
  RunStatus status = run.ProcessEvents(history, 0).status();
  if (status.ok()) status = run.CheckAllCommandsRecorded();
  if (status.ok()) return std::nullopt;
  EXPECT_TRUE(status.error().nondeterminism.has_value()) << status.error().message;
  return status.error().nondeterminism.value_or(Nondeterminism{});
}

TEST(MoveTerminalCommands, WithTheFlagTheCommandsAfterTheCompletionAreKept) {
  const History h = CompletionHistory(Completed("temporal-typescript", {1, 2, 3}, {}), true);
  EXPECT_EQ(Replay(h, CompletesBeforeItsHandler), std::nullopt);
  // The recording without the activity was not made by that code.
  auto n = Replay(CompletionHistory(Completed("temporal-typescript", {1, 2, 3}, {}), false),
                  CompletesBeforeItsHandler);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->kind, Nondeterminism::Kind::kMismatch);
  EXPECT_EQ(n->event_id, 13);
}

TEST(MoveTerminalCommands, WithoutTheFlagTheyWereDropped) {
  const History h = CompletionHistory(Completed("temporal-typescript", {1, 2}, {}), false);
  EXPECT_EQ(Replay(h, CompletesBeforeItsHandler), std::nullopt);
  auto n = Replay(CompletionHistory(Completed("temporal-typescript", {1, 2}, {}), true),
                  CompletesBeforeItsHandler);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->kind, Nondeterminism::Kind::kMismatch);
  EXPECT_EQ(n->event_id, 13);
}

TEST(MoveTerminalCommands, DotNetsOwnFlagKeepsThemAndOtherSdksAlwaysDid) {
  EXPECT_EQ(Replay(CompletionHistory(Completed("temporal-dotnet", {1}, {1}), true),
                   CompletesBeforeItsHandler),
            std::nullopt);
  EXPECT_TRUE(Replay(CompletionHistory(Completed("temporal-dotnet", {1}, {}), true),
                     CompletesBeforeItsHandler)
                  .has_value());
  EXPECT_EQ(Replay(CompletionHistory(Completed("temporal-go", {}, {1, 2}), true),
                   CompletesBeforeItsHandler),
            std::nullopt);
  EXPECT_EQ(Replay(CompletionHistory(Completed("", {}, {}), true), CompletesBeforeItsHandler),
            std::nullopt);
}

TEST(MoveTerminalCommands, TheFlagOfTheTasksOwnCompletionCounts) {
  History h = CompletionHistory(Completed("temporal-typescript", {1}, {}), true);
  // Only the second task (completed at event 12) records flag 3.
  h.mutable_events(11)
      ->mutable_workflow_task_completed_event_attributes()
      ->mutable_sdk_metadata()
      ->add_core_used_flags(3);
  EXPECT_EQ(Replay(h, CompletesBeforeItsHandler), std::nullopt);
}

// --- Python's flag 1: an activity's result and the workflow's cancellation in one task ----

// A try-cancel activity; canceled, the code runs a cleanup timer before returning.
Task<void> CleansUpWhenCanceled(WorkflowContext& ctx) {
  bool canceled = false;
  try {
    co_await ctx.ExecuteActivity<std::string>("act", {.start_to_close_timeout = absl::Seconds(10)});
  } catch (const CanceledFailure&) {
    canceled = true;
  }
  if (canceled) {
    co_await ctx.NewDetachedCancellationScope().Run(
        [&ctx]() -> Task<void> { co_await ctx.Sleep(absl::Seconds(1)); });
  }
}

// The activity completes and the cancellation is requested before the second task, in the
// order `cancel_first` says; `cleanup` says whether the recording ran the cleanup timer.
History CancelHistory(const WorkflowTaskCompletedEventAttributes& first_completion,
                      bool cancel_first, bool cleanup) {
  HistoryBuilder b("py");
  const auto first = b.AddWorkflowTask();
  *b.mutable_history()
       ->mutable_events(static_cast<int>(first.completed) - 1)
       ->mutable_workflow_task_completed_event_attributes()
       ->mutable_sdk_metadata() = first_completion.sdk_metadata();
  const int64_t scheduled = b.AddActivityTaskScheduled(first.completed, "1", "act");
  const int64_t started = b.AddActivityTaskStarted(scheduled);
  if (cancel_first) b.AddEvent(enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED);
  b.AddActivityTaskCompleted(scheduled, started, "\"done\"");
  if (!cancel_first) b.AddEvent(enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED);
  const auto second = b.AddWorkflowTask();
  int64_t last = second.completed;
  if (cleanup) {
    const int64_t timer = b.AddTimerStarted(second.completed, "1", 1.0);
    b.AdvanceMillis(1000);
    b.AddTimerFired(timer, "1");
    last = b.AddWorkflowTask().completed;
  }
  b.AddWorkflowExecutionCompleted(last);
  return b.history();
}

TEST(PythonCancelingCompletedActivity, WithTheFlagTheCancellationWinsInEitherOrder) {
  for (bool cancel_first : {true, false}) {
    SCOPED_TRACE(cancel_first ? "cancel first" : "result first");
    const auto flag = Completed("temporal-python", {1, 2, 3}, {1});
    EXPECT_EQ(
        Replay(CancelHistory(flag, cancel_first, /*cleanup=*/true), CleansUpWhenCanceled, "py"),
        std::nullopt);
    EXPECT_TRUE(
        Replay(CancelHistory(flag, cancel_first, /*cleanup=*/false), CleansUpWhenCanceled, "py")
            .has_value());
  }
}

TEST(PythonCancelingCompletedActivity, WithoutTheFlagTheResultWinsInEitherOrder) {
  for (bool cancel_first : {true, false}) {
    SCOPED_TRACE(cancel_first ? "cancel first" : "result first");
    const auto no_flag = Completed("temporal-python", {1, 2, 3}, {});
    EXPECT_EQ(
        Replay(CancelHistory(no_flag, cancel_first, /*cleanup=*/false), CleansUpWhenCanceled, "py"),
        std::nullopt);
    EXPECT_TRUE(
        Replay(CancelHistory(no_flag, cancel_first, /*cleanup=*/true), CleansUpWhenCanceled, "py")
            .has_value());
  }
}

TEST(PythonCancelingCompletedActivity, OtherSdksFollowTheHistoryOrder) {
  for (const char* sdk : {"temporal-typescript", "temporal-go"}) {
    SCOPED_TRACE(sdk);
    const auto meta = Completed(sdk, {}, {1});
    EXPECT_EQ(Replay(CancelHistory(meta, /*cancel_first=*/true, /*cleanup=*/true),
                     CleansUpWhenCanceled, "py"),
              std::nullopt);
    EXPECT_EQ(Replay(CancelHistory(meta, /*cancel_first=*/false, /*cleanup=*/false),
                     CleansUpWhenCanceled, "py"),
              std::nullopt);
  }
}

// --- Python's and .NET's lang flag 2: when the coroutines run between jobs --------------

// A watcher waits for the "go" signal, then starts timer 1 s; the main function waits for
// activity "act", then starts activity "after". The signal and the activity's result come in
// the same task. Run after each job (or group), the watcher goes first: [timer, activity].
// Run once after all of them, the main function's continuation (queued by the result) goes
// before the conditions are asked: [activity, timer].
Task<void> SignalAndResultInOneTask(WorkflowContext& ctx) {
  bool go = false;
  ctx.SetSignalHandler<>("go", [&go] { go = true; });
  Future<void> watcher = ctx.NewCancellationScope().Run([&ctx, &go]() -> Task<void> {
    co_await ctx.WaitCondition([&go] { return go; });
    co_await ctx.Sleep(absl::Seconds(1));
  });
  co_await ctx.ExecuteActivity<void>("act", {.start_to_close_timeout = absl::Seconds(5)});
  co_await ctx.ExecuteActivity<void>("after", {.start_to_close_timeout = absl::Seconds(5)});
  co_await watcher;
}

History OrderHistory(const WorkflowTaskCompletedEventAttributes& first_completion,
                     bool timer_first) {
  HistoryBuilder b("wf");
  const auto first = b.AddWorkflowTask();
  *b.mutable_history()
       ->mutable_events(static_cast<int>(first.completed) - 1)
       ->mutable_workflow_task_completed_event_attributes()
       ->mutable_sdk_metadata() = first_completion.sdk_metadata();
  const int64_t act = b.AddActivityTaskScheduled(first.completed, "1", "act");
  const int64_t act_started = b.AddActivityTaskStarted(act);
  b.AddSignal("go");
  b.AddActivityTaskCompleted(act, act_started);
  const auto second = b.AddWorkflowTask();
  int64_t timer = 0;
  int64_t after = 0;
  if (timer_first) {
    timer = b.AddTimerStarted(second.completed, "1", 1.0);
    after = b.AddActivityTaskScheduled(second.completed, "2", "after");
  } else {
    after = b.AddActivityTaskScheduled(second.completed, "2", "after");
    timer = b.AddTimerStarted(second.completed, "1", 1.0);
  }
  const int64_t after_started = b.AddActivityTaskStarted(after);
  b.AddActivityTaskCompleted(after, after_started);
  b.AdvanceMillis(1000);
  b.AddTimerFired(timer, "1");
  const auto third = b.AddWorkflowTask();
  b.AddWorkflowExecutionCompleted(third.completed);
  return b.history();
}

std::optional<Nondeterminism> ReplayOrder(const History& history) {
  Registry registry;
  EXPECT_TRUE(registry.RegisterWorkflow("wf", SignalAndResultInOneTask).ok());
  for (const char* name : {"act", "after"}) {
    EXPECT_TRUE(registry.RegisterActivity(name, [](ActivityContext&) {}).ok());
  }
  WorkflowRun run(&registry, {.workflow_id = "w", .run_id = "r"});
  RunStatus status = run.ProcessEvents(history, 0).status();
  if (status.ok()) status = run.CheckAllCommandsRecorded();
  if (status.ok()) return std::nullopt;
  return status.error().nondeterminism.value_or(Nondeterminism{});
}

TEST(JobsAppliedAsOneBatch, EachSdkWithAndWithoutItsFlag) {
  struct Case {
    const char* sdk;
    std::vector<uint32_t> lang;
    bool timer_first;  // what that SDK recorded
  };
  const Case cases[] = {
      {"temporal-python", {}, true},    // a group of jobs (the signal), then the rest
      {"temporal-python", {2}, false},  // one batch
      {"temporal-dotnet", {}, true},    // each job
      {"temporal-dotnet", {2}, false},  // one batch
      {"temporal-go", {}, false},       // Lockstep's order
      {"", {}, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.sdk) + (c.lang.empty() ? " without flag 2" : " with flag 2"));
    WorkflowTaskCompletedEventAttributes meta;
    meta.mutable_sdk_metadata()->set_sdk_name(c.sdk);
    for (uint32_t f : c.lang) meta.mutable_sdk_metadata()->add_lang_used_flags(f);
    if (std::string(c.sdk) != "temporal-go" && !std::string(c.sdk).empty()) {
      meta.mutable_sdk_metadata()->add_core_used_flags(3);
    }
    EXPECT_EQ(ReplayOrder(OrderHistory(meta, c.timer_first)), std::nullopt);
    auto n = ReplayOrder(OrderHistory(meta, !c.timer_first));
    ASSERT_TRUE(n.has_value());
    EXPECT_EQ(n->kind, Nondeterminism::Kind::kMismatch);
    EXPECT_EQ(n->event_id, 12);
  }
}

// Two waiters on one token; a signal adds it. Asked one at a time, the first takes it and the
// second keeps waiting (one activity); asked together, both are released (two activities).
Task<void> TwoWaitersOneToken(WorkflowContext& ctx) {
  int tokens = 0;
  ctx.SetSignalHandler<>("token", [&tokens] { ++tokens; });
  auto waiter = [&ctx, &tokens]() -> Task<void> {
    co_await ctx.WaitCondition([&tokens] { return tokens > 0; });
    --tokens;
    co_await ctx.ExecuteActivity<void>("act", {.start_to_close_timeout = absl::Seconds(5)});
  };
  Future<void> first = ctx.NewCancellationScope().Run(waiter);
  Future<void> second = ctx.NewCancellationScope().Run(waiter);
  co_await ctx.Sleep(absl::Seconds(10));
}

History TokenHistory(const std::string& sdk, std::initializer_list<uint32_t> lang, int activities) {
  HistoryBuilder b("tokens");
  const auto first = b.AddWorkflowTask();
  auto* meta = b.mutable_history()
                   ->mutable_events(static_cast<int>(first.completed) - 1)
                   ->mutable_workflow_task_completed_event_attributes()
                   ->mutable_sdk_metadata();
  meta->set_sdk_name(sdk);
  meta->add_core_used_flags(3);
  for (uint32_t f : lang) meta->add_lang_used_flags(f);
  const int64_t timer = b.AddTimerStarted(first.completed, "1", 10.0);
  b.AddSignal("token");
  const auto second = b.AddWorkflowTask();
  for (int i = 1; i <= activities; ++i) {
    b.AddActivityTaskScheduled(second.completed, std::to_string(i), "act");
  }
  b.AdvanceMillis(10000);
  b.AddTimerFired(timer, "1");
  const auto third = b.AddWorkflowTask();
  b.AddWorkflowExecutionCompleted(third.completed);
  return b.history();
}

bool TokenReplaysCleanly(const History& history) {
  Registry registry;
  EXPECT_TRUE(registry.RegisterWorkflow("tokens", TwoWaitersOneToken).ok());
  EXPECT_TRUE(registry.RegisterActivity("act", [](ActivityContext&) {}).ok());
  WorkflowRun run(&registry, {.workflow_id = "w", .run_id = "r"});
  RunStatus status = run.ProcessEvents(history, 0).status();
  return status.ok();
}

TEST(SatisfiedConditions, PythonAndOldDotNetReleaseEveryWaiterThatHolds) {
  EXPECT_TRUE(TokenReplaysCleanly(TokenHistory("temporal-python", {}, 2)));
  EXPECT_TRUE(TokenReplaysCleanly(TokenHistory("temporal-python", {2}, 2)));
  EXPECT_FALSE(TokenReplaysCleanly(TokenHistory("temporal-python", {2}, 1)));
  EXPECT_TRUE(TokenReplaysCleanly(TokenHistory("temporal-dotnet", {}, 2)));
  // .NET's new loop, TypeScript's histories here and Lockstep: one at a time.
  EXPECT_TRUE(TokenReplaysCleanly(TokenHistory("temporal-dotnet", {2}, 1)));
  EXPECT_FALSE(TokenReplaysCleanly(TokenHistory("temporal-dotnet", {2}, 2)));
  EXPECT_TRUE(TokenReplaysCleanly(TokenHistory("temporal-go", {}, 1)));
}

}  // namespace
}  // namespace lockstep
