#include "engine/machines/child_workflow_machine.h"

namespace lockstep::machines {
namespace {

using S = ChildState;
using T = ChildTrigger;

constexpr Transition<S, T> kRows[] = {
    {S::kCreated, T::kInitiatedRecorded, S::kInitiated},
    {S::kCreated, T::kCancelByCode, S::kWithdrawn},
    {S::kInitiated, T::kStartFailedRecorded, S::kStartFailed},
    {S::kInitiated, T::kStartedRecorded, S::kStarted},
    {S::kStarted, T::kCompletedRecorded, S::kCompleted},
    {S::kStarted, T::kFailedRecorded, S::kFailed},
    {S::kStarted, T::kCanceledRecorded, S::kCanceled},
    {S::kStarted, T::kTimedOutRecorded, S::kTimedOut},
    {S::kStarted, T::kTerminatedRecorded, S::kTerminated},
};

}  // namespace

const TransitionTable<ChildState, ChildTrigger>& ChildTransitions() {
  static constexpr TransitionTable<ChildState, ChildTrigger> kTable("child_workflow", kRows);
  return kTable;
}

absl::string_view ChildStateName(ChildState state) {
  switch (state) {
    case S::kCreated:
      return "Created";
    case S::kWithdrawn:
      return "Withdrawn";
    case S::kInitiated:
      return "Initiated";
    case S::kStartFailed:
      return "StartFailed";
    case S::kStarted:
      return "Started";
    case S::kCompleted:
      return "Completed";
    case S::kFailed:
      return "Failed";
    case S::kCanceled:
      return "Canceled";
    case S::kTimedOut:
      return "TimedOut";
    case S::kTerminated:
      return "Terminated";
  }
  return "?";
}

absl::string_view ChildTriggerName(ChildTrigger trigger) {
  switch (trigger) {
    case T::kInitiatedRecorded:
      return "StartChildWorkflowExecutionInitiated";
    case T::kStartFailedRecorded:
      return "StartChildWorkflowExecutionFailed";
    case T::kStartedRecorded:
      return "ChildWorkflowExecutionStarted";
    case T::kCompletedRecorded:
      return "ChildWorkflowExecutionCompleted";
    case T::kFailedRecorded:
      return "ChildWorkflowExecutionFailed";
    case T::kCanceledRecorded:
      return "ChildWorkflowExecutionCanceled";
    case T::kTimedOutRecorded:
      return "ChildWorkflowExecutionTimedOut";
    case T::kTerminatedRecorded:
      return "ChildWorkflowExecutionTerminated";
    case T::kCancelByCode:
      return "cancel requested by workflow code";
  }
  return "?";
}

}  // namespace lockstep::machines
