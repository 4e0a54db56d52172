// Payload encodings: the metadata Temporal SDKs write on a temporal.api.common.v1.Payload.
//
// Every payload carries metadata "encoding" naming how its data is to be read. Lockstep writes
// and reads the four encodings Temporal's default data converter uses:
//   json/plain       data is UTF-8 JSON text
//   binary/protobuf  data is a serialized protobuf message; metadata "messageType" names it
//   json/protobuf    data is the protobuf JSON form of a message; "messageType" as above
//   binary/null      no value (data is empty)
#ifndef LOCKSTEP_ENGINE_PAYLOAD_ENCODING_H_
#define LOCKSTEP_ENGINE_PAYLOAD_ENCODING_H_

#include <string_view>

#include "temporal/api/common/v1/message.pb.h"

namespace lockstep {

inline constexpr std::string_view kEncodingKey = "encoding";
inline constexpr std::string_view kMessageTypeKey = "messageType";

inline constexpr std::string_view kEncodingJsonPlain = "json/plain";
inline constexpr std::string_view kEncodingBinaryProtobuf = "binary/protobuf";
inline constexpr std::string_view kEncodingJsonProtobuf = "json/protobuf";
inline constexpr std::string_view kEncodingBinaryNull = "binary/null";

// The value of metadata `key`, or empty when the payload has none. The view points into
// `payload` and lives as long as it is not modified.
inline std::string_view MetadataValue(const temporal::api::common::v1::Payload& payload,
                                      std::string_view key) {
  const auto& metadata = payload.metadata();
  auto it = metadata.find<std::string_view>(key);
  if (it == metadata.end()) return {};
  return it->second;
}

// The payload's "encoding" metadata, or empty when it has none.
inline std::string_view EncodingOf(const temporal::api::common::v1::Payload& payload) {
  return MetadataValue(payload, kEncodingKey);
}

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_PAYLOAD_ENCODING_H_
