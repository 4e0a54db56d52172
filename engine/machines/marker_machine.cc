#include "engine/machines/marker_machine.h"

namespace lockstep::machines {
namespace {

constexpr Transition<RecordState, RecordTrigger> kRows[] = {
    {RecordState::kCreated, RecordTrigger::kRecorded, RecordState::kRecorded},
};

}  // namespace

const TransitionTable<RecordState, RecordTrigger>& RecordTransitions() {
  static constexpr TransitionTable<RecordState, RecordTrigger> kTable("marker", kRows);
  return kTable;
}

}  // namespace lockstep::machines
