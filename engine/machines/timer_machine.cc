#include "engine/machines/timer_machine.h"

namespace lockstep::machines {
namespace {

using S = TimerState;
using T = TimerTrigger;

constexpr Transition<S, T> kRows[] = {
    {S::kCreated, T::kStartedRecorded, S::kStarted},
    {S::kCreated, T::kCancelByCode, S::kWithdrawn},
    {S::kStarted, T::kFiredRecorded, S::kFired},
    {S::kStarted, T::kCancelByCode, S::kCancelCommanded},
    {S::kCancelCommanded, T::kCanceledRecorded, S::kCanceled},
    {S::kCancelCommanded, T::kFiredRecorded, S::kFired},
};

}  // namespace

const TransitionTable<TimerState, TimerTrigger>& TimerTransitions() {
  static constexpr TransitionTable<TimerState, TimerTrigger> kTable("timer", kRows);
  return kTable;
}

absl::string_view TimerStateName(TimerState state) {
  switch (state) {
    case S::kCreated:
      return "Created";
    case S::kWithdrawn:
      return "Withdrawn";
    case S::kStarted:
      return "Started";
    case S::kCancelCommanded:
      return "CancelCommanded";
    case S::kFired:
      return "Fired";
    case S::kCanceled:
      return "Canceled";
  }
  return "?";
}

absl::string_view TimerTriggerName(TimerTrigger trigger) {
  switch (trigger) {
    case T::kStartedRecorded:
      return "TimerStarted";
    case T::kFiredRecorded:
      return "TimerFired";
    case T::kCancelByCode:
      return "cancel requested by workflow code";
    case T::kCanceledRecorded:
      return "TimerCanceled";
  }
  return "?";
}

}  // namespace lockstep::machines
