// Ports of the workflows behind the histories Temporal's Rust sdk-core keeps as replay fixtures
// (crates/sdk-core/tests/histories; tests/data/temporal/sdk-core/INDEX.tsv names the test file
// that defines each workflow). sdk-core is the base of the Python, TypeScript, .NET and Ruby
// SDKs, so these recordings carry its conventions: core_local_activity and core_patch markers,
// local activities numbered with activities, SDK flags in WorkflowTaskCompleted.sdk_metadata.
//
// Several fixtures were recorded by older versions of their tests (the tests have since
// changed their inputs and results); each port follows the recording, and says where it
// differs from today's test.
#include <string>
#include <utility>
#include <variant>

#include "absl/time/time.h"
#include "engine/payload/struct_mapping.h"
#include "examples/temporal_ports/port_registrations.h"

namespace lockstep::ports {
namespace {

// replay.rs, timer_workflow_replay: one 1 s timer, then the workflow completes.
Task<void> TimerWorkflow(WorkflowContext& ctx) { co_await ctx.Sleep(absl::Seconds(1)); }

// replay.rs, replay_ends_with_empty_wft: the recording comes from a Python SayHelloWorkflow
// (its input is an object with a "name"); it runs activity say_hello(name), and its next
// workflow task completes with no command, so the history ends with the workflow still open.
struct SayHelloInput {
  std::string name;
};
LOCKSTEP_JSON_FIELDS(SayHelloInput, name)

Task<void> SayHelloWorkflow(WorkflowContext& ctx, SayHelloInput input) {
  co_await ctx.ExecuteActivity<std::string>(
      "say_hello", {.start_to_close_timeout = absl::Seconds(5)}, input.name);
  co_await ctx.WaitCondition([] { return false; });
}

std::string SayHello(ActivityContext&, std::string name) { return "Hello, " + name + "!"; }

// workflow_tests.rs, fail_wf_task: a 200 ms timer, then completion. The recording's second
// workflow task failed once ("I did an oopsie", the test failing the activation on purpose);
// its retry completed the workflow. A failed task's commands are discarded, so the workflow
// code is the same for both attempts.
Task<void> FailWorkflowTask(WorkflowContext& ctx) { co_await ctx.Sleep(absl::Milliseconds(200)); }

// patches.rs, ChangesWf ("writes_change_markers"): patched() picks 100 ms over 200 ms, twice,
// around a 200 ms timer. The recording's core_patch marker has the old detail format (raw
// bytes "patch_id" and "deprecated"), followed by the TemporalChangeVersion upsert core adds
// under its flag 2.
Task<void> ChangesWorkflow(WorkflowContext& ctx) {
  const std::string kPatch = "integ_test_change_name";
  co_await ctx.Sleep(ctx.Patched(kPatch) ? absl::Milliseconds(100) : absl::Milliseconds(200));
  co_await ctx.Sleep(absl::Milliseconds(200));
  co_await ctx.Sleep(ctx.Patched(kPatch) ? absl::Milliseconds(100) : absl::Milliseconds(200));
}

// common/workflows.rs, LaProblemWorkflow ("evict_while_la_running_no_interference"): a local
// activity delay (15 s, with a retry policy), then activity delay (start-to-close 20 s). The
// recordings pass "hi!" to both (the test of the time; today's passes a duration). The local
// activity outlived the 10 s workflow task timeout, so the worker heartbeat the task (or let
// it time out) before the marker.
Task<void> LaProblemWorkflow(WorkflowContext& ctx) {
  LocalActivityOptions la{.start_to_close_timeout = absl::Seconds(30)};
  la.has_retry_policy = true;
  la.retry_policy = {.initial_interval = absl::Microseconds(15),
                     .backoff_coefficient = 1000,
                     .maximum_interval = absl::Milliseconds(1500),
                     .maximum_attempts = 4};
  co_await ctx.ExecuteLocalActivity<void>("delay", la, std::string("hi!"));
  co_await ctx.ExecuteActivity<void>("delay", {.start_to_close_timeout = absl::Seconds(20)},
                                     std::string("hi!"));
}

void DelayHi(ActivityContext&, std::string) {}

// local_activities.rs, long_local_activity_with_update (four cases: update every 200 ms or
// 2 s, with or without a 2 s timer in the handler): a 6 s local activity, with a 1 s workflow
// task timeout, so the worker heartbeats the task while updates arrive; each update's handler
// counts itself (after its timer). The recordings' workflows take no input and return null
// (the test of the time); the timer is fixed per case.
struct RustDuration {
  int64_t secs = 0;
  int32_t nanos = 0;
};
LOCKSTEP_JSON_FIELDS(RustDuration, secs, nanos)

// Rust's () as sdk-core's JSON converter writes it: json/plain "null" (Lockstep's own
// std::monostate is binary/null).
Payloads RustUnit() {
  Payloads payloads;
  Payload* p = payloads.add_payloads();
  (*p->mutable_metadata())["encoding"] = "json/plain";
  p->set_data("null");
  return payloads;
}

template <int kInnerTimerMs>
Task<Payloads> LongLocalActivityWithUpdate(WorkflowContext& ctx, Payloads /*no input*/) {
  int update_counter = 1;
  ctx.SetUpdateHandler<std::monostate>("update",
                                       [&ctx, &update_counter](std::monostate) -> Task<void> {
                                         if (kInnerTimerMs != 0)
                                           co_await ctx.Sleep(absl::Milliseconds(kInnerTimerMs));
                                         ++update_counter;
                                       });
  co_await ctx.ExecuteLocalActivity<void>("delay", {.start_to_close_timeout = absl::Seconds(60)},
                                          RustDuration{.secs = 6});
  co_return RustUnit();
}

void DelayDuration(ActivityContext&, RustDuration) {}

// The four cases differ in their type name (each recording's) and the handler's timer.
absl::Status RegisterLongLocalActivityWithUpdate(Registry* r, const char* type,
                                                 WorkflowFunction fn) {
  return FirstError(
      {r->RegisterRawWorkflow(type, std::move(fn)), r->RegisterActivity("delay", DelayDuration)});
}

}  // namespace

absl::Status RegisterCoreTimerWorkflow(Registry* r) {
  return r->RegisterWorkflow("timer_workflow_NqA7v+rB", TimerWorkflow);
}
absl::Status RegisterCoreEndsEmptyWorkflowTask(Registry* r) {
  return FirstError({r->RegisterWorkflow("SayHelloWorkflow", SayHelloWorkflow),
                     r->RegisterActivity("say_hello", SayHello)});
}
absl::Status RegisterCoreFailWorkflowTask(Registry* r) {
  return r->RegisterWorkflow("fail_wf_task_PITR/89Y", FailWorkflowTask);
}
absl::Status RegisterCoreOldChangeMarker(Registry* r) {
  return r->RegisterWorkflow("writes_change_markers", ChangesWorkflow);
}
absl::Status RegisterCoreLaProblem(Registry* r) {
  return FirstError(
      {r->RegisterWorkflow("evict_while_la_running_no_interference", LaProblemWorkflow),
       r->RegisterActivity("delay", DelayHi)});
}
absl::Status RegisterCoreLongLocalActivityWithUpdate0(Registry* r) {
  return RegisterLongLocalActivityWithUpdate(r, "long_local_activity_with_update-0",
                                             LongLocalActivityWithUpdate<0>);
}
absl::Status RegisterCoreLongLocalActivityWithUpdate1(Registry* r) {
  return RegisterLongLocalActivityWithUpdate(r, "long_local_activity_with_update-1",
                                             LongLocalActivityWithUpdate<2000>);
}
absl::Status RegisterCoreLongLocalActivityWithUpdate2(Registry* r) {
  return RegisterLongLocalActivityWithUpdate(r, "long_local_activity_with_update-2",
                                             LongLocalActivityWithUpdate<0>);
}
absl::Status RegisterCoreLongLocalActivityWithUpdate3(Registry* r) {
  return RegisterLongLocalActivityWithUpdate(r, "long_local_activity_with_update-3",
                                             LongLocalActivityWithUpdate<2000>);
}

}  // namespace lockstep::ports
