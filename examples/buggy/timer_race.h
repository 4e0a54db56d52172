// Planted bug: a timer-versus-signal race that leaves a workflow waiting forever.
//
// The workflow. `bootWatch(machine)` powers a machine on (the activity `powerOn(machine)`) and
// waits up to ten minutes for the machine's agent to signal `ready`. A machine that misses the
// deadline is reported to an operator (the activity `pageOperator(machine)`); the operator may
// take it over with the signal `retry`. The workflow returns "ready", "ready late" or
// "handed to the operator".
//
// The mistake (bootWatchBuggy): it trusts the timed wait's answer instead of its own state.
// `co_await ctx.WaitCondition(ready, 10min)` answers false when the timer wins, and the code
// reads false as "no ready signal, ever": it pages the operator and then waits for `retry`
// alone. But the agent's signal can be late (the network held it past the deadline), or land
// in the same workflow task as the timer (both arrived while a task was out or the worker was
// down): the timer is applied first and the wait answers false with `ready` already set. The
// operator sees a machine that is up and does nothing; the workflow waits for a `retry` that
// never comes.
//
// Why it is realistic: the deadline is generous and the agent normally signals within a few
// minutes, so the timeout branch only runs when something is slow; written for "the machine
// never booted", it forgets "it booted, late".
//
// How the simulator finds it: signal_delay holds the agent's signal past the deadline (up to
// hours); worker_crash (workers down for minutes) and lost or slow workflow tasks
// (workflow_task_timeout, workflow_task_latency) can bring a signal and the timer into one task.
// Nothing is pending afterwards, so the liveness checker reports the workflow: at once when
// nothing at all is pending any more, at the latest when the liveness bound (a day after the
// faults heal) passes.
//
// The fix (bootWatch): decide on the state: after the timed wait check `ready` itself, and
// after paging wait for `ready || retry`.
#ifndef LOCKSTEP_EXAMPLES_BUGGY_TIMER_RACE_H_
#define LOCKSTEP_EXAMPLES_BUGGY_TIMER_RACE_H_

#include <string>

#include "absl/status/status.h"
#include "engine/workflow/definitions.h"
#include "engine/workflow/registry.h"
#include "sim/workload.h"

namespace lockstep::examples::buggy {

inline constexpr WorkflowDef<std::string(std::string)> kBootWatchBuggy{"bootWatchBuggy"};
inline constexpr WorkflowDef<std::string(std::string)> kBootWatch{"bootWatch"};
inline constexpr ActivityDef<void(std::string)> kPowerOn{"powerOn"};
inline constexpr ActivityDef<void(std::string)> kPageOperator{"pageOperator"};
inline constexpr SignalDef<void()> kReady{"ready"};
inline constexpr SignalDef<void()> kRetry{"retry"};

Task<std::string> BootWatchBuggy(WorkflowContext& ctx, std::string machine);
Task<std::string> BootWatchWorkflow(WorkflowContext& ctx, std::string machine);

// Registers both workflows and both activities.
absl::Status RegisterTimerRace(Registry* registry);

// "timer_race_buggy" and "timer_race": one to four machines, each signaling `ready` from half
// a minute to nine minutes after its start (before the deadline, unless a fault intervenes);
// an operator takes over one machine in eight, hours later.
sim::Workload TimerRaceBuggyWorkload();
sim::Workload TimerRaceWorkload();

}  // namespace lockstep::examples::buggy

#endif  // LOCKSTEP_EXAMPLES_BUGGY_TIMER_RACE_H_
