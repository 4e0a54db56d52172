// The workflow's own completion: the CompleteWorkflowExecution or FailWorkflowExecution
// command, issued once when the main coroutine ends, and its closing event.
//
//   Created ──CloseRecorded──▶ Recorded
//
// Nothing may follow it: once issued, the run takes no more signals and evaluates no more
// conditions (the main coroutine's locals they refer to are gone).
#ifndef LOCKSTEP_ENGINE_MACHINES_COMPLETION_MACHINE_H_
#define LOCKSTEP_ENGINE_MACHINES_COMPLETION_MACHINE_H_

#include "engine/machines/transition_table.h"

namespace lockstep::machines {

enum class CompletionState { kCreated, kRecorded };
enum class CompletionTrigger { kCloseRecorded };

const TransitionTable<CompletionState, CompletionTrigger>& CompletionTransitions();

}  // namespace lockstep::machines

#endif  // LOCKSTEP_ENGINE_MACHINES_COMPLETION_MACHINE_H_
