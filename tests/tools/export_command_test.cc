// `lockstep export`: the runs of a store recorded by real workflows written one file per run,
// byte for byte as the store holds them (binary) or parsing back to the same history (JSON);
// one workflow's runs; a damaged row failing that run only; and the usage errors.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/history/history_file.h"
#include "engine/store/sqlite_history_store.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/testing/run_command.h"
#include "tests/testing/test_data.h"
#include "tests/tools/recorded_store.h"
#include "tools/lockstep/command.h"
#include "tools/lockstep/run_file_name.h"

namespace lockstep::cli {
namespace export_command_test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

using Result = testing::CommandResult;

Result Export(std::vector<std::string> args) {
  return testing::RunCommand(RunExport, std::move(args));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::set<std::string> FilesIn(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

std::unique_ptr<store::SqliteHistoryStore> OpenReadOnly(const std::string& path) {
  absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> store =
      store::SqliteHistoryStore::Open(path, {.read_only = true});
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

class ExportCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::ScratchDir();
    db_ = dir_ + "/orders.db";
    out_ = dir_ + "/out";
    testing::RecordOrders(db_);
    runs_ = testing::StoredRuns(db_);
    ASSERT_EQ(runs_.size(), 5u);
  }

  std::string dir_, db_, out_;
  std::vector<store::RunInfo> runs_;
};

TEST_F(ExportCommandTest, AllAsBinaryWritesTheStoredBytesOfEveryRun) {
  Result r = Export({"--store", db_, "--all", "--out", out_});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.err, IsEmpty());
  std::unique_ptr<store::SqliteHistoryStore> store = OpenReadOnly(db_);
  ASSERT_NE(store, nullptr);
  std::set<std::string> expected_names;
  for (const store::RunInfo& run : runs_) {
    SCOPED_TRACE(run.workflow_id);
    const std::string name = RunFileName(run.workflow_id, run.run_id, ".binpb");
    expected_names.insert(name);
    std::string stored;
    ASSERT_TRUE(store->ReadHistoryBinary(run.workflow_id, run.run_id, &stored).ok());
    EXPECT_EQ(ReadFile(out_ + "/" + name), stored);
    EXPECT_THAT(r.out, HasSubstr(absl::StrCat("workflow \"", run.workflow_id, "\" run \"",
                                              run.run_id, "\" (orderWorkflow, ", run.event_count,
                                              " events) -> ", out_, "/", name, "\n")));
  }
  // One file per run: the two runs of order-1 do not collide.
  EXPECT_EQ(FilesIn(out_), expected_names);
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("exported 5 of 5 runs (")));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("from ", db_, " to ", out_, " as binary\n")));

  // What `lockstep replay` reads: all of them replay cleanly.
  Result replayed = testing::RunCommand(RunReplay, {out_});
  EXPECT_EQ(replayed.status, kExitOk) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out, HasSubstr("replayed 5 histories"));
  EXPECT_THAT(replayed.out, HasSubstr("5 clean"));
}

TEST_F(ExportCommandTest, AllAsJsonParsesBackToTheStoredHistories) {
  Result r = Export({"--store=" + db_, "--all", "--out=" + out_, "--format=json"});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr(" as json\n"));
  std::unique_ptr<store::SqliteHistoryStore> store = OpenReadOnly(db_);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(FilesIn(out_).size(), runs_.size());
  for (const store::RunInfo& run : runs_) {
    SCOPED_TRACE(run.workflow_id);
    const std::string path = out_ + "/" + RunFileName(run.workflow_id, run.run_id, ".json");
    EXPECT_EQ(ReadFile(path).rfind("{", 0), 0u) << "not JSON";
    absl::StatusOr<history::LoadedHistories> loaded = history::LoadHistoryFile(path);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    ASSERT_EQ(loaded->histories.size(), 1u);
    absl::StatusOr<temporal::api::history::v1::History> stored =
        store->ReadHistory(run.workflow_id, run.run_id);
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(loaded->histories[0], *stored));
  }
}

TEST_F(ExportCommandTest, OneWorkflowWritesItsRunsOnly) {
  // order-1 has two runs, the first and the last the store saw.
  ASSERT_EQ(runs_.front().workflow_id, "order-1");
  ASSERT_EQ(runs_.back().workflow_id, "order-1");
  const std::string first = RunFileName("order-1", runs_.front().run_id, ".binpb");
  const std::string second = RunFileName("order-1", runs_.back().run_id, ".binpb");
  ASSERT_NE(first, second);

  Result both = Export({"--store", db_, "--workflow-id", "order-1", "--out", out_});
  ASSERT_EQ(both.status, kExitOk) << both.err;
  EXPECT_EQ(FilesIn(out_), (std::set<std::string>{first, second}));
  EXPECT_THAT(both.out, HasSubstr("exported 2 of 2 runs"));

  const std::string one_dir = dir_ + "/one";
  Result one = Export({"--store", db_, "--workflow-id", "order-1", "--run-id", runs_.back().run_id,
                       "--out", one_dir});
  ASSERT_EQ(one.status, kExitOk) << one.err;
  EXPECT_EQ(FilesIn(one_dir), (std::set<std::string>{second}));
  EXPECT_EQ(ReadFile(one_dir + "/" + second), ReadFile(out_ + "/" + second));
}

TEST_F(ExportCommandTest, AnIdWithSlashesAndSpacesIsOneFileInTheDirectory) {
  const store::RunInfo& odd = runs_[1];
  ASSERT_EQ(odd.workflow_id, "order/2 x_y");
  Result r = Export({"--store", db_, "--workflow-id", odd.workflow_id, "--out", out_});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_EQ(FilesIn(out_), (std::set<std::string>{"order%2F2%20x%5Fy_" + odd.run_id + ".binpb"}));
}

TEST_F(ExportCommandTest, ADamagedRowFailsThatRunAndTheOthersAreWritten) {
  testing::DamageEvent(db_, "order-3", 2);
  const store::RunInfo& damaged = runs_[2];
  ASSERT_EQ(damaged.workflow_id, "order-3");
  Result r = Export({"--store", db_, "--all", "--out", out_});
  EXPECT_EQ(r.status, kExitFound);
  EXPECT_THAT(r.err,
              HasSubstr(absl::StrCat("lockstep export: ", db_, ": workflow \"order-3\" run \"",
                                     damaged.run_id, "\": stored event 2")));
  EXPECT_THAT(r.out, HasSubstr("exported 4 of 5 runs"));
  EXPECT_THAT(r.out, HasSubstr("; 1 could not be exported\n"));
  std::set<std::string> expected;
  for (const store::RunInfo& run : runs_) {
    if (run.workflow_id != "order-3") {
      expected.insert(RunFileName(run.workflow_id, run.run_id, ".binpb"));
    }
  }
  EXPECT_EQ(FilesIn(out_), expected);
}

TEST_F(ExportCommandTest, UsageErrorsExitTwoNamingTheProblem) {
  const std::string pointer = "run 'lockstep export --help' for usage\n";
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::ofstream(dir_ + "/notes.txt") << std::string(4096, 'x');
  const std::vector<Case> cases = {
      {{"--store", db_, "--all", "--out", out_, "--bogus"}, "unknown flag '--bogus'"},
      {{"--all", "--out", out_}, "--store is required"},
      {{"--store", db_, "--all"}, "--out is required"},
      {{"--store", db_, "--out", out_}, "--workflow-id ID or --all is required"},
      {{"--store", db_, "--all", "--workflow-id", "order-1", "--out", out_},
       "--workflow-id excludes --all"},
      {{"--store", db_, "--run-id", "r", "--out", out_}, "--run-id requires --workflow-id"},
      {{"--store", db_, "--all", "--out", out_, "--format", "xml"},
       "--format must be binary or json, got 'xml'"},
      {{"--store", dir_ + "/missing.db", "--all", "--out", out_},
       dir_ + "/missing.db: no such file"},
      {{"--store", dir_, "--all", "--out", out_},
       dir_ + ": a directory, not a Lockstep history store"},
  };
  for (const Case& c : cases) {
    Result r = Export(c.args);
    EXPECT_EQ(r.status, kExitUsage) << c.message;
    EXPECT_EQ(r.err, "lockstep export: " + c.message + "\n" + pointer);
    EXPECT_THAT(r.out, IsEmpty()) << c.message;
  }
  // Not a store: named, with what SQLite found.
  Result not_store = Export({"--store", dir_ + "/notes.txt", "--all", "--out", out_});
  EXPECT_EQ(not_store.status, kExitUsage);
  EXPECT_THAT(not_store.err, StartsWith("lockstep export: " + dir_ + "/notes.txt: "));
  EXPECT_THAT(not_store.err, HasSubstr("not a SQLite database"));
  // A workflow the store does not have.
  Result unknown = Export({"--store", db_, "--workflow-id", "order-9", "--out", out_});
  EXPECT_EQ(unknown.status, kExitUsage);
  EXPECT_EQ(unknown.err,
            "lockstep export: " + db_ + ": no run of workflow \"order-9\" is stored\n");
  // Nothing was written by any of them.
  EXPECT_FALSE(std::filesystem::exists(out_));
}

}  // namespace
}  // namespace export_command_test
}  // namespace lockstep::cli
