// Loading and replaying one given history file, the Lockstep half of the peer comparison
// (benchmarks/compare/compare.sh). The file is the counter workflow's history as a Temporal
// server records it; every benchmark works on that one file:
//
//   BM_LoadFile        load it as `lockstep replay FILE` does, without (validate:0) and with
//                      validation (bytes_per_second is the load rate)
//   BM_ReplayFile      replay only: the history is parsed once, outside the timing, and each
//                      iteration replays it with ReplayHistory against a registry holding
//                      the counter workflow (what `lockstep replay` does with its built-in
//                      registry), which must come back clean; items_per_second is history
//                      events replayed per second
//
//   build/benchmarks/replay_file_benchmark --history=FILE [--benchmark_... flags]
#include <cstdio>
#include <cstring>
#include <string>

#include "benchmark/benchmark.h"
#include "engine/history/history_file.h"
#include "replay/replayer.h"
#include "examples/counter/counter_workflow.h"

namespace lockstep::bench {
namespace {

std::string& HistoryPath() {
  static std::string* path = new std::string();
  return *path;
}

// Loads the file as `lockstep replay` does (mapped, parsed in place onto an arena), without
// and with validation; bytes_per_second is the load rate.
void BM_LoadFile(benchmark::State& state) {
  history::LoadOptions options;
  options.validate = state.range(0) != 0;
  int64_t events = 0;
  for (auto _ : state) {
    auto loaded = history::LoadHistoryFile(HistoryPath(), options);
    if (!loaded.ok()) {
      state.SkipWithError(std::string(loaded.status().message()).c_str());
      return;
    }
    events += loaded->histories[0].events_size();
  }
  auto size = history::ReadFileToString(HistoryPath());
  state.SetBytesProcessed(size.ok() ? static_cast<int64_t>(size->size()) * state.iterations() : 0);
  state.SetItemsProcessed(events);
}
BENCHMARK(BM_LoadFile)->ArgName("validate")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_ReplayFile(benchmark::State& state) {
  auto loaded = history::LoadHistoryFile(HistoryPath());
  if (!loaded.ok()) {
    state.SkipWithError(std::string(loaded.status().message()).c_str());
    return;
  }
  const auto& history = loaded->histories[0];
  Registry registry;
  if (absl::Status s = examples::RegisterCounter(&registry); !s.ok()) {
    state.SkipWithError(std::string(s.message()).c_str());
    return;
  }
  const replay::ReplayOptions options{.result_check = replay::ReplayOptions::ResultCheck::kFail};
  int64_t events = 0;
  for (auto _ : state) {
    replay::ReplayResult result =
        replay::ReplayHistory(registry, history, HistoryPath(), options);
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
