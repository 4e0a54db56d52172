// Planted bug: continue-as-new that drops the signals received in the run's last task.
//
// The workflow. `accumulator(state)` adds up the amounts of the signals `add(amount)` it
// receives. To keep its history short it continues as new after every kSignalsPerRun signals,
// carrying its state (total, signals applied, runs) into the next run; after an idle hour
// without a signal it completes with that state. The query `total` answers the running total.
//
// The mistake (accumulatorBuggy): the signal handler queues amounts in an inbox (as a Go
// workflow's signal channel holds them) and the main loop applies one at a time; when this
// run's count reaches kSignalsPerRun the loop continues as new at once, carrying the total but
// not the inbox. A workflow task delivers every signal that arrived since the previous task, so
// when several arrive together (at the same instant, or while a task was out), the inbox still
// holds the ones after the kSignalsPerRun-th, and they vanish with the run.
//
// Lockstep's service, like Temporal's, does not lose signals that arrive *while* the closing
// task is out: it refuses the continue-as-new (WorkflowTaskFailed, UNHANDLED_COMMAND) and
// hands the worker a new task with them. The signals dropped here were delivered to the code,
// in the very task that continued; only the code can lose them, and this code does.
//
// Why it is realistic: it is the classic continue-as-new mistake (Temporal's docs warn to drain
// the signal channel first); signals that trickle in one per task never show it, and tests
// rarely send bursts.
//
// How the simulator finds it: the plan sends signals in bursts (several at one instant, which
// one workflow task delivers together), and workflow_task_latency and worker_crash gather the
// signals that arrive while a task is out or the worker is down into the next task. The
// workload's signals_applied reads the result's `applied`, and the signal-ledger checker
// compares it with the signals the histories of the chain recorded: fewer applied than recorded
// is reported as signals lost. (The workload's invariant, that the total is the sum of the
// amounts recorded, fails with it.) The fixed twin also meets the service's refusals of its
// continue-as-new (UNHANDLED_COMMAND) and passes.
//
// The fix (accumulator): carry the inbox into the next run's input (state.pending) and apply it
// there first.
#ifndef LOCKSTEP_EXAMPLES_BUGGY_CONTINUE_AS_NEW_H_
#define LOCKSTEP_EXAMPLES_BUGGY_CONTINUE_AS_NEW_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "engine/payload/payload.h"
#include "engine/workflow/definitions.h"
#include "engine/workflow/registry.h"
#include "sim/workload.h"

namespace lockstep::examples::buggy {

struct AccumulatorState {
  int64_t total = 0;
  int64_t applied = 0;           // signals applied, over every run of the chain
  int64_t runs = 1;              // runs of the chain so far, this one included
  std::vector<int64_t> pending;  // amounts received but not applied yet (the fix carries them)
};
LOCKSTEP_JSON_FIELDS(AccumulatorState, total, applied, runs, pending)

inline constexpr int64_t kSignalsPerRun = 4;

inline constexpr WorkflowDef<AccumulatorState(AccumulatorState)> kAccumulatorBuggy{
    "accumulatorBuggy"};
inline constexpr WorkflowDef<AccumulatorState(AccumulatorState)> kAccumulator{"accumulator"};
inline constexpr SignalDef<void(int64_t)> kAdd{"add"};
inline constexpr QueryDef<int64_t()> kTotal{"total"};

Task<AccumulatorState> AccumulatorBuggy(WorkflowContext& ctx, AccumulatorState state);
Task<AccumulatorState> AccumulatorWorkflow(WorkflowContext& ctx, AccumulatorState state);

// Registers both workflows.
absl::Status RegisterContinueAsNew(Registry* registry);

// "continue_as_new_buggy" and "continue_as_new": one or two accumulators, each sent 6 to 20
// signals in bursts of one to three; the signal ledger checks `applied`, and an invariant
// checks that a completed chain's total is the sum of the amounts it recorded.
sim::Workload ContinueAsNewBuggyWorkload();
sim::Workload ContinueAsNewWorkload();

}  // namespace lockstep::examples::buggy

#endif  // LOCKSTEP_EXAMPLES_BUGGY_CONTINUE_AS_NEW_H_
