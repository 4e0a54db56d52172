// Replay speed of the counter workflow's history: items_per_second = history events replayed
// per second. The history is recorded once by the engine itself (N signals, 100 per workflow
// task, the shape the TypeScript peer's gen_history.js produces), then replayed from memory
// by a fresh WorkflowRun, which must reach the end without nondeterminism.
//
// The arguments are signal counts chosen so that the histories have about 5,000, 10,000 and
// 51,200 events (the most Temporal allows); the "events" counter shows the exact number
// (5,013, 10,007 and 51,207).
// From memory means as the replayer holds a loaded history: on one arena (history_list.h),
// parsed from the recorded bytes. A copy of the service's history would instead be spread
// over the allocator's free lists left by the recording run, a layout no replay sees.
#include "benchmark/benchmark.h"
#include "benchmarks/counter_history.h"
#include "engine/core/clock.h"
#include "engine/history/history_file.h"
#include "engine/history/history_list.h"
#include "engine/service/service.h"
#include "engine/service/virtual_time.h"
#include "engine/workflow/worker.h"
#include "engine/workflow/workflow_run.h"
#include "examples/counter/counter_workflow.h"

namespace lockstep::bench {
namespace {

void BM_ReplayCounter(benchmark::State& state) {
  const std::string bytes =
      history::SerializeHistoryBinary(RecordCounterHistory(static_cast<int>(state.range(0)), 100));
  history::HistoryList loaded(bytes.size() * 3);
  if (!history::ParseHistoryBinaryInto(bytes, "recorded", loaded.Add()).ok()) {
    state.SkipWithError("cannot parse the recorded history");
    return;
  }
  const auto& history = loaded[0];
  int64_t events = 0;
  for (auto _ : state) {
    WorkflowRun run(&CounterRegistry(), {.workflow_id = "peer-wf-1", .run_id = "r"});
    auto result = run.ProcessEvents(history, 0);
    if (!result.ok() || !run.closed()) {
      state.SkipWithError("replay failed");
      return;
    }
    events += history.events_size();
  }
  state.SetItemsProcessed(events);
  state.counters["events"] = static_cast<double>(history.events_size());
}
BENCHMARK(BM_ReplayCounter)->Arg(4850)->Arg(9700)->Arg(49700)->Unit(benchmark::kMillisecond);

// The same, with the history read back from a binary file first (parsing included), as
// `lockstep replay` does.
void BM_ReplayCounterFromBinaryFile(benchmark::State& state) {
  const std::string path = "/tmp/lockstep_bench_replay.pb";
  if (!history::SaveHistoryFile(path, RecordCounterHistory(static_cast<int>(state.range(0)), 100),
                                history::HistoryFormat::kBinary)
           .ok()) {
    state.SkipWithError("cannot write the history");
    return;
  }
  int64_t events = 0;
  for (auto _ : state) {
    auto loaded = history::LoadHistoryFile(path);
    if (!loaded.ok()) {
      state.SkipWithError("cannot load the history");
      return;
    }
    const auto& history = loaded->histories[0];
    WorkflowRun run(&CounterRegistry(), {.workflow_id = "peer-wf-1", .run_id = "r"});
    if (!run.ProcessEvents(history, 0).ok() || !run.closed()) {
      state.SkipWithError("replay failed");
      return;
    }
    events += history.events_size();
  }
  state.SetItemsProcessed(events);
  state.counters["events"] = static_cast<double>(events) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ReplayCounterFromBinaryFile)
    ->Arg(4850)
    ->Arg(9700)
    ->Arg(49700)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lockstep::bench

BENCHMARK_MAIN();
