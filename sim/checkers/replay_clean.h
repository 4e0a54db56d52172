// Checker: every history replays cleanly against the workflow code.
//   - From scratch: the whole history, through the same WorkflowRun the worker executes with
//     (replay/replayer.h), results compared.
//   - From every eviction point the run took: the simulator evicts runs and crashes workers
//     at random, and each such point made the worker rebuild the run from its history. A
//     rebuild that diverged was reported by the worker as a workflow task failed with
//     WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR; any such event is a finding.
//   - Optionally from every workflow task boundary (ReplayEveryTaskBoundary), which costs
//     one replay per task; the driver samples it.
#ifndef LOCKSTEP_SIM_CHECKERS_REPLAY_CLEAN_H_
#define LOCKSTEP_SIM_CHECKERS_REPLAY_CLEAN_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "engine/workflow/registry.h"
#include "sim/finding.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::sim {

std::optional<Finding> CheckReplaysCleanly(const Registry& registry, absl::string_view workflow_id,
                                           absl::string_view run_id,
                                           const temporal::api::history::v1::History& history,
                                           bool every_task_boundary);

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_CHECKERS_REPLAY_CLEAN_H_
