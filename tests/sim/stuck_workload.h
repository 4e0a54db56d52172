// A workload for tests of the simulator's reporting: half the seeds fail. A workflow waits for
// the signal `go`; the plan sends it with odds of one half, so the other seeds end with a
// liveness finding on "stuck".
#ifndef LOCKSTEP_TESTS_SIM_STUCK_WORKLOAD_H_
#define LOCKSTEP_TESTS_SIM_STUCK_WORKLOAD_H_

#include "sim/workload.h"

namespace lockstep::sim::test {

inline constexpr WorkflowDef<int()> kStuck{"stuck"};
inline constexpr SignalDef<void()> kGo{"go"};

inline Task<int> Stuck(WorkflowContext& ctx) {
  bool go = false;
  ctx.SetSignalHandler(kGo, [&go] { go = true; });
  co_await ctx.WaitCondition([&go] { return go; });
  co_return 1;
}

inline Workload StuckWorkload() {
  Workload w;
  w.name = "stuck";
  w.description = "half the seeds never send the signal";
  w.register_types = [](Registry* r) { return r->RegisterWorkflow(kStuck, &Stuck); };
  w.plan = [](Plan& plan) {
    plan.Start(absl::ZeroDuration(), kStuck, {.id = "stuck"});
    if (plan.rng().Chance(1, 2)) plan.Signal(absl::Minutes(1), "stuck", kGo);
  };
  return w;
}

}  // namespace lockstep::sim::test

#endif  // LOCKSTEP_TESTS_SIM_STUCK_WORKLOAD_H_
