#include "examples/buggy/timer_race.h"

#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"

namespace lockstep::examples::buggy {
namespace {

constexpr absl::Duration kBootDeadline = absl::Minutes(10);
constexpr ActivityOptions kActivityOptions{.start_to_close_timeout = absl::Minutes(1)};

// Every completed machine of type `type` ended with one of the workflow's outcomes.
absl::Status CheckOutcomes(std::string_view type, const sim::RunView& run) {
  for (const sim::WorkflowResult& wf : run.workflows()) {
    if (!wf.completed() || wf.workflow_type != type) continue;
    absl::StatusOr<std::string> result = wf.ResultAs<std::string>();
    if (!result.ok()) return result.status();
    if (*result != "ready" && *result != "ready late" && *result != "handed to the operator") {
      return absl::InternalError(
          absl::StrCat(wf.workflow_id, " ended with an unknown outcome '", *result, "'"));
    }
  }
  return absl::OkStatus();
}

sim::Workload MakeWorkload(std::string name, std::string description,
                           const WorkflowDef<std::string(std::string)>& workflow) {
  sim::Workload w;
  w.name = std::move(name);
  w.description = std::move(description);
  w.register_types = &RegisterTimerRace;
  const WorkflowDef<std::string(std::string)> def = workflow;  // the closures keep a copy
  w.plan = [def](sim::Plan& plan) {
    const int64_t machines = sim::UniformInt(plan.rng(), 1, 4);
    for (int64_t i = 1; i <= machines; ++i) {
      const std::string machine = absl::StrCat("machine-", i);
      const absl::Duration start = plan.Uniform(absl::ZeroDuration(), absl::Minutes(5));
      plan.Start(start, def, {.id = machine}, machine);
      // Every machine boots; its agent signals before the deadline, as far as the plan goes.
      plan.Signal(start + plan.Uniform(absl::Seconds(30), absl::Minutes(9)), machine, kReady);
      if (plan.rng().Chance(1, 8)) {
        plan.Signal(start + plan.LogUniform(absl::Hours(1), absl::Hours(6)), machine, kRetry);
      }
    }
  };
  // Every machine the plan starts is its own id and gets its ready signal (property tests
  // remove calls; a machine never told it is ready waits for it in the fixed workflow too).
  w.valid_calls = [](const std::vector<sim::ClientCall>& calls) -> absl::Status {
    for (const sim::ClientCall& start : calls) {
      if (start.kind != sim::ClientCall::Kind::kStart) continue;
      absl::StatusOr<std::string> machine =
          start.input.payloads_size() == 1 ? FromPayload<std::string>(start.input.payloads(0))
                                           : absl::InvalidArgumentError("one input expected");
      if (!machine.ok()) return machine.status();
      if (*machine != start.workflow_id) {
        return absl::InvalidArgumentError(absl::StrCat(start.workflow_id, " is not its own machine"));
      }
      bool ready = false;
      for (const sim::ClientCall& c : calls) {
        ready = ready || (c.kind == sim::ClientCall::Kind::kSignal &&
                          c.workflow_id == start.workflow_id && c.name == kReady.name());
      }
      if (!ready) return absl::InvalidArgumentError(absl::StrCat(start.workflow_id, " is never ready"));
    }
    return absl::OkStatus();
  };
  w.activities[std::string(kPowerOn.name())] = {.min_latency = absl::Milliseconds(100),
                                                .max_latency = absl::Seconds(5)};
  w.activities[std::string(kPageOperator.name())] = {.min_latency = absl::Milliseconds(10),
                                                     .max_latency = absl::Seconds(1)};
  w.invariants.push_back(
      {"a machine ends ready or with the operator",
       [def](const sim::RunView& run) { return CheckOutcomes(def.name(), run); }});
  // Signals may be held for up to six hours while faults are on; a day after that to finish.
  w.safety_phase = absl::Hours(8);
  w.liveness_bound = absl::Hours(24);
  return w;
}

}  // namespace

Task<std::string> BootWatchBuggy(WorkflowContext& ctx, std::string machine) {
  bool ready = false;
  bool retry = false;
  ctx.SetSignalHandler(kReady, [&ready] { ready = true; });
  ctx.SetSignalHandler(kRetry, [&retry] { retry = true; });
  co_await ctx.ExecuteActivity(kPowerOn, kActivityOptions, machine);
  // BUG: false means "the timer won", not "no ready signal": a late signal, or one in the same
  // task as the timer, is ignored from here on.
  if (co_await ctx.WaitCondition([&ready] { return ready; }, kBootDeadline)) co_return "ready";
  co_await ctx.ExecuteActivity(kPageOperator, kActivityOptions, machine);
  co_await ctx.WaitCondition([&retry] { return retry; });
  co_return "handed to the operator";
}

Task<std::string> BootWatchWorkflow(WorkflowContext& ctx, std::string machine) {
  bool ready = false;
  bool retry = false;
  ctx.SetSignalHandler(kReady, [&ready] { ready = true; });
  ctx.SetSignalHandler(kRetry, [&retry] { retry = true; });
  co_await ctx.ExecuteActivity(kPowerOn, kActivityOptions, machine);
  co_await ctx.WaitCondition([&ready] { return ready; }, kBootDeadline);
  // Decide on the state, not on which of the signal and the timer came first: both may have
  // landed in the task that ended the wait.
  if (ready) co_return "ready";
  co_await ctx.ExecuteActivity(kPageOperator, kActivityOptions, machine);
  co_await ctx.WaitCondition([&ready, &retry] { return ready || retry; });
  co_return ready ? "ready late" : "handed to the operator";
}

absl::Status RegisterTimerRace(Registry* registry) {
  if (auto s = registry->RegisterWorkflow(kBootWatchBuggy, &BootWatchBuggy); !s.ok()) return s;
  if (auto s = registry->RegisterWorkflow(kBootWatch, &BootWatchWorkflow); !s.ok()) return s;
  if (auto s = registry->RegisterActivity(kPowerOn, [](ActivityContext&, std::string) {});
      !s.ok()) {
    return s;
  }
  return registry->RegisterActivity(kPageOperator, [](ActivityContext&, std::string) {});
}

sim::Workload TimerRaceBuggyWorkload() {
  return MakeWorkload("timer_race_buggy",
                      "planted bug: a timed wait's answer trusted over the workflow's state; a "
                      "late signal leaves it waiting forever",
                      kBootWatchBuggy);
}

sim::Workload TimerRaceWorkload() {
  return MakeWorkload("timer_race",
                      "a timed wait followed by a check of the state (the fix of "
                      "timer_race_buggy)",
                      kBootWatch);
}

}  // namespace lockstep::examples::buggy
