// What the SQLite store adds to the contract: data survives closing and reopening, a reader on
// another connection reads while a write transaction is open, the synchronous option is
// applied, version 1 and 2 files are migrated, and bad files (not a database, truncated, newer
// schema, someone else's database, a damaged event or activity attempt row) give errors naming
// the file, never a crash.
#include "engine/store/sqlite_history_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "engine/history/history_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/store/store_test_events.h"

namespace lockstep::store::testing {
namespace sqlite_test {
namespace {

using ::testing::HasSubstr;
using Synchronous = SqliteStoreOptions::Synchronous;

std::unique_ptr<SqliteHistoryStore> OpenOrDie(const std::string& path,
                                              const SqliteStoreOptions& options = {}) {
  absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> store =
      SqliteHistoryStore::Open(path, options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

// A raw connection, as another program would have.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  void Exec(const std::string& sql) {
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << sql << ": " << (error != nullptr ? error : "");
    sqlite3_free(error);
  }
  // Inserts v1 row (workflow_id, run_id, event_id, data).
  void InsertV1(const std::string& workflow_id, const std::string& run_id, int64_t event_id,
                const std::string& data) {
    sqlite3_stmt* insert = nullptr;
    ASSERT_EQ(
        sqlite3_prepare_v2(db_, "INSERT INTO events VALUES (?1, ?2, ?3, ?4)", -1, &insert, nullptr),
        SQLITE_OK);
    sqlite3_bind_text(insert, 1, workflow_id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 2, run_id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert, 3, event_id);
    sqlite3_bind_blob(insert, 4, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(insert), SQLITE_DONE);
    sqlite3_finalize(insert);
  }

 private:
  sqlite3* db_ = nullptr;
};

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

TEST(SqliteHistoryStoreTest, ReopenKeepsData) {
  const std::string path = FreshPath();
  {
    std::unique_ptr<SqliteHistoryStore> store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(Batch({Append("wf", "r", 1, 3), Append("x", "y", 1, 1)})).ok());
  }
  std::unique_ptr<SqliteHistoryStore> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  absl::StatusOr<std::vector<RunInfo>> runs = store->ListRuns();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].event_count, 3);
  std::string binary;
  ASSERT_TRUE(store->ReadHistoryBinary("wf", "r", &binary).ok());
  EXPECT_EQ(binary, history::SerializeHistoryBinary(ExpectedHistory(3)));
  // The sequence goes on from what the file holds.
  EXPECT_TRUE(store->Commit(Batch({Append("wf", "r", 4, 4)})).ok());
  EXPECT_EQ(store->Commit(Batch({Append("wf", "r", 4, 4)})).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->IntPragma("user_version").value_or(-1), 3);
}

TEST(SqliteHistoryStoreTest, SynchronousOptionIsApplied) {
  const std::string path = FreshPath();
  // SQLite's values: NORMAL is 1, FULL is 2.
  EXPECT_EQ(
      OpenOrDie(path, {.synchronous = Synchronous::kNormal})->IntPragma("synchronous").value_or(-1),
      1);
  EXPECT_EQ(
      OpenOrDie(path, {.synchronous = Synchronous::kFull})->IntPragma("synchronous").value_or(-1),
      2);
  EXPECT_EQ(OpenOrDie(path, {.synchronous = Synchronous::kNormal, .read_only = true})
                ->IntPragma("synchronous")
                .value_or(-1),
            1);
  EXPECT_EQ(OpenOrDie(path)->IntPragma("synchronous; DROP TABLE runs").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SqliteHistoryStoreTest, FileIsInWalMode) {
  const std::string path = FreshPath();
  ASSERT_NE(OpenOrDie(path), nullptr);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* mode = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &mode, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(mode), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(mode, 0)), "wal");
  sqlite3_finalize(mode);
  sqlite3_close(db);
}

TEST(SqliteHistoryStoreTest, ReaderReadsWhileAWriteTransactionIsOpen) {
  const std::string path = FreshPath();
  std::unique_ptr<SqliteHistoryStore> writer =
      OpenOrDie(path, {.busy_timeout = absl::Milliseconds(50)});
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->Commit(Batch({Append("wf", "r", 1, 2)})).ok());

  // Another writer (a connection of its own) is in the middle of a transaction.
  RawDb other(path);
  other.Exec("BEGIN IMMEDIATE");
  other.Exec("UPDATE runs SET event_count = 3");
  other.Exec("INSERT INTO events VALUES (1, 3, x'0803')");

  // A reader that would give up at once if it had to wait sees the last committed state.
  std::unique_ptr<SqliteHistoryStore> reader =
      OpenOrDie(path, {.read_only = true, .busy_timeout = absl::ZeroDuration()});
  ASSERT_NE(reader, nullptr);
  absl::StatusOr<std::vector<RunInfo>> runs = reader->ListRuns();
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].event_count, 2);
  absl::StatusOr<History> history = reader->ReadHistory("wf", "r");
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->events_size(), 2);

  // One writer at a time: the store's own commit waits, then gives up without writing.
  absl::Status blocked = writer->Commit(Batch({Append("wf", "r", 3, 3), Append("n", "r", 1, 1)}));
  EXPECT_EQ(blocked.code(), absl::StatusCode::kUnavailable) << blocked;
  EXPECT_THAT(blocked.message(), HasSubstr(path));

  other.Exec("ROLLBACK");
  ASSERT_TRUE(writer->Commit(Batch({Append("wf", "r", 3, 3), Append("n", "r", 1, 1)})).ok());
  runs = reader->ListRuns();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].event_count, 3);
}

TEST(SqliteHistoryStoreTest, ReadOnlyRefusesCommitsAndMissingFiles) {
  const std::string path = FreshPath();
  absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> missing =
      SqliteHistoryStore::Open(path, {.read_only = true});
  EXPECT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr(path));
  ASSERT_NE(OpenOrDie(path), nullptr);
  std::unique_ptr<SqliteHistoryStore> reader = OpenOrDie(path, {.read_only = true});
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->Commit(Batch({Append("wf", "r", 1, 1)})).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(SqliteHistoryStoreTest, ReadOnlyRefusesAnEmptyFileAsNotAStore) {
  const std::string path = FreshPath();
  WriteFile(path, "");
  absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> reader =
      SqliteHistoryStore::Open(path, {.read_only = true});
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(reader.status().message(), path + ": an empty database, not a Lockstep history store");
  // Opened writable, it becomes an empty store, which then reads.
  ASSERT_NE(OpenOrDie(path), nullptr);
  EXPECT_NE(OpenOrDie(path, {.read_only = true}), nullptr);
}

// A store as version 1 of the schema wrote it: one table of event rows.
void CreateVersion1(const std::string& path) {
  RawDb db(path);
  db.Exec(
      "CREATE TABLE events (workflow_id TEXT NOT NULL, run_id TEXT NOT NULL, "
      "event_id INTEGER NOT NULL, data BLOB NOT NULL, "
      "PRIMARY KEY (workflow_id, run_id, event_id));"
      "PRAGMA user_version = 1;");
}

TEST(SqliteHistoryStoreTest, MigratesVersion1) {
  const std::string path = FreshPath();
  CreateVersion1(path);
  History closed = ExpectedHistory(2, "Closing");
  *closed.add_events() = MakeCompleted(3);
  {
    RawDb db(path);
    // The closed run's rows first, the open run's interleaved after.
    for (const HistoryEvent& event : closed.events()) {
      db.InsertV1("closing", "r1", event.event_id(), Bytes(event));
    }
    db.InsertV1("open", "r2", 1, Bytes(MakeEvent(1, "Open")));
    db.InsertV1("open", "r2", 2, Bytes(MakeEvent(2, "Open")));
  }
  std::unique_ptr<SqliteHistoryStore> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->IntPragma("user_version").value_or(-1), 3);
  absl::StatusOr<std::vector<RunInfo>> runs = store->ListRuns();
  ASSERT_TRUE(runs.ok()) << runs.status();
  EXPECT_THAT(
      *runs, ::testing::ElementsAre(
                 RunInfo{"closing", "r1", "Closing", enums::WORKFLOW_EXECUTION_STATUS_COMPLETED, 3},
                 RunInfo{"open", "r2", "Open", enums::WORKFLOW_EXECUTION_STATUS_RUNNING, 2}));
  std::string binary;
  ASSERT_TRUE(store->ReadHistoryBinary("closing", "r1", &binary).ok());
  EXPECT_EQ(binary, history::SerializeHistoryBinary(closed));
  // A migrated run takes the next events and no others.
  EXPECT_TRUE(store->Commit(Batch({Append("open", "r2", 3, 3)})).ok());
  EXPECT_EQ(store->Commit(Batch({Append("closing", "r1", 4, 4)})).code(),
            absl::StatusCode::kFailedPrecondition);
}

// A store as version 2 of the schema wrote it: runs and their events, no activity attempts.
void CreateVersion2(const std::string& path) {
  RawDb db(path);
  db.Exec(
      "CREATE TABLE runs (id INTEGER PRIMARY KEY, workflow_id TEXT NOT NULL, "
      "run_id TEXT NOT NULL, workflow_type TEXT NOT NULL, status INTEGER NOT NULL, "
      "event_count INTEGER NOT NULL, UNIQUE (workflow_id, run_id));"
      "CREATE TABLE events (run INTEGER NOT NULL, event_id INTEGER NOT NULL, "
      "data BLOB NOT NULL, PRIMARY KEY (run, event_id)) WITHOUT ROWID;"
      "PRAGMA user_version = 2;");
}

TEST(SqliteHistoryStoreTest, MigratesVersion2) {
  const std::string path = FreshPath();
  CreateVersion2(path);
  {
    RawDb db(path);
    db.Exec("INSERT INTO runs VALUES (1, 'open', 'r1', 'Open', 1, 2)");
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    for (int64_t id : {1, 2}) {
      sqlite3_stmt* insert = nullptr;
      ASSERT_EQ(
          sqlite3_prepare_v2(raw, "INSERT INTO events VALUES (1, ?1, ?2)", -1, &insert, nullptr),
          SQLITE_OK);
      const std::string data = Bytes(MakeEvent(id, "Open"));
      sqlite3_bind_int64(insert, 1, id);
      sqlite3_bind_blob(insert, 2, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
      EXPECT_EQ(sqlite3_step(insert), SQLITE_DONE);
      sqlite3_finalize(insert);
    }
    sqlite3_close(raw);
  }
  // Read-only does not migrate: it reads the version-2 file as it is, which has no attempt
  // state, and leaves it at version 2.
  {
    std::unique_ptr<SqliteHistoryStore> reader = OpenOrDie(path, {.read_only = true});
    ASSERT_NE(reader, nullptr);
    EXPECT_EQ(reader->IntPragma("user_version").value_or(-1), 2);
    EXPECT_THAT(*reader->ListRuns(),
                ::testing::ElementsAre(
                    RunInfo{"open", "r1", "Open", enums::WORKFLOW_EXECUTION_STATUS_RUNNING, 2}));
    absl::StatusOr<temporal::api::history::v1::History> read = reader->ReadHistory("open", "r1");
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(history::SerializeHistoryBinary(*read),
              history::SerializeHistoryBinary(ExpectedHistory(2, "Open")));
    absl::StatusOr<std::vector<ActivityAttemptState>> none =
        reader->ReadActivityAttempts("open", "r1");
    ASSERT_TRUE(none.ok()) << none.status();
    EXPECT_TRUE(none->empty());
    EXPECT_EQ(reader->ReadActivityAttempts("open", "no-such-run").status().code(),
              absl::StatusCode::kNotFound);
  }

  std::unique_ptr<SqliteHistoryStore> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->IntPragma("user_version").value_or(-1), 3);
  EXPECT_THAT(*store->ListRuns(),
              ::testing::ElementsAre(
                  RunInfo{"open", "r1", "Open", enums::WORKFLOW_EXECUTION_STATUS_RUNNING, 2}));
  std::string binary;
  ASSERT_TRUE(store->ReadHistoryBinary("open", "r1", &binary).ok());
  EXPECT_EQ(binary, history::SerializeHistoryBinary(ExpectedHistory(2, "Open")));
  // A version 2 run has no attempt state (recovery falls back to attempt 1) until its
  // activities' next attempts are written.
  absl::StatusOr<std::vector<ActivityAttemptState>> none =
      store->ReadActivityAttempts("open", "r1");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  ASSERT_TRUE(
      store->Commit(Batch({AttemptsOnly("open", "r1", 2, {AttemptState(2, 3, true)})})).ok());
  store.reset();
  store = OpenOrDie(path, {.read_only = true});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(AttemptStrings(*store->ReadActivityAttempts("open", "r1")),
            AttemptStrings({AttemptState(2, 3, true)}));
}

TEST(SqliteHistoryStoreTest, DamagedAttemptRowNamesFileExecutionAndActivity) {
  const std::string path = FreshPath();
  {
    std::unique_ptr<SqliteHistoryStore> store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    RunAppend run = Append("wf", "r", 1, 2);
    run.activity_attempts = {AttemptState(2, 2, false)};
    ASSERT_TRUE(store->Commit(Batch({run})).ok());
  }
  RawDb(path).Exec("UPDATE activity_attempts SET last_failure = x'ffffff'");
  std::unique_ptr<SqliteHistoryStore> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  absl::StatusOr<std::vector<ActivityAttemptState>> read = store->ReadActivityAttempts("wf", "r");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(read.status().message(), HasSubstr(path));
  EXPECT_THAT(read.status().message(), HasSubstr("workflow \"wf\" run \"r\""));
  EXPECT_THAT(read.status().message(), HasSubstr("activity scheduled at event 2"));
  // The history itself stays readable.
  EXPECT_TRUE(store->ReadHistory("wf", "r").ok());
}

TEST(SqliteHistoryStoreTest, FailedMigrationNamesTheEventAndLeavesVersion1) {
  const std::string path = FreshPath();
  CreateVersion1(path);
  {
    RawDb db(path);
    db.InsertV1("wf", "r", 1, "\xff\xff\xff");
  }
  absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> store = SqliteHistoryStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(store.status().message(), HasSubstr(path));
  EXPECT_THAT(store.status().message(), HasSubstr("workflow \"wf\" run \"r\": stored event 1"));
  // Read-only does not migrate, and says so.
  absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> reader =
      SqliteHistoryStore::Open(path, {.read_only = true});
  ASSERT_FALSE(reader.ok());
  EXPECT_THAT(reader.status().message(), HasSubstr("schema version 1 is older"));
}

TEST(SqliteHistoryStoreTest, RefusesNewerSchema) {
  const std::string path = FreshPath();
  ASSERT_NE(OpenOrDie(path), nullptr);
  RawDb(path).Exec("PRAGMA user_version = 99");
  absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> store = SqliteHistoryStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr(path));
  EXPECT_THAT(store.status().message(), HasSubstr("schema version 99 is newer"));
}

TEST(SqliteHistoryStoreTest, RefusesSomeoneElsesDatabase) {
  const std::string path = FreshPath();
  RawDb(path).Exec("CREATE TABLE accounts (id INTEGER)");
  absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> store = SqliteHistoryStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), HasSubstr("not a Lockstep history store"));
}

TEST(SqliteHistoryStoreTest, FileThatIsNotADatabase) {
  const std::string path = FreshPath();
  WriteFile(path, std::string(4096, 'x'));
  absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> store = SqliteHistoryStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(store.status().message(), HasSubstr(path));
  EXPECT_THAT(store.status().message(), HasSubstr("not a SQLite database"));
}

TEST(SqliteHistoryStoreTest, TruncatedFile) {
  const std::string path = FreshPath();
  {
    std::unique_ptr<SqliteHistoryStore> store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    // Enough rows for many pages.
    for (int run = 0; run < 50; ++run) {
      RunAppend append = Append(absl::StrCat("wf-", run), "r", 1, 20);
      for (std::string& event : append.events) event.append(200, '\0');
      ASSERT_TRUE(store->Commit(Batch({append})).ok());
    }
  }  // closing the last connection checkpoints the WAL into the file
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const auto size = static_cast<off_t>(in.tellg());
  ASSERT_GT(size, 16 * 4096);
  ASSERT_EQ(truncate(path.c_str(), size / 2), 0);

  absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> store = SqliteHistoryStore::Open(path);
  absl::Status status = store.status();
  if (store.ok()) {
    // If the damage is not seen on opening, it is when reading.
    absl::StatusOr<std::vector<RunInfo>> runs = (*store)->ListRuns();
    status = runs.status();
    if (runs.ok()) status = (*store)->ReadHistory("wf-49", "r").status();
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_THAT(status.message(), HasSubstr(path));
}

TEST(SqliteHistoryStoreTest, DamagedRowNamesFileExecutionAndEvent) {
  const std::string path = FreshPath();
  std::unique_ptr<SqliteHistoryStore> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(Batch({Append("wf-a", "ra", 1, 3), Append("wf-b", "rb", 1, 3)})).ok());
  RawDb(path).Exec(
      "UPDATE events SET data = x'ffffffff' WHERE event_id = 2 AND "
      "run = (SELECT id FROM runs WHERE workflow_id = 'wf-b')");
  absl::StatusOr<History> history = store->ReadHistory("wf-b", "rb");
  EXPECT_EQ(history.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(history.status().message(), HasSubstr(path));
  EXPECT_THAT(history.status().message(),
              HasSubstr("workflow \"wf-b\" run \"rb\": stored event 2"));
  EXPECT_TRUE(store->ReadHistory("wf-a", "ra").ok());
  // A row gone missing is named too.
  RawDb(path).Exec(
      "DELETE FROM events WHERE event_id = 2 AND "
      "run = (SELECT id FROM runs WHERE workflow_id = 'wf-a')");
  std::string binary;
  absl::Status missing = store->ReadHistoryBinary("wf-a", "ra", &binary);
  EXPECT_EQ(missing.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(missing.message(), HasSubstr("stored event 2 of 3 is missing"));
  EXPECT_TRUE(binary.empty());
}

}  // namespace
}  // namespace sqlite_test
}  // namespace lockstep::store::testing
