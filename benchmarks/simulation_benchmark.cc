// Simulated runs per second: whole seeds of a workload (plan, run in virtual time with faults,
// checkers), one core.
//
// BM_SimulateOrder: the order example with every fault kind allowed (each seed's swarm picks
// its own) and the per-run checkers: every history validated and replayed from scratch, the
// signal ledger, liveness, query purity at random points, the workload's invariants;
// replays from every task boundary in one seed of 64. items_per_second is seeds per second;
// the counter virtual_per_wall is the virtual time simulated per unit of wall time.
//
// BM_SimulateTimers: a workload of timers from minutes to days (a reminder workflow that
// sleeps through a schedule), no faults: the virtual-to-wall speedup of the loop itself.
//
// The binary links the simulation allocator (sim/allocator.h), as `lockstep sim` does; the
// context line "allocator" says whether it is active (it is compiled out under sanitizers).
#include <chrono>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "examples/order/order_simulation.h"
#include "sim/allocator.h"
#include "sim/simulation.h"

namespace lockstep::sim {
namespace {

void BM_SimulateOrder(benchmark::State& state) {
  const Workload workload = examples::OrderWorkload();
  Simulation sim(&workload);
  uint64_t seed = 1;
  int64_t failures = 0;
  absl::Duration virtual_time = absl::ZeroDuration();
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    SeedResult r = sim.Run(seed++);
    failures += r.failed() ? 1 : 0;
    virtual_time += r.virtual_time;
    benchmark::DoNotOptimize(r.fingerprint);
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  state.SetItemsProcessed(state.iterations());
  state.counters["failures"] = static_cast<double>(failures);
  state.counters["virtual_per_wall"] = absl::ToDoubleSeconds(virtual_time) / wall;
}
BENCHMARK(BM_SimulateOrder);

constexpr WorkflowDef<int(int)> kReminders{"reminders"};

Task<int> Reminders(WorkflowContext& ctx, int count) {
  // Reminders at growing intervals: 5 minutes, then doubling up to a few days.
  absl::Duration interval = absl::Minutes(5);
  for (int i = 0; i < count; ++i) {
    co_await ctx.Sleep(interval);
    if (interval < absl::Hours(72)) interval *= 2;
  }
  co_return count;
}

void BM_SimulateTimers(benchmark::State& state) {
  Workload w;
  w.name = "reminders";
  w.register_types = [](Registry* r) { return r->RegisterWorkflow(kReminders, &Reminders); };
  w.plan = [](Plan& plan) {
    for (int i = 0; i < 3; ++i) {
      plan.Start(plan.Uniform(absl::ZeroDuration(), absl::Hours(1)), kReminders,
                 {.id = absl::StrCat("reminders-", i)}, 12);
    }
  };
  w.safety_phase = absl::Hours(24 * 30);
  w.liveness_bound = absl::Hours(24 * 60);
  Simulation sim(&w, {.faults = FaultSelection::None()});
  uint64_t seed = 1;
  absl::Duration virtual_time = absl::ZeroDuration();
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    SeedResult r = sim.Run(seed++);
    if (r.failed()) state.SkipWithError("a reminders seed failed");
    virtual_time += r.virtual_time;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  state.SetItemsProcessed(state.iterations());
  state.counters["virtual_per_wall"] = absl::ToDoubleSeconds(virtual_time) / wall;
}
BENCHMARK(BM_SimulateTimers);

}  // namespace
}  // namespace lockstep::sim

int main(int argc, char** argv) {
  benchmark::AddCustomContext("allocator", lockstep::sim::ThreadCacheAllocatorActive()
                                               ? "thread cache (sim/allocator.h)"
                                               : "glibc malloc");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
