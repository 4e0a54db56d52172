// Ports of sdk-java test workflows (temporal-sdk/src/test, as described in
// tests/data/temporal): cancellation scopes, child workflow retries, versions.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "examples/temporal_ports/port_registrations.h"

namespace lockstep::ports {
namespace {

// WorkflowCancellationScopeDeterminismTest: activity DoActivity in a cancellation scope and
// a 5-minute sleep beside it; a cancellation of the workflow cancels both and ends it.
Task<void> CancellationScopeWorkflow(WorkflowContext& ctx) {
  CancellationScope scope = ctx.NewCancellationScope();
  Future<void> activity = scope.Run([&ctx]() -> Task<void> {
    co_await ctx.ExecuteActivity<void>("DoActivity",
                                       {.schedule_to_close_timeout = absl::Seconds(60)});
  });
  Future<void> sleep = ctx.NewCancellationScope().Run(
      [&ctx]() -> Task<void> { co_await ctx.Sleep(absl::Minutes(5)); });
  co_await activity;
  co_await sleep;
}

void DoActivity(ActivityContext&) {}

// ChildWorkflowRetryTest: the parent returns its child's result; the child (retried by the
// service, 3 attempts) runs an activity and fails.
Task<std::string> ChildRetryParent(WorkflowContext& ctx, std::string task_queue) {
  ChildWorkflowOptions options{.run_timeout = absl::Seconds(500), .task_timeout = absl::Seconds(2)};
  options.has_retry_policy = true;
  options.retry_policy = {.initial_interval = absl::Seconds(1),
                          .maximum_interval = absl::Seconds(1),
                          .maximum_attempts = 3};
  co_return co_await ctx.ExecuteChildWorkflow<std::string>("ITestChild", options, task_queue, 0);
}

Task<std::string> AngryChild(WorkflowContext& ctx, std::string /*task_queue*/, int /*delay*/) {
  co_await ctx.ExecuteActivity<void>("Execute", {.schedule_to_close_timeout = absl::Seconds(5)});
  throw ApplicationFailure("simulated failure", "test");
}

void Execute(ActivityContext&) {}

// GetVersionTest: versions around four activities and a timer.
Task<std::string> GetVersionWorkflow(WorkflowContext& ctx, std::string /*task_queue*/) {
  ctx.SetChangeVersionSearchAttribute(false);  // the recording's SDK did not upsert it
  const ActivityOptions options{.schedule_to_close_timeout = absl::Seconds(5),
                                .start_to_close_timeout = absl::Seconds(5),
                                .heartbeat_timeout = absl::Seconds(5)};
  std::string result;
  if (ctx.GetVersion("test_change", WorkflowContext::kDefaultVersion, 1) == 1) {
    result += co_await ctx.ExecuteActivity<std::string>("Activity2", options,
                                                        std::string("activity2"), 2);
  }
  const int v = ctx.GetVersion("test_change", 1, 2);
  result +=
      absl::StrCat("activity", co_await ctx.ExecuteActivity<int>("customActivity1", options, v));
  result +=
      absl::StrCat("activity", co_await ctx.ExecuteActivity<int>("customActivity1", options, 1));
  co_await ctx.Sleep(absl::Seconds(1));
  ctx.GetVersion("test_change", 1, 2);
  result +=
      absl::StrCat("activity", co_await ctx.ExecuteActivity<int>("customActivity1", options, 1));
  co_return result;
}

std::string Activity2(ActivityContext&, std::string a, int b) { return a + std::to_string(b); }
int CustomActivity1(ActivityContext&, int x) { return x; }

// GetVersionInSignalOnReplayTest: the signal handler asks for a version; the workflow
// sleeps 5 s and returns the signals received.
Task<std::string> GetVersionInSignalWorkflow(WorkflowContext& ctx) {
  ctx.SetChangeVersionSearchAttribute(false);  // the recording's SDK did not upsert it
  std::vector<std::string> received;
  ctx.SetSignalHandler<std::string>("testSignal", [&ctx, &received](const std::string& arg) {
    ctx.GetVersion("some-id", 1, 2);
    received.push_back(arg);
  });
  co_await ctx.Sleep(absl::Seconds(5));
  co_return "[" + absl::StrJoin(received, ", ") + "]";
}

}  // namespace

absl::Status RegisterJavaCancellationScope(Registry* r) {
  if (absl::Status s = r->RegisterWorkflow("TestWorkflow", CancellationScopeWorkflow); !s.ok()) {
    return s;
  }
  return r->RegisterActivity("DoActivity", DoActivity);
}

absl::Status RegisterJavaChildWorkflowRetry(Registry* r) {
  for (absl::Status s :
       {r->RegisterWorkflow("TestWorkflow1", ChildRetryParent),
        r->RegisterWorkflow("ITestChild", AngryChild), r->RegisterActivity("Execute", Execute)}) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status RegisterJavaGetVersion(Registry* r) {
  for (absl::Status s : {r->RegisterWorkflow("TestWorkflow1", GetVersionWorkflow),
                         r->RegisterActivity("Activity2", Activity2),
                         r->RegisterActivity("customActivity1", CustomActivity1)}) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status RegisterJavaGetVersionInSignal(Registry* r) {
  return r->RegisterWorkflow("TestSignaledWorkflow", GetVersionInSignalWorkflow);
}

}  // namespace lockstep::ports
