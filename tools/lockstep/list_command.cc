// `lockstep list`: the workflow types registered in this binary, one per line, sorted; with
// --activities the activity types; with --ports the ports of recorded Temporal workflows that
// `lockstep replay` matches histories with (examples/temporal_ports).
#include <optional>

#include "examples/temporal_ports/temporal_ports.h"
#include "tools/cli_parse/cli_parse.h"
#include "tools/lockstep/builtin_registry.h"
#include "tools/lockstep/command.h"

namespace lockstep::cli {

int RunList(const std::vector<std::string>& args, CommandIo io) {
  CommandLine command_line("list",
                           "Print the workflow types built into this binary, one per line,\n"
                           "sorted (the types `lockstep run` and `lockstep replay` know).");
  bool activities = false;
  bool ports = false;
  CLI::Option* activities_flag =
      command_line.app().add_flag("--activities", activities, "the activity types instead");
  command_line.app()
      .add_flag("--ports", ports,
                "the ports of recorded Temporal workflows instead, one per line:\n"
                "name, workflow type, task queue prefix, recording (tab-separated);\n"
                "`lockstep replay` replays a history with the port whose type and\n"
                "task queue prefix match its start")
      ->excludes(activities_flag);
  if (std::optional<int> exit = command_line.Parse(args, io)) return *exit;

  if (ports) {
    for (const ports::TemporalPort& port : ports::TemporalPorts()) {
      io.out << port.name << "\t" << port.workflow_type << "\t" << port.task_queue_prefix << "\t"
             << port.history_file << "\n";
    }
    return kExitOk;
  }

  const Registry& registry = BuiltinRegistry();
  for (const std::string& name : activities ? registry.ActivityTypes() : registry.WorkflowTypes()) {
    io.out << name << "\n";
  }
  return kExitOk;
}

}  // namespace lockstep::cli
