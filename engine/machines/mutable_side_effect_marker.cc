#include "engine/machines/mutable_side_effect_marker.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/machines/marker_details.h"
#include "engine/machines/marker_machine.h"
#include "engine/payload/encoding.h"
#include "engine/payload/payload.h"
#include "engine/payload/protobuf_payload.h"
#include "google/protobuf/util/json_util.h"

namespace lockstep::machines {
namespace {

namespace enums = temporal::api::enums::v1;

// Go's mutableSideEffectCallCounterName (internal_command_state_machine.go).
constexpr absl::string_view kCallCounterKey = "mutable-side-effect-call-counter";

// The value as Go's default data converter writes a Payloads message: json/protobuf, with
// its messageType (converter.ProtoJSONPayloadConverter comes before the binary one).
temporal::api::common::v1::Payload JsonProtobufPayload(
    const temporal::api::common::v1::Payloads& value) {
  temporal::api::common::v1::Payload payload;
  std::string json;
  // Serializing a message that was parsed or built in memory does not fail.
  (void)google::protobuf::util::MessageToJsonString(value, &json);
  auto& metadata = *payload.mutable_metadata();
  metadata["encoding"] = std::string(kEncodingJsonProtobuf);
  metadata["messageType"] = value.GetDescriptor()->full_name();
  payload.set_data(std::move(json));
  return payload;
}

}  // namespace

std::string MutableSideEffectId(absl::string_view id, int64_t event_id) {
  return absl::StrCat(id, "_", event_id);
}

temporal::api::command::v1::RecordMarkerCommandAttributes MutableSideEffectMarkerCommand(
    const MutableSideEffectMarker& marker) {
  temporal::api::command::v1::RecordMarkerCommandAttributes a;
  a.set_marker_name(std::string(kMutableSideEffectMarker));
  auto& details = *a.mutable_details();
  details[std::string(kSideEffectIdKey)] = ToPayloads(marker.side_effect_id);
  // Go's recordMutableSideEffect: details "data" = encodeArgs(id, data).
  temporal::api::common::v1::Payloads data = ToPayloads(marker.id);
  *data.add_payloads() = JsonProtobufPayload(marker.value);
  details[std::string(kSideEffectDataKey)] = std::move(data);
  if (marker.call_counter) details[std::string(kCallCounterKey)] = ToPayloads(*marker.call_counter);
  return a;
}

std::optional<MutableSideEffectMarker> ReadMutableSideEffectMarker(
    const temporal::api::history::v1::HistoryEvent& event) {
  if (event.event_type() != enums::EVENT_TYPE_MARKER_RECORDED) return std::nullopt;
  const auto& a = event.marker_recorded_event_attributes();
  if (a.marker_name() != kMutableSideEffectMarker) return std::nullopt;
  MutableSideEffectMarker marker;
  std::optional<std::string> side_effect_id = MarkerDetail<std::string>(a, kSideEffectIdKey);
  auto data = a.details().find(std::string(kSideEffectDataKey));
  if (!side_effect_id || data == a.details().end() || data->second.payloads_size() != 2) {
    return std::nullopt;
  }
  // Go's handleMarkerRecorded: "data" holds the id, then the value's Payloads.
  temporal::api::common::v1::Payloads id_only;
  *id_only.add_payloads() = data->second.payloads(0);
  auto id = FromPayloads<std::string>(id_only);
  if (!id.ok()) return std::nullopt;
  if (!payload_internal::DecodeProtobufPayload(data->second.payloads(1), &marker.value).ok()) {
    return std::nullopt;
  }
  marker.id = std::get<0>(*std::move(id));
  marker.side_effect_id = *std::move(side_effect_id);
  marker.call_counter = MarkerDetail<int>(a, kCallCounterKey);
  return marker;
}

}  // namespace lockstep::machines
