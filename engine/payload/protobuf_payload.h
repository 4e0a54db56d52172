// Protobuf messages as payloads, the way Temporal SDKs write them.
//
// Encoding: binary/protobuf, data = the message serialized deterministically (map entries in
// key order), metadata "messageType" = the message's full name.
// Decoding: binary/protobuf or json/protobuf (protobuf JSON, unknown fields ignored). When the
// payload names a messageType, it must be the target's full name.
#ifndef LOCKSTEP_ENGINE_PAYLOAD_PROTOBUF_PAYLOAD_H_
#define LOCKSTEP_ENGINE_PAYLOAD_PROTOBUF_PAYLOAD_H_

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "temporal/api/common/v1/message.pb.h"

namespace lockstep::payload_internal {

temporal::api::common::v1::Payload EncodeProtobufPayload(const google::protobuf::Message& message);

// Fills `message` (of the target type) from `payload`. InvalidArgument on a wrong encoding, a
// messageType naming another message, or data that does not parse.
[[nodiscard]] absl::Status DecodeProtobufPayload(const temporal::api::common::v1::Payload& payload,
                                                 google::protobuf::Message* message);

}  // namespace lockstep::payload_internal

#endif  // LOCKSTEP_ENGINE_PAYLOAD_PROTOBUF_PAYLOAD_H_
