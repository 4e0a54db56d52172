// Checker: every history the run wrote is well-formed (engine/history/validate.h: event ids
// consecutive from 1, times never going back, every reference to an earlier event pointing at
// an event of the right type, the shape Temporal's server writes).
#ifndef LOCKSTEP_SIM_CHECKERS_HISTORY_VALID_H_
#define LOCKSTEP_SIM_CHECKERS_HISTORY_VALID_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "sim/finding.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::sim {

std::optional<Finding> CheckHistoryValid(absl::string_view workflow_id, absl::string_view run_id,
                                         const temporal::api::history::v1::History& history);

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_CHECKERS_HISTORY_VALID_H_
