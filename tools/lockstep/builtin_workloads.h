// The simulation workloads built into the `lockstep` binary (`lockstep sim --list`): the order
// example, and the examples with planted bugs (examples/buggy/) as NAME_buggy and their fixed
// twins NAME. Each registers its own workflow and activity types.
#ifndef LOCKSTEP_TOOLS_LOCKSTEP_BUILTIN_WORKLOADS_H_
#define LOCKSTEP_TOOLS_LOCKSTEP_BUILTIN_WORKLOADS_H_

#include <vector>

#include "sim/workload.h"

namespace lockstep::cli {

// Made once, on first use.
const std::vector<sim::Workload>& BuiltinWorkloads();

}  // namespace lockstep::cli

#endif  // LOCKSTEP_TOOLS_LOCKSTEP_BUILTIN_WORKLOADS_H_
