// The options of every `lockstep` subcommand, as its Run function parses them: both value
// forms mean the same, an unknown flag or a bad value is a usage error (status 2) that names
// it and points at the command's --help, and --help prints the usage on out. Also the
// top-level dispatch (RunLockstep): `lockstep help` and unknown commands.
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/run_command.h"
#include "tests/testing/test_data.h"
#include "tools/lockstep/command.h"

namespace lockstep::cli {
namespace {

using ::testing::AllOf;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

using Result = testing::CommandResult;
using Command = std::function<int(const std::vector<std::string>&, CommandIo)>;

struct Subcommand {
  std::string name;
  Command run;
};

const std::vector<Subcommand>& Subcommands() {
  static const auto* subcommands = new std::vector<Subcommand>{{"show", RunShow},
                                                               {"run", RunRun},
                                                               {"replay", RunReplay},
                                                               {"export", RunExport},
                                                               {"list", RunList}};
  return *subcommands;
}

std::string HelloWorld() {
  return testing::TestDataPath("temporal/samples-go__helloworld__helloworld.json");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The second line of every usage error.
std::string HelpPointer(const std::string& command) {
  return "run 'lockstep " + command + " --help' for usage\n";
}

// --- Every subcommand -------------------------------------------------------------------------

TEST(CommandOptions, EverySubcommandPrintsItsHelpOnOut) {
  for (const Subcommand& subcommand : Subcommands()) {
    for (const std::string flag : {"--help", "-h"}) {
      Result r = testing::RunCommand(subcommand.run, {flag});
      EXPECT_EQ(r.status, kExitOk) << subcommand.name << " " << flag << ": " << r.err;
      EXPECT_THAT(r.out, HasSubstr("Usage: lockstep " + subcommand.name + " [OPTIONS]"));
      EXPECT_THAT(r.out, HasSubstr("-h,--help"));
      EXPECT_THAT(r.err, IsEmpty()) << subcommand.name;
    }
  }
}

TEST(CommandOptions, EverySubcommandNamesAnUnknownFlag) {
  for (const Subcommand& subcommand : Subcommands()) {
    // With what the command needs otherwise, so that the flag is the only problem.
    std::vector<std::string> args = {"--no-such-flag=1"};
    if (subcommand.name == "show" || subcommand.name == "replay") args.push_back(HelloWorld());
    if (subcommand.name == "run") args.push_back("counterWorkflow");
    Result r = testing::RunCommand(subcommand.run, args);
    EXPECT_EQ(r.status, kExitUsage) << subcommand.name;
    EXPECT_EQ(r.err, "lockstep " + subcommand.name + ": unknown flag '--no-such-flag'\n" +
                         HelpPointer(subcommand.name));
    EXPECT_THAT(r.out, IsEmpty()) << subcommand.name;
  }
}

TEST(CommandOptions, SubcommandsWithPositionalsNameTheMissingOne) {
  EXPECT_THAT(testing::RunCommand(RunShow, {}).err, StartsWith("lockstep show: FILE is required"));
  EXPECT_THAT(testing::RunCommand(RunRun, {}).err, StartsWith("lockstep run: TYPE is required"));
  EXPECT_THAT(testing::RunCommand(RunReplay, {"--json"}).err,
              StartsWith("lockstep replay: PATH is required"));
  EXPECT_EQ(testing::RunCommand(RunReplay, {}).status, kExitUsage);
}

// --- show -------------------------------------------------------------------------------------

TEST(CommandOptions, ShowBinaryTakesItsFileEitherWay) {
  const std::string dir = testing::ScratchDir();
  Result joined = testing::RunCommand(RunShow, {"--binary=" + dir + "/a.pb", HelloWorld()});
  Result separate = testing::RunCommand(RunShow, {"--binary", dir + "/b.pb", HelloWorld()});
  ASSERT_EQ(joined.status, kExitOk) << joined.err;
  ASSERT_EQ(separate.status, kExitOk) << separate.err;
  const std::string a = ReadFile(dir + "/a.pb");
  EXPECT_THAT(a, Not(IsEmpty()));
  EXPECT_EQ(a, ReadFile(dir + "/b.pb"));
}

TEST(CommandOptions, ShowMaxPayloadBytesTakesItsValueEitherWay) {
  // helloworld's payloads are a few bytes: a limit of 4 rejects them, whichever form gave it.
  for (const std::vector<std::string>& limit :
       {std::vector<std::string>{"--max-payload-bytes=4"},
        std::vector<std::string>{"--max-payload-bytes", "4"}}) {
    std::vector<std::string> args = limit;
    args.push_back(HelloWorld());
    Result r = testing::RunCommand(RunShow, args);
    EXPECT_EQ(r.status, kExitUsage) << limit.size();
    EXPECT_THAT(r.err, HasSubstr("over the limit")) << limit.size();
  }
  EXPECT_EQ(testing::RunCommand(RunShow, {"--max-payload-bytes", "1000000", HelloWorld()}).status,
            kExitOk);
}

TEST(CommandOptions, ShowRejectsBadValuesNamingTheOption) {
  Result zero = testing::RunCommand(RunShow, {"--max-payload-bytes", "0", HelloWorld()});
  EXPECT_EQ(zero.status, kExitUsage);
  EXPECT_EQ(zero.err, "lockstep show: --max-payload-bytes needs a positive integer, got '0'\n" +
                          HelpPointer("show"));
  Result both = testing::RunCommand(RunShow, {"--json", "--binary", "x.pb", HelloWorld()});
  EXPECT_EQ(both.status, kExitUsage);
  EXPECT_THAT(both.err, StartsWith("lockstep show: --json excludes --binary\n"));
  Result empty = testing::RunCommand(RunShow, {"--binary", "", HelloWorld()});
  EXPECT_EQ(empty.status, kExitUsage);
  EXPECT_THAT(empty.err, StartsWith("lockstep show: --binary needs an output file\n"));
}

// --- replay -----------------------------------------------------------------------------------

TEST(CommandOptions, ReplayOptionsTakeTheirValuesEitherWay) {
  // Each pair must replay alike, and differently from the default where the value matters.
  Result all = testing::RunCommand(RunReplay, {HelloWorld()});
  ASSERT_EQ(all.status, kExitOk) << all.err;
  Result until_joined = testing::RunCommand(RunReplay, {"--until=3", HelloWorld()});
  Result until_separate = testing::RunCommand(RunReplay, {"--until", "3", HelloWorld()});
  EXPECT_EQ(until_joined.status, kExitOk) << until_joined.err;
  EXPECT_EQ(until_joined.out, until_separate.out);
  EXPECT_NE(until_joined.out, all.out);
  EXPECT_THAT(until_joined.out, HasSubstr("(3 events)"));

  // The helloworld port numbers its activities as Lockstep does, not as the Go SDK recorded
  // them: compared strictly, the ids differ.
  Result strict_joined = testing::RunCommand(RunReplay, {"--ids=strict", HelloWorld()});
  Result strict_separate = testing::RunCommand(RunReplay, {"--ids", "strict", HelloWorld()});
  EXPECT_EQ(strict_joined.status, kExitFound) << strict_joined.out;
  EXPECT_EQ(strict_separate.status, kExitFound) << strict_separate.out;
  EXPECT_EQ(strict_joined.out, strict_separate.out);

  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--result=fail", "--jobs=2", HelloWorld(), HelloWorld()},
        std::vector<std::string>{"--result", "fail", "--jobs", "2", HelloWorld(), HelloWorld()}}) {
    Result r = testing::RunCommand(RunReplay, args);
    EXPECT_EQ(r.status, kExitOk) << r.err;
    EXPECT_THAT(r.out, HasSubstr("replayed 2 histories"));
  }
}

TEST(CommandOptions, ReplayRejectsBadValuesNamingTheOption) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--jobs", "0"}, "--jobs needs a positive integer, got '0'"},
      {{"--jobs=many"}, "--jobs needs a positive integer, got 'many'"},
      {{"--until", "-1"}, "--until needs a positive integer, got '-1'"},
      {{"--until=x"}, "--until needs a positive integer, got 'x'"},
      {{"--result=loose"}, "--result must be warn, fail or off, got 'loose'"},
      {{"--ids", "lax"}, "--ids must be auto, strict or sdk, got 'lax'"},
      {{"--jobs"}, "--jobs needs a value (N)"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {HelloWorld()};
    args.insert(args.end(), c.args.begin(), c.args.end());
    Result r = testing::RunCommand(RunReplay, args);
    EXPECT_EQ(r.status, kExitUsage) << c.message;
    EXPECT_EQ(r.err, "lockstep replay: " + c.message + "\n" + HelpPointer("replay"));
    EXPECT_THAT(r.out, IsEmpty()) << c.message;
  }
}

// --- run --------------------------------------------------------------------------------------

TEST(CommandOptions, RunOptionsTakeTheirValuesEitherWay) {
  const std::string dir = testing::ScratchDir();
  Result joined = testing::RunCommand(
      RunRun, {"counterWorkflow", "--input=2", "--signal=inc=2", "--out=" + dir + "/a.json"});
  Result separate = testing::RunCommand(
      RunRun, {"counterWorkflow", "--input", "2", "--signal", "inc=2", "--out", dir + "/b.json"});
  ASSERT_EQ(joined.status, kExitOk) << joined.err;
  ASSERT_EQ(separate.status, kExitOk) << separate.err;
  EXPECT_THAT(joined.out, HasSubstr("history written to " + dir + "/a.json"));
  EXPECT_THAT(separate.out, HasSubstr("history written to " + dir + "/b.json"));
  // Virtual time and fixed ids: the same arguments record the same history, byte for byte.
  const std::string a = ReadFile(dir + "/a.json");
  EXPECT_THAT(a, HasSubstr("\"inc\""));
  EXPECT_EQ(a, ReadFile(dir + "/b.json"));
}

TEST(CommandOptions, RunRepeatedSignalsAreSentInOrder) {
  const std::string dir = testing::ScratchDir();
  Result r = testing::RunCommand(RunRun, {"counterWorkflow", "--input", "3", "--signal", "inc=1",
                                          "--signal=inc=2", "--out", dir + "/c.json"});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  // Both signals reached the workflow (3 = 1 + 2 completes the counter).
  const std::string history = ReadFile(dir + "/c.json");
  int signaled = 0;
  for (size_t at = history.find("EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED"); at != std::string::npos;
       at = history.find("EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED", at + 1)) {
    ++signaled;
  }
  EXPECT_EQ(signaled, 2);
}

TEST(CommandOptions, RunRejectsBadValuesNamingTheOption) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--input", "not-json"},
       "--input needs JSON, got 'not-json' (a string needs quotes: '\"x\"')"},
      {{"--signal", "=1"}, "--signal must be NAME or NAME=JSON, got '=1'"},
      {{"--signal=inc=not-json"}, "--signal must be NAME or NAME=JSON, got 'inc=not-json'"},
      {{"--limit-hours", "0"}, "--limit-hours needs a positive integer, got '0'"},
      {{"--out"}, "--out needs a value (FILE)"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"counterWorkflow"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    Result r = testing::RunCommand(RunRun, args);
    EXPECT_EQ(r.status, kExitUsage) << c.message;
    EXPECT_EQ(r.err, "lockstep run: " + c.message + "\n" + HelpPointer("run"));
  }
  Result extra = testing::RunCommand(RunRun, {"counterWorkflow", "orderWorkflow"});
  EXPECT_EQ(extra.status, kExitUsage);
  EXPECT_THAT(extra.err, StartsWith("lockstep run: unexpected argument 'orderWorkflow'\n"));
}

// --- list -------------------------------------------------------------------------------------

TEST(CommandOptions, ListTakesNoArgument) {
  Result r = testing::RunCommand(RunList, {"counterWorkflow"});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_EQ(r.err, "lockstep list: unexpected argument 'counterWorkflow'\n" + HelpPointer("list"));
}

// --- lockstep ---------------------------------------------------------------------------------

TEST(CommandOptions, HelpListsTheSubcommands) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"help"}, std::vector<std::string>{"--help"},
        std::vector<std::string>{"-h"}}) {
    Result r = testing::RunCommand(RunLockstep, args);
    EXPECT_EQ(r.status, kExitOk) << args[0];
    EXPECT_THAT(r.err, IsEmpty());
    EXPECT_THAT(r.out, HasSubstr("Usage: lockstep"));
    for (const Subcommand& subcommand : Subcommands()) {
      EXPECT_THAT(r.out, HasSubstr("\n  " + subcommand.name + " ")) << args[0];
    }
    EXPECT_THAT(r.out, HasSubstr("lockstep COMMAND --help"));
  }
}

TEST(CommandOptions, NoCommandPrintsTheHelpOnErrAndIsAUsageError) {
  Result r = testing::RunCommand(RunLockstep, {});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, AllOf(HasSubstr("Usage: lockstep"), HasSubstr("  replay ")));
}

TEST(CommandOptions, HelpCommandIsTheCommandsHelp) {
  Result via_help = testing::RunCommand(RunLockstep, {"help", "replay"});
  Result via_flag = testing::RunCommand(RunLockstep, {"replay", "--help"});
  EXPECT_EQ(via_help.status, kExitOk);
  EXPECT_THAT(via_help.out, HasSubstr("Usage: lockstep replay"));
  EXPECT_EQ(via_help.out, via_flag.out);
}

TEST(CommandOptions, UnknownCommandIsAUsageErrorThatNamesIt) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"frobnicate"}, std::vector<std::string>{"help", "frobnicate"},
        std::vector<std::string>{"--frobnicate"}}) {
    Result r = testing::RunCommand(RunLockstep, args);
    EXPECT_EQ(r.status, kExitUsage);
    EXPECT_THAT(r.err, StartsWith("lockstep: unknown command '" + args.back() + "'\n"));
    EXPECT_THAT(r.err, EndsWith("run 'lockstep help' for the commands\n"));
  }
}

TEST(CommandOptions, DispatchPassesTheRestToTheSubcommand) {
  Result r = testing::RunCommand(RunLockstep, {"list", "--activities"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_EQ(r.out, testing::RunCommand(RunList, {"--activities"}).out);
  EXPECT_THAT(r.out, HasSubstr("square\n"));
}

}  // namespace
}  // namespace lockstep::cli
