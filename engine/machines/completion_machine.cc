#include "engine/machines/completion_machine.h"

namespace lockstep::machines {
namespace {

constexpr Transition<CompletionState, CompletionTrigger> kRows[] = {
    {CompletionState::kCreated, CompletionTrigger::kCloseRecorded, CompletionState::kRecorded},
};

}  // namespace

const TransitionTable<CompletionState, CompletionTrigger>& CompletionTransitions() {
  static constexpr TransitionTable<CompletionState, CompletionTrigger> kTable("completion", kRows);
  return kTable;
}

}  // namespace lockstep::machines
