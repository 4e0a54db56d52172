// Ownership of SQLite connections and statements, and error statuses, over SQLite's C API,
// for the SQLite history store. Every error names the database file, so a message read in a log
// says which store it is about.
#ifndef LOCKSTEP_ENGINE_STORE_SQLITE_DB_H_
#define LOCKSTEP_ENGINE_STORE_SQLITE_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace lockstep::store::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// Resets a statement and clears its bindings when it goes out of scope, so a cached statement
// is ready for its next use however the last one ended (and releases its read of the database).
class StatementUse {
 public:
  explicit StatementUse(sqlite3_stmt* statement) : statement_(statement) {}
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  ~StatementUse() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }

 private:
  sqlite3_stmt* statement_;
};

// "PATH: DOING: SQLite's message". Corruption (including a file that is not a database) is
// DataLoss, a lock held too long Unavailable, anything else Internal.
absl::Status Error(sqlite3* db, int code, absl::string_view path, absl::string_view doing);

// Runs `sql` (one or more statements, no results wanted).
absl::Status Exec(sqlite3* db, absl::string_view path, const char* sql);

// Prepares `sql`; `persistent` for statements cached for the life of the connection.
absl::StatusOr<Statement> Prepare(sqlite3* db, absl::string_view path, absl::string_view sql,
                                  bool persistent = false);

// The integer the single-row, single-column `sql` returns (a PRAGMA, a count).
absl::StatusOr<int64_t> QueryInt(sqlite3* db, absl::string_view path, absl::string_view sql);
// The same for a text result.
absl::StatusOr<std::string> QueryText(sqlite3* db, absl::string_view path, absl::string_view sql);

// Binds text or bytes without copying: the caller keeps them alive until the statement is
// reset.
int BindText(sqlite3_stmt* statement, int index, absl::string_view text);
int BindBlob(sqlite3_stmt* statement, int index, absl::string_view bytes);
// Column `index` of the current row as bytes (empty for NULL or a zero-length value).
absl::string_view ColumnBytes(sqlite3_stmt* statement, int index);

}  // namespace lockstep::store::sqlite

#endif  // LOCKSTEP_ENGINE_STORE_SQLITE_DB_H_
