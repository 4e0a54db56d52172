// The SQLite history store's schema, its versions and the migrations between them.
//
// The version is the database's PRAGMA user_version; 0 is a new, empty file. Versions:
//   1  events(workflow_id, run_id, event_id, data): the event rows only; a run's type and
//      status were read from its first and last events.
//   2  runs(id, workflow_id, run_id, workflow_type, status, event_count), with a run's events
//      in events(run, event_id, data) keyed by the run's integer id: listing runs no longer
//      decodes events, and an event row no longer repeats the two ids.
//   3  activity_attempts(run, scheduled_event_id, attempt, attempt_scheduled_time,
//      started_time, started_request_id, last_failure, heartbeat_details): the attempt state
//      of each run's pending activities (engine/service/activity_attempt_state.h; times in
//      Unix nanoseconds, started_time NULL unless the attempt runs, the failure and details
//      serialized protos, NULL for none). Migrating from 2 adds the empty table.
// Migrations run in order, each in a transaction of its own that also sets the version, so a
// failure (or a crash) leaves the file at the last version it reached.
#ifndef LOCKSTEP_ENGINE_STORE_SQLITE_SCHEMA_H_
#define LOCKSTEP_ENGINE_STORE_SQLITE_SCHEMA_H_

#include <sqlite3.h>

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace lockstep::store::sqlite {

// The version this code reads and writes.
inline constexpr int64_t kSchemaVersion = 3;

// The oldest version a read-only open takes as it is (a read-only open cannot migrate):
// version 2 differs from 3 only by the activity_attempts table, and a version-2 file has no
// attempt state to read, so `lockstep replay --store` and `export` read a store the previous
// release wrote without writing to it first. Version 1 kept no runs table: it needs migrating.
inline constexpr int64_t kOldestReadOnlyVersion = 2;

// The file's schema version. FailedPrecondition naming the file for a database that is not a
// history store (version 0 with tables of its own) or is of a version newer than this code.
absl::StatusOr<int64_t> ReadSchemaVersion(sqlite3* db, absl::string_view path);

// Brings the file to kSchemaVersion (a new file is created at it). Errors name the file, and the
// execution and event when a stored row does not decode.
absl::Status Migrate(sqlite3* db, absl::string_view path);

}  // namespace lockstep::store::sqlite

#endif  // LOCKSTEP_ENGINE_STORE_SQLITE_SCHEMA_H_
