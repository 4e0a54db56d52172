// `lockstep`: the command line for Lockstep's histories, simulations and replays. The commands
// live in the :cli library (tools/lockstep/command.h), where the tests run them in-process.
#include <iostream>
#include <string>
#include <vector>

#include "tools/lockstep/command.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return lockstep::cli::RunLockstep(std::vector<std::string>(argv + 1, argv + argc),
                                    lockstep::cli::CommandIo{std::cout, std::cerr});
}
