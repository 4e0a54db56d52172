// Checker: no signal lost or applied twice.
//
// The ledger is what clients were told: every signal the service accepted (client signals and
// signal-with-start, by request id). Against it:
//   - lost: an accepted signal appears in no WorkflowExecutionSignaled event of the workflow
//     id's runs;
//   - recorded twice: one request id appears twice in one run (the service must deduplicate
//     a repeated delivery; a duplicate that lands in a later run after continue-as-new is
//     legitimately recorded again, as in Temporal, whose request ids are per run);
//   - applied: when the workload can read from a completed workflow's result how many
//     signals it applied (Workload::signals_applied), that count must equal the signals
//     recorded (from clients and from other workflows) in the runs of its continue-as-new
//     chain. Fewer means the workflow dropped some (for example, it continued as new without
//     draining the signals that arrived in its last task); more means it applied one twice.
#ifndef LOCKSTEP_SIM_CHECKERS_SIGNAL_LEDGER_H_
#define LOCKSTEP_SIM_CHECKERS_SIGNAL_LEDGER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sim/finding.h"
#include "sim/workload.h"

namespace lockstep::sim {

struct SentSignal {
  std::string workflow_id;
  std::string signal_name;
  std::string request_id;
  bool accepted = false;
};

std::vector<Finding> CheckSignalLedger(
    absl::Span<const SentSignal> sent, absl::Span<const WorkflowResult> workflows,
    const std::function<absl::StatusOr<int64_t>(const WorkflowResult&)>& signals_applied);

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_CHECKERS_SIGNAL_LEDGER_H_
