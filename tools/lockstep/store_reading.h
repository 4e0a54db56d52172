// Opening a history store (engine/store) for the commands that read one: `lockstep export` and
// `lockstep replay --store`. The store is opened read-only, so the engine may go on writing it,
// and nothing is created or migrated. A path that is missing, a directory, or not a store is
// refused with a message naming it, which the commands report as a usage error.
#ifndef LOCKSTEP_TOOLS_LOCKSTEP_STORE_READING_H_
#define LOCKSTEP_TOOLS_LOCKSTEP_STORE_READING_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "engine/store/sqlite_history_store.h"

namespace lockstep::cli {

[[nodiscard]] absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> OpenStoreForReading(
    const std::string& path);

}  // namespace lockstep::cli

#endif  // LOCKSTEP_TOOLS_LOCKSTEP_STORE_READING_H_
