// Option parsing for Lockstep's command lines, on CLI11: the `lockstep` subcommands and the
// binaries SimMain makes (sim/sim_main.h). Each builds its command line with a CommandLine, so
// that all of them share one help format, one error format and the same rules:
//   - a long option takes its value as `--opt=value` or `--opt value`;
//   - a single-value option given twice keeps its last value (a script can override a default
//     it set earlier); a repeatable one (a std::vector target) keeps every value, one per
//     occurrence;
//   - `--` ends the options: what follows is positional even if it starts with '-';
//   - -h / --help prints the help on `io.out` and wins over any other problem on the line.
//
//   int RunShow(const std::vector<std::string>& args, CommandIo io) {
//     CommandLine command_line("show", "Print histories as tables.");
//     bool json = false;
//     command_line.app().add_flag("--json", json, "write the current Temporal JSON shape");
//     command_line.app().add_option("--jobs", jobs, "...")->check(PositiveInteger());
//     if (std::optional<int> exit = command_line.Parse(args, io)) return *exit;
//     ...
//   }
//
// A usage error is one line naming the offending argument, then where the help is:
//
//   lockstep show: unknown flag '--frobnicate'
//   run 'lockstep show --help' for usage
//
// Validators. A validator's message completes a sentence that starts with the option's name,
// in lower case ("needs a positive integer, got '0'" -> "--jobs needs a positive integer, got
// '0'"); the ones below are written so. A message that starts with a capital (CLI11's own
// validators: "Value 0 not in range ...") is shown after the name and a colon, as CLI11 words
// it.
#ifndef LOCKSTEP_TOOLS_CLI_PARSE_CLI_PARSE_H_
#define LOCKSTEP_TOOLS_CLI_PARSE_CLI_PARSE_H_

#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/string_view.h"
#include "tools/cli_parse/command_io.h"

namespace lockstep::cli {

// A whole program name for CommandLine, for binaries other than `lockstep <command>`.
struct ProgramName {
  std::string name;
};

class CommandLine {
 public:
  // `command` is the subcommand's name ("show"): the help's usage line and every message say
  // "lockstep <command>". `description` heads the help.
  CommandLine(absl::string_view command, absl::string_view description);
  // For another binary: `program` is its name as messages show it (argv[0]).
  CommandLine(ProgramName program, absl::string_view description);

  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  // Where the subcommand declares its options and positionals (before Parse()).
  CLI::App& app() { return app_; }

  // Parses `args` (what follows "lockstep <command>"), storing values in the targets the
  // options were declared with. Returns std::nullopt when the command should go on; otherwise
  // the exit status to return at once: kExitOk when help was asked for (printed on io.out),
  // kExitUsage on a usage error (reported on io.err as above). Of several problems, an unknown
  // flag or unexpected argument is reported first: it is most often a typo of the option that
  // the other problem is about.
  std::optional<int> Parse(const std::vector<std::string>& args, CommandIo io);

  // Reports a usage problem that the subcommand found itself after Parse(), in the same format
  // ("lockstep <command>: <message>" and where the help is). Returns kExitUsage.
  int UsageError(absl::string_view message, CommandIo io) const;

  // The --help text.
  std::string Help() const { return app_.help(); }

 private:
  // The message for a CLI11 parse error, in the wording described above.
  std::string Describe(const CLI::ParseError& error) const;

  std::string program_;  // "lockstep show", or a binary's own name
  CLI::App app_;
};

// A whole number above zero that fits in an int64_t, in plain decimal digits without a leading
// zero (CLI11's conversion would read "010" as octal). Bind the option to an int64_t, or check
// the range of a narrower type after parsing. Message: "needs a positive integer, got 'x'".
CLI::Validator PositiveInteger();

// One of `values`, spelled exactly. Shown in the help as {a,b,c}. Message: "must be a, b or c,
// got 'x'".
CLI::Validator OneOf(std::vector<std::string> values);

}  // namespace lockstep::cli

#endif  // LOCKSTEP_TOOLS_CLI_PARSE_CLI_PARSE_H_
