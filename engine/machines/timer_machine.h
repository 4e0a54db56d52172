// The life of one timer.
//
//   Created ──StartedRecorded──▶ Started ──FiredRecorded──▶ Fired
//   Created ──CancelByCode──▶ Withdrawn              (the command never reached the history)
//   Started ──CancelByCode──▶ CancelCommanded ──CanceledRecorded──▶ Canceled
//   CancelCommanded ──FiredRecorded──▶ Fired        (fired while the cancel was in flight)
//
// The workflow's Future ends with a CanceledFailure as soon as the code cancels.
#ifndef LOCKSTEP_ENGINE_MACHINES_TIMER_MACHINE_H_
#define LOCKSTEP_ENGINE_MACHINES_TIMER_MACHINE_H_

#include "absl/strings/string_view.h"
#include "engine/machines/transition_table.h"

namespace lockstep::machines {

enum class TimerState { kCreated, kWithdrawn, kStarted, kCancelCommanded, kFired, kCanceled };
enum class TimerTrigger { kStartedRecorded, kFiredRecorded, kCancelByCode, kCanceledRecorded };

const TransitionTable<TimerState, TimerTrigger>& TimerTransitions();
absl::string_view TimerStateName(TimerState state);
absl::string_view TimerTriggerName(TimerTrigger trigger);

}  // namespace lockstep::machines

#endif  // LOCKSTEP_ENGINE_MACHINES_TIMER_MACHINE_H_
