// Retention of closed runs' histories (ServiceOptions::retention).
#include "absl/strings/str_cat.h"
#include "engine/service/service.h"

namespace lockstep {

void Service::ApplyRetention() {
  const ServiceOptions::Retention& rule = options_.retention;
  // Runs that closed in the step just ended join the queue now that their histories are
  // complete (the close event is filled in after it is appended).
  for (size_t index : newly_closed_) {
    RunState& run = *runs_[index];
    run.closed_bytes = HistoryBytes(run);
    retention_stats_.closed_kept_bytes += run.closed_bytes;
    ++retention_stats_.closed_kept;
    closed_kept_.push_back(index);
  }
  newly_closed_.clear();
  // Earliest closed first. A run whose close is still to be reported (its parent reads the
  // close event, OnCloseExecution) holds up the ones behind it: that report is due at once.
  while (!closed_kept_.empty()) {
    RunState& run = *runs_[closed_kept_.front()];
    if (run.close_report_pending) break;
    const bool over_cap = retention_stats_.closed_kept_bytes > rule.max_closed_bytes;
    const bool expired = rule.closed_for != absl::InfiniteDuration() &&
                         Now() >= *run.close_time + rule.closed_for;
    if (!over_cap && !expired) break;
    ReleaseHistory(run);
    closed_kept_.pop_front();
  }
}

void Service::ReleaseHistory(RunState& run) {
  retention_stats_.closed_kept_bytes -= run.closed_bytes;
  --retention_stats_.closed_kept;
  ++retention_stats_.released_histories;
  retention_stats_.released_events += run.history.size();
  run.released_events = run.history.size();
  run.history_released = true;
  run.history.Clear();
  decoded_window_events_ -= run.counted_window;
  run.counted_window = 0;
}

absl::Status Service::ReleasedError(const RunState& run) {
  // Temporal answers NotFound for an execution deleted after its retention period.
  return absl::NotFoundError(absl::StrCat("the history of workflow ", run.workflow_id, " run ",
                                          run.run_id, " was released by retention (it closed at ",
                                          absl::FormatTime(*run.close_time), ")"));
}

absl::Status Service::HistoryError(const RunState& run, const absl::Status& cause) {
  return absl::Status(cause.code(), absl::StrCat("the history of workflow ", run.workflow_id,
                                                 " run ", run.run_id, ": ", cause.message()));
}

}  // namespace lockstep
