// Runs a `lockstep` subcommand in-process and captures what it prints.
#ifndef LOCKSTEP_TESTS_TESTING_RUN_COMMAND_H_
#define LOCKSTEP_TESTS_TESTING_RUN_COMMAND_H_

#include <sstream>
#include <string>
#include <vector>

#include "tools/lockstep/command.h"

namespace lockstep::testing {

struct CommandResult {
  int status;
  std::string out, err;
};

// Calls `command` (for example cli::RunShow) with `args`.
template <typename Command>
CommandResult RunCommand(Command command, std::vector<std::string> args) {
  std::ostringstream out, err;
  int status = command(args, cli::CommandIo{out, err});
  return {status, out.str(), err.str()};
}

}  // namespace lockstep::testing

#endif  // LOCKSTEP_TESTS_TESTING_RUN_COMMAND_H_
