// Local activity markers: a local activity runs inside the worker, during a workflow task,
// and its outcome is recorded as a MarkerRecorded event; replay reads the outcome back
// instead of running the activity again.
//
//   Created ──Resolved──▶ Resolved           (run by the worker, or read back from its marker)
//   Created ──CancelByCode──▶ Withdrawn      (canceled before it ran: no marker)
//
// The marker command it then issues is a record-only command (marker_machine.h).
//
// Lockstep writes Temporal's Go SDK shape: marker name "LocalActivity", details "data" (JSON
// with ActivityID, ActivityType, ReplayTime, Attempt, Backoff) and "result", the failure in
// the marker's `failure` field. It also reads the Java SDK's shape (details "activityId",
// "type", "result") and that of Temporal's Rust sdk-core, under the Python, TypeScript, .NET
// and Ruby SDKs: marker name "core_local_activity", details "data" (JSON of sdk-core's
// LocalActivityMarkerData: seq, attempt, activity_id, activity_type, complete_time, backoff,
// original_schedule_time; sdk-core's common.rs build_local_activity_marker_details) and
// "result". sdk-core numbers local activities and activities from one sequence (`seq`), so
// its markers are paired with the code's local activities by that number, not by id.
#ifndef LOCKSTEP_ENGINE_MACHINES_LOCAL_ACTIVITY_MARKER_H_
#define LOCKSTEP_ENGINE_MACHINES_LOCAL_ACTIVITY_MARKER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/machines/transition_table.h"
#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::machines {

inline constexpr absl::string_view kLocalActivityMarker = "LocalActivity";
inline constexpr absl::string_view kCoreLocalActivityMarker = "core_local_activity";

enum class LocalActivityState { kCreated, kWithdrawn, kResolved };
enum class LocalActivityTrigger { kResolved, kCancelByCode };

const TransitionTable<LocalActivityState, LocalActivityTrigger>& LocalActivityTransitions();
absl::string_view LocalActivityStateName(LocalActivityState state);
absl::string_view LocalActivityTriggerName(LocalActivityTrigger trigger);

struct LocalActivityMarker {
  std::string activity_id;
  std::string activity_type;
  int32_t attempt = 1;
  absl::Time replay_time;
  // Set for sdk-core's markers: the local activity's number in the sequence it shares with
  // activities (the first of either is 1).
  std::optional<int64_t> core_seq;
  // Exactly one of these is meaningful: `failed` says which.
  temporal::api::common::v1::Payloads result;
  bool failed = false;
  temporal::api::failure::v1::Failure failure;
};

temporal::api::command::v1::RecordMarkerCommandAttributes LocalActivityMarkerCommand(
    const LocalActivityMarker& marker);

// Whether a recorded local activity id is a sequence number (Go's and Lockstep's 1, 2, ...),
// not an id an SDK drew (Java's UUIDs), which can only be paired by order.
inline bool IsNumberedLocalActivityId(absl::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The local activity marker `event` records, or nullopt if it is none (or is unreadable).
std::optional<LocalActivityMarker> ReadLocalActivityMarker(
    const temporal::api::history::v1::HistoryEvent& event);

}  // namespace lockstep::machines

#endif  // LOCKSTEP_ENGINE_MACHINES_LOCAL_ACTIVITY_MARKER_H_
