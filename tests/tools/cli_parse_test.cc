// tools/cli_parse/cli_parse.h, on a command line of its own: the rules every `lockstep`
// subcommand inherits (both value forms, last value wins, `--`, --help) and the wording of
// every kind of usage error.
#include "tools/cli_parse/cli_parse.h"

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockstep::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// `lockstep demo FILE... [--count N] [--name TEXT] [--mode warn|fail|off] [--input JSON]...
// [--verbose]`, with what it parsed.
struct Demo {
  CommandLine command_line{"demo", "A command line to test the parser on."};
  std::vector<std::string> files;
  int64_t count = 1;
  std::string name;
  std::string mode = "warn";
  std::vector<std::string> inputs;
  bool verbose = false;
  int8_t small = 0;  // a type narrower than what PositiveInteger() admits

  int status = -1;
  std::string out, err;

  Demo() {
    CLI::App& app = command_line.app();
    app.add_option("FILE", files, "input files")->required();
    app.add_option("--count", count, "how many")->type_name("N")->check(PositiveInteger());
    app.add_option("--name", name, "a name")->type_name("TEXT");
    app.add_option("--mode", mode, "what to do")
        ->type_name("MODE")
        ->check(OneOf({"warn", "fail", "off"}));
    app.add_option("--input", inputs, "repeatable")->type_name("JSON")->allow_extra_args(false);
    app.add_option("--small", small, "no validator")->type_name("SMALL");
    app.add_flag("--verbose", verbose, "say more");
  }

  // Parses `args`; `status` is the exit status Parse() asked for, or -1 to go on.
  Demo& Parse(const std::vector<std::string>& args) {
    std::ostringstream out_stream, err_stream;
    std::optional<int> exit = command_line.Parse(args, CommandIo{out_stream, err_stream});
    status = exit.value_or(-1);
    out = out_stream.str();
    err = err_stream.str();
    return *this;
  }
};

// The one error format: the problem on the first line, where the help is on the second.
std::string UsageMessage(const std::string& problem) {
  return "lockstep demo: " + problem + "\nrun 'lockstep demo --help' for usage\n";
}

TEST(CliParse, ValueAfterEqualsSignOrAsNextArgumentIsTheSame) {
  Demo joined, separate;
  joined.Parse({"a", "--count=7", "--name=x y", "--mode=fail", "--input=[1]", "b"});
  separate.Parse({"a", "--count", "7", "--name", "x y", "--mode", "fail", "--input", "[1]", "b"});
  for (const Demo* demo : {&joined, &separate}) {
    EXPECT_EQ(demo->status, -1) << demo->err;
    EXPECT_EQ(demo->count, 7);
    EXPECT_EQ(demo->name, "x y");
    EXPECT_EQ(demo->mode, "fail");
    EXPECT_THAT(demo->inputs, ElementsAre("[1]"));
    EXPECT_THAT(demo->files, ElementsAre("a", "b"));
    EXPECT_THAT(demo->err, IsEmpty());
  }
}

TEST(CliParse, OptionsAndPositionalsInAnyOrder) {
  Demo demo;
  demo.Parse({"--verbose", "a", "--count", "2", "b"});
  EXPECT_EQ(demo.status, -1) << demo.err;
  EXPECT_TRUE(demo.verbose);
  EXPECT_EQ(demo.count, 2);
  EXPECT_THAT(demo.files, ElementsAre("a", "b"));
}

TEST(CliParse, SingleValueOptionGivenTwiceKeepsTheLastValue) {
  Demo demo;
  demo.Parse({"a", "--count", "2", "--count=5", "--name", "first", "--name", "second"});
  EXPECT_EQ(demo.status, -1) << demo.err;
  EXPECT_EQ(demo.count, 5);
  EXPECT_EQ(demo.name, "second");
}

TEST(CliParse, RepeatableOptionTakesOneValuePerOccurrence) {
  Demo demo;
  // "-2" is a value, not a flag: an option takes the argument after it whatever it looks like.
  demo.Parse({"--input", "1", "a", "--input", "-2", "--input={\"k\":3}", "b"});
  EXPECT_EQ(demo.status, -1) << demo.err;
  EXPECT_THAT(demo.inputs, ElementsAre("1", "-2", "{\"k\":3}"));
  EXPECT_THAT(demo.files, ElementsAre("a", "b"));
}

TEST(CliParse, DoubleDashEndsTheOptions) {
  Demo demo;
  demo.Parse({"--verbose", "--", "--count", "-x"});
  EXPECT_EQ(demo.status, -1) << demo.err;
  EXPECT_THAT(demo.files, ElementsAre("--count", "-x"));
  EXPECT_EQ(demo.count, 1);
}

TEST(CliParse, UnknownFlagIsAUsageErrorThatNamesIt) {
  Demo demo;
  EXPECT_EQ(demo.Parse({"a", "--frobnicate"}).status, kExitUsage);
  EXPECT_EQ(demo.err, UsageMessage("unknown flag '--frobnicate'"));
  EXPECT_THAT(demo.out, IsEmpty());
  // The name without the value given to it; a short one too.
  EXPECT_EQ(demo.Parse({"a", "--colour=red"}).status, kExitUsage);
  EXPECT_EQ(demo.err, UsageMessage("unknown flag '--colour'"));
  EXPECT_EQ(demo.Parse({"-q", "a"}).status, kExitUsage);
  EXPECT_EQ(demo.err, UsageMessage("unknown flag '-q'"));
}

TEST(CliParse, UnknownFlagIsReportedBeforeOtherProblems) {
  Demo demo;
  // Without FILE, and with a bad --count after it: the typo is what the user should see.
  EXPECT_EQ(demo.Parse({"--cuont", "3", "--count", "0"}).status, kExitUsage);
  EXPECT_EQ(demo.err, UsageMessage("unknown flag '--cuont'"));
}

TEST(CliParse, UnexpectedArgumentIsAUsageErrorThatNamesIt) {
  CommandLine command_line("demo", "Takes no positional argument.");
  bool verbose = false;
  command_line.app().add_flag("--verbose", verbose, "say more");
  std::ostringstream out, err;
  EXPECT_EQ(command_line.Parse({"--verbose", "stray"}, CommandIo{out, err}), kExitUsage);
  EXPECT_EQ(err.str(), UsageMessage("unexpected argument 'stray'"));
  std::ostringstream out2, err2;
  EXPECT_EQ(command_line.Parse({"--", "-x"}, CommandIo{out2, err2}), kExitUsage);
  EXPECT_EQ(err2.str(), UsageMessage("unexpected argument '-x'"));
}

TEST(CliParse, MissingValueNamesTheOption) {
  Demo demo;
  EXPECT_EQ(demo.Parse({"a", "--count"}).status, kExitUsage);
  EXPECT_EQ(demo.err, UsageMessage("--count needs a value (N)"));
}

TEST(CliParse, MissingPositionalIsNamed) {
  Demo demo;
  EXPECT_EQ(demo.Parse({"--verbose"}).status, kExitUsage);
  EXPECT_EQ(demo.err, UsageMessage("FILE is required"));
}

TEST(CliParse, PositiveIntegerRejectsWithTheOptionAndValueNamed) {
  for (const std::string bad :
       {"0", "-1", "x", "1.5", "+3", "010", "0x10", " 4", "9223372036854775808"}) {
    Demo demo;
    EXPECT_EQ(demo.Parse({"a", "--count=" + bad}).status, kExitUsage) << bad;
    EXPECT_EQ(demo.err, UsageMessage("--count needs a positive integer, got '" + bad + "'"));
  }
  for (const auto& [text, value] : std::vector<std::pair<std::string, int64_t>>{
           {"1", 1}, {"42", 42}, {"9223372036854775807", INT64_MAX}}) {
    Demo demo;
    EXPECT_EQ(demo.Parse({"a", "--count", text}).status, -1) << demo.err;
    EXPECT_EQ(demo.count, value);
  }
}

TEST(CliParse, OneOfRejectsWithTheChoicesListed) {
  Demo demo;
  EXPECT_EQ(demo.Parse({"a", "--mode", "loose"}).status, kExitUsage);
  EXPECT_EQ(demo.err, UsageMessage("--mode must be warn, fail or off, got 'loose'"));
  EXPECT_EQ(demo.Parse({"a", "--mode=Warn"}).status, kExitUsage);
}

TEST(CliParse, ValueTheTargetTypeCannotHoldNamesTheOption) {
  Demo demo;
  EXPECT_EQ(demo.Parse({"a", "--small", "300"}).status, kExitUsage);
  EXPECT_EQ(demo.err, UsageMessage("--small cannot take '300' (SMALL)"));
}

TEST(CliParse, HelpPrintsTheUsageOnOut) {
  for (const std::string flag : {"--help", "-h"}) {
    Demo demo;
    EXPECT_EQ(demo.Parse({flag}).status, kExitOk) << flag;
    EXPECT_THAT(demo.err, IsEmpty());
    EXPECT_THAT(demo.out, StartsWith("A command line to test the parser on.\n"));
    EXPECT_THAT(demo.out, HasSubstr("Usage: lockstep demo [OPTIONS] FILE..."));
    EXPECT_THAT(demo.out, HasSubstr("--count N"));
    EXPECT_THAT(demo.out, HasSubstr("--mode MODE:{warn,fail,off}"));
    EXPECT_THAT(demo.out, HasSubstr("--input JSON"));
    EXPECT_THAT(demo.out, HasSubstr("exit status: 0 ok, 1 a check found a problem, 2 bad input"));
    EXPECT_EQ(demo.out, demo.command_line.Help());
  }
}

TEST(CliParse, HelpWinsOverOtherProblems) {
  Demo demo;
  EXPECT_EQ(demo.Parse({"--count", "0", "--help"}).status, kExitOk);
  EXPECT_THAT(demo.out, HasSubstr("Usage: lockstep demo"));
  EXPECT_THAT(demo.err, IsEmpty());
  EXPECT_EQ(demo.Parse({"--help", "--count"}).status, kExitOk);
  EXPECT_EQ(demo.Parse({"--bogus", "-h"}).status, kExitOk);
}

TEST(CliParse, UsageErrorFoundAfterParsingHasTheSameFormat) {
  Demo demo;
  std::ostringstream out, err;
  EXPECT_EQ(demo.command_line.UsageError("--a and --b cannot be combined", CommandIo{out, err}),
            kExitUsage);
  EXPECT_EQ(err.str(), UsageMessage("--a and --b cannot be combined"));
  EXPECT_THAT(out.str(), IsEmpty());
}

}  // namespace
}  // namespace lockstep::cli
