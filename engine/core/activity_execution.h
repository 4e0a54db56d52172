// The execution seam every activity attempt goes through: remote attempts the service
// dispatches to an activity worker, and local activities a workflow worker runs inside a
// workflow task. Whoever decides the schedule (a test, the simulator) implements it once and
// reaches both: it may run the attempt, replace its outcome (inject a failure), decide it
// without running the activity at all, and says how long the attempt takes in virtual time
// and whether it heartbeats.
//
// Contract for implementations:
//   - `run` calls the worker's handler for `task` (the registered activity, with the
//     exception-to-failure mapping applied); it may be called at most once per attempt.
//   - The outcome must be a valid ActivityOutcome (see task_handlers.h); a kCanceled outcome
//     for an attempt nobody asked to cancel is refused by the service (the attempt then times
//     out), as Temporal refuses RespondActivityTaskCanceled.
//   - Decisions must be a function of the task and of the implementation's own seeded state,
//     never of wall time or addresses, so the same seed gives the same history.
#ifndef LOCKSTEP_ENGINE_CORE_ACTIVITY_EXECUTION_H_
#define LOCKSTEP_ENGINE_CORE_ACTIVITY_EXECUTION_H_

#include "absl/functional/function_ref.h"
#include "engine/core/task_handlers.h"

namespace lockstep {

// One attempt as decided: what it reports and how long it takes.
struct ActivityAttempt {
  ActivityOutcome outcome;
  ActivityTiming timing;
  // The outcome is not known yet (Temporal's asynchronous activity completion): `outcome` and
  // `timing` are ignored and the attempt runs until its outcome is reported through
  // Service::CompleteActivityAttempt (heartbeats through Service::RecordActivityHeartbeat), or
  // one of its timeouts ends it. For remote attempts only: a local activity's attempt is
  // decided inside its workflow task, so an environment must not defer it.
  bool deferred = false;
};

class ActivityExecutionEnv {
 public:
  virtual ~ActivityExecutionEnv() = default;

  // Default: run the attempt, zero latency, no heartbeats.
  virtual ActivityAttempt RunActivityAttempt(const ActivityTask& task,
                                             absl::FunctionRef<ActivityOutcome()> run) {
    (void)task;
    return {run(), ActivityTiming{}};
  }
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_CORE_ACTIVITY_EXECUTION_H_
