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

bool SamePayloads(const Payloads& a, const Payloads& b) {
  if (a.payloads_size() != b.payloads_size()) return false;
  for (int i = 0; i < a.payloads_size(); ++i) {
    const Payload& x = a.payloads(i);
    const Payload& y = b.payloads(i);
    if (x.data() != y.data() || x.metadata_size() != y.metadata_size() ||
        x.external_payloads_size() != y.external_payloads_size()) {
      return false;
    }
    for (const auto& [key, value] : x.metadata()) {
      auto it = y.metadata().find(key);
      if (it == y.metadata().end() || it->second != value) return false;
    }
    for (int e = 0; e < x.external_payloads_size(); ++e) {
      if (x.external_payloads(e).size_bytes() != y.external_payloads(e).size_bytes()) return false;
    }
  }
  return true;
}

}  // namespace lockstep
