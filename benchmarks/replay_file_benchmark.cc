// Loading and replaying one given history file, the Lockstep half of the peer comparison
// (benchmarks/compare/compare.sh). The file is the counter workflow's history as a Temporal
// server records it; every benchmark works on that one file:
//
//   BM_LoadJsonFile    read the file and parse it (bytes_per_second is the JSON load rate)
//   BM_LoadHistoryFile the same plus validation, as `lockstep replay FILE` loads it
//   BM_ReplayFile      replay only: the history is parsed once, outside the timing, and each
//                      iteration replays it with ReplayHistory (the replayer behind
//                      `lockstep replay`), which must come back clean; items_per_second is
//                      history events replayed per second
//
//   build/benchmarks/replay_file_benchmark --history=FILE [--benchmark_... flags]
#include <cstdio>
#include <cstring>
#include <string>

#include "benchmark/benchmark.h"
#include "engine/history/history_file.h"
#include "engine/history/json_reader.h"
#include "examples/counter/counter_workflow.h"
#include "replay/replayer.h"

namespace lockstep::bench {
namespace {

std::string& HistoryPath() {
  static std::string* path = new std::string();
  return *path;
}

const Registry& CounterRegistry() {
  static const Registry* registry = [] {
    auto* r = new Registry();
    if (!examples::RegisterCounter(r).ok()) std::abort();
    return r;
  }();
  return *registry;
}

void BM_LoadJsonFile(benchmark::State& state) {
  int64_t bytes = 0;
  int64_t events = 0;
  for (auto _ : state) {
    auto text = history::ReadFileToString(HistoryPath());
    if (!text.ok()) {
      state.SkipWithError(std::string(text.status().message()).c_str());
      return;
    }
    auto histories = history::ParseHistoriesJson(*text, HistoryPath());
    if (!histories.ok()) {
      state.SkipWithError(std::string(histories.status().message()).c_str());
      return;
    }
    bytes += static_cast<int64_t>(text->size());
    events += (*histories)[0].events_size();
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(events);
}
BENCHMARK(BM_LoadJsonFile)->Unit(benchmark::kMillisecond);

void BM_LoadHistoryFile(benchmark::State& state) {
  int64_t events = 0;
  for (auto _ : state) {
    auto loaded = history::LoadHistoryFile(HistoryPath());
    if (!loaded.ok()) {
      state.SkipWithError(std::string(loaded.status().message()).c_str());
      return;
    }
    events += loaded->histories[0].events_size();
  }
  state.SetItemsProcessed(events);
}
BENCHMARK(BM_LoadHistoryFile)->Unit(benchmark::kMillisecond);

void BM_ReplayFile(benchmark::State& state) {
  auto loaded = history::LoadHistoryFile(HistoryPath());
  if (!loaded.ok()) {
    state.SkipWithError(std::string(loaded.status().message()).c_str());
    return;
  }
  const auto& history = loaded->histories[0];
  const replay::ReplayOptions options{.result_check = replay::ReplayOptions::ResultCheck::kFail};
  int64_t events = 0;
  for (auto _ : state) {
    replay::ReplayResult result =
        replay::ReplayHistory(CounterRegistry(), history, HistoryPath(), options);
    if (result.outcome != replay::Outcome::kClean) {
      state.SkipWithError(replay::FormatText(result).c_str());
      return;
    }
    events += result.events;
  }
  state.SetItemsProcessed(events);
  state.counters["events"] = static_cast<double>(history.events_size());
}
BENCHMARK(BM_ReplayFile)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lockstep::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  constexpr const char kFlag[] = "--history=";
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], kFlag, sizeof(kFlag) - 1) == 0) {
      lockstep::bench::HistoryPath() = argv[i] + sizeof(kFlag) - 1;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  if (lockstep::bench::HistoryPath().empty()) {
    std::fprintf(stderr, "usage: %s --history=FILE [--benchmark_... flags]\n", argv[0]);
    return 2;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
