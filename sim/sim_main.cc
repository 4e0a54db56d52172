#include "sim/sim_main.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sim/campaign.h"
#include "sim/faults.h"
#include "sim/simulation.h"

namespace lockstep::sim {
namespace {

struct Flags {
  std::string workflow;
  int64_t seeds = 1000;
  uint64_t first_seed = 1;
  std::optional<uint64_t> seed;
  std::string faults;
  std::string strategy = "random";
  int pct_depth = 3;
  int jobs = 1;
  std::string shard;
  std::string out_dir;
  int max_failures = 1;
  bool keep_going = false;
  bool check_determinism = false;
  bool verbose = false;
  bool list = false;
  bool list_faults = false;
};

void AddOptions(CLI::App& app, Flags& f) {
  app.add_option("--workflow", f.workflow, "the workload to simulate (--list shows them)");
  app.add_option("--seeds", f.seeds, "how many seeds, from --first-seed (default 1000)")
      ->check(CLI::PositiveNumber);
  app.add_option("--first-seed", f.first_seed, "the first seed of the range (default 1)");
  app.add_option("--seed", f.seed, "run exactly this seed (what a reproduce line says)");
  app.add_option("--faults", f.faults,
                 "fault kinds a seed may turn on: all, none, NAME, NAME=N/D, -NAME "
                 "(default: the workload's choice; --list-faults shows the kinds)");
  app.add_option("--strategy", f.strategy, "order of simultaneous steps: random or pct")
      ->check(CLI::IsMember({"random", "pct"}));
  app.add_option("--pct-depth", f.pct_depth, "PCT bug depth (priority change points + 1)")
      ->check(CLI::Range(1, 64));
  app.add_option("--jobs", f.jobs, "seeds run in parallel (default 1)")->check(CLI::Range(1, 1024));
  app.add_option("--shard", f.shard,
                 "this machine's share of the seeds, I/N with 0 <= I < N (default: "
                 "GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS if set)");
  app.add_option("--out", f.out_dir, "where failing seeds' reports, histories and timelines go");
  app.add_option("--max-failures", f.max_failures, "stop after this many failing seeds (default 1)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--keep-going", f.keep_going, "run every seed, however many fail");
  app.add_flag("--check-determinism", f.check_determinism,
               "run every seed twice and compare each step");
  app.add_flag("--verbose", f.verbose, "one line per seed");
  app.add_flag("--list", f.list, "list the workloads and exit");
  app.add_flag("--list-faults", f.list_faults, "list the fault kinds and exit");
}

// "I/N" -> (I, N).
bool ParseShard(const std::string& text, int* index, int* count) {
  std::vector<std::string> parts = absl::StrSplit(text, '/');
  return parts.size() == 2 && absl::SimpleAtoi(parts[0], index) &&
         absl::SimpleAtoi(parts[1], count) && *count >= 1 && *index >= 0 && *index < *count;
}

int Usage(std::ostream& err, const std::string& program, const std::string& message) {
  err << program << ": " << message << "\n"
      << "run '" << program << " --help' for the options\n";
  return kSimExitUsage;
}

}  // namespace

int RunSimCommand(const std::vector<std::string>& args, const Registry* registry,
                  const std::vector<Workload>& workloads, const std::string& program,
                  SimCommandIo io) {
  CLI::App app{"Simulate workflows in virtual time over many seeds, with faults injected, "
               "and report the first failing seed with a command that reproduces it.\n"
               "Exit status: 0 no failure, 1 a failure was found, 2 bad usage.",
               program};
  Flags f;
  AddOptions(app, f);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    io.out << app.help();
    return kSimExitOk;
  } catch (const CLI::ParseError& e) {
    return Usage(io.err, program, e.what());
  }

  if (f.list) {
    for (const Workload& w : workloads) io.out << w.name << "\t" << w.description << "\n";
    return kSimExitOk;
  }
  if (f.list_faults) {
    for (size_t i = 0; i < kFaultCount; ++i) {
      const Fault fault = static_cast<Fault>(i);
      io.out << FaultName(fault) << "\t" << FaultDescription(fault) << "\n";
    }
    return kSimExitOk;
  }
  if (f.workflow.empty()) return Usage(io.err, program, "--workflow NAME is required (--list shows the names)");
  const Workload* workload = nullptr;
  for (const Workload& w : workloads) {
    if (w.name == f.workflow) workload = &w;
  }
  if (workload == nullptr) {
    return Usage(io.err, program,
                 absl::StrCat("--workflow: no workload named '", f.workflow,
                              "' (--list shows the names)"));
  }

  SimOptions options;
  if (!f.faults.empty()) {
    absl::StatusOr<FaultSelection> selection = FaultSelection::Parse(f.faults);
    if (!selection.ok()) return Usage(io.err, program, std::string(selection.status().message()));
    options.faults = *selection;
  }
  options.strategy = *StrategyByName(f.strategy);
  options.pct.depth = f.pct_depth;
  options.check_determinism = f.check_determinism;

  CampaignOptions campaign;
  campaign.first_seed = f.first_seed;
  campaign.seeds = f.seeds;
  campaign.seed = f.seed;
  campaign.jobs = f.jobs;
  campaign.max_failures = f.keep_going ? 0 : f.max_failures;
  campaign.out_dir = f.out_dir;
  campaign.program = program;
  campaign.progress = io.progress;
  campaign.progress_is_terminal = io.progress_is_terminal;
  campaign.verbose = f.verbose;
  if (!f.shard.empty()) {
    if (!ParseShard(f.shard, &campaign.shard_index, &campaign.shard_count)) {
      return Usage(io.err, program,
                   absl::StrCat("--shard: '", f.shard, "' is not I/N with 0 <= I < N"));
    }
  } else if (const char* total = std::getenv("GTEST_TOTAL_SHARDS")) {
    const char* index = std::getenv("GTEST_SHARD_INDEX");
    if (index == nullptr || !ParseShard(absl::StrCat(index, "/", total), &campaign.shard_index,
                                        &campaign.shard_count)) {
      return Usage(io.err, program,
                   absl::StrCat("GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS (", index ? index : "unset",
                                "/", total, ") is not a valid shard"));
    }
    // The sharding protocol: a test that shards says so by touching this file.
    if (const char* status_file = std::getenv("GTEST_SHARD_STATUS_FILE")) {
      std::ofstream touch(status_file, std::ios::app);
    }
  }

  Simulation simulation(workload, options, registry);
  absl::StatusOr<CampaignSummary> summary = RunCampaign(simulation, campaign, io.out);
  if (!summary.ok()) {
    io.err << program << ": " << summary.status().message() << "\n";
    return kSimExitUsage;
  }
  return summary->failures.empty() ? kSimExitOk : kSimExitFound;
}

int SimMain(const Registry& registry, std::vector<Workload> workloads, int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  const bool terminal = isatty(STDERR_FILENO) != 0;
  return RunSimCommand(args, &registry, workloads, argc > 0 ? argv[0] : "sim",
                       {std::cout, std::cerr, &std::cerr, terminal});
}

}  // namespace lockstep::sim
