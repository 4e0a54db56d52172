// Ports of sdk-go replay-test workflows that mix updates with child workflows and
// cancellation (sdk-go test/replaytests/workflows.go, as described in tests/data/temporal).
#include <string>

#include "absl/time/time.h"
#include "examples/temporal_ports/port_registrations.h"

namespace lockstep::ports {
namespace {

std::string HelloWorld(ActivityContext&, std::string name) { return "Hello " + name + "!"; }
int Echo(ActivityContext&, int /*delay_seconds*/, int value) { return value; }

// ChildWorkflowWaitOnSignal: returns once signal "unblock" came (its argument is not read).
// Go's channel Receive does not return on cancellation, hence the detached scope.
Task<void> ChildWorkflowWaitOnSignal(WorkflowContext& ctx) {
  bool unblocked = false;
  ctx.SetRawSignalHandler("unblock", [&unblocked](const Payloads&) -> Task<void> {
    unblocked = true;
    return Task<void>();
  });
  co_await ctx.NewDetachedCancellationScope().Run([&ctx, &unblocked]() -> Task<void> {
    co_await ctx.WaitCondition([&unblocked] { return unblocked; });
  });
}

// DuplicateChildWorkflow: starts the child with a fixed id and waits for it to start; then
// asks for a second child with the same id. Go's SDK refuses that start itself (no command),
// and in the recording neither of the refused child's futures was ready at either of the two
// selects, so both took the default branch, a 1 s sleep. Lockstep issues every start it is
// asked for, so the port leaves the refused start out and keeps the recorded branch. Then it
// signals the first child "unblock" (without waiting for the delivery) and waits for its end.
Task<void> DuplicateChildWorkflow(WorkflowContext& ctx) {
  const ChildWorkflowOptions options{.workflow_id = "ABC-SIMPLE-CHILD-WORKFLOW-ID"};
  auto child = ctx.StartChildWorkflow<void>("ChildWorkflowWaitOnSignal", options);
  const ChildExecution execution = co_await child.Started();
  for (int i = 0; i < 2; ++i) co_await ctx.Sleep(absl::Seconds(1));
  ctx.SignalExternalWorkflow(execution.workflow_id, execution.run_id, "unblock");
  co_await child.Result();
}

// MultipleUpdateWorkflow: updates "echo" (an activity), "sleep" (1 s) and "empty" each count
// themselves in flight while they run; the workflow returns how many ran once none is in
// flight. Go issues an activity or timer even from an already canceled context and then
// requests its cancellation, and its Await tests the condition before the context's
// cancellation; the port does both explicitly (a detached scope, canceled at once when the
// workflow's cancellation was requested).
struct UpdateCounts {
  int inflight = 0;
  int ran = 0;
};

// Runs the operation `start` issues in a detached scope, canceling it at once when the
// workflow's cancellation was requested.
template <typename Start>
Task<void> GoStyle(WorkflowContext& ctx, Start start) {
  co_await ctx.NewDetachedCancellationScope().Run([&ctx, start]() -> Task<void> {
    auto operation = start();
    if (ctx.IsCancelRequested()) operation.Cancel();
    co_await operation;
  });
}

Task<void> Counted(UpdateCounts& counts, Task<void> body) {
  ++counts.inflight;
  ++counts.ran;
  try {
    co_await std::move(body);
  } catch (...) {
    --counts.inflight;
    throw;
  }
  --counts.inflight;
}

Task<int> MultipleUpdateWorkflow(WorkflowContext& ctx) {
  UpdateCounts counts;
  ctx.SetUpdateHandler<>("echo", [&ctx, &counts]() -> Task<void> {
    return Counted(counts, GoStyle(ctx, [&ctx] {
                     return ctx.ExecuteActivity<int>("Echo",
                                                     {.schedule_to_close_timeout = absl::Seconds(5),
                                                      .schedule_to_start_timeout = absl::Seconds(5),
                                                      .start_to_close_timeout = absl::Seconds(9)},
                                                     1, 1);
                   }));
  });
  ctx.SetUpdateHandler<>("sleep", [&ctx, &counts]() -> Task<void> {
    return Counted(counts, GoStyle(ctx, [&ctx] { return ctx.Sleep(absl::Seconds(1)); }));
  });
  ctx.SetUpdateHandler<>("empty", [&ctx, &counts]() {
    ++counts.ran;
    if (ctx.IsCancelRequested()) throw CanceledFailure("canceled");  // Go's ctx.Err()
  });
  co_await ctx.NewDetachedCancellationScope().Run([&ctx, &counts]() -> Task<void> {
    co_await ctx.WaitCondition([&counts] { return counts.inflight == 0; });
  });
  co_return counts.ran;
}

}  // namespace

absl::Status RegisterGoDuplicateChildWorkflow(Registry* r) {
  return FirstError({r->RegisterWorkflow("DuplicateChildWorkflow", DuplicateChildWorkflow),
                     r->RegisterWorkflow("ChildWorkflowWaitOnSignal", ChildWorkflowWaitOnSignal),
                     r->RegisterActivity("helloworldActivity", HelloWorld)});
}
absl::Status RegisterGoMultipleUpdates(Registry* r) {
  return FirstError({r->RegisterWorkflow("MultipleUpdateWorkflow", MultipleUpdateWorkflow),
                     r->RegisterActivity("Echo", Echo)});
}

}  // namespace lockstep::ports
