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
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/history/history_list.h"
#include "engine/history/json_reader.h"
#include "engine/history/padded_file.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::history {

enum class HistoryFormat { kJson, kBinary };

// A history file larger than this is refused before it is parsed. JSON parsing takes about
// ten times a file's size in memory (json_reader.h), so the default keeps a load under 1 GB;
// Temporal's servers refuse histories over 50 MB (limit.historySize.error), whose JSON form
// can be larger: raise it with --max-file-bytes for those.
inline constexpr int64_t kDefaultMaxFileBytes = int64_t{64} << 20;

// Temporal's servers refuse histories over 51,200 events (limit.historyCount.error); ten
// times that is room for raised limits while bounding what one replay of the file costs.
inline constexpr int64_t kDefaultMaxEvents = 512000;

struct LoadOptions {
  bool validate = true;
  // Checked against a regular file's size before reading, and while reading anything else.
  int64_t max_file_bytes = kDefaultMaxFileBytes;
  // Events in one history (--max-events).
  int64_t max_events = kDefaultMaxEvents;
  JsonReadOptions json;  // the payload size limit (--max-payload-bytes) and key handling
};

struct LoadedHistories {
  std::string path;
  HistoryFormat format = HistoryFormat::kJson;
  HistoryList histories;     // on one arena; see history_list.h
  JsonReadStats json_stats;  // what the JSON reader skipped (empty for binary)
};

// Reads the whole file, refusing one of more than `max_bytes` (for a pipe or device, after
// reading max_bytes + 1). Errors name the file and, for content problems, the event.
[[nodiscard]] absl::StatusOr<std::string> ReadFileToString(
    const std::string& path, int64_t max_bytes = kDefaultMaxFileBytes);
// The same followed by `padding` zero bytes (the result is that much longer than the file).
[[nodiscard]] absl::StatusOr<std::string> ReadFileWithPadding(
    const std::string& path, size_t padding, int64_t max_bytes = kDefaultMaxFileBytes);
// The same for a file the caller has open (`path` only names it in errors), read from its
// current position; `fd` stays open. A FIFO or a device must be read through the descriptor
// that found it to be one: opening it again may find its writer gone (a FIFO's writer dies
// when the first reader closes) and wait forever.
[[nodiscard]] absl::StatusOr<std::string> ReadOpenFileWithPadding(int fd, const std::string& path,
                                                                  size_t padding,
                                                                  int64_t max_bytes);
// "FILE: N bytes is over the limit of M bytes ... --max-file-bytes"; size < 0 for a stream
// whose size is unknown.
absl::Status FileTooLargeError(absl::string_view path, int64_t size, int64_t max_bytes);

[[nodiscard]] absl::StatusOr<LoadedHistories> LoadHistoryFile(const std::string& path,
                                                              const LoadOptions& options = {});

// Loads file after file as LoadHistoryFile does (same formats, limits, validation and errors),
// keeping what one load sets up for the next: the read buffer (small files are read, not
// mapped: padded_file.h), the arena's first block (reset, not freed, between files) and the
// JSON parser's state. A batch of small files then costs no mapping, no fresh page and
// almost no allocation per file, where LoadHistoryFile pays each of these every time.
//
// Contract: one thread at a time (one loader per thread). The histories of a load are valid
// until the next Load or the loader's destruction; after a failed Load, loaded() holds none.
class HistoryLoader {
 public:
  explicit HistoryLoader(const LoadOptions& options = {});

  [[nodiscard]] absl::Status Load(const std::string& path);
  // One history that `read` writes into the empty History it is given, on the loader's arena
  // (a history store's run), checked as a file's are: the event limit, then validation, with
  // `source` naming it in errors. loaded().path is `source`, its format binary.
  [[nodiscard]] absl::Status LoadWith(
      const std::string& source,
      const std::function<absl::Status(temporal::api::history::v1::History*)>& read);
  const LoadedHistories& loaded() const { return loaded_; }

  // JsonHistoryParser::Prepare for this loader's parser: what the first JSON load would set
  // up, set up now.
  void Prepare() { parser_.Prepare(); }

 private:
  // Empties loaded_ for the next load, keeping a first block of at least `bytes`.
  void Reset(const std::string& path, HistoryFormat format, size_t bytes);

  LoadOptions options_;
  PaddedFileReader reader_;
  JsonHistoryParser parser_;
  LoadedHistories loaded_;
};

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
