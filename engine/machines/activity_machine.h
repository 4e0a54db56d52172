// The life of one activity, from the ScheduleActivityTask command to its closing event.
//
//   Created ──ScheduleRecorded──▶ Scheduled ──StartedRecorded──▶ Started
//   Created ──CancelByCode──▶ Withdrawn          (the command never reached the history)
//   Scheduled/Started ──Completed/Failed/TimedOutRecorded──▶ Completed/Failed/TimedOut
//   Scheduled/Started ──CancelByCode──▶ CancelCommanded ──CancelRecorded──▶ CancelRequested
//   CancelCommanded/CancelRequested ──Started/Completed/Failed/TimedOut/CanceledRecorded──▶ ...
//
// Cancellation is "try cancel": the workflow's Future ends with a CanceledFailure as soon as
// the code asks, and whatever the service reports afterwards only moves the machine.
#ifndef LOCKSTEP_ENGINE_MACHINES_ACTIVITY_MACHINE_H_
#define LOCKSTEP_ENGINE_MACHINES_ACTIVITY_MACHINE_H_

#include "absl/strings/string_view.h"
#include "engine/machines/transition_table.h"

namespace lockstep::machines {

enum class ActivityState {
  kCreated,
  kWithdrawn,
  kScheduled,
  kStarted,
  kCancelCommanded,
  kCancelRequested,
  kCompleted,
  kFailed,
  kTimedOut,
  kCanceled,
};

enum class ActivityTrigger {
  kScheduleRecorded,
  kStartedRecorded,
  kCompletedRecorded,
  kFailedRecorded,
  kTimedOutRecorded,
  kCanceledRecorded,
  kCancelByCode,
  kCancelRecorded,
};

const TransitionTable<ActivityState, ActivityTrigger>& ActivityTransitions();
absl::string_view ActivityStateName(ActivityState state);
absl::string_view ActivityTriggerName(ActivityTrigger trigger);

}  // namespace lockstep::machines

#endif  // LOCKSTEP_ENGINE_MACHINES_ACTIVITY_MACHINE_H_
