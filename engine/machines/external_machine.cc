#include "engine/machines/external_machine.h"

namespace lockstep::machines {
namespace {

using S = ExternalState;
using T = ExternalTrigger;

constexpr Transition<S, T> kRows[] = {
    {S::kCreated, T::kInitiatedRecorded, S::kInitiated},
    {S::kCreated, T::kCancelByCode, S::kWithdrawn},
    {S::kInitiated, T::kDeliveredRecorded, S::kDelivered},
    {S::kInitiated, T::kFailedRecorded, S::kFailed},
};

}  // namespace

const TransitionTable<ExternalState, ExternalTrigger>& ExternalTransitions() {
  static constexpr TransitionTable<ExternalState, ExternalTrigger> kTable("external", kRows);
  return kTable;
}

absl::string_view ExternalStateName(ExternalState state) {
  switch (state) {
    case S::kCreated:
      return "Created";
    case S::kWithdrawn:
      return "Withdrawn";
    case S::kInitiated:
      return "Initiated";
    case S::kDelivered:
      return "Delivered";
    case S::kFailed:
      return "Failed";
  }
  return "?";
}

absl::string_view ExternalTriggerName(ExternalTrigger trigger) {
  switch (trigger) {
    case T::kInitiatedRecorded:
      return "initiated event";
    case T::kDeliveredRecorded:
      return "delivered event";
    case T::kFailedRecorded:
      return "failed event";
    case T::kCancelByCode:
      return "cancel requested by workflow code";
  }
  return "?";
}

}  // namespace lockstep::machines
