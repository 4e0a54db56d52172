// `lockstep bench signals`: a signal load on a built-in workflow (benchmarks/load/bench_main.h
// has the options; a project's own binary gets the same command through BenchMain).
#include <unistd.h>

#include <iostream>
#include <limits>

#include "benchmarks/load/bench_main.h"
#include "engine/payload/payload.h"
#include "examples/counter/counter_workflow.h"
#include "tools/cli_parse/cli_parse.h"
#include "tools/lockstep/builtin_registry.h"
#include "tools/lockstep/command.h"

namespace lockstep::cli {
namespace {

// The counter workflow (examples/counter): its input is the count it completes at, and each
// `inc(1)` signal adds one, so a workflow given its share as input completes after it.
bench::SignalLoad CounterLoad() {
  return {
      .name = "counter",
      .workflow_type = examples::kCounterWorkflow,
      .description = "examples/counter: inc(1) signals until the count reaches the share",
      .start_input = [](int64_t share) { return ToPayloads(static_cast<int>(share)); },
      .signal_name = examples::kIncSignal,
      .signal_input = [](int64_t) { return ToPayloads(1); },
      .max_share = std::numeric_limits<int>::max(),
  };
}

}  // namespace

int RunBench(const std::vector<std::string>& args, CommandIo io) {
  // The load kind comes first and takes the rest of the line, so it is dispatched by hand;
  // CommandLine gives the help and the usage errors their usual form.
  CommandLine command_line("bench",
                           "Benchmark a built-in workflow under a load. Loads: signals "
                           "(`lockstep bench signals --help`).");
  if (args.empty()) return command_line.UsageError("name a load: signals", io);
  if (args[0] == "--help" || args[0] == "-h") {
    io.out << command_line.Help();
    return kExitOk;
  }
  if (args[0] != "signals") {
    return command_line.UsageError("no load named '" + args[0] + "' (the loads: signals)", io);
  }
  std::ostream* progress =
      &io.err == &std::cerr && isatty(STDERR_FILENO) != 0 ? &std::cerr : nullptr;
  return bench::RunBenchSignalsCommand(std::vector<std::string>(args.begin() + 1, args.end()),
                                       BuiltinRegistry(), {CounterLoad()},
                                       "lockstep bench signals", {io.out, io.err, progress});
}

}  // namespace lockstep::cli
