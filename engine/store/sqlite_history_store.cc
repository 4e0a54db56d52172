#include "engine/store/sqlite_history_store.h"

#include <sqlite3.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/store/sqlite_schema.h"
#include "engine/store/store_rules.h"

namespace lockstep::store {

using sqlite::BindBlob;
using sqlite::BindText;
using sqlite::ColumnBytes;
using sqlite::Error;
using sqlite::Exec;
using sqlite::StatementUse;
using temporal::api::history::v1::History;

struct SqliteHistoryStore::Statements {
  sqlite::Statement begin_write;
  sqlite::Statement begin_read;
  sqlite::Statement commit;
  sqlite::Statement rollback;
  sqlite::Statement find_run;
  sqlite::Statement insert_run;
  sqlite::Statement insert_event;
  sqlite::Statement update_run;
  sqlite::Statement list_runs;
  sqlite::Statement read_events;
  sqlite::Statement upsert_attempt;
  sqlite::Statement delete_attempt;
  sqlite::Statement delete_run_attempts;
  sqlite::Statement read_attempts;
};

namespace {

// Runs a statement that returns no rows.
absl::Status Run(sqlite3* db, absl::string_view path, sqlite3_stmt* statement,
                 absl::string_view doing) {
  StatementUse use(statement);
  const int code = sqlite3_step(statement);
  if (code != SQLITE_DONE) return Error(db, code, path, doing);
  return absl::OkStatus();
}

// Reads a run's status column; DataLoss naming the execution for a value that is not one.
absl::Status ReadStatus(int64_t value, absl::string_view path, absl::string_view workflow_id,
                        absl::string_view run_id, WorkflowExecutionStatus* status) {
  if (!IsRunStatus(value)) {
    return absl::DataLossError(absl::StrCat(path, ": ", ExecutionName(workflow_id, run_id),
                                            ": stored status ", value, " is not a run status"));
  }
  *status = static_cast<WorkflowExecutionStatus>(value);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> SqliteHistoryStore::Open(
    const std::string& path, const SqliteStoreOptions& options) {
  const int flags =
      options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  sqlite::DbHandle db(raw);
  if (opened != SQLITE_OK) return Error(db.get(), opened, path, "opening");
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), static_cast<int>(absl::ToInt64Milliseconds(options.busy_timeout)));

  // The first read: a file that is not a database, or is truncated, fails here.
  absl::StatusOr<int64_t> version = sqlite::ReadSchemaVersion(db.get(), path);
  if (!version.ok()) return version.status();
  if (options.read_only) {
    // Version 0 with no tables of its own (ReadSchemaVersion refused those): an empty file or
    // database that no store was ever written to; migrating would only make it an empty store.
    if (*version == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": an empty database, not a Lockstep history store"));
    }
    if (*version < sqlite::kOldestReadOnlyVersion) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, ": schema version ", *version, " is older than this build reads without ",
          "migrating (", sqlite::kOldestReadOnlyVersion, "); open it writable once to migrate it"));
    }
  } else {
    absl::StatusOr<std::string> mode =
        sqlite::QueryText(db.get(), path, "PRAGMA journal_mode = WAL");
    if (!mode.ok()) return mode.status();
    if (absl::AsciiStrToLower(*mode) != "wal") {
      return absl::InternalError(
          absl::StrCat(path, ": the journal mode stays \"", *mode, "\" instead of WAL"));
    }
  }
  const char* synchronous = options.synchronous == SqliteStoreOptions::Synchronous::kFull
                                ? "PRAGMA synchronous = FULL"
                                : "PRAGMA synchronous = NORMAL";
  if (absl::Status set = Exec(db.get(), path, synchronous); !set.ok()) return set;
  if (!options.read_only) {
    if (absl::Status migrated = sqlite::Migrate(db.get(), path); !migrated.ok()) return migrated;
  }

  std::unique_ptr<SqliteHistoryStore> store(
      new SqliteHistoryStore(path, std::move(db), options.read_only));
  // A writable open has just migrated the file.
  store->version_ = options.read_only ? *version : sqlite::kSchemaVersion;
  if (absl::Status prepared = store->PrepareStatements(store->version_); !prepared.ok()) {
    return prepared;
  }
  return store;
}

SqliteHistoryStore::SqliteHistoryStore(std::string path, sqlite::DbHandle db, bool read_only)
    : path_(std::move(path)), db_(std::move(db)), read_only_(read_only) {}

// Statements first: a connection with statements left unfinalized does not close.
SqliteHistoryStore::~SqliteHistoryStore() { statements_.reset(); }

absl::Status SqliteHistoryStore::PrepareStatements(int64_t version) {
  auto statements = std::make_unique<Statements>();
  const std::pair<sqlite::Statement*, const char*> all[] = {
      {&statements->begin_write, "BEGIN IMMEDIATE"},
      {&statements->begin_read, "BEGIN"},
      {&statements->commit, "COMMIT"},
      {&statements->rollback, "ROLLBACK"},
      {&statements->find_run,
       "SELECT id, workflow_type, status, event_count FROM runs "
       "WHERE workflow_id = ?1 AND run_id = ?2"},
      {&statements->insert_run,
       "INSERT INTO runs (workflow_id, run_id, workflow_type, status, event_count) "
       "VALUES (?1, ?2, ?3, 1, 0)"},
      {&statements->insert_event, "INSERT INTO events (run, event_id, data) VALUES (?1, ?2, ?3)"},
      {&statements->update_run, "UPDATE runs SET status = ?2, event_count = ?3 WHERE id = ?1"},
      {&statements->list_runs,
       "SELECT workflow_id, run_id, workflow_type, status, event_count FROM runs ORDER BY id"},
      {&statements->read_events,
       "SELECT event_id, data FROM events WHERE run = ?1 ORDER BY event_id"},
      {&statements->upsert_attempt,
       "INSERT OR REPLACE INTO activity_attempts (run, scheduled_event_id, attempt, "
       "attempt_scheduled_time, started_time, started_request_id, last_failure, "
       "heartbeat_details) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
      {&statements->delete_attempt,
       "DELETE FROM activity_attempts WHERE run = ?1 AND scheduled_event_id = ?2"},
      {&statements->delete_run_attempts, "DELETE FROM activity_attempts WHERE run = ?1"},
      {&statements->read_attempts,
       "SELECT scheduled_event_id, attempt, attempt_scheduled_time, started_time, "
       "started_request_id, last_failure, heartbeat_details FROM activity_attempts "
       "WHERE run = ?1 ORDER BY scheduled_event_id"},
  };
  for (const auto& [statement, sql] : all) {
    if (version < 3 && absl::StrContains(sql, "activity_attempts")) continue;
    absl::StatusOr<sqlite::Statement> prepared =
        sqlite::Prepare(db_.get(), path_, sql, /*persistent=*/true);
    if (!prepared.ok()) return prepared.status();
    *statement = *std::move(prepared);
  }
  statements_ = std::move(statements);
  return absl::OkStatus();
}

absl::Status SqliteHistoryStore::FindRun(absl::string_view workflow_id, absl::string_view run_id,
                                         bool* found, int64_t* id, RunInfo* info) const {
  sqlite3_stmt* find = statements_->find_run.get();
  StatementUse use(find);
  BindText(find, 1, workflow_id);
  BindText(find, 2, run_id);
  const int code = sqlite3_step(find);
  *found = code == SQLITE_ROW;
  if (code == SQLITE_DONE) return absl::OkStatus();
  if (code != SQLITE_ROW) {
    return Error(db_.get(), code, path_,
                 absl::StrCat("looking up ", ExecutionName(workflow_id, run_id)));
  }
  *id = sqlite3_column_int64(find, 0);
  info->workflow_id = std::string(workflow_id);
  info->run_id = std::string(run_id);
  info->workflow_type = std::string(ColumnBytes(find, 1));
  info->event_count = sqlite3_column_int64(find, 3);
  return ReadStatus(sqlite3_column_int64(find, 2), path_, workflow_id, run_id, &info->status);
}

absl::Status SqliteHistoryStore::AppendRun(const RunAppend& run) {
  bool found = false;
  int64_t id = 0;
  RunInfo stored;
  if (absl::Status s = FindRun(run.workflow_id, run.run_id, &found, &id, &stored); !s.ok()) {
    return s;
  }
  if (absl::Status fits = CheckAppend(run, found ? &stored : nullptr); !fits.ok()) {
    return absl::Status(fits.code(), absl::StrCat(path_, ": ", fits.message()));
  }
  const std::string name = ExecutionName(run.workflow_id, run.run_id);
  if (!found) {
    sqlite3_stmt* insert = statements_->insert_run.get();
    BindText(insert, 1, run.workflow_id);
    BindText(insert, 2, run.run_id);
    BindText(insert, 3, run.workflow_type);
    if (absl::Status s = Run(db_.get(), path_, insert, absl::StrCat("adding ", name)); !s.ok()) {
      return s;
    }
    id = sqlite3_last_insert_rowid(db_.get());
  }
  sqlite3_stmt* insert = statements_->insert_event.get();
  int64_t event_id = run.first_event_id;
  for (const std::string& event : run.events) {
    sqlite3_bind_int64(insert, 1, id);
    sqlite3_bind_int64(insert, 2, event_id);
    BindBlob(insert, 3, event);
    if (absl::Status s =
            Run(db_.get(), path_, insert, absl::StrCat("writing event ", event_id, " of ", name));
        !s.ok()) {
      return s;
    }
    ++event_id;
  }
  sqlite3_stmt* update = statements_->update_run.get();
  sqlite3_bind_int64(update, 1, id);
  sqlite3_bind_int64(update, 2, run.status);
  sqlite3_bind_int64(update, 3, event_id - 1);
  if (absl::Status s = Run(db_.get(), path_, update, absl::StrCat("updating ", name)); !s.ok()) {
    return s;
  }
  return WriteActivityAttempts(id, run, name);
}

absl::Status SqliteHistoryStore::WriteActivityAttempts(int64_t id, const RunAppend& run,
                                                       absl::string_view name) {
  if (run.status != temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_RUNNING) {
    // A closed run has no pending activity.
    sqlite3_stmt* clear = statements_->delete_run_attempts.get();
    sqlite3_bind_int64(clear, 1, id);
    return Run(db_.get(), path_, clear, absl::StrCat("dropping the activity attempts of ", name));
  }
  std::string failure;
  std::string details;
  sqlite3_stmt* upsert = statements_->upsert_attempt.get();
  for (const ActivityAttemptState& attempt : run.activity_attempts) {
    sqlite3_bind_int64(upsert, 1, id);
    sqlite3_bind_int64(upsert, 2, attempt.scheduled_event_id);
    sqlite3_bind_int64(upsert, 3, attempt.attempt);
    sqlite3_bind_int64(upsert, 4, absl::ToUnixNanos(attempt.attempt_scheduled_time));
    if (attempt.started_time.has_value()) {
      sqlite3_bind_int64(upsert, 5, absl::ToUnixNanos(*attempt.started_time));
    }
    BindText(upsert, 6, attempt.started_request_id);
    // Unbound parameters are NULL: no failure, no details.
    if (attempt.last_failure.has_value()) {
      attempt.last_failure->SerializeToString(&failure);
      BindBlob(upsert, 7, failure);
    }
    if (attempt.heartbeat_details.has_value()) {
      attempt.heartbeat_details->SerializeToString(&details);
      BindBlob(upsert, 8, details);
    }
    if (absl::Status s = Run(db_.get(), path_, upsert,
                             absl::StrCat("writing the attempt state of the activity scheduled "
                                          "at event ",
                                          attempt.scheduled_event_id, " of ", name));
        !s.ok()) {
      return s;
    }
  }
  sqlite3_stmt* erase = statements_->delete_attempt.get();
  for (int64_t closed : run.closed_activities) {
    sqlite3_bind_int64(erase, 1, id);
    sqlite3_bind_int64(erase, 2, closed);
    if (absl::Status s = Run(db_.get(), path_, erase,
                             absl::StrCat("dropping the attempt state of the activity scheduled "
                                          "at event ",
                                          closed, " of ", name));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status SqliteHistoryStore::Commit(const StoreBatch& batch) {
  if (read_only_) {
    return absl::FailedPreconditionError(absl::StrCat(path_, ": opened read-only"));
  }
  if (absl::Status shape = CheckBatchShape(batch); !shape.ok()) return shape;
  if (absl::Status begin =
          Run(db_.get(), path_, statements_->begin_write.get(), "starting a write transaction");
      !begin.ok()) {
    return begin;
  }
  for (const RunAppend& run : batch.runs) {
    if (absl::Status appended = AppendRun(run); !appended.ok()) {
      // Nothing of the batch stays. A rollback that fails too leaves SQLite to roll the
      // transaction back itself (it does when a statement error ended it already).
      (void)Run(db_.get(), path_, statements_->rollback.get(), "rolling back");
      return appended;
    }
  }
  absl::Status committed = Run(db_.get(), path_, statements_->commit.get(), "committing a batch");
  if (!committed.ok() && sqlite3_get_autocommit(db_.get()) == 0) {
    (void)Run(db_.get(), path_, statements_->rollback.get(), "rolling back");
  }
  return committed;
}

absl::StatusOr<std::vector<RunInfo>> SqliteHistoryStore::ListRuns() const {
  sqlite3_stmt* list = statements_->list_runs.get();
  StatementUse use(list);
  std::vector<RunInfo> runs;
  for (;;) {
    const int code = sqlite3_step(list);
    if (code == SQLITE_DONE) return runs;
    if (code != SQLITE_ROW) return Error(db_.get(), code, path_, "listing runs");
    RunInfo& run = runs.emplace_back();
    run.workflow_id = std::string(ColumnBytes(list, 0));
    run.run_id = std::string(ColumnBytes(list, 1));
    run.workflow_type = std::string(ColumnBytes(list, 2));
    run.event_count = sqlite3_column_int64(list, 4);
    if (absl::Status s = ReadStatus(sqlite3_column_int64(list, 3), path_, run.workflow_id,
                                    run.run_id, &run.status);
        !s.ok()) {
      return s;
    }
  }
}

template <typename Read>
absl::Status SqliteHistoryStore::ReadRun(const std::string& workflow_id, const std::string& run_id,
                                         Read read) const {
  if (absl::Status begin =
          Run(db_.get(), path_, statements_->begin_read.get(), "starting a read transaction");
      !begin.ok()) {
    return begin;
  }
  absl::Status status = [&]() -> absl::Status {
    bool found = false;
    int64_t id = 0;
    RunInfo info;
    if (absl::Status s = FindRun(workflow_id, run_id, &found, &id, &info); !s.ok()) return s;
    if (!found) {
      return absl::NotFoundError(
          absl::StrCat(path_, ": ", ExecutionName(workflow_id, run_id), ": not stored"));
    }
    return read(id, info);
  }();
  // A read transaction has nothing to undo; ending it lets the WAL be checkpointed past it.
  absl::Status ended = Run(db_.get(), path_, statements_->commit.get(), "ending a read");
  return status.ok() ? ended : status;
}

template <typename Read>
absl::Status SqliteHistoryStore::ForEachEvent(const std::string& workflow_id,
                                              const std::string& run_id, Read read) const {
  return ReadRun(workflow_id, run_id, [&](int64_t id, const RunInfo& info) -> absl::Status {
    sqlite3_stmt* events = statements_->read_events.get();
    StatementUse use(events);
    sqlite3_bind_int64(events, 1, id);
    int64_t expected = 1;
    for (;; ++expected) {
      const int code = sqlite3_step(events);
      if (code == SQLITE_DONE) break;
      if (code != SQLITE_ROW) {
        return Error(db_.get(), code, path_,
                     absl::StrCat("reading ", ExecutionName(workflow_id, run_id)));
      }
      if (sqlite3_column_int64(events, 0) != expected) break;
      if (absl::Status s = read(expected, ColumnBytes(events, 1)); !s.ok()) return s;
    }
    if (expected != info.event_count + 1) {
      return absl::DataLossError(absl::StrCat(path_, ": ", ExecutionName(workflow_id, run_id),
                                              ": stored event ", expected, " of ", info.event_count,
                                              " is missing"));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<ActivityAttemptState>> SqliteHistoryStore::ReadActivityAttempts(
    const std::string& workflow_id, const std::string& run_id) const {
  std::vector<ActivityAttemptState> attempts;
  auto optional_bytes = [](sqlite3_stmt* row, int column) -> std::optional<absl::string_view> {
    if (sqlite3_column_type(row, column) == SQLITE_NULL) return std::nullopt;
    return ColumnBytes(row, column);
  };
  absl::Status read = ReadRun(workflow_id, run_id, [&](int64_t id, const RunInfo&) -> absl::Status {
    sqlite3_stmt* rows = statements_->read_attempts.get();
    if (rows == nullptr) return absl::OkStatus();  // a version-2 file: no attempt state yet
    StatementUse use(rows);
    sqlite3_bind_int64(rows, 1, id);
    for (;;) {
      const int code = sqlite3_step(rows);
      if (code == SQLITE_DONE) return absl::OkStatus();
      if (code != SQLITE_ROW) {
        return Error(
            db_.get(), code, path_,
            absl::StrCat("reading the activity attempts of ", ExecutionName(workflow_id, run_id)));
      }
      ActivityAttemptState& attempt = attempts.emplace_back();
      attempt.scheduled_event_id = sqlite3_column_int64(rows, 0);
      const int64_t number = sqlite3_column_int64(rows, 1);
      if (number < 1 || number > std::numeric_limits<int32_t>::max()) {
        return absl::DataLossError(
            absl::StrCat(path_, ": ", ExecutionName(workflow_id, run_id),
                         ": the stored attempt of the activity scheduled at event ",
                         attempt.scheduled_event_id, " is ", number));
      }
      attempt.attempt = static_cast<int32_t>(number);
      attempt.attempt_scheduled_time = absl::FromUnixNanos(sqlite3_column_int64(rows, 2));
      if (sqlite3_column_type(rows, 3) != SQLITE_NULL) {
        attempt.started_time = absl::FromUnixNanos(sqlite3_column_int64(rows, 3));
      }
      attempt.started_request_id = std::string(ColumnBytes(rows, 4));
      if (absl::Status s = DecodeStoredAttempt(optional_bytes(rows, 5), optional_bytes(rows, 6),
                                               path_, workflow_id, run_id, &attempt);
          !s.ok()) {
        return s;
      }
    }
  });
  if (!read.ok()) return read;
  return attempts;
}

absl::StatusOr<History> SqliteHistoryStore::ReadHistory(const std::string& workflow_id,
                                                        const std::string& run_id) const {
  History history;
  absl::Status read = ForEachEvent(
      workflow_id, run_id, [&](int64_t event_id, absl::string_view bytes) -> absl::Status {
        return DecodeStoredEvent(bytes, path_, workflow_id, run_id, event_id, history.add_events());
      });
  if (!read.ok()) return read;
  return history;
}

absl::Status SqliteHistoryStore::ReadHistoryBinary(const std::string& workflow_id,
                                                   const std::string& run_id,
                                                   std::string* out) const {
  std::string framed;
  absl::Status read =
      ForEachEvent(workflow_id, run_id, [&](int64_t, absl::string_view bytes) -> absl::Status {
        AppendFramedEvent(bytes, &framed);
        return absl::OkStatus();
      });
  if (!read.ok()) return read;
  out->append(framed);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> SqliteHistoryStore::IntPragma(absl::string_view name) const {
  for (char c : name) {
    if (!absl::ascii_isalpha(static_cast<unsigned char>(c)) && c != '_') {
      return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" is not a PRAGMA name"));
    }
  }
  return sqlite::QueryInt(db_.get(), path_, absl::StrCat("PRAGMA ", name));
}

}  // namespace lockstep::store
