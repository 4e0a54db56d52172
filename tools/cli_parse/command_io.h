// What every Lockstep command line shares without depending on a parser: exit statuses and the
// streams a command writes to.
//
// Exit statuses (stable, for CI): 0 success; 1 a check found a problem (for example
// nondeterminism, or a failing simulation seed); 2 bad input or bad usage, with a message that
// names the file, event or argument.
#ifndef LOCKSTEP_TOOLS_CLI_PARSE_COMMAND_IO_H_
#define LOCKSTEP_TOOLS_CLI_PARSE_COMMAND_IO_H_

#include <ostream>

namespace lockstep::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFound = 1;
inline constexpr int kExitUsage = 2;

struct CommandIo {
  std::ostream& out;
  std::ostream& err;
};

}  // namespace lockstep::cli

#endif  // LOCKSTEP_TOOLS_CLI_PARSE_COMMAND_IO_H_
