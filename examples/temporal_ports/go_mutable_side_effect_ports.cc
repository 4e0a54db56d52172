// Ports of sdk-go replay-test workflows that use workflow.MutableSideEffect (sdk-go
// test/replaytests/workflows.go, as described in tests/data/temporal).
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "examples/temporal_ports/port_registrations.h"

namespace lockstep::ports {
namespace {

std::string HelloWorld(ActivityContext&, std::string name) { return "Hello " + name + "!"; }

// The value of mutable side effect "side-effect-1", set to `value` (Go's closure f).
int SideEffect1(WorkflowContext& ctx, int value) {
  return ctx.MutableSideEffect<int>("side-effect-1", [value] { return value; });
}

// MutableSideEffectWorkflow: "side-effect-1" set to 0, 0, 0, 1, 1, 2, a 1 s sleep, 3, 3, 4,
// a 1 s sleep, 4, 5; returns the values read back. A marker is recorded only on a change.
Task<std::vector<int>> MutableSideEffectWorkflow(WorkflowContext& ctx) {
  std::vector<int> results;
  for (int value : {0, 0, 0, 1, 1, 2}) results.push_back(SideEffect1(ctx, value));
  co_await ctx.Sleep(absl::Seconds(1));
  for (int value : {3, 3, 4}) results.push_back(SideEffect1(ctx, value));
  co_await ctx.Sleep(absl::Seconds(1));
  for (int value : {4, 5}) results.push_back(SideEffect1(ctx, value));
  co_return results;
}

// VersionAndMutableSideEffectWorkflow(name): version 1 of "mutable-side-effect-bug" draws a
// UUID through mutable side effect "generate-random-uuid" (Go: uuid.NewString(); here the
// run's deterministic NewUuid), then runs helloworldActivity(name); returns the UUID.
Task<std::string> VersionAndMutableSideEffectWorkflow(WorkflowContext& ctx, std::string name) {
  std::string uid;
  if (ctx.GetVersion("mutable-side-effect-bug", WorkflowContext::kDefaultVersion, 1) == 1) {
    uid = ctx.MutableSideEffect<std::string>("generate-random-uuid",
                                             [&ctx] { return ctx.NewUuid(); });
  }
  co_await ctx.ExecuteActivity<std::string>("helloworldActivity",
                                            {.start_to_close_timeout = absl::Seconds(10)}, name);
  co_return uid;
}

}  // namespace

absl::Status RegisterGoMutableSideEffect(Registry* r) {
  return r->RegisterWorkflow("MutableSideEffectWorkflow", MutableSideEffectWorkflow);
}
absl::Status RegisterGoVersionAndMutableSideEffect(Registry* r) {
  return FirstError({r->RegisterWorkflow("VersionAndMutableSideEffectWorkflow",
                                         VersionAndMutableSideEffectWorkflow),
                     r->RegisterActivity("helloworldActivity", HelloWorld)});
}

}  // namespace lockstep::ports
