// Requests to another workflow: a signal (SignalExternalWorkflowExecution) or a cancellation
// request (RequestCancelExternalWorkflowExecution), from the command to the event that says
// whether it reached the target.
//
//   Created ──InitiatedRecorded──▶ Initiated ──DeliveredRecorded──▶ Delivered
//   Created ──CancelByCode──▶ Withdrawn          (the command never reached the history)
//   Initiated ──FailedRecorded──▶ Failed         (no such workflow, or not a child)
//
// Delivered is ExternalWorkflowExecutionSignaled or ExternalWorkflowExecutionCancelRequested;
// Failed is SignalExternalWorkflowExecutionFailed or
// RequestCancelExternalWorkflowExecutionFailed.
#ifndef LOCKSTEP_ENGINE_MACHINES_EXTERNAL_MACHINE_H_
#define LOCKSTEP_ENGINE_MACHINES_EXTERNAL_MACHINE_H_

#include "absl/strings/string_view.h"
#include "engine/machines/transition_table.h"

namespace lockstep::machines {

enum class ExternalState { kCreated, kWithdrawn, kInitiated, kDelivered, kFailed };
enum class ExternalTrigger {
  kInitiatedRecorded,
  kDeliveredRecorded,
  kFailedRecorded,
  kCancelByCode
};

const TransitionTable<ExternalState, ExternalTrigger>& ExternalTransitions();
absl::string_view ExternalStateName(ExternalState state);
absl::string_view ExternalTriggerName(ExternalTrigger trigger);

}  // namespace lockstep::machines

#endif  // LOCKSTEP_ENGINE_MACHINES_EXTERNAL_MACHINE_H_
