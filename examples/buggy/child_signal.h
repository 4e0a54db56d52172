// Planted bug: a parent signals its child before the child has started.
//
// The workflows. A parent `childSignalParent(job)` hands a job to a child workflow: it starts
// `childSignalWorker` with the id "<parent id>-worker", gives it the job by the signal
// `assign(job)`, and returns the child's result. The child waits for its assignment, runs the
// activity `childSignalProcess(job)` (job * 10) and returns what it gives.
//
// The mistake (childSignalParentBuggy): the parent signals the child at once, on the handle
// StartChildWorkflow just returned, without waiting for ChildWorkflowHandle::Started(), and
// drops the signal's Future. The start and the signal are two separate operations of the
// service (in Temporal, two transfer tasks issued by the same workflow task); the signal names
// the child by workflow id, and when it is delivered before the child exists the service
// answers SignalExternalWorkflowExecutionFailed (EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND). The
// assignment is lost: the child waits for it forever, and the parent for the child.
//
// Why it is realistic: the handle reads like an object that already exists, and against a
// development server the child is started within milliseconds of the command, before the
// signal goes out, so the code works nearly every time. The signal's Future looks like a
// formality ("signals are fire-and-forget"), so its failure is never seen.
//
// How the simulator finds it: the start and the signal are due at the same virtual instant,
// and the random strategy runs either first; the child_start_latency fault delays the start by
// up to minutes, which makes the signal win every time it fires. Nothing is then pending, so
// once the liveness bound passes the liveness checker reports the parent (waiting on its
// child) and the child (waiting for a signal nothing will send).
//
// The fix (childSignalParent): co_await child.Started() before signaling, and co_await the
// signal, so that a failed delivery fails the parent instead of leaving it hanging.
#ifndef LOCKSTEP_EXAMPLES_BUGGY_CHILD_SIGNAL_H_
#define LOCKSTEP_EXAMPLES_BUGGY_CHILD_SIGNAL_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "engine/workflow/definitions.h"
#include "engine/workflow/registry.h"
#include "sim/workload.h"

namespace lockstep::examples::buggy {

inline constexpr WorkflowDef<int64_t(int64_t)> kChildSignalParentBuggy{"childSignalParentBuggy"};
inline constexpr WorkflowDef<int64_t(int64_t)> kChildSignalParent{"childSignalParent"};
inline constexpr WorkflowDef<int64_t()> kChildSignalWorker{"childSignalWorker"};
inline constexpr ActivityDef<int64_t(int64_t)> kChildSignalProcess{"childSignalProcess"};
inline constexpr SignalDef<void(int64_t)> kChildSignalAssign{"assign"};

Task<int64_t> ChildSignalParentBuggy(WorkflowContext& ctx, int64_t job);
Task<int64_t> ChildSignalParent(WorkflowContext& ctx, int64_t job);
Task<int64_t> ChildSignalWorker(WorkflowContext& ctx);

// The child's workflow id for the parent `parent_id`.
std::string ChildSignalWorkerId(const std::string& parent_id);

// Registers both parents, the child and the activity.
absl::Status RegisterChildSignal(Registry* registry);

// "child_signal_buggy" and "child_signal": one to four parents, each with its own job;
// invariant: a parent that completes returns job * 10.
sim::Workload ChildSignalBuggyWorkload();
sim::Workload ChildSignalWorkload();

}  // namespace lockstep::examples::buggy

#endif  // LOCKSTEP_EXAMPLES_BUGGY_CHILD_SIGNAL_H_
