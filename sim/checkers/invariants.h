// Checker: the workload's own invariants (Workload::invariants), over the run's results. An
// invariant that returns an error or throws is a finding named after it.
#ifndef LOCKSTEP_SIM_CHECKERS_INVARIANTS_H_
#define LOCKSTEP_SIM_CHECKERS_INVARIANTS_H_

#include <vector>

#include "absl/types/span.h"
#include "sim/finding.h"
#include "sim/workload.h"

namespace lockstep::sim {

std::vector<Finding> CheckInvariants(absl::Span<const Invariant> invariants, const RunView& run);

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_CHECKERS_INVARIANTS_H_
