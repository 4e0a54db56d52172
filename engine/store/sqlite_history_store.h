// SqliteHistoryStore: a HistoryStore (history_store.h) in one SQLite database file.
//
// Durability: the file is in WAL mode and each Commit is one transaction (BEGIN IMMEDIATE ...
// COMMIT, rolled back on any error). With Synchronous::kFull a committed batch survives a power
// loss; with kNormal it survives the process crashing, but the last batches before a power loss
// may be rolled back (SQLite's WAL with synchronous=NORMAL), for far fewer fsyncs.
//
// Concurrency: one object is one connection, used by one thread at a time. Other connections
// (other threads, or processes opening the same file, typically read-only) read while this one
// writes: WAL readers see the last committed state and are never blocked by a writer. One
// writer at a time: a second writer waits up to busy_timeout for the first one's transaction,
// then gets Unavailable.
//
// Errors name the file; a file that is not a SQLite database or is damaged or truncated is
// DataLoss, a schema newer than this code FailedPrecondition (schema versions and migrations:
// sqlite_schema.h). Opening writable migrates an older file; opening read-only reads one from
// sqlite::kOldestReadOnlyVersion on as it is and refuses an older one.
#ifndef LOCKSTEP_ENGINE_STORE_SQLITE_HISTORY_STORE_H_
#define LOCKSTEP_ENGINE_STORE_SQLITE_HISTORY_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/store/history_store.h"
#include "engine/store/sqlite_db.h"

namespace lockstep::store {

struct SqliteStoreOptions {
  enum class Synchronous { kNormal, kFull };
  Synchronous synchronous = Synchronous::kFull;
  // Opens an existing store for reading only: Commit is refused, nothing is created or
  // migrated.
  bool read_only = false;
  // How long a statement waits for another connection's lock before giving up.
  absl::Duration busy_timeout = absl::Seconds(5);
};

class SqliteHistoryStore : public HistoryStore {
 public:
  // Opens the store at `path`, creating it (writable only) or migrating it to the current
  // schema as needed.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> Open(
      const std::string& path, const SqliteStoreOptions& options = {});

  SqliteHistoryStore(const SqliteHistoryStore&) = delete;
  SqliteHistoryStore& operator=(const SqliteHistoryStore&) = delete;
  ~SqliteHistoryStore() override;

  absl::Status Commit(const StoreBatch& batch) override;
  absl::StatusOr<std::vector<RunInfo>> ListRuns() const override;
  absl::StatusOr<temporal::api::history::v1::History> ReadHistory(
      const std::string& workflow_id, const std::string& run_id) const override;
  absl::Status ReadHistoryBinary(const std::string& workflow_id, const std::string& run_id,
                                 std::string* out) const override;
  absl::StatusOr<std::vector<ActivityAttemptState>> ReadActivityAttempts(
      const std::string& workflow_id, const std::string& run_id) const override;

  const std::string& path() const { return path_; }

  // The value of an integer PRAGMA on this connection ("synchronous", "user_version", ...), to
  // check how the store was opened. `name` is letters and underscores only.
  absl::StatusOr<int64_t> IntPragma(absl::string_view name) const;

 private:
  // The cached statements (prepared once per connection).
  struct Statements;

  SqliteHistoryStore(std::string path, sqlite::DbHandle db, bool read_only);
  // Those of the activity_attempts table only from version 3 on (a read-only version-2 file).
  absl::Status PrepareStatements(int64_t version);

  // Looks the run up: `found` false when it is not stored, else its integer id and info.
  absl::Status FindRun(absl::string_view workflow_id, absl::string_view run_id, bool* found,
                       int64_t* id, RunInfo* info) const;
  // Appends one run's events inside the open write transaction, and writes its activity
  // attempt states.
  absl::Status AppendRun(const RunAppend& run);
  // Replaces and drops the attempt states of the run with integer id `id` (`name` names it).
  absl::Status WriteActivityAttempts(int64_t id, const RunAppend& run, absl::string_view name);
  // Calls `read(id, info)` for the run inside a read transaction, so that everything it reads
  // is one snapshot. NotFound for an unknown run.
  template <typename Read>
  absl::Status ReadRun(const std::string& workflow_id, const std::string& run_id, Read read) const;
  // Calls `read` for each stored event of the run (in id order) inside a read transaction, so
  // that the run row and its events are one snapshot. NotFound for an unknown run; DataLoss for
  // a missing row.
  template <typename Read>
  absl::Status ForEachEvent(const std::string& workflow_id, const std::string& run_id,
                            Read read) const;

  std::string path_;
  sqlite::DbHandle db_;
  bool read_only_;
  // The file's schema version as opened: kSchemaVersion, or older for a read-only open.
  int64_t version_ = 0;
  std::unique_ptr<Statements> statements_;
};

}  // namespace lockstep::store

#endif  // LOCKSTEP_ENGINE_STORE_SQLITE_HISTORY_STORE_H_
