// How a test sees a workflow that did not complete: an absl::Status whose code says how the
// run closed, whose message says why, and which carries the Failure itself.
//
//   absl::StatusOr<std::string> result = env.ExecuteWorkflow<std::string>(kOrder, {}, order);
//   if (!result.ok()) {
//     std::optional<Failure> failure = FailureOf(result.status());  // the close event's failure
//   }
//
// Codes, per WorkflowExecutionStatus of the last run of the chain:
//   FAILED     -> kAborted, message "workflow failed: <failure message>", Failure attached;
//   TIMED_OUT  -> kDeadlineExceeded;
//   CANCELED   -> kCancelled;
//   TERMINATED -> kAborted, message "workflow terminated: <reason>".
// An update that failed or was rejected gives kAborted with its Failure attached. Any other
// code is the test environment's own error (a workflow that can never close, a result that
// does not decode, a bad argument), never a workflow outcome: CloseStatusOf tells them apart.
#ifndef LOCKSTEP_TESTING_WORKFLOW_STATUS_H_
#define LOCKSTEP_TESTING_WORKFLOW_STATUS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "temporal/api/enums/v1/workflow.pb.h"
#include "temporal/api/failure/v1/message.pb.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::testing {

// The status for a run that closed with `close_event` (a workflow close event other than
// completed or continued-as-new).
absl::Status ClosedRunStatus(const temporal::api::history::v1::HistoryEvent& close_event);

// The status for an update whose outcome is `failure`.
absl::Status UpdateFailedStatus(const temporal::api::failure::v1::Failure& failure);

// The Failure a status carries, if any.
std::optional<temporal::api::failure::v1::Failure> FailureOf(const absl::Status& status);

// How the run closed, for a status made by ClosedRunStatus; UNSPECIFIED for any other status.
temporal::api::enums::v1::WorkflowExecutionStatus CloseStatusOf(const absl::Status& status);

// Whether `failure` or one of its causes is an ApplicationFailure of type `type`.
bool HasApplicationFailureType(const temporal::api::failure::v1::Failure& failure,
                               const std::string& type);

}  // namespace lockstep::testing

#endif  // LOCKSTEP_TESTING_WORKFLOW_STATUS_H_
