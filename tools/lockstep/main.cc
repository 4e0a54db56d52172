// `lockstep`: the command line for Lockstep's histories, simulations and replays.
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "tools/lockstep/command.h"

namespace {

constexpr std::string_view kUsage =
    "usage: lockstep <command> [arguments]\n"
    "\n"
    "commands:\n"
    "  show FILE...     print histories as tables (JSON or binary, either Temporal JSON shape)\n"
    "                   --json         write the current Temporal JSON shape instead\n"
    "                   --binary OUT   write the (single) history as binary protobuf to OUT\n"
    "                   --no-validate  skip structural validation\n"
    "                   --max-payload-bytes=N  reject payloads larger than N (default 64 MiB)\n"
    "  run TYPE         run a built-in workflow in virtual time and show its history\n"
    "                   --input JSON       a workflow argument (repeatable)\n"
    "                   --signal NAME=JSON a signal sent after the first task (repeatable)\n"
    "                   --out FILE         where to write the history (.json or binary)\n"
    "  replay PATH...   replay histories (files or directories) against the built-in workflows\n"
    "                   --json             one JSON object per history\n"
    "                   --until EVENT_ID   replay only up to that event\n"
    "                   --every-task       also evict the cache at every task boundary\n"
    "                   --result=MODE      a different final result: warn (default), fail, off\n"
    "                   --jobs N           replay N histories at a time\n"
    "  list             the workflow types built into this binary, one per line\n"
    "                   --activities   the activity types instead\n"
    "  help             this text\n"
    "\n"
    "exit status: 0 ok, 1 a check found a problem, 2 bad input or usage\n";

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  lockstep::cli::CommandIo io{std::cout, std::cerr};
  if (argc < 2) {
    std::cerr << kUsage;
    return lockstep::cli::kExitUsage;
  }
  std::string_view command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "show") return lockstep::cli::RunShow(args, io);
  if (command == "list") return lockstep::cli::RunList(args, io);
  if (command == "run") return lockstep::cli::RunRun(args, io);
  if (command == "replay") return lockstep::cli::RunReplay(args, io);
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return lockstep::cli::kExitOk;
  }
  std::cerr << "lockstep: unknown command '" << command << "'\n\n" << kUsage;
  return lockstep::cli::kExitUsage;
}
