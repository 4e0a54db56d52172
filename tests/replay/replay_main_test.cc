// ReplayMain: a project's own replay binary in a few lines (replay/replay_main.h): exit
// status, reports and summary for clean, changed and bad input.
#include "replay/replay_main.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/history/history_file.h"
#include "engine/history/json_writer.h"
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

// A batch as `--jobs 4` runs it: threads take files from a shared index, yet the reports come
// in input order, a file of several histories gives one report each, load errors are named
// on the error stream in input order, and "-" reads the files to replay from a list.
TEST(ReplayMain, BatchReportsInInputOrderWhateverTheThreads) {
  const std::string path = RecordToFile();
  const std::string dir = std::filesystem::path(path).parent_path().string() + "/batch";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto loaded = history::LoadHistoryFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const auto& history = loaded->histories[0];
  std::vector<std::string> files;
  std::string list;
  for (int i = 0; i < 40; ++i) {
    files.push_back(dir + "/h" + std::to_string(100 + i) + ".json");
    if (i == 7) {
      std::ofstream(files.back()) << "{not json";
    } else if (i == 20) {
      // Two histories in one file.
      std::ofstream(files.back()) << "[" << history::HistoryToJson(history) << ","
                                  << history::HistoryToJson(history) << "]";
    } else {
      ASSERT_TRUE(
          history::SaveHistoryFile(files.back(), history, history::HistoryFormat::kJson).ok());
    }
    list += files.back() + "\n";
  }
  list += "\n";  // blank lines are skipped
  Registry registry;
  ASSERT_TRUE(registry.RegisterWorkflow("wf", Original).ok());
  auto finder = [&registry](const temporal::api::history::v1::History&) -> const Registry& {
    return registry;
  };
  std::string expected_out;
  for (int jobs : {1, 4}) {
    for (bool from_list : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "jobs " << jobs << (from_list ? " list" : " dir"));
      ReplayCommandOptions options;
      options.jobs = jobs;
      std::istringstream list_stream(list);
      options.paths = {from_list ? "-" : dir};
      options.file_list = &list_stream;
      std::ostringstream out, err;
      EXPECT_EQ(RunReplayCommand(options, finder, out, err), kReplayExitUsage);
      EXPECT_THAT(err.str(), HasSubstr(files[7] + ": not valid JSON"));
      EXPECT_THAT(out.str(), HasSubstr("replayed 40 histories"));
      EXPECT_THAT(out.str(), HasSubstr("40 clean, 0 nondeterministic"));
      // Every report, in input order.
      size_t at = 0;
      for (int i = 0; i < 40; ++i) {
        if (i == 7) continue;
        for (const std::string& source :
             i == 20 ? std::vector<std::string>{files[i] + "#1", files[i] + "#2"}
                     : std::vector<std::string>{files[i]}) {
          const size_t found = out.str().find(source + ": clean", at);
          ASSERT_NE(found, std::string::npos) << source << " after offset " << at;
          at = found + 1;
        }
      }
      if (expected_out.empty()) expected_out = out.str();
      EXPECT_EQ(out.str(), expected_out);
    }
  }
}

// Two projects' workflows of one type name, told apart by task queue: the finder picks the
// registry per history, from several threads under --jobs.
TEST(ReplayMain, ARegistryFinderChoosesPerHistory) {
  const std::string path = RecordToFile();
  auto loaded = history::LoadHistoryFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  temporal::api::history::v1::History other = loaded->histories[0];
  other.mutable_events(0)
      ->mutable_workflow_execution_started_event_attributes()
      ->mutable_task_queue()
      ->set_name("other-project");
  const std::string other_path = path + ".other.json";
  ASSERT_TRUE(history::SaveHistoryFile(other_path, other, history::HistoryFormat::kJson).ok());
  Registry original, changed;
  ASSERT_TRUE(original.RegisterWorkflow("wf", Original).ok());
  ASSERT_TRUE(changed.RegisterWorkflow("wf", Changed).ok());
  std::atomic<int> calls{0};
  const RegistryFinder finder =
      [&](const temporal::api::history::v1::History& h) -> const Registry& {
    ++calls;
    return h.events(0).workflow_execution_started_event_attributes().task_queue().name() ==
                   "other-project"
               ? changed
               : original;
  };
  std::vector<std::string> args = {"my-replayer", path, other_path, path, "--jobs", "2"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  ::testing::internal::CaptureStdout();
  const int rc = ReplayMain(finder, static_cast<int>(argv.size()), argv.data());
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(rc, kReplayExitFound) << out;
  EXPECT_EQ(calls.load(), 3);
  EXPECT_THAT(out, HasSubstr("2 clean, 1 nondeterministic (command-mismatch 1)"));
  EXPECT_THAT(out, HasSubstr(other_path + ": NONDETERMINISM"));
}

TEST(ReplayMain, AFileListOnStandardInputIsAPathOfItsOwn) {
  const std::string path = RecordToFile();
  Registry registry;
  ASSERT_TRUE(registry.RegisterWorkflow("wf", Original).ok());
  std::istringstream list(path + "\r\n" + path + ".missing\n");
  ReplayCommandOptions options;
  options.paths = {"-", path};
  options.file_list = &list;
  std::ostringstream out, err;
  auto finder = [&registry](const temporal::api::history::v1::History&) -> const Registry& {
    return registry;
  };
  EXPECT_EQ(RunReplayCommand(options, finder, out, err), kReplayExitUsage);
  EXPECT_THAT(out.str(), HasSubstr("replayed 2 histories"));
  EXPECT_THAT(err.str(), HasSubstr(path + ".missing"));
}

}  // namespace
}  // namespace lockstep::replay
