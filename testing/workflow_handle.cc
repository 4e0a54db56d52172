#include "testing/workflow_handle.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "testing/test_environment.h"
#include "testing/workflow_status.h"

namespace lockstep::testing {
namespace {

namespace enums = temporal::api::enums::v1;

}  // namespace

absl::Status WorkflowHandle::SignalRaw(std::string name, Payloads args) const {
  SignalWorkflowRequest request;
  request.workflow_id = workflow_id_;
  request.signal_name = std::move(name);
  request.input = std::move(args);
  return env_->service().SignalWorkflow(request);
}

absl::Status WorkflowHandle::SignalWithStartRaw(std::string name, Payloads args) {
  SignalWithStartRequest request;
  request.start = start_;
  request.signal_name = std::move(name);
  request.signal_input = std::move(args);
  auto signaled = env_->service().SignalWithStartWorkflow(request);
  if (!signaled.ok()) return signaled.status();
  run_id_ = signaled->run_id();
  return absl::OkStatus();
}

absl::StatusOr<Payloads> WorkflowHandle::QueryRaw(std::string name, Payloads args) const {
  env_->RunUntilIdle();
  return env_->service().QueryWorkflow(workflow_id_, "", name, args);
}

absl::StatusOr<Payloads> WorkflowHandle::UpdateRaw(std::string name, Payloads args) const {
  UpdateWorkflowRequest request;
  request.workflow_id = workflow_id_;
  request.name = std::move(name);
  request.args = std::move(args);
  absl::StatusOr<UpdateStatus> admitted = env_->service().UpdateWorkflow(request);
  if (!admitted.ok()) return admitted.status();
  const std::string update_id = admitted->update_id;
  absl::StatusOr<UpdateStatus> status = admitted;
  absl::Status waited = env_->RunUntil(
      [&] {
        status = env_->service().GetUpdateStatus(workflow_id_, update_id);
        return !status.ok() || status->completed();
      },
      absl::StrCat("the outcome of update ", update_id, " of workflow ", workflow_id_));
  if (!waited.ok()) return waited;
  if (!status.ok()) return status.status();
  if (!status->outcome.has_value()) return status->error;
  if (status->outcome->has_failure()) return UpdateFailedStatus(status->outcome->failure());
  return status->outcome->success();
}

absl::Status WorkflowHandle::Cancel(std::string reason) const {
  CancelWorkflowRequest request;
  request.workflow_id = workflow_id_;
  request.reason = std::move(reason);
  return env_->service().RequestCancelWorkflow(request);
}

absl::Status WorkflowHandle::Terminate(std::string reason) const {
  TerminateWorkflowRequest request;
  request.workflow_id = workflow_id_;
  request.reason = std::move(reason);
  return env_->service().TerminateWorkflow(request);
}

absl::StatusOr<WorkflowDescription> WorkflowHandle::Describe() const {
  return env_->service().DescribeWorkflow(workflow_id_, "");
}

bool WorkflowHandle::IsClosed() const {
  absl::StatusOr<WorkflowDescription> description = Describe();
  return description.ok() &&
         description->status != enums::WORKFLOW_EXECUTION_STATUS_RUNNING &&
         description->status != enums::WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW;
}

const temporal::api::history::v1::History& WorkflowHandle::History() const {
  static const temporal::api::history::v1::History* const kEmpty =
      new temporal::api::history::v1::History();
  auto history = env_->service().GetHistory(workflow_id_, "");
  return history.ok() ? **history : *kEmpty;
}

absl::StatusOr<Payloads> WorkflowHandle::ResultRaw() const {
  absl::Status waited =
      env_->RunUntil([&] { return IsClosed(); }, absl::StrCat("workflow ", workflow_id_, " to close"));
  if (!waited.ok()) return waited;
  absl::StatusOr<WorkflowDescription> description = Describe();
  if (!description.ok()) return description.status();
  if (description->status == enums::WORKFLOW_EXECUTION_STATUS_COMPLETED) {
    return description->result.value_or(Payloads());
  }
  const auto& history = History();
  if (history.events_size() == 0) {
    return absl::InternalError(absl::StrCat("workflow ", workflow_id_, " has no history"));
  }
  return ClosedRunStatus(history.events(history.events_size() - 1));
}

}  // namespace lockstep::testing
