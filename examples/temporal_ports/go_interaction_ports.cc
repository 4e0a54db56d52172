// Ports of sdk-go workflows that interact: signals racing a timer's cancellation, updates,
// child workflows and external signals (sdk-go test/replaytests and internal/testdata, as
// described in tests/data/temporal).
#include <string>

#include "absl/time/time.h"
#include "examples/temporal_ports/port_registrations.h"

namespace lockstep::ports {
namespace {

// WorkflowWithLocalActivityStartWhenTimerCancel: a 3 s timer in its own scope; on signal
// "signal", the activity Echo(0, 0) is scheduled and the timer canceled in the same task.
Task<bool> ActivitySameTimeAsCancel(WorkflowContext& ctx) {
  CancellationScope timer_scope = ctx.NewCancellationScope();
  Future<void> timer =
      timer_scope.Run([&ctx]() -> Task<void> { co_await ctx.Sleep(absl::Seconds(3)); });
  bool signaled = false;
  ctx.SetSignalHandler<std::string>("signal", [&signaled](const std::string&) { signaled = true; });
  co_await ctx.WaitCondition([&signaled] { return signaled; });
  Future<int> echo = ctx.ExecuteActivity<int>("Echo",
                                              {.schedule_to_close_timeout = absl::Seconds(5),
                                               .schedule_to_start_timeout = absl::Seconds(5),
                                               .start_to_close_timeout = absl::Seconds(9)},
                                              0, 0);
  timer_scope.Cancel();
  co_await echo;
  co_return true;
}

int Echo(ActivityContext&, int /*delay_seconds*/, int value) { return value; }

// UpdateAndExit: update "update"(duration in ns) sleeps that long, then lets the workflow end.
Task<void> UpdateAndExit(WorkflowContext& ctx) {
  bool done = false;
  ctx.SetUpdateHandler<int64_t>("update", [&ctx, &done](int64_t nanos) -> Task<void> {
    if (nanos > 0) co_await ctx.Sleep(absl::Nanoseconds(nanos));
    done = true;
  });
  co_await ctx.WaitCondition([&done] { return done; });
}

// testReplayWorkflowFromFileParent: starts the child, signals it "test-signal" once it has
// started, waits for the signal to be delivered and then for the child's result.
Task<void> ParentWorkflow(WorkflowContext& ctx) {
  const std::string child_id = "child_workflow:" + ctx.info().run_id;
  ChildWorkflowOptions options{.workflow_id = child_id, .execution_timeout = absl::Minutes(1)};
  auto child = ctx.StartChildWorkflow<void>("testReplayWorkflowFromFile", options);
  co_await child.Started();
  co_await child.Signal("test-signal", std::string("test-data"));
  co_await child.Result();
}

// The child: waits for "test-signal", then works a second (as the recorded child ran an
// activity), so that the parent sees the delivery before the child's end.
Task<void> ChildWorkflow(WorkflowContext& ctx) {
  bool signaled = false;
  ctx.SetSignalHandler<std::string>("test-signal",
                                    [&signaled](const std::string&) { signaled = true; });
  co_await ctx.WaitCondition([&signaled] { return signaled; });
  co_await ctx.Sleep(absl::Seconds(1));
}

}  // namespace

absl::Status RegisterGoActivitySameTimeAsCancel(Registry* r) {
  if (absl::Status s = r->RegisterWorkflow("WorkflowWithLocalActivityStartWhenTimerCancel",
                                           ActivitySameTimeAsCancel);
      !s.ok()) {
    return s;
  }
  return r->RegisterActivity("Echo", Echo);
}

absl::Status RegisterGoUpdateCompleteAndExit(Registry* r) {
  return r->RegisterWorkflow("UpdateAndExit", UpdateAndExit);
}

absl::Status RegisterGoParentWorkflow(Registry* r) {
  if (absl::Status s = r->RegisterWorkflow("testReplayWorkflowFromFileParent", ParentWorkflow);
      !s.ok()) {
    return s;
  }
  return r->RegisterWorkflow("testReplayWorkflowFromFile", ChildWorkflow);
}

}  // namespace lockstep::ports
