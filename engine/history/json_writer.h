// Writes histories (or any message of the Temporal schema) in the current protobuf-JSON
// shape that Temporal tooling reads: lowerCamelCase keys, enum values by full name
// (`EVENT_TYPE_TIMER_FIRED`), 64-bit integers as strings, bytes as padded base64, RFC 3339
// timestamps and "1.5s" durations.
//
// Output is deterministic: fields in declaration order, map entries sorted by key, fields at
// their default value omitted (as protobuf does for proto3), numbers formatted without locale.
// The same message always gives the same bytes, on every compiler and platform.
#ifndef LOCKSTEP_ENGINE_HISTORY_JSON_WRITER_H_
#define LOCKSTEP_ENGINE_HISTORY_JSON_WRITER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::history {

struct JsonWriteOptions {
  // Two-space indentation and one key per line (Temporal CLI's layout); false gives the
  // most compact form.
  bool pretty = true;
};

// Appends `s` as a JSON string literal (quotes, escapes for '"', '\\' and control
// characters; other bytes as they are).
void AppendJsonString(absl::string_view s, std::string* out);

// Appends `message` as JSON to `out`.
void AppendMessageJson(const google::protobuf::Message& message, const JsonWriteOptions& options,
                       std::string* out);

// Appends one history as `{"events":[...]}`. The events key is always written, even for no
// events (where protobuf JSON would write `{}`), so the text reads back as a history.
void AppendHistoryJson(const temporal::api::history::v1::History& history,
                       const JsonWriteOptions& options, std::string* out);

// AppendHistoryJson's text, followed by a newline.
std::string HistoryToJson(const temporal::api::history::v1::History& history,
                          const JsonWriteOptions& options = {});

}  // namespace lockstep::history

#endif  // LOCKSTEP_ENGINE_HISTORY_JSON_WRITER_H_
