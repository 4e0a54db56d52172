// Signals persisted per second: a counter workflow (examples/counter) absorbs signals while a
// StoreRecorder (engine/store/store_recorder.h) writes every step's events to a store.
//
//   BM_PersistedSignals/S/K   K signals, then the workflow task that applies them, per
//                             iteration; S is the store:
//                               0  SqliteHistoryStore, synchronous=NORMAL (WAL: no fsync per
//                                  commit, a power loss may take the last commits)
//                               1  SqliteHistoryStore, synchronous=FULL (an fsync per commit)
//                               2  MemoryHistoryStore (what the recorder costs without a file)
//
// Every client call is a step of its own, so each signal is one Commit (one transaction) and
// each workflow task another. The SQLite file is a fresh one in the temporary directory,
// removed afterwards; with FULL the figure is mostly the disk's fsync latency.
//
// Timed by the wall clock (UseRealTime), since waiting for the disk takes no CPU time:
// items_per_second is signals persisted per second of elapsed time. Counters: commits_per_signal
// (store transactions per signal), events_per_signal (events written per signal).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "benchmark/benchmark.h"
#include "engine/core/clock.h"
#include "engine/service/service.h"
#include "engine/service/virtual_time.h"
#include "engine/store/memory_history_store.h"
#include "engine/store/sqlite_history_store.h"
#include "engine/store/store_recorder.h"
#include "engine/workflow/worker.h"
#include "examples/counter/counter_workflow.h"

namespace lockstep::bench {
namespace {

enum StoreKind : int64_t { kSqliteNormal = 0, kSqliteFull = 1, kMemory = 2 };

std::string TempStorePath() {
  return (std::filesystem::temp_directory_path() /
          ("lockstep-store-benchmark-" + std::to_string(getpid()) + ".db"))
      .string();
}

void RemoveStore(const std::string& path) {
  for (const char* tail : {"", "-wal", "-shm"}) std::remove((path + tail).c_str());
}

void BM_PersistedSignals(benchmark::State& state) {
  const auto kind = static_cast<StoreKind>(state.range(0));
  const int k = static_cast<int>(state.range(1));
  const std::string path = TempStorePath();
  RemoveStore(path);
  std::unique_ptr<store::HistoryStore> history_store;
  if (kind == kMemory) {
    history_store = std::make_unique<store::MemoryHistoryStore>();
  } else {
    store::SqliteStoreOptions options;
    options.synchronous = kind == kSqliteFull ? store::SqliteStoreOptions::Synchronous::kFull
                                              : store::SqliteStoreOptions::Synchronous::kNormal;
    auto opened = store::SqliteHistoryStore::Open(path, options);
    if (!opened.ok()) {
      state.SkipWithError(std::string(opened.status().message()).c_str());
      return;
    }
    history_store = *std::move(opened);
  }
  store::StoreRecorder recorder(history_store.get());
  {
    Registry registry;
    if (!examples::RegisterCounter(&registry).ok()) std::abort();
    Worker worker(&registry);
    ManualClock clock;
    Service service(&clock, &worker, &worker);
    service.AddStepObserver(&recorder);

    StartWorkflowRequest start;
    start.workflow_id = "counter";
    start.workflow_type = examples::kCounterWorkflow;
    start.task_queue = "bench";
    // Never reached: the workflow stays open for the whole run.
    start.input = ToPayloads(1'000'000'000);
    if (!service.StartWorkflow(start).ok()) std::abort();
    RunUntil(service, clock, clock.Now() + absl::Minutes(1));

    SignalWorkflowRequest signal;
    signal.workflow_id = start.workflow_id;
    signal.signal_name = examples::kIncSignal;
    signal.input = ToPayloads(1);
    const int64_t batches_before = recorder.batches();
    const int64_t events_before = recorder.events();
    int64_t signals = 0;
    for (auto _ : state) {
      for (int i = 0; i < k; ++i) {
        if (!service.SignalWorkflow(signal).ok()) std::abort();
      }
      service.RunUntilIdle();
      signals += k;
    }
    if (!recorder.status().ok()) {
      state.SkipWithError(std::string(recorder.status().message()).c_str());
    }
    state.SetItemsProcessed(signals);
    state.counters["commits_per_signal"] =
        static_cast<double>(recorder.batches() - batches_before) / static_cast<double>(signals);
    state.counters["events_per_signal"] =
        static_cast<double>(recorder.events() - events_before) / static_cast<double>(signals);
  }
  history_store.reset();
  RemoveStore(path);
}

// Iterations fixed so that each case does the same work whatever the run length: 2,000
// signals with an fsync per commit, 20,000 without.
BENCHMARK(BM_PersistedSignals)
    ->Args({kSqliteNormal, 10})
    ->Iterations(2'000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PersistedSignals)
    ->Args({kSqliteFull, 10})
    ->Iterations(200)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PersistedSignals)
    ->Args({kMemory, 10})
    ->Iterations(2'000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lockstep::bench

BENCHMARK_MAIN();
