#include "engine/machines/version_marker.h"

#include <string>

#include "engine/machines/marker_details.h"
#include "engine/payload/payload.h"

namespace lockstep::machines {
namespace {

namespace enums = temporal::api::enums::v1;

constexpr absl::string_view kChangeIdKey = "change-id";
constexpr absl::string_view kJavaChangeIdKey = "changeId";
constexpr absl::string_view kVersionKey = "version";
constexpr absl::string_view kSearchAttributeUpdatedKey = "version-search-attribute-updated";
constexpr absl::string_view kJavaSearchAttributeUpdatedKey = "versionSearchAttributeUpdated";
constexpr absl::string_view kDeprecatedKey = "deprecated";

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
