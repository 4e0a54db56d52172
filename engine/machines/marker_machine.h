// Side-effect markers: a command whose only event is its record in the history.
//
//   Created ──Recorded──▶ Recorded
//
// Side effects use Temporal's Go SDK marker shape (name "SideEffect", details "side-effect-id"
// and "data"), so a side effect recorded by either runs on the other's histories.
#ifndef LOCKSTEP_ENGINE_MACHINES_MARKER_MACHINE_H_
#define LOCKSTEP_ENGINE_MACHINES_MARKER_MACHINE_H_

#include "absl/strings/string_view.h"
#include "engine/machines/transition_table.h"

namespace lockstep::machines {

inline constexpr absl::string_view kSideEffectMarker = "SideEffect";
inline constexpr absl::string_view kSideEffectIdKey = "side-effect-id";
inline constexpr absl::string_view kSideEffectDataKey = "data";

enum class RecordState { kCreated, kRecorded };
enum class RecordTrigger { kRecorded };

const TransitionTable<RecordState, RecordTrigger>& RecordTransitions();

}  // namespace lockstep::machines

#endif  // LOCKSTEP_ENGINE_MACHINES_MARKER_MACHINE_H_
