// `lockstep sim`: simulation campaigns over the built-in workloads (sim/sim_main.h has the
// options; a project's own binary gets the same command through SimMain).
#include <unistd.h>

#include <iostream>

#include "sim/sim_main.h"
#include "tools/lockstep/builtin_workloads.h"
#include "tools/lockstep/command.h"

namespace lockstep::cli {

int RunSim(const std::vector<std::string>& args, CommandIo io) {
  // Progress only on the process's own stderr: a bar on a terminal, lines otherwise.
  std::ostream* progress = &io.err == &std::cerr ? &std::cerr : nullptr;
  const bool terminal = progress != nullptr && isatty(STDERR_FILENO) != 0;
  return sim::RunSimCommand(args, /*registry=*/nullptr, BuiltinWorkloads(), "lockstep sim",
                            {io.out, io.err, progress, terminal});
}

}  // namespace lockstep::cli
