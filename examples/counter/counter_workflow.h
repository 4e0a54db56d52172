// The counter workflow: the peer workload of Lockstep's benchmarks.
//
// counterWorkflow(n): a signal `inc(k)` adds k to a counter. The workflow first runs the
// activity `greet("peer")` and a one-second timer, then waits until the counter reaches n and
// returns it. The same logic as the TypeScript peer's counterWorkflow, so their histories have
// the same shape.
#ifndef LOCKSTEP_EXAMPLES_COUNTER_COUNTER_WORKFLOW_H_
#define LOCKSTEP_EXAMPLES_COUNTER_COUNTER_WORKFLOW_H_

#include <string>

#include "absl/status/status.h"
#include "engine/workflow/definitions.h"
#include "engine/workflow/registry.h"

namespace lockstep::examples {

inline constexpr char kCounterWorkflow[] = "counterWorkflow";
inline constexpr char kGreetActivity[] = "greet";
inline constexpr char kIncSignal[] = "inc";
inline constexpr char kCountQuery[] = "count";

// The same names with their signatures, for workflow code, registration and tests.
inline constexpr WorkflowDef<int(int)> kCounter{kCounterWorkflow};
inline constexpr ActivityDef<std::string(std::string)> kGreet{kGreetActivity};
inline constexpr SignalDef<void(int)> kInc{kIncSignal};
inline constexpr QueryDef<int()> kCount{kCountQuery};

Task<int> CounterWorkflow(WorkflowContext& ctx, int target);
std::string Greet(ActivityContext& ctx, std::string name);

// Registers the workflow and its activity.
absl::Status RegisterCounter(Registry* registry);

}  // namespace lockstep::examples

#endif  // LOCKSTEP_EXAMPLES_COUNTER_COUNTER_WORKFLOW_H_
