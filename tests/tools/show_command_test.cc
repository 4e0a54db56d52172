// `lockstep show`: the table, the summary line, --json and --binary.
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/history/history_builder.h"
#include "engine/history/history_file.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/testing/run_command.h"
#include "tests/testing/test_data.h"
#include "tools/lockstep/command.h"

namespace lockstep::cli {
namespace show_command_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using Result = testing::CommandResult;

Result Show(std::vector<std::string> args) { return testing::RunCommand(RunShow, std::move(args)); }

std::string Corpus(absl::string_view name) {
  return testing::TestDataPath(absl::StrCat("temporal/", name));
}

TEST(Show, PrintsSummaryAndAlignedTable) {
  Result r = Show({Corpus("samples-go__helloworld__helloworld.json")});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("workflow Workflow  id -  run b0b495a5-0428-412b-875a-0a941998f773"
                               "  status Completed  events 11"));
  EXPECT_THAT(r.out, HasSubstr(" 5  +0.000s  ActivityTaskScheduled       activity=Activity id=5 "
                               "input=\"Temporal\""));
  EXPECT_THAT(r.out, HasSubstr("WorkflowExecutionCompleted  result=\"Hello Temporal!\""));
  // Every table line starts with the id column right-aligned to the same width.
  std::istringstream lines(r.out);
  std::string line;
  std::getline(lines, line);
  std::getline(lines, line);
  std::getline(lines, line);
  EXPECT_EQ(line.rfind("ID  TIME", 0), 0u) << line;
}

TEST(Show, ShowsKeyAttributesOfEachKind) {
  Result r = Show(
      {Corpus("sdk-go__test__replaytests__side-effect.json"),
       Corpus("sdk-java__temporal-sdk__src__test__resources__testChildWorkflowRetryHistory.json"),
       Corpus("features__features__activity__retry_on_error__history__history.go.v1.5.0.json")});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("MarkerRecorded"));
  EXPECT_THAT(r.out, HasSubstr("marker=SideEffect"));
  EXPECT_THAT(r.out, HasSubstr("StartChildWorkflowExecutionInitiated"));
  EXPECT_THAT(r.out, HasSubstr("child="));
  EXPECT_THAT(r.out, HasSubstr("retry=MaximumAttemptsReached"));
  EXPECT_THAT(r.out, HasSubstr("status Failed"));
}

TEST(Show, IncompleteHistoryIsRunning) {
  Result r = Show({Corpus("sdk-go__test__replaytests__unhandled_cmd_timer_cancel.json")});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("status Running"));
}

TEST(Show, JsonWritesTheCurrentShape) {
  Result r = Show({"--json", Corpus("samples-go__helloworld__helloworld.json")});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("EVENT_TYPE_WORKFLOW_EXECUTION_STARTED"));
  EXPECT_THAT(r.out, Not(HasSubstr("\"WorkflowExecutionStarted\"")));
}

TEST(Show, BinaryWritesALoadableHistory) {
  const std::string dir = testing::ScratchDir();
  const std::string out = dir + "/hello.pb";
  Result r = Show({"--binary", out, Corpus("samples-go__helloworld__helloworld.json")});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  auto from_json = history::LoadHistoryFile(Corpus("samples-go__helloworld__helloworld.json"));
  auto from_binary = history::LoadHistoryFile(out);
  ASSERT_TRUE(from_binary.ok()) << from_binary.status();
  EXPECT_EQ(from_binary->format, history::HistoryFormat::kBinary);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(from_json->histories[0],
                                                                 from_binary->histories[0]));
  // A binary file without a known extension is recognised by its content.
  std::filesystem::copy_file(out, dir + "/hello.data");
  Result again = Show({dir + "/hello.data"});
  EXPECT_EQ(again.status, kExitOk) << again.err;
  EXPECT_THAT(again.out, HasSubstr("status Completed  events 11"));
}

TEST(Show, BuiltHistoryShowsWorkflowIdAndDuration) {
  history::HistoryBuilder b("Counter", "q", "counter-7", "run-7");
  auto wft = b.AddWorkflowTask();
  b.AdvanceMillis(1500);
  b.AddTimerStarted(wft.completed, "1", 2.0);
  const std::string path = testing::ScratchDir() + "/counter.json";
  ASSERT_TRUE(history::SaveHistoryFile(path, b.history(), history::HistoryFormat::kJson).ok());
  Result r = Show({path});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("workflow Counter  id counter-7  run run-7  status Running  "
                               "events 5  duration 1.500s"));
  EXPECT_THAT(r.out, HasSubstr("+1.500s  TimerStarted"));
  EXPECT_THAT(r.out, HasSubstr("timer=1 duration=2s"));
}

}  // namespace
}  // namespace show_command_test
}  // namespace lockstep::cli
