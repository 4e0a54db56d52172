// UTF-8 in protobuf string fields.
//
// Protobuf (3.21) serializes a `string` field holding bytes that are not valid UTF-8 (it only
// logs a complaint) but refuses to parse it back, and Temporal's server refuses such a request.
// The service stores histories serialized (event_log.h), so a string that is not UTF-8 must be
// stopped where it enters: a client call or a worker's command. These helpers find one, with
// protobuf's own notion of valid UTF-8, so that what passes here also parses.
#ifndef LOCKSTEP_ENGINE_HISTORY_UTF8_FIELDS_H_
#define LOCKSTEP_ENGINE_HISTORY_UTF8_FIELDS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "temporal/api/common/v1/message.pb.h"

namespace lockstep::history {

// Whether `text` is valid UTF-8 as protobuf's parser checks it.
bool IsValidUtf8(absl::string_view text);

// The path of the first `string` field of `message` (nested messages, repeated fields and map
// keys and values included; `bytes` fields are not text) that is not valid UTF-8, such as
// "start_child_workflow_execution_command_attributes.workflow_id" or
// "header.fields[key]"; nullopt if there is none. Walks the message by reflection: meant for
// messages entering the service (commands, requests), not for every event.
std::optional<std::string> FindInvalidUtf8(const google::protobuf::Message& message);

// InvalidArgument naming `what` (a request field) when `text` is not valid UTF-8.
absl::Status CheckUtf8(absl::string_view what, absl::string_view text);
// The same for every string field of `message`, naming `what` and the field (reflection).
absl::Status CheckUtf8(absl::string_view what, const google::protobuf::Message& message);
// The same without reflection, for what a signal carries on the hot path: the payloads'
// metadata keys, the header's field names and their payloads' keys.
absl::Status CheckUtf8(absl::string_view what, const temporal::api::common::v1::Payloads& payloads);
absl::Status CheckUtf8(absl::string_view what, const temporal::api::common::v1::Header& header);

}  // namespace lockstep::history

#endif  // LOCKSTEP_ENGINE_HISTORY_UTF8_FIELDS_H_
