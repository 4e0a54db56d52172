#include "sim/checkers/query_purity.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/payload/payload.h"
#include "temporal/api/enums/v1/event_type.pb.h"

namespace lockstep::sim {
namespace {

using temporal::api::common::v1::Payloads;

std::string Describe(const absl::StatusOr<Payloads>& answer) {
  if (!answer.ok()) return answer.status().ToString();
  return absl::StrCat(answer->ShortDebugString());
}

bool Same(const absl::StatusOr<Payloads>& a, const absl::StatusOr<Payloads>& b) {
  if (a.ok() != b.ok()) return false;
  if (!a.ok()) return a.status() == b.status();
  // Field by field: serializing would cost two strings per check, and a map's serialized order
  // is not fixed unless asked for.
  return SamePayloads(*a, *b);
}

}  // namespace

std::optional<Finding> CheckQueryPure(Service& service, WorkflowTaskHandler& rebuilder,
                                      const std::string& workflow_id, const std::string& query,
                                      const Payloads& args, bool* asked) {
  if (asked != nullptr) *asked = false;
  auto description = service.DescribeWorkflow(workflow_id, "");
  if (!description.ok() ||
      description->status != temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_RUNNING) {
    return std::nullopt;
  }
  const std::string run_id = description->execution.run_id();
  const int64_t length = description->history_length;
  // The service answers only after the run's first workflow task completed.
  auto history = service.GetHistory(workflow_id, run_id);
  if (!history.ok()) return std::nullopt;
  bool completed_a_task = false;
  for (const auto& event : (*history)->events()) {
    if (event.event_type() == temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
      completed_a_task = true;
      break;
    }
  }
  if (!completed_a_task) return std::nullopt;
  absl::StatusOr<Payloads> first = service.QueryWorkflow(workflow_id, run_id, query, args);
  if (first.status().code() == absl::StatusCode::kUnavailable) return std::nullopt;  // crashed
  if (asked != nullptr) *asked = true;
  Finding f;
  f.checker = "query_purity";
  f.workflow_id = workflow_id;
  f.at = service.clock()->Now();
  if (!first.ok() && absl::StrContains(first.status().message(), "changed workflow state")) {
    // The worker asks every handler twice itself and refuses an answer that changed.
    f.message = std::string(first.status().message());
    return f;
  }
  absl::StatusOr<Payloads> second = service.QueryWorkflow(workflow_id, run_id, query, args);
  absl::StatusOr<Payloads> third = rebuilder.HandleQuery(workflow_id, run_id, **history, query, args);
  auto after = service.DescribeWorkflow(workflow_id, run_id);
  if (!Same(first, second)) {
    f.message = absl::StrCat("query '", query, "' asked twice in a row answered differently: ",
                             Describe(first), " then ", Describe(second),
                             " (the query handler changes workflow state)");
    return f;
  }
  if (!Same(first, third)) {
    f.message = absl::StrCat("query '", query, "' answered ", Describe(first),
                             " but after the run was rebuilt from its history it answered ",
                             Describe(third),
                             " (the answer depends on state that replay does not rebuild)");
    return f;
  }
  if (after.ok() && after->history_length != length) {
    f.message = absl::StrCat("query '", query, "' made the history grow from ", length, " to ",
                             after->history_length, " events");
    return f;
  }
  return std::nullopt;
}

}  // namespace lockstep::sim
