// The error statuses of payload decoding that do not come from inside a JSON document.
// All are InvalidArgument.
#ifndef LOCKSTEP_ENGINE_PAYLOAD_PAYLOAD_ERRORS_H_
#define LOCKSTEP_ENGINE_PAYLOAD_PAYLOAD_ERRORS_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"
#include "temporal/api/common/v1/message.pb.h"

namespace lockstep::payload_internal {

// `payload: encoding "binary/protobuf" cannot be decoded as std::string`, or
// `payload: no "encoding" metadata, cannot be decoded as std::string`.
absl::Status WrongEncodingError(const temporal::api::common::v1::Payload& payload,
                                std::string_view type_name);

// `payloads: expected 2 arguments, got 1`.
absl::Status ArgumentCountError(size_t expected, int got);

// `payloads: argument 2 of 3: <error's message>` (index is 0-based, the text 1-based).
absl::Status ArgumentError(size_t index, size_t count, const absl::Status& error);

}  // namespace lockstep::payload_internal

#endif  // LOCKSTEP_ENGINE_PAYLOAD_PAYLOAD_ERRORS_H_
