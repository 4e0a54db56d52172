#include "engine/machines/version_marker.h"

#include <optional>
#include <string>
#include <utility>

#include "engine/machines/marker_details.h"
#include "engine/payload/payload.h"
#include "engine/payload/struct_mapping.h"

namespace lockstep::machines {
namespace {

namespace enums = temporal::api::enums::v1;

constexpr absl::string_view kChangeIdKey = "change-id";
constexpr absl::string_view kJavaChangeIdKey = "changeId";
constexpr absl::string_view kVersionKey = "version";
constexpr absl::string_view kSearchAttributeUpdatedKey = "version-search-attribute-updated";
constexpr absl::string_view kJavaSearchAttributeUpdatedKey = "versionSearchAttributeUpdated";
constexpr absl::string_view kDeprecatedKey = "deprecated";
// sdk-core's patch markers (crates/common/src/protos/mod.rs, decode_change_marker_details):
// "patch-data" holds JSON {"id", "deprecated"}; markers written before that hold the id's
// bytes in "patch_id" and one byte, non-zero when deprecated, in "deprecated".
constexpr absl::string_view kCorePatchDataKey = "patch-data";
constexpr absl::string_view kCoreOldPatchIdKey = "patch_id";

struct CorePatchData {
  std::string id;
  std::optional<bool> deprecated;
};
LOCKSTEP_JSON_FIELDS(CorePatchData, id, deprecated)

const Payload* FirstPayload(const temporal::api::history::v1::MarkerRecordedEventAttributes& a,
                            absl::string_view key) {
  auto it = a.details().find(std::string(key));
  if (it == a.details().end() || it->second.payloads_size() == 0) return nullptr;
  return &it->second.payloads(0);
}

// A core_patch marker records that the code took the patched branch: version 1 in
// GetVersion's terms (Patched(id) is GetVersion(id, kDefaultVersion, 1) == 1).
std::optional<VersionMarker> ReadCorePatchMarker(
    const temporal::api::history::v1::MarkerRecordedEventAttributes& a) {
  VersionMarker marker;
  marker.version = 1;
  if (a.details().contains(std::string(kCorePatchDataKey))) {
    std::optional<CorePatchData> data = MarkerDetail<CorePatchData>(a, kCorePatchDataKey);
    if (!data || data->id.empty()) return std::nullopt;
    marker.change_id = std::move(data->id);
    marker.deprecated = data->deprecated.value_or(false);
    return marker;
  }
  const Payload* id = FirstPayload(a, kCoreOldPatchIdKey);
  const Payload* deprecated = FirstPayload(a, kDeprecatedKey);
  if (id == nullptr || id->data().empty() || deprecated == nullptr || deprecated->data().empty()) {
    return std::nullopt;
  }
  marker.change_id = id->data();
  marker.deprecated = deprecated->data()[0] != 0;
  return marker;
}

}  // namespace

temporal::api::command::v1::RecordMarkerCommandAttributes VersionMarkerCommand(
    const VersionMarker& marker) {
  temporal::api::command::v1::RecordMarkerCommandAttributes a;
  a.set_marker_name(std::string(kVersionMarker));
  auto& details = *a.mutable_details();
  details[std::string(kChangeIdKey)] = ToPayloads(marker.change_id);
  details[std::string(kVersionKey)] = ToPayloads(marker.version);
  if (marker.search_attribute_updated) {
    details[std::string(kSearchAttributeUpdatedKey)] = ToPayloads(true);
  }
  if (marker.deprecated) details[std::string(kDeprecatedKey)] = ToPayloads(true);
  return a;
}

std::optional<VersionMarker> ReadVersionMarker(
    const temporal::api::history::v1::HistoryEvent& event) {
  if (event.event_type() != enums::EVENT_TYPE_MARKER_RECORDED) return std::nullopt;
  const auto& a = event.marker_recorded_event_attributes();
  if (a.marker_name() == kCorePatchMarker) return ReadCorePatchMarker(a);
  if (a.marker_name() != kVersionMarker) return std::nullopt;
  VersionMarker marker;
  std::optional<std::string> id = MarkerDetail<std::string>(a, kChangeIdKey);
  if (!id) id = MarkerDetail<std::string>(a, kJavaChangeIdKey);
  std::optional<int> version = MarkerDetail<int>(a, kVersionKey);
  if (!id || !version) return std::nullopt;
  marker.change_id = *std::move(id);
  marker.version = *version;
  marker.search_attribute_updated =
      MarkerDetail<bool>(a, kSearchAttributeUpdatedKey).value_or(false) ||
      MarkerDetail<bool>(a, kJavaSearchAttributeUpdatedKey).value_or(false);
  marker.deprecated = MarkerDetail<bool>(a, kDeprecatedKey).value_or(false);
  return marker;
}

bool UpsertsChangeVersion(const temporal::api::history::v1::HistoryEvent& event) {
  if (event.event_type() != enums::EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES) return false;
  const auto& fields = event.upsert_workflow_search_attributes_event_attributes()
                           .search_attributes()
                           .indexed_fields();
  return fields.find(std::string(kChangeVersionSearchAttribute)) != fields.end();
}

}  // namespace lockstep::machines
