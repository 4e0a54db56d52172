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
#include "engine/history/history_file.h"
#include "engine/history/history_list.h"
#include "engine/core/clock.h"
#include "engine/service/service.h"
#include "engine/service/virtual_time.h"
#include "engine/workflow/worker.h"
#include "engine/workflow/workflow_run.h"
#include "examples/counter/counter_workflow.h"

namespace lockstep::bench {
namespace {

const Registry& CounterRegistry() {
  static const Registry* registry = [] {
    auto* r = new Registry();
    if (!examples::RegisterCounter(r).ok()) std::abort();
    return r;
  }();
  return *registry;
}

// Records counterWorkflow(n) receiving n signals of 1, `per_task` per workflow task.
temporal::api::history::v1::History RecordCounterHistory(int n, int per_task) {
  ManualClock clock;
  Worker worker(&CounterRegistry());
  Service service(&clock, &worker, &worker);
  StartWorkflowRequest start;
  start.workflow_id = "peer-wf-1";
  start.workflow_type = examples::kCounterWorkflow;
  start.task_queue = "peer-tq";
  start.input = ToPayloads(n);
  if (!service.StartWorkflow(start).ok()) std::abort();
  RunUntil(service, clock, clock.Now() + absl::Minutes(1));
  SignalWorkflowRequest signal;
  signal.workflow_id = start.workflow_id;
  signal.signal_name = examples::kIncSignal;
  signal.input = ToPayloads(1);
  for (int sent = 0; sent < n;) {
    for (int i = 0; i < per_task && sent < n; ++i, ++sent) {
      if (!service.SignalWorkflow(signal).ok()) std::abort();
    }
    clock.Advance(absl::Milliseconds(1));
    service.RunUntilIdle();
  }
  auto history = service.GetHistory(start.workflow_id, "");
  if (!history.ok()) std::abort();
  return **history;
}

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
