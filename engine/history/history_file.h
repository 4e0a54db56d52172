// Loading and saving history files: JSON (either Temporal shape) and binary protobuf
// (a serialized temporal.api.history.v1.History, as Temporal tooling writes it).
//
// Format detection: ".json" is JSON; ".pb", ".binpb", ".bin" and ".history" are binary;
// any other name is sniffed (binary if it parses as a History whose first field is events,
// JSON otherwise). Loading validates every history (validate.h) unless told not to.
// Saving writes to a temporary file in the same directory and renames it over the target,
// so a reader never sees a half-written file.
#ifndef LOCKSTEP_ENGINE_HISTORY_HISTORY_FILE_H_
#define LOCKSTEP_ENGINE_HISTORY_HISTORY_FILE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/history/history_list.h"
#include "engine/history/json_reader.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::history {

enum class HistoryFormat { kJson, kBinary };

struct LoadOptions {
  bool validate = true;
  JsonReadOptions json;
};

struct LoadedHistories {
  std::string path;
  HistoryFormat format = HistoryFormat::kJson;
  HistoryList histories;     // on one arena; see history_list.h
  JsonReadStats json_stats;  // what the JSON reader skipped (empty for binary)
};

// Reads the whole file. Errors name the file and, for content problems, the event.
[[nodiscard]] absl::StatusOr<std::string> ReadFileToString(const std::string& path);
// The same followed by `padding` zero bytes (the result is that much longer than the file).
[[nodiscard]] absl::StatusOr<std::string> ReadFileWithPadding(const std::string& path,
                                                              size_t padding);

[[nodiscard]] absl::StatusOr<LoadedHistories> LoadHistoryFile(const std::string& path,
                                                              const LoadOptions& options = {});

// Parses a binary History. `source` names the input in errors.
[[nodiscard]] absl::StatusOr<temporal::api::history::v1::History> ParseHistoryBinary(
    absl::string_view bytes, absl::string_view source);
// The same into `history` (which may live on an arena); on error it holds what was decoded.
[[nodiscard]] absl::Status ParseHistoryBinaryInto(absl::string_view bytes, absl::string_view source,
                                                  temporal::api::history::v1::History* history);

// Deterministic serialization (map entries in key order): the same history always gives
// the same bytes.
std::string SerializeHistoryBinary(const temporal::api::history::v1::History& history);

[[nodiscard]] absl::Status SaveHistoryFile(const std::string& path,
                                           const temporal::api::history::v1::History& history,
                                           HistoryFormat format);

// Writes `contents` to `path` atomically (temporary file, fsync, rename).
[[nodiscard]] absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents);

}  // namespace lockstep::history

#endif  // LOCKSTEP_ENGINE_HISTORY_HISTORY_FILE_H_
