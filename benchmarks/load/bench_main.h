// A signal-load benchmark binary for a project's own workflows, in a few lines:
//
//   int main(int argc, char** argv) {
//     lockstep::Registry registry;
//     RegisterMyWorkflows(&registry);
//     return lockstep::bench::BenchMain(registry, {MyOrderSignalLoad()}, argc, argv);
//   }
//
// The binary takes what `lockstep bench signals` takes:
//   --workflow NAME     the load to run (--list shows them)
//   --workflows W       workflows open at once (default 100)
//   --signals N         signals in all (default 1,000,000)
//   --per-task K        signals sent to a workflow before its workflow task (default 100)
//   --per-workflow S    each workflow's share; it must complete after it and is replaced
//                       (default: N / W rounded up, so each workflow lives the whole run)
//   --retain-closed-bytes B  closed histories the service keeps (ServiceOptions::retention,
//                       serialized bytes); 0 releases each as its workflow completes
//                       (default: all kept)
// and prints, one "name: value" line each (signal_load.h says how each is measured):
//   signals, workflows_started, workflows_completed, histories_released, timed_seconds,
//   total_seconds,
//   signals_per_second, per_signal_p50_us, per_signal_p99_us, events_per_signal,
//   retained_bytes_per_event, peak_rss_mb, rss_mb
// after a first line that repeats the options. Exit status: 0 the load ran, 1 it failed (a
// workflow rejected a signal or was not completed after its share; the message names it),
// 2 bad usage. Progress goes to stderr when it is a terminal: one line, rewritten in place.
#ifndef LOCKSTEP_BENCHMARKS_LOAD_BENCH_MAIN_H_
#define LOCKSTEP_BENCHMARKS_LOAD_BENCH_MAIN_H_

#include <ostream>
#include <string>
#include <vector>

#include "benchmarks/load/signal_load.h"
#include "engine/workflow/registry.h"

namespace lockstep::bench {

inline constexpr int kBenchExitOk = 0;
inline constexpr int kBenchExitFailed = 1;
inline constexpr int kBenchExitUsage = 2;

// `registry` holds the workflows and activities of every load.
int BenchMain(const Registry& registry, std::vector<SignalLoad> loads, int argc, char** argv);

// The command itself, for `lockstep bench signals` and tests: `args` excludes the program name;
// `program` names the command in messages ("lockstep bench signals").
struct BenchCommandIo {
  std::ostream& out;
  std::ostream& err;
  std::ostream* progress = nullptr;  // null: no progress
};
int RunBenchSignalsCommand(const std::vector<std::string>& args, const Registry& registry,
                           const std::vector<SignalLoad>& loads, const std::string& program,
                           BenchCommandIo io);

}  // namespace lockstep::bench

#endif  // LOCKSTEP_BENCHMARKS_LOAD_BENCH_MAIN_H_
