// TestEnvironment: what a unit test of a long-running workflow costs in real time.
//
// BM_ThirtyDaySleep: one iteration makes a TestEnvironment, registers a workflow that sleeps
// 30 virtual days (in `timers` equal timers, so the argument also shows the cost per timer
// and workflow task), runs it to its result with time skipping and eviction after every workflow task (the
// defaults, so every task replays the whole history). The time per iteration is what one such
// unit test costs.
#include "benchmark/benchmark.h"
#include "testing/test_environment.h"

namespace lockstep::bench {
namespace {

constexpr WorkflowDef<int(int)> kThirtyDays{"thirty_days"};

Task<int> ThirtyDays(WorkflowContext& ctx, int timers) {
  for (int i = 0; i < timers; ++i) co_await ctx.Sleep(absl::Hours(24 * 30) / timers);
  co_return timers;
}

void BM_ThirtyDaySleep(benchmark::State& state) {
  const int timers = static_cast<int>(state.range(0));
  for (auto _ : state) {
    testing::TestEnvironment env;
    if (!env.RegisterWorkflow(kThirtyDays, &ThirtyDays).ok()) std::abort();
    const absl::Time start = env.Now();
    auto result = env.ExecuteWorkflow(kThirtyDays, {}, timers);
    if (!result.ok() || *result != timers || env.Now() - start != absl::Hours(24 * 30)) {
      std::abort();
    }
    benchmark::DoNotOptimize(result);
  }
  state.counters["timers"] = timers;
}
BENCHMARK(BM_ThirtyDaySleep)->Arg(1)->Arg(30)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace lockstep::bench

BENCHMARK_MAIN();
