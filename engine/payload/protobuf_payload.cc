#include "engine/payload/protobuf_payload.h"

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "engine/payload/encoding.h"
#include "engine/payload/json_encode.h"
#include "engine/payload/payload_errors.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"

namespace lockstep::payload_internal {

using temporal::api::common::v1::Payload;

Payload EncodeProtobufPayload(const google::protobuf::Message& message) {
  Payload payload;
  {
    google::protobuf::io::StringOutputStream stream(payload.mutable_data());
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    // Partial: a proto2 message missing required fields still encodes (and decodes).
    message.SerializePartialToCodedStream(&coded);
  }
  auto& metadata = *payload.mutable_metadata();
  metadata[std::string(kEncodingKey)] = std::string(kEncodingBinaryProtobuf);
  metadata[std::string(kMessageTypeKey)] = message.GetDescriptor()->full_name();
  return payload;
}

absl::Status DecodeProtobufPayload(const Payload& payload, google::protobuf::Message* message) {
  const std::string& full_name = message->GetDescriptor()->full_name();
  std::string_view encoding = EncodingOf(payload);
  const bool binary = encoding == kEncodingBinaryProtobuf;
  if (!binary && encoding != kEncodingJsonProtobuf) {
    return WrongEncodingError(payload, absl::StrCat("protobuf message ", full_name));
  }
  std::string_view message_type = MetadataValue(payload, kMessageTypeKey);
  if (!message_type.empty() && message_type != full_name) {
    std::string quoted;
    AppendJsonString(message_type, &quoted);
    return absl::InvalidArgumentError(absl::StrCat(
        "payload: messageType ", quoted, " cannot be decoded as protobuf message ", full_name));
  }
  if (binary) {
    if (!message->ParsePartialFromString(payload.data())) {
      return absl::InvalidArgumentError(
          absl::StrCat("payload: data is not a valid binary/protobuf ", full_name));
    }
    return absl::OkStatus();
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto status = google::protobuf::util::JsonStringToMessage(payload.data(), message, options);
  if (!status.ok()) {
    auto text = status.message();
    return absl::InvalidArgumentError(
        absl::StrCat("payload: data is not a valid json/protobuf ", full_name, " (",
                     absl::string_view(text.data(), text.size()), ")"));
  }
  return absl::OkStatus();
}

}  // namespace lockstep::payload_internal
