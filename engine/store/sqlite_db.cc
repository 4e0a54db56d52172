#include "engine/store/sqlite_db.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace lockstep::store::sqlite {

absl::Status Error(sqlite3* db, int code, absl::string_view path, absl::string_view doing) {
  // The connection's message is more precise than the code's, but only while it describes
  // this code (another call may have run since).
  const char* message =
      db != nullptr && sqlite3_extended_errcode(db) == code ? sqlite3_errmsg(db) : nullptr;
  std::string text =
      absl::StrCat(path, ": ", doing, ": ", message != nullptr ? message : sqlite3_errstr(code));
  switch (code & 0xff) {
    case SQLITE_NOTADB:
      return absl::DataLossError(absl::StrCat(text, " (not a SQLite database)"));
    case SQLITE_CORRUPT:
      return absl::DataLossError(absl::StrCat(text, " (the file is damaged or truncated)"));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(std::move(text));
    default:
      return absl::InternalError(std::move(text));
  }
}

absl::Status Exec(sqlite3* db, absl::string_view path, const char* sql) {
  const int code = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (code != SQLITE_OK) return Error(db, code, path, absl::StrCat("running \"", sql, "\""));
  return absl::OkStatus();
}

absl::StatusOr<Statement> Prepare(sqlite3* db, absl::string_view path, absl::string_view sql,
                                  bool persistent) {
  sqlite3_stmt* raw = nullptr;
  const int code = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                      persistent ? SQLITE_PREPARE_PERSISTENT : 0, &raw, nullptr);
  Statement statement(raw);
  if (code != SQLITE_OK) {
    return Error(db, code, path, absl::StrCat("preparing \"", sql, "\""));
  }
  return statement;
}

namespace {

// Steps the single-row `sql` and hands its statement to `read`.
template <typename Read>
auto QueryOne(sqlite3* db, absl::string_view path, absl::string_view sql, Read read)
    -> absl::StatusOr<decltype(read(static_cast<sqlite3_stmt*>(nullptr)))> {
  absl::StatusOr<Statement> statement = Prepare(db, path, sql);
  if (!statement.ok()) return statement.status();
  const int code = sqlite3_step(statement->get());
  if (code != SQLITE_ROW) {
    if (code == SQLITE_DONE) {
      return absl::InternalError(absl::StrCat(path, ": \"", sql, "\" returned no row"));
    }
    return Error(db, code, path, absl::StrCat("running \"", sql, "\""));
  }
  return read(statement->get());
}

}  // namespace

absl::StatusOr<int64_t> QueryInt(sqlite3* db, absl::string_view path, absl::string_view sql) {
  return QueryOne(db, path, sql,
                  [](sqlite3_stmt* statement) { return sqlite3_column_int64(statement, 0); });
}

absl::StatusOr<std::string> QueryText(sqlite3* db, absl::string_view path, absl::string_view sql) {
  return QueryOne(db, path, sql,
                  [](sqlite3_stmt* statement) { return std::string(ColumnBytes(statement, 0)); });
}

int BindText(sqlite3_stmt* statement, int index, absl::string_view text) {
  return sqlite3_bind_text64(statement, index, text.data(), text.size(), SQLITE_STATIC,
                             SQLITE_UTF8);
}

int BindBlob(sqlite3_stmt* statement, int index, absl::string_view bytes) {
  // A null pointer would bind NULL rather than an empty value.
  static const char kEmpty = 0;
  return sqlite3_bind_blob64(statement, index, bytes.empty() ? &kEmpty : bytes.data(), bytes.size(),
                             SQLITE_STATIC);
}

absl::string_view ColumnBytes(sqlite3_stmt* statement, int index) {
  const void* bytes = sqlite3_column_blob(statement, index);
  const int size = sqlite3_column_bytes(statement, index);
  if (bytes == nullptr || size <= 0) return absl::string_view();
  return absl::string_view(static_cast<const char*>(bytes), static_cast<size_t>(size));
}

}  // namespace lockstep::store::sqlite
