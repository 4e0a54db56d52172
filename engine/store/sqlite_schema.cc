#include "engine/store/sqlite_schema.h"

#include <iterator>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/store/history_store.h"
#include "engine/store/sqlite_db.h"
#include "engine/store/store_rules.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::store::sqlite {
namespace {

constexpr char kCreateVersion1[] = R"sql(
CREATE TABLE events (
  workflow_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  event_id INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (workflow_id, run_id, event_id)
);
)sql";

// Runs get an integer id in the order their first event was written (the v1 table's rowid
// order); their type and status are filled in by BackfillRuns, which decodes events.
constexpr char kVersion1To2[] = R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  workflow_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  workflow_type TEXT NOT NULL,
  status INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  UNIQUE (workflow_id, run_id)
);
INSERT INTO runs (workflow_id, run_id, workflow_type, status, event_count)
  SELECT workflow_id, run_id, '', 1, count(*) FROM events
  GROUP BY workflow_id, run_id ORDER BY min(rowid);
CREATE TABLE run_events (
  run INTEGER NOT NULL,
  event_id INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (run, event_id)
) WITHOUT ROWID;
INSERT INTO run_events (run, event_id, data)
  SELECT runs.id, events.event_id, events.data FROM events JOIN runs USING (workflow_id, run_id);
DROP TABLE events;
ALTER TABLE run_events RENAME TO events;
)sql";

// Version 3: the attempt state of pending activities (activity_attempt_state.h), one row per
// activity of a run. A version 2 file held none, so its runs' activities resume as before
// (attempt 1) until their next attempt is recorded.
constexpr char kVersion2To3[] = R"sql(
CREATE TABLE activity_attempts (
  run INTEGER NOT NULL,
  scheduled_event_id INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  attempt_scheduled_time INTEGER NOT NULL,
  started_time INTEGER,
  started_request_id TEXT NOT NULL,
  last_failure BLOB,
  heartbeat_details BLOB,
  PRIMARY KEY (run, scheduled_event_id)
) WITHOUT ROWID;
)sql";

absl::Status CreateVersion1(sqlite3* db, absl::string_view path) {
  return Exec(db, path, kCreateVersion1);
}

// Decodes stored event `event_id` of the run with integer id `run`.
absl::Status ReadEvent(sqlite3* db, absl::string_view path, sqlite3_stmt* select, int64_t run,
                       absl::string_view workflow_id, absl::string_view run_id, int64_t event_id,
                       temporal::api::history::v1::HistoryEvent* event) {
  StatementUse use(select);
  sqlite3_bind_int64(select, 1, run);
  sqlite3_bind_int64(select, 2, event_id);
  const int code = sqlite3_step(select);
  if (code == SQLITE_DONE) {
    return absl::DataLossError(absl::StrCat(path, ": ", ExecutionName(workflow_id, run_id),
                                            ": stored event ", event_id, " is missing"));
  }
  if (code != SQLITE_ROW) return Error(db, code, path, "reading an event");
  return DecodeStoredEvent(ColumnBytes(select, 0), path, workflow_id, run_id, event_id, event);
}

// Version 2's run type and status, from each run's first and last events.
absl::Status BackfillRuns(sqlite3* db, absl::string_view path) {
  absl::StatusOr<Statement> runs =
      Prepare(db, path, "SELECT id, workflow_id, run_id, event_count FROM runs ORDER BY id");
  absl::StatusOr<Statement> select =
      Prepare(db, path, "SELECT data FROM events WHERE run = ?1 AND event_id = ?2");
  absl::StatusOr<Statement> update =
      Prepare(db, path, "UPDATE runs SET workflow_type = ?2, status = ?3 WHERE id = ?1");
  if (!runs.ok()) return runs.status();
  if (!select.ok()) return select.status();
  if (!update.ok()) return update.status();
  temporal::api::history::v1::HistoryEvent event;
  for (;;) {
    const int code = sqlite3_step(runs->get());
    if (code == SQLITE_DONE) return absl::OkStatus();
    if (code != SQLITE_ROW) return Error(db, code, path, "listing runs");
    const int64_t run = sqlite3_column_int64(runs->get(), 0);
    const std::string workflow_id(ColumnBytes(runs->get(), 1));
    const std::string run_id(ColumnBytes(runs->get(), 2));
    const int64_t count = sqlite3_column_int64(runs->get(), 3);
    absl::Status read = ReadEvent(db, path, select->get(), run, workflow_id, run_id, 1, &event);
    if (!read.ok()) return read;
    if (!event.has_workflow_execution_started_event_attributes()) {
      return absl::DataLossError(absl::StrCat(path, ": ", ExecutionName(workflow_id, run_id),
                                              ": stored event 1 is not WorkflowExecutionStarted"));
    }
    const std::string type =
        event.workflow_execution_started_event_attributes().workflow_type().name();
    read = ReadEvent(db, path, select->get(), run, workflow_id, run_id, count, &event);
    if (!read.ok()) return read;
    StatementUse use(update->get());
    sqlite3_bind_int64(update->get(), 1, run);
    BindText(update->get(), 2, type);
    sqlite3_bind_int64(update->get(), 3, RunStatusAfter(event.event_type()));
    if (const int done = sqlite3_step(update->get()); done != SQLITE_DONE) {
      return Error(db, done, path, "updating a run");
    }
  }
}

absl::Status Version1To2(sqlite3* db, absl::string_view path) {
  if (absl::Status tables = Exec(db, path, kVersion1To2); !tables.ok()) return tables;
  return BackfillRuns(db, path);
}

absl::Status Version2To3(sqlite3* db, absl::string_view path) {
  return Exec(db, path, kVersion2To3);
}

struct Migration {
  int64_t to;
  absl::Status (*apply)(sqlite3* db, absl::string_view path);
};

// In order; the last one's `to` is kSchemaVersion. A new file goes through all of them.
constexpr Migration kMigrations[] = {
    {1, CreateVersion1},
    {2, Version1To2},
    {3, Version2To3},
};
static_assert(kMigrations[std::size(kMigrations) - 1].to == kSchemaVersion);

// One migration in a transaction of its own, if the file is not past it already (another
// connection may have migrated it since this one looked).
absl::Status Apply(sqlite3* db, absl::string_view path, const Migration& migration) {
  if (absl::Status begin = Exec(db, path, "BEGIN IMMEDIATE"); !begin.ok()) return begin;
  absl::Status status = [&]() -> absl::Status {
    absl::StatusOr<int64_t> version = ReadSchemaVersion(db, path);
    if (!version.ok()) return version.status();
    if (*version >= migration.to) return absl::OkStatus();
    if (absl::Status applied = migration.apply(db, path); !applied.ok()) {
      return absl::Status(applied.code(), absl::StrCat("migrating to schema version ", migration.to,
                                                       ": ", applied.message()));
    }
    return Exec(db, path, absl::StrCat("PRAGMA user_version = ", migration.to).c_str());
  }();
  if (!status.ok()) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return status;
  }
  return Exec(db, path, "COMMIT");
}

}  // namespace

absl::StatusOr<int64_t> ReadSchemaVersion(sqlite3* db, absl::string_view path) {
  absl::StatusOr<int64_t> version = QueryInt(db, path, "PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (*version > kSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": schema version ", *version, " is newer than this build knows (",
                     kSchemaVersion, "); open it with a newer Lockstep"));
  }
  if (*version == 0) {
    absl::StatusOr<int64_t> tables =
        QueryInt(db, path, "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
    if (!tables.ok()) return tables.status();
    if (*tables > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, ": a SQLite database with tables of its own, not a Lockstep history store"));
    }
  }
  return version;
}

absl::Status Migrate(sqlite3* db, absl::string_view path) {
  // The usual case, without taking the write lock.
  absl::StatusOr<int64_t> version = ReadSchemaVersion(db, path);
  if (!version.ok()) return version.status();
  if (*version == kSchemaVersion) return absl::OkStatus();
  for (const Migration& migration : kMigrations) {
    if (absl::Status applied = Apply(db, path, migration); !applied.ok()) return applied;
  }
  return absl::OkStatus();
}

}  // namespace lockstep::store::sqlite
