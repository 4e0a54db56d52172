// Checker: queries are pure. At a random point (the query fault, or a query the plan makes)
// the same query is asked of the run three times: twice in a row of the worker, then of
// `rebuilder`, a worker with an empty cache, which rebuilds the run from its history (what the
// worker itself does after an eviction, without evicting anything, so the check leaves the
// schedule as it was). All three must be equal (same status, same payload bytes) and the run's
// history must not grow: a query handler that changes workflow state, or answers from state
// that replay does not rebuild, is caught.
//
// The worker itself asks every handler twice and refuses an answer that changed ("changed
// workflow state"); that refusal is a finding too. A run that is closed, unknown, has not
// completed its first workflow task, or has no worker to ask (crashed), is not asked.
#ifndef LOCKSTEP_SIM_CHECKERS_QUERY_PURITY_H_
#define LOCKSTEP_SIM_CHECKERS_QUERY_PURITY_H_

#include <optional>
#include <string>

#include "sim/finding.h"
#include "temporal/api/common/v1/message.pb.h"
#include "absl/time/time.h"
#include "engine/core/task_handlers.h"
#include "engine/service/service.h"

namespace lockstep::sim {

// Returns nullopt when the query was pure or could not be asked; `asked` (if set) tells which.
std::optional<Finding> CheckQueryPure(Service& service, WorkflowTaskHandler& rebuilder,
                                      const std::string& workflow_id, const std::string& query,
                                      const temporal::api::common::v1::Payloads& args,
                                      bool* asked = nullptr);

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_CHECKERS_QUERY_PURITY_H_
