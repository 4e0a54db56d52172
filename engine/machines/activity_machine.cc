#include "engine/machines/activity_machine.h"

namespace lockstep::machines {
namespace {

using S = ActivityState;
using T = ActivityTrigger;

constexpr Transition<S, T> kRows[] = {
    {S::kCreated, T::kScheduleRecorded, S::kScheduled},
    {S::kCreated, T::kCancelByCode, S::kWithdrawn},
    {S::kScheduled, T::kStartedRecorded, S::kStarted},
    {S::kScheduled, T::kCompletedRecorded, S::kCompleted},
    {S::kScheduled, T::kFailedRecorded, S::kFailed},
    {S::kScheduled, T::kTimedOutRecorded, S::kTimedOut},
    {S::kScheduled, T::kCancelByCode, S::kCancelCommanded},
    {S::kStarted, T::kCompletedRecorded, S::kCompleted},
    {S::kStarted, T::kFailedRecorded, S::kFailed},
    {S::kStarted, T::kTimedOutRecorded, S::kTimedOut},
    {S::kStarted, T::kCancelByCode, S::kCancelCommanded},
    {S::kCancelCommanded, T::kCancelRecorded, S::kCancelRequested},
    {S::kCancelRequested, T::kStartedRecorded, S::kCancelRequested},
    {S::kCancelRequested, T::kCompletedRecorded, S::kCompleted},
    {S::kCancelRequested, T::kFailedRecorded, S::kFailed},
    {S::kCancelRequested, T::kTimedOutRecorded, S::kTimedOut},
    {S::kCancelRequested, T::kCanceledRecorded, S::kCanceled},
};

}  // namespace

const TransitionTable<ActivityState, ActivityTrigger>& ActivityTransitions() {
  static constexpr TransitionTable<ActivityState, ActivityTrigger> kTable("activity", kRows);
  return kTable;
}

absl::string_view ActivityStateName(ActivityState state) {
  switch (state) {
    case S::kCreated:
      return "Created";
    case S::kWithdrawn:
      return "Withdrawn";
    case S::kScheduled:
      return "Scheduled";
    case S::kStarted:
      return "Started";
    case S::kCancelCommanded:
      return "CancelCommanded";
    case S::kCancelRequested:
      return "CancelRequested";
    case S::kCompleted:
      return "Completed";
    case S::kFailed:
      return "Failed";
    case S::kTimedOut:
      return "TimedOut";
    case S::kCanceled:
      return "Canceled";
  }
  return "?";
}

absl::string_view ActivityTriggerName(ActivityTrigger trigger) {
  switch (trigger) {
    case T::kScheduleRecorded:
      return "ActivityTaskScheduled";
    case T::kStartedRecorded:
      return "ActivityTaskStarted";
    case T::kCompletedRecorded:
      return "ActivityTaskCompleted";
    case T::kFailedRecorded:
      return "ActivityTaskFailed";
    case T::kTimedOutRecorded:
      return "ActivityTaskTimedOut";
    case T::kCanceledRecorded:
      return "ActivityTaskCanceled";
    case T::kCancelByCode:
      return "cancel requested by workflow code";
    case T::kCancelRecorded:
      return "ActivityTaskCancelRequested";
  }
  return "?";
}

}  // namespace lockstep::machines
