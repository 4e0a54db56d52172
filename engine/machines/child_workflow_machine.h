// The life of one child workflow, from the StartChildWorkflowExecution command to the event
// that reports how the child ended.
//
//   Created ──InitiatedRecorded──▶ Initiated ──StartedRecorded──▶ Started
//   Created ──CancelByCode──▶ Withdrawn              (the command never reached the history)
//   Initiated ──StartFailedRecorded──▶ StartFailed  (the workflow id was in use)
//   Started ──Completed/Failed/Canceled/TimedOut/TerminatedRecorded──▶ that state
//
// Canceling a started child is a separate RequestCancelExternalWorkflowExecution command
// (external_machine.h); the child machine only sees how the child ended.
#ifndef LOCKSTEP_ENGINE_MACHINES_CHILD_WORKFLOW_MACHINE_H_
#define LOCKSTEP_ENGINE_MACHINES_CHILD_WORKFLOW_MACHINE_H_

#include "absl/strings/string_view.h"
#include "engine/machines/transition_table.h"

namespace lockstep::machines {

enum class ChildState {
  kCreated,
  kWithdrawn,
  kInitiated,
  kStartFailed,
  kStarted,
  kCompleted,
  kFailed,
  kCanceled,
  kTimedOut,
  kTerminated,
};

enum class ChildTrigger {
  kInitiatedRecorded,
  kStartFailedRecorded,
  kStartedRecorded,
  kCompletedRecorded,
  kFailedRecorded,
  kCanceledRecorded,
  kTimedOutRecorded,
  kTerminatedRecorded,
  kCancelByCode,
};

const TransitionTable<ChildState, ChildTrigger>& ChildTransitions();
absl::string_view ChildStateName(ChildState state);
absl::string_view ChildTriggerName(ChildTrigger trigger);

}  // namespace lockstep::machines

#endif  // LOCKSTEP_ENGINE_MACHINES_CHILD_WORKFLOW_MACHINE_H_
