// The simulation workloads built into the `lockstep` binary: the examples' (`lockstep sim
// --list`), each registering its own workflow and activity types.
#ifndef LOCKSTEP_TOOLS_LOCKSTEP_BUILTIN_WORKLOADS_H_
#define LOCKSTEP_TOOLS_LOCKSTEP_BUILTIN_WORKLOADS_H_

#include <vector>

#include "sim/workload.h"

namespace lockstep::cli {

// Made once, on first use.
const std::vector<sim::Workload>& BuiltinWorkloads();

}  // namespace lockstep::cli

#endif  // LOCKSTEP_TOOLS_LOCKSTEP_BUILTIN_WORKLOADS_H_
