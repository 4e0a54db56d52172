// Ports of sdk-go replay-test workflows with activities, side effects, search attributes and
// memo (sdk-go test/replaytests/workflows.go, as described in tests/data/temporal).
#include <string>

#include "absl/time/time.h"
#include "engine/util/prng.h"
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

absl::Status RegisterHelloWorldActivity(Registry* r) {
  return r->RegisterActivity("helloworldActivity", HelloWorld);
}

// ContinueAsNewWorkflow(again): continues as new once, with false.
Task<void> ContinueAsNewWorkflow(WorkflowContext& ctx, bool again) {
  if (again) ctx.ContinueAsNew({}, false);
  co_return;
}

// SideEffectWorkflow(name): a side effect picks a number in [0, 100), then the activity runs.
Task<void> SideEffectWorkflow(WorkflowContext& ctx, std::string name) {
  const std::string run_id = ctx.info().run_id;
  const int value =
      ctx.SideEffect<int>([&run_id] { return static_cast<int>(Fnv1a64(run_id) % 100); });
  co_await ctx.ExecuteActivity<std::string>("helloworldActivity", GoReplayTestOptions(), name);
  ctx.Log("side effect value " + std::to_string(value));
}

// Workflow1(name): version 1 of "test-change" runs the activity twice, then once more.
Task<void> Workflow1(WorkflowContext& ctx, std::string name) {
  if (ctx.GetVersion("test-change", WorkflowContext::kDefaultVersion, 1) == 1) {
    co_await ctx.ExecuteActivity<std::string>("helloworldActivity", GoReplayTestOptions(), name);
    co_await ctx.ExecuteActivity<std::string>("helloworldActivity", GoReplayTestOptions(), name);
  }
  co_await ctx.ExecuteActivity<std::string>("helloworldActivity", GoReplayTestOptions(), name);
}

// Workflow2(name): three versions and a search attribute, then the activity.
Task<void> Workflow2(WorkflowContext& ctx, std::string name) {
  ctx.GetVersion("test-change", WorkflowContext::kDefaultVersion, 1);
  ctx.UpsertSearchAttributes({{"CustomKeywordField", ToPayload(std::string("testkey"))}});
  ctx.GetVersion("test-change-2", WorkflowContext::kDefaultVersion, 1);
  ctx.GetVersion("test-change-3", WorkflowContext::kDefaultVersion, 1);
  co_await ctx.ExecuteActivity<std::string>("helloworldActivity", GoReplayTestOptions(), name);
}

// UpsertMemoWorkflow(input): memo "Test key" = input, the activity, memo = its result.
Task<void> UpsertMemoWorkflow(WorkflowContext& ctx, std::string input) {
  ctx.UpsertMemo({{"Test key", ToPayload(input)}});
  std::string result =
      co_await ctx.ExecuteActivity<std::string>("helloworldActivity", GoReplayTestOptions(), input);
  ctx.UpsertMemo({{"Test key", ToPayload(result)}});
}

// UpsertSearchAttributesWorkflow(input): the same with search attribute CustomStringField.
Task<void> UpsertSearchAttributesWorkflow(WorkflowContext& ctx, std::string input) {
  ctx.UpsertSearchAttributes({{"CustomStringField", ToPayload(input)}});
  std::string result =
      co_await ctx.ExecuteActivity<std::string>("helloworldActivity", GoReplayTestOptions(), input);
  ctx.UpsertSearchAttributes({{"CustomStringField", ToPayload(result)}});
}

// LocalActivityWorkflow(name): the activity as a local activity.
Task<void> LocalActivityWorkflow(WorkflowContext& ctx, std::string name) {
  co_await ctx.ExecuteLocalActivity<std::string>(
      "helloworldActivity", {.schedule_to_close_timeout = absl::Minutes(1)}, name);
}

template <typename Fn>
absl::Status RegisterWithHelloWorld(Registry* r, const char* type, Fn fn) {
  if (absl::Status s = r->RegisterWorkflow(type, fn); !s.ok()) return s;
  return RegisterHelloWorldActivity(r);
}

}  // namespace

absl::Status RegisterGoContinueAsNew(Registry* r) {
  return r->RegisterWorkflow("ContinueAsNewWorkflow", ContinueAsNewWorkflow);
}
absl::Status RegisterGoSideEffect(Registry* r) {
  return RegisterWithHelloWorld(r, "SideEffectWorkflow", SideEffectWorkflow);
}
absl::Status RegisterGoWorkflow1(Registry* r) {
  return RegisterWithHelloWorld(r, "Workflow1", Workflow1);
}
absl::Status RegisterGoWorkflow2(Registry* r) {
  return RegisterWithHelloWorld(r, "Workflow2", Workflow2);
}
absl::Status RegisterGoUpsertMemo(Registry* r) {
  return RegisterWithHelloWorld(r, "UpsertMemoWorkflow", UpsertMemoWorkflow);
}
absl::Status RegisterGoSearchAttributes(Registry* r) {
  return RegisterWithHelloWorld(r, "UpsertSearchAttributesWorkflow",
                                UpsertSearchAttributesWorkflow);
}
absl::Status RegisterGoLocalActivity(Registry* r) {
  return RegisterWithHelloWorld(r, "LocalActivityWorkflow", LocalActivityWorkflow);
}

}  // namespace lockstep::ports
