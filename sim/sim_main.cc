#include "sim/sim_main.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sim/campaign.h"
#include "sim/faults.h"
#include "sim/simulation.h"
#include "tools/cli_parse/cli_parse.h"

namespace lockstep::sim {
namespace {

struct Flags {
  std::string workflow;
  int64_t seeds = 1000;
  int64_t jobs = 1;
  int64_t max_failures = 1;
  uint64_t first_seed = 1;
  std::optional<uint64_t> seed;
  std::string faults;
  std::string strategy = "random";
  int pct_depth = 3;
  std::string shard;
  std::string out_dir;
  bool keep_going = false;
  bool check_determinism = false;
  bool verbose = false;
  bool record = false;
  bool list = false;
  bool list_faults = false;
};

void AddOptions(CLI::App& app, Flags& f) {
  app.footer("exit status: 0 no failure, 1 a failure was found (reproduce line printed), 2 bad usage");
  app.add_option("--workflow", f.workflow, "the workload to simulate (--list shows them)");
  app.add_option("--seeds", f.seeds, "how many seeds, from --first-seed (default 1000)")
      ->check(cli::PositiveInteger());
  app.add_option("--first-seed", f.first_seed, "the first seed of the range (default 1)");
  app.add_option("--seed", f.seed, "run exactly this seed (what a reproduce line says)");
  app.add_option("--faults", f.faults,
                 "fault kinds a seed may turn on: all, none, NAME, NAME=N/D, -NAME "
                 "(default: the workload's choice; --list-faults shows the kinds)");
  app.add_option("--strategy", f.strategy, "order of simultaneous steps: random or pct")
      ->check(cli::OneOf({"random", "pct"}));
  app.add_option("--pct-depth", f.pct_depth, "PCT bug depth (priority change points + 1)")
      ->check(CLI::Range(1, 64));
  app.add_option("--jobs", f.jobs, "seeds run in parallel (default 1)")
      ->check(cli::PositiveInteger());
  app.add_option("--shard", f.shard,
                 "this machine's share of the seeds, I/N with 0 <= I < N (default: "
                 "GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS if set)");
  app.add_option("--out", f.out_dir, "where failing seeds' reports, histories and timelines go");
  app.add_option("--max-failures", f.max_failures,
                 "stop after this many failing seeds (default 1)")
      ->check(cli::PositiveInteger());
  app.add_flag("--keep-going", f.keep_going, "run every seed, however many fail");
  app.add_flag("--check-determinism", f.check_determinism,
               "run every seed twice and compare each step");
  app.add_flag("--verbose", f.verbose, "one line per seed (with its fingerprint)");
  app.add_flag("--record", f.record,
               "write every seed's report, histories and timeline to --out, failing or not "
               "(to compare builds byte for byte; meant for a few seeds)");
  app.add_flag("--list", f.list, "list the workloads and exit");
  app.add_flag("--list-faults", f.list_faults, "list the fault kinds and exit");
}

// "I/N" -> (I, N).
bool ParseShard(const std::string& text, int* index, int* count) {
  std::vector<std::string> parts = absl::StrSplit(text, '/');
  return parts.size() == 2 && absl::SimpleAtoi(parts[0], index) &&
         absl::SimpleAtoi(parts[1], count) && *count >= 1 && *index >= 0 && *index < *count;
}

}  // namespace

int RunSimCommand(const std::vector<std::string>& args, const Registry* registry,
                  const std::vector<Workload>& workloads, const std::string& program,
                  SimCommandIo io) {
  cli::CommandLine command_line(
      cli::ProgramName{program},
      "Simulate workflows in virtual time over many seeds, with faults injected, and report "
      "each failing seed with a command that reproduces it.");
  Flags f;
  AddOptions(command_line.app(), f);
  const cli::CommandIo cio{io.out, io.err};
  if (std::optional<int> exit = command_line.Parse(args, cio)) return *exit;
  auto usage = [&](const std::string& message) { return command_line.UsageError(message, cio); };

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
  if (f.workflow.empty()) return usage("--workflow NAME is required (--list shows the names)");
  const Workload* workload = nullptr;
  for (const Workload& w : workloads) {
    if (w.name == f.workflow) workload = &w;
  }
  if (workload == nullptr) {
    return usage(absl::StrCat("--workflow: no workload named '", f.workflow,
                              "' (--list shows the names)"));
  }

  SimOptions options;
  if (!f.faults.empty()) {
    absl::StatusOr<FaultSelection> selection = FaultSelection::Parse(f.faults);
    if (!selection.ok()) return usage(std::string(selection.status().message()));
    options.faults = *selection;
  }
  options.strategy = *StrategyByName(f.strategy);
  options.pct.depth = f.pct_depth;
  options.check_determinism = f.check_determinism;

  CampaignOptions campaign;
  campaign.first_seed = f.first_seed;
  campaign.seeds = f.seeds;
  campaign.seed = f.seed;
  if (f.jobs > 1024 || f.max_failures > 1000000) {
    return usage(f.jobs > 1024 ? "--jobs must be at most 1024" : "--max-failures is too large");
  }
  campaign.jobs = static_cast<int>(f.jobs);
  campaign.max_failures = f.keep_going ? 0 : static_cast<int>(f.max_failures);
  campaign.out_dir = f.out_dir;
  campaign.program = program;
  campaign.progress = io.progress;
  campaign.progress_is_terminal = io.progress_is_terminal;
  campaign.verbose = f.verbose;
  campaign.record_all = f.record;
  if (f.record && f.out_dir.empty()) return usage("--record needs --out DIR");
  if (!f.shard.empty()) {
    if (!ParseShard(f.shard, &campaign.shard_index, &campaign.shard_count)) {
      return usage(absl::StrCat("--shard must be I/N with 0 <= I < N, got '", f.shard, "'"));
    }
  } else if (const char* total = std::getenv("GTEST_TOTAL_SHARDS")) {
    const char* index = std::getenv("GTEST_SHARD_INDEX");
    if (index == nullptr || !ParseShard(absl::StrCat(index, "/", total), &campaign.shard_index,
                                        &campaign.shard_count)) {
      return usage(absl::StrCat("GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS (", index ? index : "unset",
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
