#include "sim/checkers/replay_clean.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "replay/replayer.h"
#include "temporal/api/enums/v1/event_type.pb.h"
#include "temporal/api/enums/v1/failed_cause.pb.h"

namespace lockstep::sim {
namespace {

namespace enums = temporal::api::enums::v1;

Finding FromReplay(absl::string_view workflow_id, const replay::ReplayResult& result,
                   absl::string_view how) {
  Finding f;
  f.checker = "replay";
  f.workflow_id = std::string(workflow_id);
  f.message = absl::StrCat("replay ", how, " is not clean:\n", replay::FormatText(result));
  return f;
}

}  // namespace

std::optional<Finding> CheckReplaysCleanly(const Registry& registry, absl::string_view workflow_id,
                                           absl::string_view run_id,
                                           const temporal::api::history::v1::History& history,
                                           bool every_task_boundary) {
  for (const auto& event : history.events()) {
    if (event.event_type() != enums::EVENT_TYPE_WORKFLOW_TASK_FAILED) continue;
    const auto& failed = event.workflow_task_failed_event_attributes();
    if (failed.cause() != enums::WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR) continue;
    Finding f;
    f.checker = "replay";
    f.workflow_id = std::string(workflow_id);
    f.message = absl::StrCat("run ", run_id, ": event ", event.event_id(),
                             " WorkflowTaskFailed (NON_DETERMINISTIC_ERROR): the worker rebuilt "
                             "the run from its history after an eviction or crash and the code "
                             "took another path: ",
                             failed.failure().message());
    return f;
  }
  const std::string source = absl::StrCat(workflow_id, "/", run_id);
  replay::ReplayOptions options;
  options.result_check = replay::ReplayOptions::ResultCheck::kFail;
  replay::ReplayResult result = replay::ReplayHistory(registry, history, source, options);
  if (result.outcome != replay::Outcome::kClean) {
    return FromReplay(workflow_id, result, "from scratch");
  }
  if (every_task_boundary) {
    result = replay::ReplayEveryTaskBoundary(registry, history, source, options);
    if (result.outcome != replay::Outcome::kClean) {
      return FromReplay(workflow_id, result, "from a task boundary");
    }
  }
  return std::nullopt;
}

}  // namespace lockstep::sim
