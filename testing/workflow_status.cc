#include "testing/workflow_status.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace lockstep::testing {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::failure::v1::Failure;

constexpr char kFailureUrl[] = "type.googleapis.com/temporal.api.failure.v1.Failure";
constexpr char kCloseStatusUrl[] = "lockstep.dev/testing/close_status";

absl::Status WithFailure(absl::Status status, const Failure& failure) {
  status.SetPayload(kFailureUrl, absl::Cord(failure.SerializeAsString()));
  return status;
}

absl::Status WithCloseStatus(absl::Status status, enums::WorkflowExecutionStatus close) {
  status.SetPayload(kCloseStatusUrl, absl::Cord(enums::WorkflowExecutionStatus_Name(close)));
  return status;
}

}  // namespace

absl::Status ClosedRunStatus(const temporal::api::history::v1::HistoryEvent& event) {
  switch (event.event_type()) {
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: {
      const Failure& failure = event.workflow_execution_failed_event_attributes().failure();
      return WithCloseStatus(
          WithFailure(absl::AbortedError(absl::StrCat("workflow failed: ", failure.message())),
                      failure),
          enums::WORKFLOW_EXECUTION_STATUS_FAILED);
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      return WithCloseStatus(absl::DeadlineExceededError("workflow timed out"),
                             enums::WORKFLOW_EXECUTION_STATUS_TIMED_OUT);
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      return WithCloseStatus(absl::CancelledError("workflow canceled"),
                             enums::WORKFLOW_EXECUTION_STATUS_CANCELED);
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      return WithCloseStatus(
          absl::AbortedError(absl::StrCat(
              "workflow terminated: ",
              event.workflow_execution_terminated_event_attributes().reason())),
          enums::WORKFLOW_EXECUTION_STATUS_TERMINATED);
    default:
      return absl::InternalError(
          absl::StrCat("event ", event.event_id(), " does not close a run unsuccessfully"));
  }
}

absl::Status UpdateFailedStatus(const Failure& failure) {
  return WithFailure(absl::AbortedError(absl::StrCat("update failed: ", failure.message())),
                     failure);
}

std::optional<Failure> FailureOf(const absl::Status& status) {
  auto bytes = status.GetPayload(kFailureUrl);
  if (!bytes.has_value()) return std::nullopt;
  Failure failure;
  if (!failure.ParseFromString(std::string(*bytes))) return std::nullopt;
  return failure;
}

enums::WorkflowExecutionStatus CloseStatusOf(const absl::Status& status) {
  auto name = status.GetPayload(kCloseStatusUrl);
  enums::WorkflowExecutionStatus close = enums::WORKFLOW_EXECUTION_STATUS_UNSPECIFIED;
  if (name.has_value()) enums::WorkflowExecutionStatus_Parse(std::string(*name), &close);
  return close;
}

bool HasApplicationFailureType(const Failure& failure, const std::string& type) {
  for (const Failure* f = &failure; f != nullptr; f = f->has_cause() ? &f->cause() : nullptr) {
    if (f->has_application_failure_info() && f->application_failure_info().type() == type) {
      return true;
    }
  }
  return false;
}

}  // namespace lockstep::testing
