#include "examples/buggy/continue_as_new.h"

#include <algorithm>
#include <deque>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "temporal/api/enums/v1/event_type.pb.h"

namespace lockstep::examples::buggy {
namespace {

constexpr absl::Duration kIdleTimeout = absl::Hours(1);

// Every completed accumulator of type `type` totals the amounts its runs recorded, and
// counted its runs right.
absl::Status CheckTotals(std::string_view type, const sim::RunView& run) {
  namespace enums = temporal::api::enums::v1;
  for (const sim::WorkflowResult& wf : run.workflows()) {
    if (!wf.completed() || wf.workflow_type != type) continue;
    absl::StatusOr<AccumulatorState> state = wf.ResultAs<AccumulatorState>();
    if (!state.ok()) return state.status();
    // One start per id, so its runs are one continue-as-new chain.
    int64_t received = 0;
    for (const auto* history : wf.runs) {
      for (const auto& event : history->events()) {
        if (event.event_type() != enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) continue;
        auto amount =
            FromPayloads<int64_t>(event.workflow_execution_signaled_event_attributes().input());
        if (!amount.ok()) return amount.status();
        received += std::get<0>(*amount);
      }
    }
    if (state->total != received) {
      return absl::InternalError(absl::StrCat(wf.workflow_id, " totals ", state->total,
                                              " but its runs received ", received));
    }
    if (state->runs != static_cast<int64_t>(wf.runs.size())) {
      return absl::InternalError(
          absl::StrCat(wf.workflow_id, " counted ", state->runs, " runs but had ", wf.runs.size()));
    }
  }
  return absl::OkStatus();
}

sim::Workload MakeWorkload(std::string name, std::string description,
                           const WorkflowDef<AccumulatorState(AccumulatorState)>& workflow) {
  sim::Workload w;
  w.name = std::move(name);
  w.description = std::move(description);
  w.register_types = &RegisterContinueAsNew;
  const WorkflowDef<AccumulatorState(AccumulatorState)> def = workflow;  // the closures keep a copy
  w.plan = [def](sim::Plan& plan) {
    const int64_t accumulators = sim::UniformInt(plan.rng(), 1, 2);
    for (int64_t i = 1; i <= accumulators; ++i) {
      const std::string id = absl::StrCat("accumulator-", i);
      absl::Duration at = plan.Uniform(absl::ZeroDuration(), absl::Minutes(2));
      plan.Start(at, def, {.id = id}, AccumulatorState{});
      // Bursts of one to three signals at one instant, a second to twenty minutes apart (well
      // within the idle hour that closes the workflow).
      int64_t signals = sim::UniformInt(plan.rng(), 6, 20);
      while (signals > 0) {
        at += plan.LogUniform(absl::Seconds(1), absl::Minutes(20));
        const int64_t burst = std::min(signals, sim::UniformInt(plan.rng(), 1, 3));
        for (int64_t b = 0; b < burst; ++b) {
          plan.Signal(at, id, kAdd, sim::UniformInt(plan.rng(), 1, 100));
        }
        signals -= burst;
      }
      plan.Query(at + plan.LogUniform(absl::Seconds(1), absl::Hours(1)), id, kTotal);
    }
  };
  // Every chain starts from a fresh state, as the plan starts it (property tests shrink
  // inputs; a chain that starts with runs 0 miscounts its runs in the fixed workflow too).
  w.valid_calls = [](const std::vector<sim::ClientCall>& calls) -> absl::Status {
    for (const sim::ClientCall& call : calls) {
      if (call.kind != sim::ClientCall::Kind::kStart) continue;
      absl::StatusOr<AccumulatorState> state =
          call.input.payloads_size() == 1 ? FromPayload<AccumulatorState>(call.input.payloads(0))
                                          : absl::InvalidArgumentError("one input expected");
      if (!state.ok()) return state.status();
      const AccumulatorState fresh;
      if (state->total != fresh.total || state->applied != fresh.applied ||
          state->runs != fresh.runs || !state->pending.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(call.workflow_id, " does not start from a fresh state"));
      }
    }
    return absl::OkStatus();
  };
  w.queries[std::string(def.name())] = {std::string(kTotal.name())};
  w.signals_applied = [](const sim::WorkflowResult& r) -> absl::StatusOr<int64_t> {
    absl::StatusOr<AccumulatorState> state = r.ResultAs<AccumulatorState>();
    if (!state.ok()) return state.status();
    return state->applied;
  };
  w.invariants.push_back({"a completed accumulator's total is the sum of the amounts it received",
                          [def](const sim::RunView& run) { return CheckTotals(def.name(), run); }});
  w.safety_phase = absl::Hours(12);
  w.liveness_bound = absl::Hours(24);
  return w;
}

}  // namespace

Task<AccumulatorState> AccumulatorBuggy(WorkflowContext& ctx, AccumulatorState state) {
  std::deque<int64_t> inbox;
  ctx.SetSignalHandler(kAdd, [&inbox](int64_t amount) { inbox.push_back(amount); });
  ctx.SetQueryHandler(kTotal, [&state] { return state.total; });
  int64_t this_run = 0;
  while (true) {
    if (inbox.empty()) {
      co_await ctx.WaitCondition([&inbox] { return !inbox.empty(); }, kIdleTimeout);
      if (inbox.empty()) break;  // an idle hour: done
    }
    state.total += inbox.front();
    inbox.pop_front();
    ++state.applied;
    if (++this_run == kSignalsPerRun) {
      ++state.runs;
      // BUG: the inbox may still hold signals this task delivered; they end with this run.
      ctx.ContinueAsNew({}, state);
    }
  }
  co_return state;
}

Task<AccumulatorState> AccumulatorWorkflow(WorkflowContext& ctx, AccumulatorState state) {
  // What the previous run received but did not apply comes first.
  std::deque<int64_t> inbox(state.pending.begin(), state.pending.end());
  state.pending.clear();
  ctx.SetSignalHandler(kAdd, [&inbox](int64_t amount) { inbox.push_back(amount); });
  ctx.SetQueryHandler(kTotal, [&state] { return state.total; });
  int64_t this_run = 0;
  while (true) {
    if (inbox.empty()) {
      co_await ctx.WaitCondition([&inbox] { return !inbox.empty(); }, kIdleTimeout);
      if (inbox.empty()) break;
    }
    state.total += inbox.front();
    inbox.pop_front();
    ++state.applied;
    if (++this_run >= kSignalsPerRun) {
      ++state.runs;
      // Signals delivered in this task but not applied yet go to the next run with the state.
      state.pending.assign(inbox.begin(), inbox.end());
      ctx.ContinueAsNew({}, state);
    }
  }
  co_return state;
}

absl::Status RegisterContinueAsNew(Registry* registry) {
  if (auto s = registry->RegisterWorkflow(kAccumulatorBuggy, &AccumulatorBuggy); !s.ok()) {
    return s;
  }
  return registry->RegisterWorkflow(kAccumulator, &AccumulatorWorkflow);
}

sim::Workload ContinueAsNewBuggyWorkload() {
  return MakeWorkload("continue_as_new_buggy",
                      "planted bug: continue-as-new drops the signals delivered in the run's "
                      "last task",
                      kAccumulatorBuggy);
}

sim::Workload ContinueAsNewWorkload() {
  return MakeWorkload("continue_as_new",
                      "continue-as-new that carries the unapplied signals into the next run "
                      "(the fix of continue_as_new_buggy)",
                      kAccumulator);
}

}  // namespace lockstep::examples::buggy
