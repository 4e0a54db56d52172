// Example workflows with planted bugs, each with its fixed twin, as simulation workloads: a
// catalogue of realistic mistakes and of the fault and checker that find each. Every header in
// examples/buggy/ says what the mistake is, why it is realistic, how the simulator finds it and
// what the fix is.
//
//   child_signal     a parent signals its child before it started (the schedule's order,
//                    child_start_latency; liveness)
//   charge           a non-idempotent charge activity, retried after a timeout
//                    (activity_start_to_close_timeout, worker crashes; the workload's invariant)
//   eviction         a decision on a process-wide memo, which diverges on a rebuild
//                    (cache_eviction, worker_crash; replay)
//   continue_as_new  continue-as-new drops signals delivered in the run's last task (bursts of
//                    signals, workflow_task_latency; signal_ledger)
//   timer_race       a timed wait's answer trusted over the state (signal_delay, worker_crash;
//                    liveness)
//
// Each buggy workload ("NAME_buggy") fails within a few seeds of the default fault selection;
// each fixed one ("NAME") passes (tests/sim/buggy_examples_test.cc).
#ifndef LOCKSTEP_EXAMPLES_BUGGY_BUGGY_EXAMPLES_H_
#define LOCKSTEP_EXAMPLES_BUGGY_BUGGY_EXAMPLES_H_

#include <vector>

#include "absl/status/status.h"
#include "engine/workflow/registry.h"
#include "sim/workload.h"

namespace lockstep::examples {

// The ten workloads, pair by pair, the buggy one of each pair first.
std::vector<sim::Workload> BuggyExampleWorkloads();

// Registers every workflow and activity of the ten workloads in one registry (for a simulation
// binary that shares one registry among its workloads, sim_main.h).
absl::Status RegisterBuggyExamples(Registry* registry);

}  // namespace lockstep::examples

#endif  // LOCKSTEP_EXAMPLES_BUGGY_BUGGY_EXAMPLES_H_
