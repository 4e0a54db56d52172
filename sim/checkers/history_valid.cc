#include "sim/checkers/history_valid.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "engine/history/validate.h"

namespace lockstep::sim {

std::optional<Finding> CheckHistoryValid(absl::string_view workflow_id, absl::string_view run_id,
                                         const temporal::api::history::v1::History& history) {
  absl::Status status =
      history::ValidateHistory(history, absl::StrCat("history of ", workflow_id, "/", run_id));
  if (status.ok()) return std::nullopt;
  Finding f;
  f.checker = "history_valid";
  f.workflow_id = std::string(workflow_id);
  f.message = std::string(status.message());
  return f;
}

}  // namespace lockstep::sim
