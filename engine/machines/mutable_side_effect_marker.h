// Mutable side effect markers: what WorkflowContext::MutableSideEffect records, and how
// recorded ones are read.
//
// Lockstep writes and reads Temporal's Go SDK shape (internal/internal_command_state_machine.go,
// commandsHelper.recordMutableSideEffectMarker; internal/internal_event_handlers.go,
// workflowEnvironmentImpl.recordMutableSideEffect and handleMarkerRecorded):
//
//   marker name "MutableSideEffect"
//   "side-effect-id"                    JSON string "<id>_<event id>": the code's id and the
//                                       event id the marker was expected to take
//   "data"                              two payloads: JSON string <id>, and the value's
//                                       Payloads as a json/protobuf temporal.api.common.v1.Payloads
//   "mutable-side-effect-call-counter"  JSON int: which call of MutableSideEffect(<id>) (1, 2,
//                                       ...) recorded it; absent in markers of old Go SDKs
//
// Reading accepts the nested Payloads as json/protobuf or binary/protobuf.
#ifndef LOCKSTEP_ENGINE_MACHINES_MUTABLE_SIDE_EFFECT_MARKER_H_
#define LOCKSTEP_ENGINE_MACHINES_MUTABLE_SIDE_EFFECT_MARKER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/common/v1/message.pb.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::machines {

inline constexpr absl::string_view kMutableSideEffectMarker = "MutableSideEffect";

struct MutableSideEffectMarker {
  std::string id;              // the code's id (the first payload of "data")
  std::string side_effect_id;  // "<id>_<event id>"
  std::optional<int> call_counter;
  temporal::api::common::v1::Payloads value;
};

// "<id>_<event_id>", as Go's recordMutableSideEffectMarker names a marker.
std::string MutableSideEffectId(absl::string_view id, int64_t event_id);

// The RecordMarker command attributes for `marker` (call_counter written when set).
temporal::api::command::v1::RecordMarkerCommandAttributes MutableSideEffectMarkerCommand(
    const MutableSideEffectMarker& marker);

// The mutable side effect marker `event` records, or nullopt if it is not one or lacks
// "side-effect-id" or a readable "data" (Go's handleMarkerRecorded fails the task then).
std::optional<MutableSideEffectMarker> ReadMutableSideEffectMarker(
    const temporal::api::history::v1::HistoryEvent& event);

}  // namespace lockstep::machines

#endif  // LOCKSTEP_ENGINE_MACHINES_MUTABLE_SIDE_EFFECT_MARKER_H_
