// Loading and showing histories: items_per_second is events per second.
//
//   build/benchmarks/history_benchmark                       run the suites
//   build/benchmarks/history_benchmark --write_history=F.pb  write the 51,200-event history
//                                                            (binary or .json) and exit
#include <cstring>
#include <string>

#include "benchmark/benchmark.h"
#include "benchmarks/signal_history.h"
#include "engine/history/event_summary.h"
#include "engine/history/history_file.h"
#include "engine/history/json_reader.h"
#include "engine/history/json_writer.h"
#include "engine/history/validate.h"

namespace lockstep::bench {
namespace {

using temporal::api::history::v1::History;

constexpr int64_t kLargest = 51200;  // the most events Temporal allows in one history

void BM_ParseBinaryHistory(benchmark::State& state) {
  const std::string bytes = history::SerializeHistoryBinary(SignalHistory(state.range(0)));
  int64_t events = 0;
  for (auto _ : state) {
    auto h = history::ParseHistoryBinary(bytes, "bench");
    benchmark::DoNotOptimize(h);
    events += h->events_size();
  }
  state.SetItemsProcessed(events);
  state.SetBytesProcessed(static_cast<int64_t>(bytes.size()) * state.iterations());
}
BENCHMARK(BM_ParseBinaryHistory)->Arg(5000)->Arg(kLargest)->Unit(benchmark::kMillisecond);

void BM_ParseJsonHistory(benchmark::State& state) {
  const std::string json = history::HistoryToJson(SignalHistory(state.range(0)));
  int64_t events = 0;
  for (auto _ : state) {
    auto h = history::ParseHistoriesJson(json, "bench");
    benchmark::DoNotOptimize(h);
    events += (*h)[0].events_size();
  }
  state.SetItemsProcessed(events);
  state.SetBytesProcessed(static_cast<int64_t>(json.size()) * state.iterations());
}
BENCHMARK(BM_ParseJsonHistory)->Arg(5000)->Arg(kLargest)->Unit(benchmark::kMillisecond);

void BM_WriteJsonHistory(benchmark::State& state) {
  const auto h = SignalHistory(state.range(0));
  int64_t events = 0;
  for (auto _ : state) {
    std::string json = history::HistoryToJson(h);
    benchmark::DoNotOptimize(json);
    events += h.events_size();
  }
  state.SetItemsProcessed(events);
}
BENCHMARK(BM_WriteJsonHistory)->Arg(kLargest)->Unit(benchmark::kMillisecond);

void BM_ValidateHistory(benchmark::State& state) {
  const auto h = SignalHistory(state.range(0));
  int64_t events = 0;
  for (auto _ : state) {
    auto s = history::ValidateHistory(h, "bench");
    benchmark::DoNotOptimize(s);
    events += h.events_size();
  }
  state.SetItemsProcessed(events);
}
BENCHMARK(BM_ValidateHistory)->Arg(kLargest)->Unit(benchmark::kMillisecond);

// What `lockstep show FILE` does, minus process start and table layout: read, parse, validate,
// summarize the history and every event.
void BM_ShowBinaryFile(benchmark::State& state) {
  const std::string path = "/tmp/lockstep_bench_show.pb";
  if (auto s = history::SaveHistoryFile(path, SignalHistory(state.range(0)),
                                        history::HistoryFormat::kBinary);
      !s.ok()) {
    state.SkipWithError(std::string(s.message()).c_str());
    return;
  }
  int64_t events = 0;
  for (auto _ : state) {
    auto loaded = history::LoadHistoryFile(path);
    if (!loaded.ok()) {
      state.SkipWithError(std::string(loaded.status().message()).c_str());
      return;
    }
    const History& h = loaded->histories[0];
    benchmark::DoNotOptimize(history::SummarizeHistory(h));
    for (const auto& event : h.events()) {
      std::string line = history::SummarizeEvent(event);
      benchmark::DoNotOptimize(line);
    }
    events += h.events_size();
  }
  state.SetItemsProcessed(events);
}
BENCHMARK(BM_ShowBinaryFile)->Arg(kLargest)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lockstep::bench

int main(int argc, char** argv) {
  constexpr const char kWrite[] = "--write_history=";
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], kWrite, sizeof(kWrite) - 1) == 0) {
      std::string path = argv[i] + sizeof(kWrite) - 1;
      bool json = path.size() > 5 && path.compare(path.size() - 5, 5, ".json") == 0;
      auto s = lockstep::history::SaveHistoryFile(
          path, lockstep::bench::SignalHistory(lockstep::bench::kLargest),
          json ? lockstep::history::HistoryFormat::kJson
               : lockstep::history::HistoryFormat::kBinary);
      if (!s.ok()) {
        std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
        return 2;
      }
      return 0;
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
