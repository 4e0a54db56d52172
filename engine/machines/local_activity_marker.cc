#include "engine/machines/local_activity_marker.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/machines/marker_details.h"
#include "engine/payload/payload.h"

namespace lockstep::machines {
namespace {

namespace enums = temporal::api::enums::v1;
using S = LocalActivityState;
using T = LocalActivityTrigger;

constexpr Transition<S, T> kRows[] = {
    {S::kCreated, T::kResolved, S::kResolved},
    {S::kCreated, T::kCancelByCode, S::kWithdrawn},
};

// The Go SDK's "data" detail. Member names are the JSON keys Temporal's Go SDK writes.
struct GoMarkerData {
  std::string ActivityID;    // NOLINT(readability-identifier-naming)
  std::string ActivityType;  // NOLINT(readability-identifier-naming)
  std::string ReplayTime;    // NOLINT(readability-identifier-naming)
  int32_t Attempt = 1;       // NOLINT(readability-identifier-naming)
  int64_t Backoff = 0;       // NOLINT(readability-identifier-naming)
};
LOCKSTEP_JSON_FIELDS(GoMarkerData, ActivityID, ActivityType, ReplayTime, Attempt, Backoff)

// sdk-core's "data" detail (LocalActivityMarkerData as JSON); the times and the backoff it also
// holds are not needed to replay.
struct CoreMarkerData {
  int64_t seq = 0;
  int32_t attempt = 1;
  std::string activity_id;
  std::string activity_type;
};
LOCKSTEP_JSON_FIELDS(CoreMarkerData, seq, attempt, activity_id, activity_type)

}  // namespace

const TransitionTable<LocalActivityState, LocalActivityTrigger>& LocalActivityTransitions() {
  static constexpr TransitionTable<LocalActivityState, LocalActivityTrigger> kTable("local_activity", kRows);
  return kTable;
}

absl::string_view LocalActivityStateName(LocalActivityState state) {
  switch (state) {
    case S::kCreated:
      return "Created";
    case S::kWithdrawn:
      return "Withdrawn";
    case S::kResolved:
      return "Resolved";
  }
  return "?";
}

absl::string_view LocalActivityTriggerName(LocalActivityTrigger trigger) {
  switch (trigger) {
    case T::kResolved:
      return "outcome known";
    case T::kCancelByCode:
      return "cancel requested by workflow code";
  }
  return "?";
}

temporal::api::command::v1::RecordMarkerCommandAttributes LocalActivityMarkerCommand(
    const LocalActivityMarker& marker) {
  temporal::api::command::v1::RecordMarkerCommandAttributes a;
  a.set_marker_name(std::string(kLocalActivityMarker));
  GoMarkerData data{marker.activity_id, marker.activity_type,
                    absl::FormatTime(absl::RFC3339_full, marker.replay_time, absl::UTCTimeZone()),
                    marker.attempt, 0};
  (*a.mutable_details())["data"] = ToPayloads(data);
  if (marker.failed) {
    *a.mutable_failure() = marker.failure;
  } else {
    (*a.mutable_details())["result"] = marker.result;
  }
  return a;
}

std::optional<LocalActivityMarker> ReadLocalActivityMarker(
    const temporal::api::history::v1::HistoryEvent& event) {
  if (event.event_type() != enums::EVENT_TYPE_MARKER_RECORDED) return std::nullopt;
  const auto& a = event.marker_recorded_event_attributes();
  LocalActivityMarker marker;
  if (a.marker_name() == kCoreLocalActivityMarker) {
    auto data = MarkerDetail<CoreMarkerData>(a, "data");
    if (!data) return std::nullopt;
    marker.activity_id = std::move(data->activity_id);
    marker.activity_type = std::move(data->activity_type);
    marker.attempt = data->attempt;
    marker.core_seq = data->seq;
  } else if (a.marker_name() != kLocalActivityMarker) {
    return std::nullopt;
  } else if (auto data = MarkerDetail<GoMarkerData>(a, "data")) {
    marker.activity_id = data->ActivityID;
    marker.activity_type = data->ActivityType;
    marker.attempt = data->Attempt;
  } else {
    auto id = MarkerDetail<std::string>(a, "activityId");
    auto type = MarkerDetail<std::string>(a, "type");
    if (!id || !type) return std::nullopt;
    marker.activity_id = *std::move(id);
    marker.activity_type = *std::move(type);
  }
  if (a.has_failure()) {
    marker.failed = true;
    marker.failure = a.failure();
  } else if (auto it = a.details().find("result"); it != a.details().end()) {
    marker.result = it->second;
  }
  return marker;
}

}  // namespace lockstep::machines
