#include "engine/payload/payload.h"

#include <string>

namespace lockstep {

Payload NullPayload() {
  Payload payload;
  (*payload.mutable_metadata())[std::string(kEncodingKey)] = std::string(kEncodingBinaryNull);
  return payload;
}

namespace payload_internal {

void MarkJsonPlain(Payload* payload) {
  (*payload->mutable_metadata())[std::string(kEncodingKey)] = std::string(kEncodingJsonPlain);
}

}  // namespace payload_internal
}  // namespace lockstep
