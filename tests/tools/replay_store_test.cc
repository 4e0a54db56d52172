// `lockstep replay --store DB`: every run of a store recorded by real workflows replayed by the
// same replayer as files, with the same reports, summary and exit statuses: clean runs, a run
// whose recorded commands the code no longer issues, a damaged row failing that run only (named,
// the other runs still replayed), alongside files and with --jobs, and the usage errors.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "engine/history/history_file.h"
#include "engine/store/sqlite_history_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/run_command.h"
#include "tests/testing/test_data.h"
#include "tests/tools/recorded_store.h"
#include "tools/lockstep/command.h"

namespace lockstep::cli {
namespace replay_store_test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

using Result = testing::CommandResult;

// `text` as FormatJson quotes it (the ids and paths here need no escapes but for quotes).
std::string JsonQuoted(absl::string_view text) {
  return absl::StrCat("\"", absl::StrReplaceAll(text, {{"\"", "\\\""}}), "\"");
}

Result Replay(std::vector<std::string> args) {
  return testing::RunCommand(RunReplay, std::move(args));
}

class ReplayStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::ScratchDir();
    db_ = dir_ + "/orders.db";
    testing::RecordOrders(db_);
    runs_ = testing::StoredRuns(db_);
    ASSERT_EQ(runs_.size(), 5u);
  }

  // How the reports name a stored run.
  std::string Source(const store::RunInfo& run) const {
    return absl::StrCat(db_, ": workflow \"", run.workflow_id, "\" run \"", run.run_id, "\"");
  }

  std::string dir_, db_;
  std::vector<store::RunInfo> runs_;
};

TEST_F(ReplayStoreTest, EveryRunOfAGoodStoreReplaysCleanly) {
  Result r = Replay({"--store", db_});
  ASSERT_EQ(r.status, kExitOk) << r.out << r.err;
  EXPECT_THAT(r.err, IsEmpty());
  // One report per run, in the store's order, then the summary.
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), runs_.size() + 1);
  for (size_t i = 0; i < runs_.size(); ++i) {
    EXPECT_THAT(lines[i], StartsWith(Source(runs_[i]) + ": clean ("));
    EXPECT_THAT(lines[i], HasSubstr("workflow orderWorkflow)"));
  }
  int64_t events = 0;
  for (const store::RunInfo& run : runs_) events += run.event_count;
  EXPECT_EQ(lines.back(), absl::StrCat("replayed 5 histories (", events,
                                       " events): 5 clean, 0 nondeterministic, 0 could not be "
                                       "replayed"));
}

TEST_F(ReplayStoreTest, StoreAndFilesTogetherInParallelWithEveryTaskBoundary) {
  // A file recorded from the same store, replayed beside it.
  absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> store =
      store::SqliteHistoryStore::Open(db_, {.read_only = true});
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<temporal::api::history::v1::History> first =
      (*store)->ReadHistory(runs_[0].workflow_id, runs_[0].run_id);
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string file = dir_ + "/first.binpb";
  ASSERT_TRUE(history::SaveHistoryFile(file, *first, history::HistoryFormat::kBinary).ok());

  Result r = Replay({file, "--store=" + db_, "--jobs", "3", "--every-task"});
  ASSERT_EQ(r.status, kExitOk) << r.out << r.err;
  EXPECT_THAT(r.out, StartsWith(file + ": clean ("));
  EXPECT_THAT(r.out, HasSubstr("replayed 6 histories"));
  EXPECT_THAT(r.out, HasSubstr("6 clean"));
  // The file and the run it came from get the same report but for the name.
  Result json = Replay({file, "--store", db_, "--json"});
  ASSERT_EQ(json.status, kExitOk) << json.out << json.err;
  std::vector<std::string> lines = absl::StrSplit(json.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 6u) << json.out;
  const std::string from_file = absl::StrReplaceAll(lines[0], {{JsonQuoted(file), "NAME"}});
  const std::string from_store =
      absl::StrReplaceAll(lines[1], {{JsonQuoted(Source(runs_[0])), "NAME"}});
  EXPECT_THAT(from_file, HasSubstr("{\"source\":NAME,"));
  EXPECT_EQ(from_file, from_store);
}

TEST_F(ReplayStoreTest, CodeThatNoLongerIssuesTheRecordedCommandsIsNondeterminism) {
  // A history the order workflow's code does not match: order-1's, with the activity it
  // scheduled first renamed, stored as a run of its own.
  absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> store =
      store::SqliteHistoryStore::Open(db_);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<temporal::api::history::v1::History> history =
      (*store)->ReadHistory(runs_[0].workflow_id, runs_[0].run_id);
  ASSERT_TRUE(history.ok()) << history.status();
  store::RunAppend changed;
  changed.workflow_id = "order-changed";
  changed.run_id = "r";
  changed.workflow_type = "orderWorkflow";
  changed.first_event_id = 1;
  bool renamed = false;
  for (temporal::api::history::v1::HistoryEvent& event : *history->mutable_events()) {
    if (!renamed && event.has_activity_task_scheduled_event_attributes()) {
      event.mutable_activity_task_scheduled_event_attributes()->mutable_activity_type()->set_name(
          "charge_cash");
      renamed = true;
    }
    changed.events.push_back(event.SerializeAsString());
  }
  ASSERT_TRUE(renamed);
  changed.status = runs_[0].status;
  ASSERT_TRUE((*store)->Commit({.runs = {changed}}).ok());
  store->reset();

  Result r = Replay({"--store", db_});
  EXPECT_EQ(r.status, kExitFound) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(db_ + ": workflow \"order-changed\" run \"r\": NONDETERMINISM "
                                     "[command-mismatch]"));
  EXPECT_THAT(r.out, HasSubstr("charge_cash"));
  EXPECT_THAT(r.out, HasSubstr("replayed 6 histories"));
  EXPECT_THAT(r.out, HasSubstr("5 clean, 1 nondeterministic (command-mismatch 1)"));
}

TEST_F(ReplayStoreTest, ADamagedRowFailsThatRunNamedAndTheOthersStillReplay) {
  testing::DamageEvent(db_, "order-3", 2);
  const store::RunInfo& damaged = runs_[2];
  ASSERT_EQ(damaged.workflow_id, "order-3");
  Result r = Replay({"--store", db_, "--jobs", "2"});
  // As a history file that does not load: bad input.
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_THAT(r.err, StartsWith(absl::StrCat("replay: ", Source(damaged), ": stored event 2")));
  EXPECT_THAT(r.out, Not(HasSubstr("order-3")));
  for (const store::RunInfo& run : runs_) {
    if (run.workflow_id != "order-3") {
      EXPECT_THAT(r.out, HasSubstr(Source(run) + ": clean ("));
    }
  }
  EXPECT_THAT(r.out, HasSubstr("replayed 4 histories"));
  EXPECT_THAT(r.out, HasSubstr("4 clean, 0 nondeterministic"));
}

TEST_F(ReplayStoreTest, AStoredRunOverTheEventLimitIsRefusedNamed) {
  Result r = Replay({"--store", db_, "--max-events", "3"});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr(Source(runs_[0]) + ": "));
  EXPECT_THAT(r.err, HasSubstr(" events is over the limit of 3"));
}

TEST_F(ReplayStoreTest, UsageErrorsExitTwoNamingTheProblem) {
  const std::string pointer = "run 'lockstep replay --help' for usage\n";
  std::ofstream(dir_ + "/notes.txt") << std::string(4096, 'x');
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--json"}, "PATH is required (or --store DB)"},
      {{"--store"}, "--store needs a value (DB)"},
      {{"--store="}, "--store needs a value (DB)"},
      {{"--store", ""}, "--store needs a store file"},
      {{"--store", dir_ + "/missing.db"}, dir_ + "/missing.db: no such file"},
      {{"--store", dir_}, dir_ + ": a directory, not a Lockstep history store"},
      {{"--store", db_, "--bogus"}, "unknown flag '--bogus'"},
  };
  for (const Case& c : cases) {
    Result r = Replay(c.args);
    EXPECT_EQ(r.status, kExitUsage) << c.message;
    EXPECT_EQ(r.err, "lockstep replay: " + c.message + "\n" + pointer);
    EXPECT_THAT(r.out, IsEmpty()) << c.message;
  }
  Result not_store = Replay({"--store", dir_ + "/notes.txt"});
  EXPECT_EQ(not_store.status, kExitUsage);
  EXPECT_THAT(not_store.err, StartsWith("lockstep replay: " + dir_ + "/notes.txt: "));
  EXPECT_THAT(not_store.err, HasSubstr("not a SQLite database"));
}

}  // namespace
}  // namespace replay_store_test
}  // namespace lockstep::cli
