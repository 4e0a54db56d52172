// Reads Temporal workflow histories from JSON.
//
// Accepted input (every shape Temporal tooling has written):
//   - `{"events":[...]}`                 one history (temporal CLI, tctl, UI download)
//   - `[{"events":[...]}, ...]`          several histories (temporalio/features fixtures)
//   - `[{event}, {event}, ...]`          a bare event list
//   - `{"history":{"events":[...]}}`     a GetWorkflowExecutionHistory response
// Within events: enum values in the current (`EVENT_TYPE_TIMER_FIRED`) or old (`TimerFired`)
// spelling, mixed freely; 64-bit and 32-bit integers as JSON numbers or strings; explicit
// nulls (treated as absent); keys in lowerCamelCase or snake_case; unknown keys (skipped and
// counted, see JsonReadStats); durations ("10s", "0.000000001s") and RFC 3339 timestamps with
// 0 to 9 fractional digits. Payloads accept base64 (the protobuf-JSON form) and the decoded
// form some UI exports write (raw-text metadata and data, or a bare JSON value standing for a
// json/plain payload); docs/history-json.md gives the exact rules.
//
// Errors: InvalidArgument whose message starts with `source` and names the event (index and
// eventId) and the JSON path of the offending value. The reader never aborts on bad input.
// It checks syntax and types only; history-level rules live in validate.h.
#ifndef LOCKSTEP_ENGINE_HISTORY_JSON_READER_H_
#define LOCKSTEP_ENGINE_HISTORY_JSON_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/history/history_list.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::history {

// What the reader skipped. Unknown keys are not an error (newer Temporal servers add fields),
// but they are not silently lost either: callers report them.
struct JsonReadStats {
  int64_t unknown_keys = 0;
  // JSON paths of the first few unknown keys, in document order.
  std::vector<std::string> unknown_key_examples;
};

// Temporal's servers reject payloads over 2 MB by default (the blob size limit) and many
// deployments raise that; anything far beyond is a corrupt or hostile file, not a history.
inline constexpr int64_t kDefaultMaxPayloadBytes = int64_t{64} << 20;

struct JsonReadOptions {
  // When false, an unknown key is an error instead of being skipped.
  bool allow_unknown_keys = true;
  // A payload whose data is larger than this is an error.
  int64_t max_payload_bytes = kDefaultMaxPayloadBytes;
};

// Parses `json` (the whole text of `source`, which is used only in messages). The histories
// come on one arena (history_list.h).
[[nodiscard]] absl::StatusOr<HistoryList> ParseHistoriesJson(absl::string_view json,
                                                             absl::string_view source,
                                                             const JsonReadOptions& options = {},
                                                             JsonReadStats* stats = nullptr);

// How many readable bytes ParseHistoriesJsonPadded needs past the end of the text (the
// parser reads ahead in 64-byte blocks).
inline constexpr size_t kJsonPadding = 64;

// The same for text followed by at least kJsonPadding readable bytes of any value (for
// example a file read into a buffer with room to spare): the text is parsed where it is
// instead of being copied into a padded buffer first.
[[nodiscard]] absl::StatusOr<HistoryList> ParseHistoriesJsonPadded(
    absl::string_view json, absl::string_view source, const JsonReadOptions& options = {},
    JsonReadStats* stats = nullptr);

// Parses history after history, keeping what one parse sets up for the next: simdjson's
// buffers (grown to the largest text so far) and the reader's plan of each message type. For
// batches of small histories, where setting these up again costs about as much as the parse.
//
// Contract: one thread at a time (one parser per thread); the results are the same as
// ParseHistoriesJsonPadded's for the same text and options, errors included.
class JsonHistoryParser {
 public:
  JsonHistoryParser();
  ~JsonHistoryParser();
  JsonHistoryParser(JsonHistoryParser&&) noexcept;
  JsonHistoryParser& operator=(JsonHistoryParser&&) noexcept;

  // The arena bytes a text of `json_bytes` takes, about (a HistoryList size hint).
  static size_t ArenaHint(size_t json_bytes);

  // As ParseHistoriesJsonPadded (the text is followed by kJsonPadding readable bytes), adding
  // the histories to `histories`, which should be empty. On error `histories` holds what was
  // read before it, to be cleared by the caller.
  [[nodiscard]] absl::Status ParsePadded(absl::string_view json, absl::string_view source,
                                         const JsonReadOptions& options, JsonReadStats* stats,
                                         HistoryList* histories);

  // Sets up now what the first parse would set up on its way: protobuf's descriptors of the
  // history schema (built on first use, about a millisecond, under protobuf's lock) and this
  // parser's plan of every message type an event can hold. For a thread with time to spare
  // before its first history, such as a batch's worker while the batch is being listed. The
  // results of later parses do not depend on whether it was called.
  void Prepare();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace lockstep::history

#endif  // LOCKSTEP_ENGINE_HISTORY_JSON_READER_H_
