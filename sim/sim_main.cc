#include "sim/sim_main.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "sim/campaign.h"
#include "sim/faults.h"
#include "sim/schedule.h"
#include "sim/shrink.h"
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
  std::string schedule;
  bool shrink = false;
  std::optional<int> shrink_runs;
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
  app.add_option("--schedule", f.schedule,
                 "run this schedule file instead of seeds (what a property test's rerun line "
                 "says; a failing seed's directory under --out has its schedule.txtpb)");
  app.add_flag("--shrink", f.shrink,
               "with --seed or --schedule: shrink the failing run to the smallest schedule that "
               "fails the same way, and write it (to --out, else the current directory)");
  app.add_option("--shrink-runs", f.shrink_runs,
                 "with --shrink: stop after this many simulated runs and keep the smallest "
                 "failing schedule found so far (default 20000)")
      ->check(cli::PositiveInteger());
  app.add_flag("--list", f.list, "list the workloads and exit");
  app.add_flag("--list-faults", f.list_faults, "list the fault kinds and exit");
}

// "I/N" -> (I, N).
bool ParseShard(const std::string& text, int* index, int* count) {
  std::vector<std::string> parts = absl::StrSplit(text, '/');
  return parts.size() == 2 && absl::SimpleAtoi(parts[0], index) &&
         absl::SimpleAtoi(parts[1], count) && *count >= 1 && *index >= 0 && *index < *count;
}

std::string RunLine(const std::string& what, const SeedResult& r) {
  return absl::StrCat(what, ": ", r.failed() ? "FAILED" : "ok", " (", r.steps, " steps, ",
                      absl::FormatDuration(r.virtual_time), " virtual, fingerprint ",
                      absl::StrFormat("%016x", r.fingerprint), ")\n");
}

void PrintFindings(const SeedResult& r, std::ostream& out) {
  for (const Finding& f : r.findings) out << "  " << f.OneLine() << "\n";
}

// --schedule FILE and --shrink: one run, from a schedule file or a seed's recorded schedule.
int RunOneSchedule(const Simulation& simulation, const Flags& f, const std::string& program,
                   SimCommandIo io) {
  const std::string& name = simulation.workload().name;
  Schedule schedule;
  std::string what;
  if (!f.schedule.empty()) {
    absl::StatusOr<Schedule> read = ReadScheduleFile(f.schedule);
    if (!read.ok()) {
      io.err << program << ": --schedule: " << read.status().message() << "\n";
      return kSimExitUsage;
    }
    if (read->workload() != name) {
      io.err << program << ": --schedule: " << f.schedule << " is a schedule of workload '"
             << read->workload() << "', not '" << name << "'\n";
      return kSimExitUsage;
    }
    schedule = std::move(*read);
    what = absl::StrCat("schedule ", f.schedule);
  } else {
    SeedResult seeded = simulation.Run(*f.seed, {.record = false, .record_schedule = true});
    schedule = std::move(*seeded.schedule);
    what = absl::StrCat("seed ", *f.seed);
  }
  const ScheduleSize size = SizeOf(schedule);
  io.out << "lockstep sim: workload " << name << ", " << what << " (" << size.calls
         << " calls, " << size.faults << " faults, " << size.other << " other decisions)"
         << (f.shrink ? ", shrinking" : "") << "\n";
  if (f.verbose) io.out << ScheduleTimeline(schedule);
  if (!f.shrink) {
    absl::StatusOr<SeedResult> run =
        simulation.RunSchedule(schedule, {.record = !f.out_dir.empty(), .record_schedule = false});
    if (!run.ok()) {
      io.err << program << ": " << f.schedule << ": " << run.status().message() << "\n";
      return kSimExitUsage;
    }
    io.out << RunLine(what, *run);
    PrintFindings(*run, io.out);
    const std::string rerun = absl::StrCat(program, " --workflow ", name, " --schedule ", f.schedule);
    if (run->failed()) io.out << "  reproduce: " << rerun << "\n";
    if (!f.out_dir.empty()) {
      run->schedule = schedule;
      const std::string dir =
          (std::filesystem::path(f.out_dir) / absl::StrCat(name, "-schedule")).string();
      if (absl::Status s = WriteSeedArtifacts(simulation, *run, rerun, dir); !s.ok()) {
        io.err << program << ": " << s.message() << "\n";
        return kSimExitUsage;
      }
      io.out << what << ": report, histories, timeline and schedule written to " << dir << "/\n";
    }
    return run->failed() ? kSimExitFound : kSimExitOk;
  }
  const int budget = f.shrink_runs.value_or(kDefaultShrinkRuns);
  absl::StatusOr<ShrinkResult> shrunk = ShrinkFailingSchedule(simulation, schedule, budget);
  if (!shrunk.ok()) {
    io.out << what << ": " << shrunk.status().message() << "\n";
    return shrunk.status().code() == absl::StatusCode::kFailedPrecondition ? kSimExitOk
                                                                            : kSimExitUsage;
  }
  const ScheduleSize small = SizeOf(shrunk->schedule);
  io.out << what << ": shrunk in " << shrunk->steps << " steps (" << shrunk->runs << " runs"
         << (shrunk->runs >= budget ? ", stopped at the --shrink-runs budget" : "") << ") to "
         << small.calls << " calls, " << small.faults << " faults, " << small.other
         << " other decisions:\n"
         << ScheduleTimeline(shrunk->schedule);
  PrintFindings(shrunk->run, io.out);
  std::string path;
  absl::Status written;
  if (!f.out_dir.empty()) {
    const std::string dir =
        (std::filesystem::path(f.out_dir) / absl::StrCat(name, "-shrunk")).string();
    path = (std::filesystem::path(dir) / "schedule.txtpb").string();
    absl::StatusOr<SeedResult> recorded = simulation.RunSchedule(shrunk->schedule, {.record = true});
    if (recorded.ok()) {
      recorded->schedule = shrunk->schedule;
      written = WriteSeedArtifacts(simulation, *recorded,
                                   absl::StrCat(program, " --workflow ", name, " --schedule ", path),
                                   dir);
    } else {
      written = recorded.status();
    }
  } else {
    path = absl::StrCat(name, "-shrunk.txtpb");
    written = WriteScheduleFile(shrunk->schedule, path);
  }
  if (!written.ok()) {
    io.err << program << ": " << written.message() << "\n";
    return kSimExitUsage;
  }
  io.out << "  reproduce: " << program << " --workflow " << name << " --schedule " << path << "\n";
  return kSimExitFound;
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

  if (f.shrink_runs.has_value() && !f.shrink) return usage("--shrink-runs applies to --shrink");
  const bool one_schedule = !f.schedule.empty() || f.shrink;
  if (one_schedule) {
    if (!f.schedule.empty() && f.seed.has_value()) {
      return usage("--schedule and --seed: give one (a schedule decides what a seed would)");
    }
    if (f.shrink && f.schedule.empty() && !f.seed.has_value()) {
      return usage("--shrink needs the failing run: --seed S or --schedule FILE");
    }
    if (!f.schedule.empty() && (!f.faults.empty() || f.strategy != "random")) {
      return usage("--faults and --strategy do not apply to --schedule: it lists every fault "
                   "and every choice among simultaneous steps");
    }
    if (f.record || !f.shard.empty() || f.jobs != 1 || f.keep_going) {
      return usage("--record, --shard, --jobs and --keep-going apply to seed ranges, not to "
                   "one schedule");
    }
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
  if (one_schedule) return RunOneSchedule(simulation, f, program, io);
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
