#include "sim/checkers/liveness.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace lockstep::sim {
namespace {

// The failure of the run's last recorded WorkflowTaskFailed, if any (Temporal records the
// first failure of a run of attempts; later attempts fail the same way unrecorded).
std::string LastTaskFailure(const Service& service, const WorkflowDescription& d) {
  auto history = service.GetHistory(d.execution.workflow_id(), d.execution.run_id());
  if (!history.ok()) return "";
  const auto& events = (*history)->events();
  for (int i = events.size() - 1; i >= 0; --i) {
    if (events[i].event_type() == temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_TASK_FAILED) {
      return events[i].workflow_task_failed_event_attributes().failure().message();
    }
  }
  return "";
}

std::string WaitsOn(const WorkflowDescription& d, const std::string& task_failure) {
  std::vector<std::string> parts;
  for (const auto& a : d.pending_activities) {
    std::string part = absl::StrCat("activity ", a.activity_type, " (id ", a.activity_id,
                                    ", attempt ", a.attempt, ")");
    if (a.last_failure.has_value()) {
      absl::StrAppend(&part, " last failure: ", a.last_failure->message());
    }
    parts.push_back(std::move(part));
  }
  for (const auto& t : d.pending_timers) {
    parts.push_back(
        absl::StrCat("timer ", t.timer_id, " firing at ", FormatReportTime(t.fire_time)));
  }
  for (const auto& c : d.pending_children) {
    parts.push_back(absl::StrCat("child workflow ", c.workflow_id, " (", c.workflow_type,
                                 c.run_id.empty() ? ", not started yet)" : ")"));
  }
  if (d.workflow_task_state !=
      temporal::api::enums::v1::PENDING_WORKFLOW_TASK_STATE_UNSPECIFIED) {
    parts.push_back(absl::StrCat("a workflow task (attempt ", d.workflow_task_attempt, ")",
                                 task_failure.empty() ? "" : ", failing: ", task_failure));
  }
  if (parts.empty()) {
    return "nothing the service knows of: the workflow waits for a signal, an update or a "
           "condition that nothing will satisfy";
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace

std::vector<Finding> CheckAllClosed(const Service& service, const std::vector<std::string>& ids,
                                    absl::Time now, const std::string& why) {
  std::vector<Finding> findings;
  for (const std::string& id : ids) {
    auto d = service.DescribeWorkflow(id, "");
    if (!d.ok() ||
        d->status != temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_RUNNING) {
      continue;
    }
    Finding f;
    f.checker = "liveness";
    f.workflow_id = id;
    f.at = now;
    const bool task_pending =
        d->workflow_task_state != temporal::api::enums::v1::PENDING_WORKFLOW_TASK_STATE_UNSPECIFIED;
    const std::string task_failure = task_pending ? LastTaskFailure(service, *d) : "";
    f.message = absl::StrCat("still running at ", FormatReportTime(now), " (", why, ") after ",
                             d->history_length, " events, started ",
                             FormatReportTime(d->start_time), "; it waits on ",
                             WaitsOn(*d, task_failure));
    // A workflow whose code keeps failing its task is stuck for that reason, not another.
    if (!task_failure.empty()) {
      f.cause = absl::StrCat("workflow task failing: ", WithoutNumbers(task_failure));
    }
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace lockstep::sim
