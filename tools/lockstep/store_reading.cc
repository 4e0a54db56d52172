#include "tools/lockstep/store_reading.h"

#include <filesystem>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace lockstep::cli {

absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> OpenStoreForReading(
    const std::string& path) {
  // SQLite says only "unable to open database file" for these.
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  }
  if (std::filesystem::is_directory(status)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": a directory, not a Lockstep history store"));
  }
  return store::SqliteHistoryStore::Open(path, {.read_only = true});
}

}  // namespace lockstep::cli
