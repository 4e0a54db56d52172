// Checker: liveness. After the safety phase the faults heal (workers restart and poll, no more
// injected failures or delays); every workflow must then close within the workload's liveness
// bound of virtual time. One that does not is reported with what it waits on, from the
// service's description of the run: pending activities (attempt, last failure), timers (fire
// time), children, a workflow task (with the failure its code keeps raising, from the last
// WorkflowTaskFailed of the history), or nothing at all (it waits for a signal, an update or
// a condition no one will satisfy).
#ifndef LOCKSTEP_SIM_CHECKERS_LIVENESS_H_
#define LOCKSTEP_SIM_CHECKERS_LIVENESS_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "engine/service/service.h"
#include "sim/finding.h"

namespace lockstep::sim {

// One finding per workflow id whose latest run is still open. `why` says how the run ended
// (the liveness bound passed, or nothing was pending any more).
std::vector<Finding> CheckAllClosed(const Service& service, const std::vector<std::string>& ids,
                                    absl::Time now, const std::string& why);

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_CHECKERS_LIVENESS_H_
