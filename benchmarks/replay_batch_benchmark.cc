// Batch replay: many small histories from files, the way `lockstep replay --jobs N DIR` runs
// them before a deploy. The batch is 1,000 JSON files, each the counter workflow's history
// with 10 signals in one workflow task (26 events, about 8 KB: the TypeScript peer's
// `many` shape), written once to a temporary directory. items_per_second = histories/s.
//
//   BM_ReplayBatch/threads:T  the whole path, as the command runs it (replay/replay_main.h
//                             RunReplayCommand with --jobs T): list the directory, open,
//                             read, parse, validate, replay, format the reports; the reports
//                             go to a stream that drops them, and every one must be clean
//   BM_BatchStage/stage:S     one thread, cumulative stages of the same path, for the cost
//                             per history broken down (docs/compare.md):
//                             0 read the file, 1 and parse it, 2 and validate it,
//                             3 and replay it (ReplayHistory, no report text)
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "benchmarks/counter_history.h"
#include "engine/history/history_file.h"
#include "engine/history/json_writer.h"
#include "engine/history/padded_file.h"
#include "replay/replay_main.h"
#include "replay/replayer.h"

namespace lockstep::bench {
namespace {

constexpr int kFiles = 1000;

// The batch's directory and its files, in the order the command lists them.
struct Batch {
  std::string dir;
  std::vector<std::string> files;
};

const Batch& SmallHistories() {
  static const Batch* batch = [] {
    auto* b = new Batch();
    b->dir = absl::StrCat(std::filesystem::temp_directory_path().string(), "/lockstep_bench_batch_",
                          ::getpid());
    std::filesystem::create_directories(b->dir);
    const std::string json = history::HistoryToJson(RecordCounterHistory(10, 10));
    for (int i = 0; i < kFiles; ++i) {
      b->files.push_back(absl::StrCat(b->dir, "/h", 10000 + i, ".json"));
      if (!history::WriteFileAtomically(b->files.back(), json).ok()) std::abort();
    }
    std::atexit([] { std::filesystem::remove_all(SmallHistories().dir); });
    return b;
  }();
  return *batch;
}

// Drops what is written to it: the reports' cost is formatting them, not the terminal's.
class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

void BM_ReplayBatch(benchmark::State& state) {
  const Batch& batch = SmallHistories();
  replay::ReplayCommandOptions options;
  options.paths = {batch.dir};
  options.jobs = static_cast<int>(state.range(0));
  NullBuffer null_buffer;
  std::ostream null_out(&null_buffer);
  auto registry_for = [](const temporal::api::history::v1::History&) -> const Registry& {
    return CounterRegistry();
  };
  for (auto _ : state) {
    if (replay::RunReplayCommand(options, registry_for, null_out, null_out) !=
        replay::kReplayExitClean) {
      state.SkipWithError("the batch did not replay cleanly");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * kFiles);
}
BENCHMARK(BM_ReplayBatch)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_BatchStage(benchmark::State& state) {
  const Batch& batch = SmallHistories();
  const int64_t stage = state.range(0);
  history::LoadOptions load_options;
  load_options.validate = stage >= 2;
  history::PaddedFileReader reader;
  history::HistoryLoader loader(load_options);
  int64_t bytes = 0;
  for (auto _ : state) {
    for (const std::string& file : batch.files) {
      if (stage == 0) {
        absl::StatusOr<absl::string_view> read =
            reader.Read(file, history::kJsonPadding, history::kDefaultMaxFileBytes);
        if (!read.ok()) {
          state.SkipWithError(std::string(read.status().message()).c_str());
          return;
        }
        bytes += static_cast<int64_t>(read->size());
        continue;
      }
      if (absl::Status s = loader.Load(file); !s.ok()) {
        state.SkipWithError(std::string(s.message()).c_str());
        return;
      }
      if (stage < 3) continue;
      const replay::ReplayResult result =
          replay::ReplayHistory(CounterRegistry(), loader.loaded().histories[0], file);
      if (result.outcome != replay::Outcome::kClean) {
        state.SkipWithError("a history did not replay cleanly");
        return;
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * kFiles);
  if (bytes > 0) state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_BatchStage)->ArgName("stage")->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lockstep::bench

BENCHMARK_MAIN();
