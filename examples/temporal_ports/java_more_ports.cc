// Ports of sdk-java test workflows (temporal-sdk/src/test, as described in
// tests/data/temporal): local activities, activity retries, versions from many signals, a
// local activity after cancellation, and an await whose timer outlives it.
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "examples/temporal_ports/port_registrations.h"

namespace lockstep::ports {
namespace {

// LocalActivitySuccessfulCompletionTest: returns local activity Activity2("input", 1).
Task<std::string> LocalActivitySuccessfulCompletion(WorkflowContext& ctx) {
  co_return co_await ctx.ExecuteLocalActivity<std::string>(
      "Activity2", {.schedule_to_close_timeout = absl::Seconds(20)}, std::string("input"), 1);
}

std::string Activity2(ActivityContext&, std::string a, int b) { return a + std::to_string(b); }

// AsyncActivityRetryTest: activity HeartbeatAndThrowIO, 3 attempts; its failure fails the
// workflow.
Task<void> AsyncActivityRetry(WorkflowContext& ctx, std::string /*task_queue*/) {
  ActivityOptions options{.schedule_to_close_timeout = absl::Seconds(5),
                          .schedule_to_start_timeout = absl::Seconds(5),
                          .start_to_close_timeout = absl::Seconds(10),
                          .heartbeat_timeout = absl::Seconds(5)};
  options.has_retry_policy = true;
  options.retry_policy = {.initial_interval = absl::Seconds(1),
                          .maximum_interval = absl::Seconds(1),
                          .maximum_attempts = 3};
  co_await ctx.ExecuteActivity<void>("HeartbeatAndThrowIO", options);
}

void HeartbeatAndThrowIO(ActivityContext& ctx) {
  ctx.Heartbeat(ctx.attempt());
  throw std::runtime_error("simulated IO problem");
}

// LocalActivityAfterCancelTest: the child blocks until canceled; the parent's cancellation
// requests the child's (waiting only for the request to reach it); the parent then runs
// local activity customActivity1(10) in a detached scope and ends canceled.
Task<std::string> LocalActivityAfterCancel(WorkflowContext& ctx, std::string /*task_queue*/) {
  const std::string child_id = ctx.info().workflow_id + "-child1";
  ChildWorkflowOptions options{.workflow_id = child_id};
  options.parent_close_policy = temporal::api::enums::v1::PARENT_CLOSE_POLICY_REQUEST_CANCEL;
  options.cancellation_type = ChildWorkflowCancellationType::kWaitCancellationRequested;
  bool child_failed = false;
  try {
    co_await ctx.ExecuteChildWorkflow<std::string>("TestWorkflowReturnString", options);
  } catch (const WorkflowFailure&) {
    child_failed = true;
  }
  if (child_failed && ctx.IsCancelRequested()) {
    co_await ctx.NewDetachedCancellationScope().Run([&ctx]() -> Task<void> {
      co_await ctx.ExecuteLocalActivity<int>("customActivity1",
                                             {.start_to_close_timeout = absl::Seconds(5)}, 10);
    });
    throw CanceledFailure("workflow canceled");
  }
  co_return "";
}

Task<std::string> BlockingChild(WorkflowContext& ctx) {
  co_await ctx.WaitCondition([] { return false; });
  co_return "";
}

int CustomActivity1(ActivityContext&, int x) { return x; }

// GetVersionMultipleCallsInSignalTest: each "testSignal"(arg) asks for version `arg`; the
// workflow returns the arguments once "close" came.
Task<std::vector<std::string>> MultipleGetVersionInSignals(WorkflowContext& ctx) {
  ctx.SetChangeVersionSearchAttribute(false);  // the recording's SDK did not upsert it
  std::vector<std::string> received;
  bool closed = false;
  ctx.SetSignalHandler<std::string>("testSignal", [&ctx, &received](const std::string& arg) {
    ctx.GetVersion(arg, 1, 2);
    received.push_back(arg);
  });
  ctx.SetSignalHandler<>("close", [&closed] { closed = true; });
  co_await ctx.WaitCondition([&closed] { return closed; });
  co_return received;
}

// WorkflowAwaitCancelTimerOnConditionTest, recorded by Java 1.20 before the
// cancel-timer-on-condition flag: an await of up to an hour for signal "unblock". That old
// await left its timer running when the condition won, which is written here as a plain
// timer beside the condition.
Task<std::string> AwaitTimerConditionOldBehavior(WorkflowContext& ctx) {
  bool unblocked = false;
  ctx.SetSignalHandler<>("unblock", [&unblocked] { unblocked = true; });
  Future<void> timeout = ctx.Sleep(absl::Hours(1));
  co_await WhenAny(ctx.WaitCondition([&unblocked] { return unblocked; }), timeout);
  co_return unblocked ? "condition satisfied" : "timed out";
}

// LocalActivityRetriesAndFailsTest: local activity ThrowIO, which always throws, with five
// attempts a second apart; its failure fails the workflow. The recording's worker heartbeat
// the workflow task while the attempts ran (events 5-7), so the marker is in the second task.
Task<void> LocalActivityRetriesAndFails(WorkflowContext& ctx, std::string /*task_queue*/) {
  LocalActivityOptions options{.schedule_to_close_timeout = absl::Seconds(100),
                               .start_to_close_timeout = absl::Seconds(1)};
  options.has_retry_policy = true;
  options.retry_policy = {.initial_interval = absl::Seconds(1),
                          .backoff_coefficient = 1,
                          .maximum_interval = absl::Seconds(1),
                          .maximum_attempts = 5,
                          .non_retryable_error_types = {"java.lang.AssertionError"}};
  co_await ctx.ExecuteLocalActivity<void>("ThrowIO", options);
}

void ThrowIO(ActivityContext&) { throw std::runtime_error("simulated IO problem"); }

}  // namespace

absl::Status RegisterJavaLocalActivityRetriesAndFails(Registry* r) {
  return FirstError({r->RegisterWorkflow("TestWorkflow1", LocalActivityRetriesAndFails),
                     r->RegisterActivity("ThrowIO", ThrowIO)});
}
absl::Status RegisterJavaLocalActivitySuccess(Registry* r) {
  return FirstError(
      {r->RegisterWorkflow("TestWorkflowReturnString", LocalActivitySuccessfulCompletion),
       r->RegisterActivity("Activity2", Activity2)});
}
absl::Status RegisterJavaAsyncActivityRetry(Registry* r) {
  return FirstError({r->RegisterWorkflow("TestWorkflow1", AsyncActivityRetry),
                     r->RegisterActivity("HeartbeatAndThrowIO", HeartbeatAndThrowIO)});
}
absl::Status RegisterJavaLocalActivityAfterCancel(Registry* r) {
  return FirstError({r->RegisterWorkflow("TestWorkflow1", LocalActivityAfterCancel),
                     r->RegisterWorkflow("TestWorkflowReturnString", BlockingChild),
                     r->RegisterActivity("customActivity1", CustomActivity1)});
}
absl::Status RegisterJavaMultipleGetVersionInSignals(Registry* r) {
  return r->RegisterWorkflow("TestSignaledWorkflow", MultipleGetVersionInSignals);
}
absl::Status RegisterJavaAwaitTimerConditionOldBehavior(Registry* r) {
  return r->RegisterWorkflow("TestAwaitWorkflow", AwaitTimerConditionOldBehavior);
}

}  // namespace lockstep::ports
