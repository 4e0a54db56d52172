// The fan-out/fan-in workflow: a parent splits a job across child workflows, hands each its
// share by signal, and gathers both the children's results and their "done" signals.
//
// fanoutWorkflow(FanoutInput{n, per_child}): the job is to sum the squares of 1..n*per_child.
//   1. starts n children `fanoutChild` with the workflow ids "<parent id>-child-<i>"
//      (i = 0..n-1), so a replayed or re-run parent addresses the same children;
//   2. once each has started, signals it `work(FanoutShare)`: the numbers
//      i*per_child+1 .. (i+1)*per_child;
//   3. waits until every child has both reported back (the signal `done(FanoutReport)`, sent
//      by the child to the parent as an external signal) and returned its result;
//   4. returns FanoutResult{children, reported, sum}, sum being
//      m(m+1)(2m+1)/6 for m = n*per_child.
// The query `progress` answers how many distinct children have reported so far.
// n outside [0, kMaxFanoutChildren] or per_child outside [0, kMaxFanoutPerChild] fails the
// workflow (non-retryable "InvalidInput"): the input comes from outside (a client, or a
// history being replayed) and sizes the shares the workflow builds.
//
// fanoutChild(FanoutChildInput{parent_id, index}): waits for `work`, runs the activity
// `square(x)` for every number of its share (all in flight at once), signals
// `done(FanoutReport{index, sum})` to the parent, and returns the same report.
#ifndef LOCKSTEP_EXAMPLES_FANOUT_FANOUT_WORKFLOW_H_
#define LOCKSTEP_EXAMPLES_FANOUT_FANOUT_WORKFLOW_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/payload/payload.h"
#include "engine/workflow/definitions.h"
#include "engine/workflow/registry.h"

namespace lockstep::examples {

struct FanoutInput {
  int64_t n = 0;          // number of children
  int64_t per_child = 3;  // numbers handed to each child
};
LOCKSTEP_JSON_FIELDS(FanoutInput, n, per_child)

struct FanoutChildInput {
  std::string parent_id;  // where to send `done`: a child's WorkflowInfo does not name it
  int64_t index = 0;
};
LOCKSTEP_JSON_FIELDS(FanoutChildInput, parent_id, index)

struct FanoutShare {
  std::vector<int64_t> numbers;
};
LOCKSTEP_JSON_FIELDS(FanoutShare, numbers)

// What a child reports back by signal and also returns as its result.
struct FanoutReport {
  int64_t index = 0;
  int64_t sum = 0;  // sum of the squares of its share
};
LOCKSTEP_JSON_FIELDS(FanoutReport, index, sum)

struct FanoutResult {
  int64_t children = 0;  // children whose results arrived
  int64_t reported = 0;  // children that signaled `done`
  int64_t sum = 0;       // sum of the children's results
};
LOCKSTEP_JSON_FIELDS(FanoutResult, children, reported, sum)

inline constexpr char kFanoutWorkflow[] = "fanoutWorkflow";
inline constexpr char kFanoutChildWorkflow[] = "fanoutChild";
inline constexpr char kSquareActivity[] = "square";
inline constexpr char kWorkSignal[] = "work";
inline constexpr char kDoneSignal[] = "done";
inline constexpr char kProgressQuery[] = "progress";

// The same names with their signatures, for workflow code, registration and tests.
inline constexpr WorkflowDef<FanoutResult(FanoutInput)> kFanout{kFanoutWorkflow};
inline constexpr WorkflowDef<FanoutReport(FanoutChildInput)> kFanoutChild{kFanoutChildWorkflow};
inline constexpr ActivityDef<int64_t(int64_t)> kSquare{kSquareActivity};
inline constexpr SignalDef<void(FanoutShare)> kWork{kWorkSignal};
inline constexpr SignalDef<void(FanoutReport)> kDone{kDoneSignal};
inline constexpr QueryDef<int64_t()> kProgress{kProgressQuery};
// Bounds the parent's history (each child adds about ten events to it).
inline constexpr int64_t kMaxFanoutChildren = 1000;
// Bounds each share's payload (8 bytes a number) and keeps the sum of squares of up to
// kMaxFanoutChildren * kMaxFanoutPerChild numbers (about 3.3e17) well inside int64.
inline constexpr int64_t kMaxFanoutPerChild = 1000;

Task<FanoutResult> FanoutWorkflow(WorkflowContext& ctx, FanoutInput input);
Task<FanoutReport> FanoutChild(WorkflowContext& ctx, FanoutChildInput input);

// The workflow id of child `index` of the parent `parent_id`.
std::string FanoutChildId(const std::string& parent_id, int64_t index);

// Registers both workflows and the activity `square(x) = x*x`.
absl::Status RegisterFanout(Registry* registry);

}  // namespace lockstep::examples

#endif  // LOCKSTEP_EXAMPLES_FANOUT_FANOUT_WORKFLOW_H_
