#include "engine/payload/payload_errors.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "engine/payload/encoding.h"
#include "engine/payload/json_encode.h"

namespace lockstep::payload_internal {

absl::Status WrongEncodingError(const temporal::api::common::v1::Payload& payload,
                                std::string_view type_name) {
  const absl::string_view type(type_name.data(), type_name.size());
  std::string_view encoding = EncodingOf(payload);
  if (encoding.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("payload: no \"encoding\" metadata, cannot be decoded as ", type));
  }
  std::string quoted;
  AppendJsonString(encoding, &quoted);
  return absl::InvalidArgumentError(
      absl::StrCat("payload: encoding ", quoted, " cannot be decoded as ", type));
}

absl::Status ArgumentCountError(size_t expected, int got) {
  return absl::InvalidArgumentError(absl::StrCat(
      "payloads: expected ", expected, expected == 1 ? " argument" : " arguments", ", got ", got));
}

absl::Status ArgumentError(size_t index, size_t count, const absl::Status& error) {
  return absl::Status(error.code(), absl::StrCat("payloads: argument ", index + 1, " of ", count,
                                                 ": ", error.message()));
}

}  // namespace lockstep::payload_internal
