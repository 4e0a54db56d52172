// Service: workflow updates — admission, delivery with workflow tasks, the worker's answers,
// and the end of updates whose run closes first.
//
// Temporal (service/history/workflow/update/, api/updateworkflow/api.go,
// api/respondworkflowtaskcompleted/): an admitted update is sent to the worker with the next
// workflow task (and again with the next one if that task fails or times out); an Acceptance
// writes WorkflowExecutionUpdateAccepted, a Response WorkflowExecutionUpdateCompleted, a
// Rejection nothing. A request the worker left unanswered in a completed task is rejected by
// the server. When the run closes, accepted updates fail with AcceptedUpdateCompletedWorkflow
// and the others are aborted with an error.
#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/service/failures.h"
#include "engine/service/request_utf8.h"
#include "engine/service/service.h"
#include "engine/service/update_messages.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using Stage = UpdateStatus::Stage;

void Complete(service::UpdateState& update, temporal::api::update::v1::Outcome outcome) {
  update.status.stage = Stage::kCompleted;
  update.status.outcome = std::move(outcome);
  update.sent = false;
}

temporal::api::update::v1::Outcome FailureOutcome(temporal::api::failure::v1::Failure failure) {
  temporal::api::update::v1::Outcome outcome;
  *outcome.mutable_failure() = std::move(failure);
  return outcome;
}

}  // namespace

absl::StatusOr<UpdateStatus> Service::UpdateWorkflow(const UpdateWorkflowRequest& request) {
  if (request.name.empty()) return absl::InvalidArgumentError("Update name is not set on request.");
  if (absl::Status s = service::CheckRequestUtf8(request); !s.ok()) return s;
  absl::StatusOr<RunState*> found = FindRun(request.workflow_id, request.run_id);
  if (!found.ok()) return found.status();
  RunState& run = **found;
  const std::string update_id = request.update_id.empty() ? NextRequestId() : request.update_id;
  // A known id answers with that update, even on a closed run (updateworkflow/api.go).
  if (auto it = run.updates.find(update_id); it != run.updates.end()) return it->second.status;
  if (!run.running()) return absl::NotFoundError("workflow execution already completed");

  service::UpdateState& update = run.updates[update_id];
  update.status.update_id = update_id;
  update.status.execution.set_workflow_id(run.workflow_id);
  update.status.execution.set_run_id(run.run_id);
  update.admitted_seq = next_update_seq_++;
  auto* meta = update.request.mutable_meta();
  meta->set_update_id(update_id);
  meta->set_identity(request.identity);
  auto* input = update.request.mutable_input();
  if (request.header.fields_size() > 0) *input->mutable_header() = request.header;
  input->set_name(request.name);
  if (request.args.payloads_size() > 0) *input->mutable_args() = request.args;
  update_index_[{run.workflow_id, update_id}] = run.index;
  // Temporal schedules a (speculative) task when none is pending; one already out does not
  // take the request, the task after it does (CompleteWorkflowTask schedules that one).
  BeginStep(StepKind::kClientUpdateWorkflow, 0);
  ScheduleWorkflowTask(run);
  EndStep(&run);
  return update.status;
}

absl::StatusOr<UpdateStatus> Service::GetUpdateStatus(const std::string& workflow_id,
                                                      const std::string& update_id) const {
  auto it = update_index_.find({workflow_id, update_id});
  if (it == update_index_.end()) {
    return absl::NotFoundError(absl::StrCat("update ", update_id, " not found"));
  }
  return runs_[it->second]->updates.at(update_id).status;
}

void Service::AddUpdateRequests(RunState& run, int64_t started_event_id,
                                WorkflowTaskRequest* request) {
  // Every update not accepted or completed yet, sent before or not (includeAlreadySent), in
  // order of admission; sequenced after the event before WorkflowTaskStarted (registry.go Send).
  std::vector<service::UpdateState*> pending;
  for (auto& [id, update] : run.updates) {
    if (update.status.stage == Stage::kAdmitted) pending.push_back(&update);
  }
  std::sort(pending.begin(), pending.end(),
            [](const service::UpdateState* a, const service::UpdateState* b) {
              return a->admitted_seq < b->admitted_seq;
            });
  for (service::UpdateState* update : pending) {
    update->sent = true;
    request->messages.push_back(
        service::UpdateRequestMessage(update->request, started_event_id - 1));
  }
}

void Service::ApplyUpdateMessage(RunState& run,
                                 const temporal::api::protocol::v1::Message& message) {
  // The command checker validated the message; an update that is already completed here was
  // aborted by the run's close earlier in this completion.
  auto it = run.updates.find(message.protocol_instance_id());
  absl::StatusOr<service::UpdateAnswer> answer = service::DecodeUpdateAnswer(message);
  if (it == run.updates.end() || it->second.status.completed() || !answer.ok()) return;
  service::UpdateState& update = it->second;
  switch (answer->kind) {
    case service::UpdateAnswer::Kind::kAcceptance: {
      auto* a = Append(run, enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
                    ->mutable_workflow_execution_update_accepted_event_attributes();
      a->set_protocol_instance_id(it->first);
      // The server's own message id and copy of the request (update.go onAcceptanceMsg).
      a->set_accepted_request_message_id(service::UpdateRequestMessageId(it->first));
      a->set_accepted_request_sequencing_event_id(
          answer->acceptance.accepted_request_sequencing_event_id());
      *a->mutable_accepted_request() = update.request;
      update.accepted_event_id = run.history.size();
      update.status.stage = Stage::kAccepted;
      update.sent = false;
      return;
    }
    case service::UpdateAnswer::Kind::kRejection:
      Complete(update, FailureOutcome(answer->rejection.failure()));
      update.status.rejected = true;
      return;
    case service::UpdateAnswer::Kind::kResponse: {
      auto* a = Append(run, enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)
                    ->mutable_workflow_execution_update_completed_event_attributes();
      *a->mutable_meta() = answer->response.meta();
      a->set_accepted_event_id(update.accepted_event_id);
      *a->mutable_outcome() = answer->response.outcome();
      Complete(update, answer->response.outcome());
      return;
    }
  }
}

void Service::RejectUnprocessedUpdates(RunState& run) {
  // A completed task that left a request it was given unanswered: the worker does not
  // handle updates, and sending the request again would loop (rejectUnprocessedUpdates).
  for (auto& [id, update] : run.updates) {
    if (update.sent && update.status.stage == Stage::kAdmitted) {
      Complete(update, FailureOutcome(service::UnprocessedUpdateFailure()));
      update.status.rejected = true;
    }
  }
}

void Service::AbortUpdates(RunState& run) {
  // abort_reason.go: accepted updates fail (a client that saw the acceptance expects an
  // outcome); the others end with an error, retryable when a new run continues the chain.
  const bool continuing = !run.new_execution_run_id.empty();
  for (auto& [id, update] : run.updates) {
    if (update.status.completed()) continue;
    if (update.status.stage == Stage::kAccepted) {
      Complete(update, FailureOutcome(service::AcceptedUpdateCompletedWorkflowFailure()));
      continue;
    }
    update.status.stage = Stage::kCompleted;
    update.sent = false;
    update.status.error =
        continuing ? absl::ResourceExhaustedError(
                         "workflow operation can not be applied because workflow is closing")
                   : absl::NotFoundError("workflow update was aborted by closing workflow");
  }
}

bool Service::HasUndeliveredUpdates(const RunState& run) {
  for (const auto& [id, update] : run.updates) {
    if (update.status.stage == Stage::kAdmitted && !update.sent) return true;
  }
  return false;
}

}  // namespace lockstep
