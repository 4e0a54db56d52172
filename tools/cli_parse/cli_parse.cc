#include "tools/cli_parse/cli_parse.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace lockstep::cli {

CommandLine::CommandLine(absl::string_view command, absl::string_view description)
    : CommandLine(ProgramName{absl::StrCat("lockstep ", command)}, description) {}

CommandLine::CommandLine(ProgramName program, absl::string_view description)
    : program_(std::move(program.name)), app_(std::string(description), program_) {
  // Set before any option is declared: option_defaults() applies to the options added later.
  // The last value wins, as it did with the hand-written parsers; a std::vector target still
  // keeps every value (TakeLast keeps as many values as the option takes).
  app_.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  // Unknown arguments are collected rather than thrown (CLI11 would list them all in one
  // sentence of its own), so that Parse() can name the first one in the project's words.
  app_.allow_extras();
  app_.footer("exit status: 0 ok, 1 a check found a problem, 2 bad input or usage");
}

std::optional<int> CommandLine::Parse(const std::vector<std::string>& args, CommandIo io) {
  // CLI11 takes its arguments last first.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  std::string error;
  try {
    app_.parse(reversed);
  } catch (const CLI::ParseError& e) {
    // CallForHelp included: the help flag's count below covers it, and a help flag given
    // before an argument that failed (`--help --jobs 0`) too, since CLI11 runs the
    // validators before it looks at the help flag.
    if (e.get_exit_code() != static_cast<int>(CLI::ExitCodes::Success)) error = Describe(e);
  }
  const CLI::Option* help = app_.get_help_ptr();
  if (help != nullptr && help->count() > 0) {
    io.out << Help();
    return kExitOk;
  }
  // What CLI11 could not place, in command-line order; parsing stops at an error, so these
  // all came before it. CLI11 lists the `--` that ends the options among them too (it keeps
  // it for a parent command, which has none here); what follows it is positional.
  bool after_options = false;
  for (const std::string& extra : app_.remaining()) {
    if (extra == "--" && !after_options) {
      after_options = true;
      continue;
    }
    if (!after_options && extra.size() > 1 && extra[0] == '-') {
      error = absl::StrCat("unknown flag '", extra.substr(0, extra.find('=')), "'");
    } else {
      error = absl::StrCat("unexpected argument '", extra, "'");
    }
    break;
  }
  if (error.empty()) return std::nullopt;
  return UsageError(error, io);
}

int CommandLine::UsageError(absl::string_view message, CommandIo io) const {
  io.err << program_ << ": " << message << "\n"
         << "run '" << program_ << " --help' for usage\n";
  return kExitUsage;
}

std::string CommandLine::Describe(const CLI::ParseError& error) const {
  const std::string what = error.what();
  // CLI11 starts most of its messages with the option's name and a colon (RequiredError,
  // "FILE is required", and ExcludesError, "--json excludes --binary", read well as they are).
  for (const CLI::Option* option : app_.get_options()) {
    const std::string name = option->get_name();
    if (name.empty() || !absl::StartsWith(what, absl::StrCat(name, ": "))) continue;
    const std::string rest = what.substr(name.size() + 2);
    // "--binary: 1 required OUT missing": the option came last, without its value.
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr &&
        absl::EndsWith(rest, " missing")) {
      return absl::StrCat(name, " needs a value (", option->get_type_name(), ")");
    }
    // One of the validators below, or another that follows their convention (cli_parse.h).
    if (dynamic_cast<const CLI::ValidationError*>(&error) != nullptr && !rest.empty() &&
        absl::ascii_islower(static_cast<unsigned char>(rest[0]))) {
      return absl::StrCat(name, " ", rest);
    }
    break;
  }
  // "Could not convert: --jobs = 99999999999": a value the validators passed but the target's
  // type cannot hold, or an option declared without a validator.
  for (const CLI::Option* option : app_.get_options()) {
    const std::string name = option->get_name();
    const std::string prefix = absl::StrCat("Could not convert: ", name, " = ");
    if (name.empty() || dynamic_cast<const CLI::ConversionError*>(&error) == nullptr ||
        !absl::StartsWith(what, prefix)) {
      continue;
    }
    return absl::StrCat(name, " cannot take '", what.substr(prefix.size()), "' (",
                        option->get_type_name(), ")");
  }
  return what;
}

CLI::Validator PositiveInteger() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        // Digits only, without a leading zero: exactly the texts that CLI11's conversion
        // (strtoll, base 0) reads as the same decimal number; "010" would be octal 8, and a
        // validator given to check() cannot rewrite the text.
        int64_t value = 0;
        if (text.empty() || text[0] == '0' ||
            !std::all_of(text.begin(), text.end(), absl::ascii_isdigit) ||
            !absl::SimpleAtoi(text, &value)) {
          return absl::StrCat("needs a positive integer, got '", text, "'");
        }
        return "";
      },
      /*validator_desc=*/"", "positive integer");
}

CLI::Validator OneOf(std::vector<std::string> values) {
  // "warn, fail or off"
  std::string listed = values.empty() ? "" : values.back();
  if (values.size() > 1) {
    listed = absl::StrCat(absl::StrJoin(values.begin(), values.end() - 1, ", "), " or ", listed);
  }
  std::string shown = absl::StrCat("{", absl::StrJoin(values, ","), "}");
  return CLI::Validator(
      [values = std::move(values), listed = std::move(listed)](std::string& text) -> std::string {
        if (std::find(values.begin(), values.end(), text) != values.end()) return "";
        return absl::StrCat("must be ", listed, ", got '", text, "'");
      },
      std::move(shown), "one of");
}

}  // namespace lockstep::cli
