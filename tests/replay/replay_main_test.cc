// ReplayMain: a project's own replay binary in a few lines (replay/replay_main.h): exit
// status, reports and summary for clean, changed and bad input.
#include "replay/replay_main.h"

#include <filesystem>
#include <sstream>

#include "engine/history/history_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"

namespace lockstep::replay {
namespace {

using ::testing::HasSubstr;

Task<int> Original(WorkflowContext& ctx) {
  co_await ctx.Sleep(absl::Seconds(1));
  co_return co_await ctx.ExecuteActivity<int>("one", {.start_to_close_timeout = absl::Seconds(5)});
}

Task<int> Changed(WorkflowContext& ctx) {
  co_return co_await ctx.ExecuteActivity<int>("one", {.start_to_close_timeout = absl::Seconds(5)});
}

std::string RecordToFile() {
  testing::TestEnv env;
  EXPECT_TRUE(env.registry().RegisterActivity("one", [](ActivityContext&) { return 1; }).ok());
  EXPECT_TRUE(env.registry().RegisterWorkflow("wf", Original).ok());
  env.Start("wf", "w");
  env.RunToEnd();
  const std::string dir = ::testing::TempDir() + "replay_main_test";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/w.json";
  EXPECT_TRUE(history::SaveHistoryFile(path, env.History("w"), history::HistoryFormat::kJson).ok());
  return path;
}

int ReplayWithArgs(const Registry& registry, std::vector<std::string> args, std::string* out) {
  std::vector<char*> argv = {const_cast<char*>("my-replayer")};
  for (std::string& a : args) argv.push_back(a.data());
  ::testing::internal::CaptureStdout();
  const int rc = ReplayMain(registry, static_cast<int>(argv.size()), argv.data());
  *out = ::testing::internal::GetCapturedStdout();
  return rc;
}

TEST(ReplayMain, ExitStatusAndSummaryForCleanChangedAndBadInput) {
  const std::string path = RecordToFile();
  Registry original, changed;
  ASSERT_TRUE(original.RegisterWorkflow("wf", Original).ok());
  ASSERT_TRUE(changed.RegisterWorkflow("wf", Changed).ok());
  std::string out;
  EXPECT_EQ(ReplayWithArgs(original, {path, "--every-task"}, &out), kReplayExitClean) << out;
  EXPECT_THAT(out, HasSubstr("1 clean"));
  EXPECT_EQ(ReplayWithArgs(changed, {path}, &out), kReplayExitFound) << out;
  EXPECT_THAT(out, HasSubstr("1 nondeterministic (command-mismatch 1)"));
  EXPECT_EQ(ReplayWithArgs(original, {path, "--no-such-flag"}, &out), kReplayExitUsage);
  EXPECT_EQ(ReplayWithArgs(original, {path + ".missing"}, &out), kReplayExitUsage);
}

}  // namespace
}  // namespace lockstep::replay
