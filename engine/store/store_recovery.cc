#include "engine/store/store_recovery.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace lockstep::store {

absl::StatusOr<RecoverySummary> RecoverService(const HistoryStore& store, Service* service) {
  if (!service->ListRuns().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("recovering from a history store: the service already has ",
                     service->ListRuns().size(), " runs; recover into a new service"));
  }
  absl::StatusOr<std::vector<RunInfo>> runs = store.ListRuns();
  if (!runs.ok()) {
    return absl::Status(runs.status().code(),
                        absl::StrCat("recovering from a history store: listing its runs: ",
                                     runs.status().message()));
  }
  RecoverySummary summary;
  for (RunInfo& info : *runs) {
    absl::StatusOr<temporal::api::history::v1::History> history =
        store.ReadHistory(info.workflow_id, info.run_id);
    absl::Status status = history.status();
    absl::StatusOr<std::vector<ActivityAttemptState>> attempts;
    if (status.ok()) {
      attempts = store.ReadActivityAttempts(info.workflow_id, info.run_id);
      status = attempts.status();
    }
    if (status.ok()) {
      temporal::api::common::v1::WorkflowExecution execution;
      execution.set_workflow_id(info.workflow_id);
      execution.set_run_id(info.run_id);
      status = service->RestoreRun(execution, *history, *attempts);
    }
    if (!status.ok()) {
      // Store errors name the execution already; the service's do too.
      summary.skipped.push_back({std::move(info), std::move(status)});
      continue;
    }
    ++summary.runs_restored;
    summary.events += history->events_size();
    if (info.status == temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_RUNNING) {
      ++summary.open_runs;
    }
  }
  return summary;
}

}  // namespace lockstep::store
