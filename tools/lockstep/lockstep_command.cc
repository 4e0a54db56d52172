// `lockstep COMMAND ...`: picks the subcommand. The commands' help text comes from CLI11's
// formatter, as the subcommands' --help does, so that all of it reads alike.
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/string_view.h"
#include "tools/lockstep/command.h"

namespace lockstep::cli {
namespace {

struct Subcommand {
  absl::string_view name;
  absl::string_view summary;  // one line of `lockstep help`
  int (*run)(const std::vector<std::string>& args, CommandIo io);
};

// In the order `lockstep help` lists them.
constexpr Subcommand kSubcommands[] = {
    {"show", "print histories as tables, or convert them to JSON or binary", RunShow},
    {"run", "run a built-in workflow in virtual time and show its history", RunRun},
    {"replay", "replay histories against the built-in workflows", RunReplay},
    {"export", "write runs' histories from a history store into files", RunExport},
    {"sim", "simulate a built-in workload over many seeds with faults, find failing seeds", RunSim},
    {"bench", "signals per second into a built-in workflow, per-signal cost, memory per event",
     RunBench},
    {"list", "the workflow (or activity) types built into this binary", RunList},
};

const Subcommand* FindSubcommand(absl::string_view name) {
  for (const Subcommand& subcommand : kSubcommands) {
    if (subcommand.name == name) return &subcommand;
  }
  return nullptr;
}

std::string Help() {
  CLI::App app("Lockstep: deterministic simulation and replay testing of Temporal-style workflows.",
               "lockstep");
  for (const Subcommand& subcommand : kSubcommands) {
    app.add_subcommand(std::string(subcommand.name), std::string(subcommand.summary));
  }
  app.add_subcommand("help", "this text; `lockstep help COMMAND` is `lockstep COMMAND --help`");
  app.footer(
      "Run 'lockstep COMMAND --help' for the options of a command.\n"
      "exit status: 0 ok, 1 a check found a problem, 2 bad input or usage");
  return app.help();
}

}  // namespace

int RunLockstep(const std::vector<std::string>& args, CommandIo io) {
  if (args.empty()) {
    io.err << Help();
    return kExitUsage;
  }
  const std::string& command = args[0];
  if (const Subcommand* subcommand = FindSubcommand(command)) {
    return subcommand->run(std::vector<std::string>(args.begin() + 1, args.end()), io);
  }
  if (command == "help" || command == "--help" || command == "-h") {
    if (args.size() == 1) {
      io.out << Help();
      return kExitOk;
    }
    if (const Subcommand* subcommand = FindSubcommand(args[1]); subcommand != nullptr) {
      return subcommand->run({"--help"}, io);
    }
    io.err << "lockstep: unknown command '" << args[1] << "'\n"
           << "run 'lockstep help' for the commands\n";
    return kExitUsage;
  }
  io.err << "lockstep: unknown command '" << command << "'\n"
         << "run 'lockstep help' for the commands\n";
  return kExitUsage;
}

}  // namespace lockstep::cli
