// Version markers: what GetVersion / Patched / DeprecatePatch record, and how recorded ones
// are read.
//
// A version marker is a RecordMarker command whose only event is its MarkerRecorded record
// (the RecordTransitions machine of marker_machine.h). Lockstep writes Temporal's Go SDK
// shape: marker name "Version", details "change-id" and "version" (JSON), and
// "version-search-attribute-updated" = true when the TemporalChangeVersion search attribute
// was upserted right after it; "deprecated" = true marks a DeprecatePatch marker. It reads
// the Go shape, the Java SDK's ("changeId") and sdk-core's (marker "core_patch", under the
// Python, TypeScript, .NET and Ruby SDKs: details "patch-data" = JSON {"id", "deprecated"},
// or in its older format raw bytes "patch_id" and a one-byte "deprecated"), so histories of
// any of them replay. A core_patch marker reads as version 1: the patched branch.
#ifndef LOCKSTEP_ENGINE_MACHINES_VERSION_MARKER_H_
#define LOCKSTEP_ENGINE_MACHINES_VERSION_MARKER_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::machines {

inline constexpr absl::string_view kVersionMarker = "Version";
inline constexpr absl::string_view kCorePatchMarker = "core_patch";
inline constexpr absl::string_view kChangeVersionSearchAttribute = "TemporalChangeVersion";

struct VersionMarker {
  std::string change_id;
  int version = 0;
  bool search_attribute_updated = false;
  bool deprecated = false;
};

// The RecordMarker command attributes for `marker`.
temporal::api::command::v1::RecordMarkerCommandAttributes VersionMarkerCommand(
    const VersionMarker& marker);

// The version marker `event` records, or nullopt if it is not one (or is unreadable).
std::optional<VersionMarker> ReadVersionMarker(
    const temporal::api::history::v1::HistoryEvent& event);

// Whether `event` upserts the TemporalChangeVersion search attribute.
bool UpsertsChangeVersion(const temporal::api::history::v1::HistoryEvent& event);

}  // namespace lockstep::machines

#endif  // LOCKSTEP_ENGINE_MACHINES_VERSION_MARKER_H_
