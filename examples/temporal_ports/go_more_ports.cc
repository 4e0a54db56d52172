// Ports of sdk-go recorded workflows: activities and timers raced with cancellation, versions
// in a loop, updates, parallel local activities, and histories with failed, timed-out or reset
// workflow tasks (sdk-go test/replaytests, test/fixtures and internal/testdata, as described
// in tests/data/temporal).
#include <cctype>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "examples/temporal_ports/port_registrations.h"

namespace lockstep::ports {
namespace {

// The activity options of sdk-go's replay tests.
ActivityOptions GoReplayTestOptions() {
  return {.schedule_to_start_timeout = absl::Minutes(1),
          .start_to_close_timeout = absl::Minutes(1),
          .heartbeat_timeout = absl::Seconds(20)};
}

std::string HelloWorld(ActivityContext&, std::string name) { return "Hello " + name + "!"; }

// internal/testdata/sampleHistory.json (internal_worker_test.go, testReplayWorkflowFromFile):
// one activity with three arguments, waiting for its cancellation if canceled.
Task<void> SampleHistoryWorkflow(WorkflowContext& ctx) {
  ActivityOptions options = GoReplayTestOptions();
  options.cancellation_type = ActivityCancellationType::kWaitCancellationCompleted;
  co_await ctx.ExecuteActivity<void>("testActivityMultipleArgs", options, 2, std::string("test"),
                                     true);
}

void ActivityMultipleArgs(ActivityContext&, int, std::string, bool) {}

// test/fixtures/activity.cancel.sm.repro.json (workflow_test.go, ActivityCancelRepro): under
// one cancelable scope, a 10 s sleep and three activities; when the first activity succeeds
// it cancels the scope, which cancels the sleep and the two activities on a task queue no
// worker polls. The sleep's error is ignored.
Task<std::vector<std::string>> ActivityCancelRepro(WorkflowContext& ctx) {
  CancellationScope scope = ctx.NewCancellationScope();
  // Go's main coroutine reaches its sleep before the three coroutines start.
  Future<void> sleep = scope.Run([&ctx]() -> Task<void> { co_await ctx.Sleep(absl::Seconds(10)); });
  Future<void> first = scope.Run([&ctx, scope]() -> Task<void> {
    co_await ctx.ExecuteActivity<std::string>("Prefix_ToUpperWithDelay",
                                              {.schedule_to_close_timeout = absl::Seconds(10),
                                               .schedule_to_start_timeout = absl::Seconds(10),
                                               .start_to_close_timeout = absl::Seconds(9)},
                                              std::string("hello"), int64_t{1000000000});
    scope.Cancel();
  });
  std::vector<Future<void>> stuck;
  for (int i = 0; i < 2; ++i) {
    stuck.push_back(scope.Run([&ctx]() -> Task<void> {
      co_await ctx.ExecuteActivity<std::string>(
          "Prefix_ToUpper", {.task_queue = "bad_tq", .start_to_close_timeout = absl::Seconds(1)},
          std::string("hello"));
    }));
  }
  try {
    co_await sleep;
  } catch (const CanceledFailure&) {
  }
  co_return std::vector<std::string>{"toUpperWithDelay"};
}

std::string ToUpper(ActivityContext&, std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string ToUpperWithDelay(ActivityContext& ctx, std::string s, int64_t /*delay_nanos*/) {
  return ToUpper(ctx, std::move(s));
}

// test/replaytests AwaitWithTimeoutNoTimerCancelWorkflow, recorded before Go's
// cancel-await-timer-on-condition flag: a coroutine sets a flag after 100 ms while the main
// one awaits it for up to 10 s. That old await-with-timeout did not cancel its timer when
// the condition won, which is written here as a plain timer beside the condition.
Task<bool> AwaitWithTimeoutNoTimerCancel(WorkflowContext& ctx) {
  bool met = false;
  bool result = false;
  ctx.NewCancellationScope().Run([&ctx, &met]() -> Task<void> {
    co_await ctx.Sleep(absl::Milliseconds(100));
    met = true;
  });
  Future<void> awaited = ctx.NewCancellationScope().Run([&ctx, &met, &result]() -> Task<void> {
    Future<void> timeout = ctx.Sleep(absl::Seconds(10));
    co_await WhenAny(ctx.WaitCondition([&met] { return met; }), timeout);
    result = met;
  });
  co_await awaited;
  co_return result;
}

// test/replaytests CancelActivityCompletionBeforeWorkflowTaskStarted: the activity with a
// custom id; the workflow's cancellation arrives while it runs.
Task<void> CancelActivityCompletionBeforeWorkflowTaskStarted(WorkflowContext& ctx) {
  ActivityOptions options = GoReplayTestOptions();
  options.activity_id = "custom-activity-id";
  co_await ctx.ExecuteActivity<std::string>("helloworldActivity", options, std::string("world"));
}

// test/replaytests CancelOrderSelectWorkflow: a 5-minute timer; canceled (the workflow's
// cancellation cancels it), the workflow runs the activity in a detached scope and returns its
// error; fired, it would upsert a search attribute. (Go's selector also waits on the
// cancellation channel, but the canceled timer is always ready first.)
Task<void> CancelOrderSelectWorkflow(WorkflowContext& ctx) {
  bool timer_canceled = false;
  try {
    co_await ctx.Sleep(absl::Minutes(5));
  } catch (const CanceledFailure&) {
    timer_canceled = true;
  }
  if (!timer_canceled) {
    ctx.UpsertSearchAttributes({{"CustomKeywordField", ToPayload(std::string("testkey"))}});
    co_return;
  }
  co_await ctx.NewDetachedCancellationScope().Run([&ctx]() -> Task<void> {
    co_await ctx.ExecuteActivity<std::string>("helloworldActivity", GoReplayTestOptions(),
                                              std::string("world"));
  });
}

// test/replaytests VersionLoopWorkflow(changeID, iterations): a version per iteration, then
// a 1 s sleep.
Task<void> VersionLoopWorkflow(WorkflowContext& ctx, std::string change_id, int iterations) {
  for (int i = 0; i < iterations; ++i) {
    ctx.GetVersion(absl::StrCat(change_id, ":", i), WorkflowContext::kDefaultVersion, 1);
  }
  co_await ctx.Sleep(absl::Seconds(1));
}

// test/replaytests UpdateWorkflow: update "update"(duration in ns) sleeps that long; the
// workflow ends on signal "shutdown" (its binary/null argument is not read).
Task<void> UpdateWorkflow(WorkflowContext& ctx) {
  ctx.SetUpdateHandler<int64_t>("update", [&ctx](int64_t nanos) -> Task<void> {
    co_await ctx.Sleep(absl::Nanoseconds(nanos));
  });
  bool shutdown = false;
  ctx.SetRawSignalHandler("shutdown", [&shutdown](const Payloads&) -> Task<void> {
    shutdown = true;
    return Task<void>();
  });
  co_await ctx.WaitCondition([&shutdown] { return shutdown; });
}

// test/workflow_test.go WorkflowWithParallelLocalActivities: ten local activities Echo(0, i)
// at once, each result checked in order.
Task<std::string> ParallelLocalActivities(WorkflowContext& ctx) {
  std::vector<Future<int>> results;
  for (int i = 0; i < 10; ++i) {
    results.push_back(ctx.ExecuteLocalActivity<int>(
        "Echo", {.schedule_to_close_timeout = absl::Seconds(5)}, 0, i));
  }
  for (int i = 0; i < 10; ++i) {
    if (co_await results[i] != i) throw ApplicationFailure("wrong echo", "Echo");
  }
  co_return "";
}

int Echo(ActivityContext&, int /*delay_seconds*/, int value) { return value; }

// test/replaytests TripWorkflow(tripCounter): counts ten "trip_event" signals, then continues
// as new with the count. (The recorded signal is a JSON object; only its arrival counts.)
Task<void> TripWorkflow(WorkflowContext& ctx, int trip_counter) {
  int received = 0;
  ctx.SetRawSignalHandler("trip_event", [&received](const Payloads&) -> Task<void> {
    ++received;
    return Task<void>();
  });
  for (int i = 0; i < 10; ++i) {
    co_await ctx.WaitCondition([&received] { return received > 0; });
    --received;
    ++trip_counter;
  }
  ctx.ContinueAsNew({}, trip_counter);
}

// test/replaytests ResetWorkflowWithChild: returns the result of child TestChildWorkflow.
Task<std::string> ResetWorkflowWithChild(WorkflowContext& ctx) {
  ChildWorkflowOptions options;
  options.parent_close_policy = temporal::api::enums::v1::PARENT_CLOSE_POLICY_TERMINATE;
  options.id_reuse_policy = temporal::api::enums::v1::WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE;
  co_return co_await ctx.ExecuteChildWorkflow<std::string>("TestChildWorkflow", options,
                                                           std::string("CHILD INPUT"));
}

Task<std::string> TestChildWorkflow(WorkflowContext&, std::string input) {
  co_return "Hello " + input + "!";
}

// test/replaytests TimerWf: waits for a 10-minute timer; on the way out (Go's defer, in a
// disconnected context) always sleeps another 10 minutes. The recorded input (a duration) is
// not read by the current signature.
Task<void> TimerWf(WorkflowContext& ctx, int64_t /*unused*/) {
  bool canceled = false;
  try {
    co_await ctx.Sleep(absl::Minutes(10));
  } catch (const CanceledFailure&) {
    canceled = true;
  }
  co_await ctx.NewDetachedCancellationScope().Run(
      [&ctx]() -> Task<void> { co_await ctx.Sleep(absl::Minutes(10)); });
  if (canceled) throw CanceledFailure("timer canceled");
}

}  // namespace

absl::Status RegisterGoSampleHistory(Registry* r) {
  return FirstError({r->RegisterWorkflow("testReplayWorkflowFromFile", SampleHistoryWorkflow),
                     r->RegisterActivity("testActivityMultipleArgs", ActivityMultipleArgs)});
}
absl::Status RegisterGoActivityCancelRepro(Registry* r) {
  return FirstError({r->RegisterWorkflow("ActivityCancelRepro", ActivityCancelRepro),
                     r->RegisterActivity("Prefix_ToUpperWithDelay", ToUpperWithDelay),
                     r->RegisterActivity("Prefix_ToUpper", ToUpper)});
}
absl::Status RegisterGoAwaitWithTimeoutNoTimerCancel(Registry* r) {
  return r->RegisterWorkflow("AwaitWithTimeoutNoTimerCancelWorkflow",
                             AwaitWithTimeoutNoTimerCancel);
}
absl::Status RegisterGoCancelActivityCompletion(Registry* r) {
  return FirstError({r->RegisterWorkflow("CancelActivityCompletionBeforeWorkflowTaskStarted",
                                         CancelActivityCompletionBeforeWorkflowTaskStarted),
                     r->RegisterActivity("helloworldActivity", HelloWorld)});
}
absl::Status RegisterGoCancelOrder(Registry* r) {
  return FirstError({r->RegisterWorkflow("CancelOrderSelectWorkflow", CancelOrderSelectWorkflow),
                     r->RegisterActivity("helloworldActivity", HelloWorld)});
}
absl::Status RegisterGoVersionLoop(Registry* r) {
  return r->RegisterWorkflow("VersionLoopWorkflow", VersionLoopWorkflow);
}
absl::Status RegisterGoUpdateWithProtocolMessage(Registry* r) {
  return r->RegisterWorkflow("UpdateWorkflow", UpdateWorkflow);
}
absl::Status RegisterGoParallelLocalActivities(Registry* r) {
  return FirstError(
      {r->RegisterWorkflow("WorkflowWithParallelLocalActivities", ParallelLocalActivities),
       r->RegisterActivity("Echo", Echo)});
}
absl::Status RegisterGoTripWorkflow(Registry* r) {
  return r->RegisterWorkflow("TripWorkflow", TripWorkflow);
}
absl::Status RegisterGoResetWorkflowWithChild(Registry* r) {
  return FirstError({r->RegisterWorkflow("ResetWorkflowWithChild", ResetWorkflowWithChild),
                     r->RegisterWorkflow("TestChildWorkflow", TestChildWorkflow)});
}
absl::Status RegisterGoTimerWf(Registry* r) { return r->RegisterWorkflow("TimerWf", TimerWf); }

}  // namespace lockstep::ports
