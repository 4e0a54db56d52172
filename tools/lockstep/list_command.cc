// `lockstep list`: the workflow types registered in this binary, one per line, sorted.
#include "tools/lockstep/builtin_registry.h"
#include "tools/lockstep/command.h"

namespace lockstep::cli {

int RunList(const std::vector<std::string>& args, CommandIo io) {
  bool activities = false;
  for (const std::string& arg : args) {
    if (arg == "--activities") {
      activities = true;
    } else {
      io.err << "lockstep list: unknown argument '" << arg << "' (flags: --activities)\n";
      return kExitUsage;
    }
  }
  const Registry& registry = BuiltinRegistry();
  for (const std::string& name : activities ? registry.ActivityTypes() : registry.WorkflowTypes()) {
    io.out << name << "\n";
  }
  return kExitOk;
}

}  // namespace lockstep::cli
