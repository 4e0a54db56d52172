#include "examples/buggy/child_signal.h"

#include <optional>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "examples/buggy/workload_util.h"

namespace lockstep::examples::buggy {
namespace {

constexpr ActivityOptions kProcessOptions{.start_to_close_timeout = absl::Seconds(30)};

// Every completed parent of type `type` returned its job * 10.
absl::Status CheckAnswers(std::string_view type, const sim::RunView& run) {
  for (const sim::WorkflowResult& wf : run.workflows()) {
    if (!wf.completed() || wf.workflow_type != type) continue;
    absl::StatusOr<int64_t> result = wf.ResultAs<int64_t>();
    if (!result.ok()) return result.status();
    absl::StatusOr<int64_t> job = StartedInputAs<int64_t>(*wf.runs.front());
    if (!job.ok()) return job.status();
    if (*result != *job * 10) {
      return absl::InternalError(
          absl::StrCat(wf.workflow_id, " returned ", *result, " for the job ", *job));
    }
  }
  return absl::OkStatus();
}

sim::Workload MakeWorkload(std::string name, std::string description,
                           const WorkflowDef<int64_t(int64_t)>& parent) {
  sim::Workload w;
  w.name = std::move(name);
  w.description = std::move(description);
  w.register_types = &RegisterChildSignal;
  const WorkflowDef<int64_t(int64_t)> def = parent;  // the closures keep a copy
  w.plan = [def](sim::Plan& plan) {
    const int64_t parents = sim::UniformInt(plan.rng(), 1, 4);
    for (int64_t i = 1; i <= parents; ++i) {
      const int64_t job = sim::UniformInt(plan.rng(), 1, 1000);
      plan.Start(plan.Uniform(absl::ZeroDuration(), absl::Minutes(5)), def,
                 {.id = absl::StrCat("job-", i)}, job);
    }
  };
  w.activities[std::string(kChildSignalProcess.name())] = {.min_latency = absl::Milliseconds(10),
                                                           .max_latency = absl::Seconds(2)};
  w.invariants.push_back(
      {"a completed parent returns its child's answer (job * 10)",
       [def](const sim::RunView& run) { return CheckAnswers(def.name(), run); }});
  // Child starts are late by minutes at most; a few hours of faults, then a day to finish.
  w.safety_phase = absl::Hours(4);
  w.liveness_bound = absl::Hours(24);
  return w;
}

}  // namespace

std::string ChildSignalWorkerId(const std::string& parent_id) {
  return absl::StrCat(parent_id, "-worker");
}

Task<int64_t> ChildSignalParentBuggy(WorkflowContext& ctx, int64_t job) {
  const std::string worker_id = ChildSignalWorkerId(ctx.info().workflow_id);
  ChildWorkflowHandle<int64_t> worker =
      ctx.StartChildWorkflow(kChildSignalWorker, {.workflow_id = worker_id});
  // BUG: the child may not exist yet when the service delivers this signal; the delivery then
  // fails (NOT_FOUND), and the dropped Future is the only one that knows.
  worker.Signal(kChildSignalAssign, job);
  co_return co_await worker.Result();
}

Task<int64_t> ChildSignalParent(WorkflowContext& ctx, int64_t job) {
  const std::string worker_id = ChildSignalWorkerId(ctx.info().workflow_id);
  ChildWorkflowHandle<int64_t> worker =
      ctx.StartChildWorkflow(kChildSignalWorker, {.workflow_id = worker_id});
  // Signal the child only once it runs; a delivery that fails anyway fails the parent.
  co_await worker.Started();
  co_await worker.Signal(kChildSignalAssign, job);
  co_return co_await worker.Result();
}

Task<int64_t> ChildSignalWorker(WorkflowContext& ctx) {
  std::optional<int64_t> job;
  ctx.SetSignalHandler(kChildSignalAssign, [&job](int64_t j) {
    if (!job) job = j;  // the first assignment counts
  });
  co_await ctx.WaitCondition([&job] { return job.has_value(); });
  co_return co_await ctx.ExecuteActivity(kChildSignalProcess, kProcessOptions, *job);
}

absl::Status RegisterChildSignal(Registry* registry) {
  if (auto s = registry->RegisterWorkflow(kChildSignalParentBuggy, &ChildSignalParentBuggy);
      !s.ok()) {
    return s;
  }
  if (auto s = registry->RegisterWorkflow(kChildSignalParent, &ChildSignalParent); !s.ok()) {
    return s;
  }
  if (auto s = registry->RegisterWorkflow(kChildSignalWorker, &ChildSignalWorker); !s.ok()) {
    return s;
  }
  return registry->RegisterActivity(
      kChildSignalProcess, [](ActivityContext&, int64_t job) -> int64_t { return job * 10; });
}

sim::Workload ChildSignalBuggyWorkload() {
  return MakeWorkload("child_signal_buggy",
                      "planted bug: a parent signals its child before the child has started",
                      kChildSignalParentBuggy);
}

sim::Workload ChildSignalWorkload() {
  return MakeWorkload("child_signal",
                      "a parent waits for its child to start before signaling it (the fix of "
                      "child_signal_buggy)",
                      kChildSignalParent);
}

}  // namespace lockstep::examples::buggy
