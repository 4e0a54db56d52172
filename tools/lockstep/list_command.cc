// `lockstep list`: the workflow types registered in this binary, one per line, sorted.
#include <optional>

#include "tools/lockstep/builtin_registry.h"
#include "tools/cli_parse/cli_parse.h"
#include "tools/lockstep/command.h"

namespace lockstep::cli {

int RunList(const std::vector<std::string>& args, CommandIo io) {
  CommandLine command_line("list",
                           "Print the workflow types built into this binary, one per line,\n"
                           "sorted (the types `lockstep run` and `lockstep replay` know).");
  bool activities = false;
  command_line.app().add_flag("--activities", activities, "the activity types instead");
  if (std::optional<int> exit = command_line.Parse(args, io)) return *exit;

  const Registry& registry = BuiltinRegistry();
  for (const std::string& name : activities ? registry.ActivityTypes() : registry.WorkflowTypes()) {
    io.out << name << "\n";
  }
  return kExitOk;
}

}  // namespace lockstep::cli
