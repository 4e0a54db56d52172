// WorkflowRun: workflow updates (Temporal's update protocol).
//
// An update request arrives with a workflow task (live) or is read back from its
// WorkflowExecutionUpdateAccepted event (replay). Requests are delivered after the task's
// signals, to the handler of their name; one whose handler is not set by the end of the
// task is rejected. Live, the validator runs first and may reject; an accepted update issues
// a PROTOCOL_MESSAGE command carrying the Acceptance, runs its handler as a coroutine of its
// own in the root scope, and issues another carrying the Response when the handler ends.
// Rejections are messages without a command and leave no event.
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/payload/utf8.h"
#include "engine/workflow/run_internal.h"
#include "engine/workflow/run_ops.h"
#include "engine/workflow/workflow_run.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::command::v1::Command;
using temporal::api::history::v1::History;
using temporal::api::history::v1::HistoryEvent;
using temporal::api::protocol::v1::Message;

Message UpdateMessage(const std::string& update_id, const std::string& suffix,
                      const google::protobuf::Message& body) {
  Message m;
  m.set_id(absl::StrCat(update_id, "/", suffix));
  m.set_protocol_instance_id(update_id);
  m.mutable_body()->PackFrom(body);
  return m;
}

temporal::api::failure::v1::Failure FailureOf(const std::string& message, const std::string& type) {
  temporal::api::failure::v1::Failure f;
  f.set_message(message);
  f.set_source("Lockstep");
  f.mutable_application_failure_info()->set_type(type);
  return f;
}

}  // namespace

void WorkflowRun::AddUpdateRequests(std::vector<Message> messages) {
  for (Message& m : messages) incoming_updates_.push_back(std::move(m));
}

void WorkflowRun::SetUpdateHandler(std::string name, UpdateHandler handler) {
  update_handlers_[name] = std::move(handler);
  // Requests of this task that arrived before the handler existed, in arrival order.
  std::vector<UpdateRequest> waiting = std::move(buffered_updates_);
  buffered_updates_.clear();
  for (const UpdateRequest& r : waiting) {
    if (r.request.input().name() == name) {
      DeliverUpdate(r, /*validate=*/!replaying_);
    } else {
      buffered_updates_.push_back(r);
    }
  }
}

std::vector<WorkflowRun::UpdateRequest> WorkflowRun::TakeUpdateRequests(bool replaying) {
  // Replay: the updates this task accepted, as recorded (read by LookAhead).
  if (replaying) return std::move(recorded_updates_);
  std::vector<UpdateRequest> requests;
  for (const Message& m : incoming_updates_) {
    UpdateRequest r;
    if (!m.body().UnpackTo(&r.request)) {
      temporal::api::update::v1::Rejection body;
      body.set_rejected_request_message_id(m.id());
      *body.mutable_failure() =
          FailureOf("update request message body is not an update Request", "BadUpdateRequest");
      rejections_.push_back(UpdateMessage(m.protocol_instance_id(), "reject", body));
      continue;
    }
    r.message_id = m.id();
    r.sequencing_event_id = m.event_id();
    requests.push_back(std::move(r));
  }
  incoming_updates_.clear();
  return requests;
}

WorkflowRun::UpdateRequest WorkflowRun::RecordedUpdateRequest(const HistoryEvent& accepted) {
  const auto& a = accepted.workflow_execution_update_accepted_event_attributes();
  UpdateRequest r;
  r.request = a.accepted_request();
  if (r.request.meta().update_id().empty()) {
    r.request.mutable_meta()->set_update_id(a.protocol_instance_id());
  }
  r.message_id = a.accepted_request_message_id();
  r.sequencing_event_id = a.accepted_request_sequencing_event_id();
  return r;
}

void WorkflowRun::DeliverUpdate(const UpdateRequest& r, bool validate) {
  auto it = update_handlers_.find(r.request.input().name());
  if (it == update_handlers_.end() || closed_) {
    buffered_updates_.push_back(r);
    return;
  }
  const std::string& update_id = r.request.meta().update_id();
  if (validate && it->second.validate) {
    in_query_ = true;  // a validator must not issue commands, as a query must not
    try {
      it->second.validate(r.request.input().args());
    } catch (const WorkflowFailure& f) {
      in_query_ = false;
      RejectUpdate(r, f.failure());
      return;
    } catch (const std::exception& e) {
      in_query_ = false;
      RejectUpdate(r, FailureOf(payload_internal::ToValidUtf8(e.what()), "ValidationError"));
      return;
    } catch (...) {
      // Not a way to reject (that is a WorkflowFailure or a std::exception): a bug in the
      // validator, which fails the task as any other exception from workflow code does. The
      // update is neither accepted nor rejected; the retried task delivers it again.
      in_query_ = false;
      NoteTaskError(std::current_exception(),
                    HandlerOrigin("update validator", r.request.input().name()));
      return;
    }
    in_query_ = false;
  }
  temporal::api::update::v1::Acceptance acceptance;
  acceptance.set_accepted_request_message_id(r.message_id);
  acceptance.set_accepted_request_sequencing_event_id(r.sequencing_event_id);
  *acceptance.mutable_accepted_request() = r.request;
  Message message = UpdateMessage(update_id, "accept", acceptance);
  Command command;
  command.set_command_type(enums::COMMAND_TYPE_PROTOCOL_MESSAGE);
  command.mutable_protocol_message_command_attributes()->set_message_id(message.id());
  const CommandKey key = CommandKey::AcceptUpdate(r.request.input().name(), update_id);
  PendingCommand* pending = AddCommand(
      std::move(command), [](const HistoryEvent&) { return RunStatus(); }, {}, &key);
  pending->message = std::move(message);

  internal::ScopeState* outer = scheduler_.set_current_scope(root_scope_);
  try {
    Task<Payloads> body = it->second.run(r.request.input().args());
    StartTask(root_scope_, RunUpdateHandler(std::move(body), update_id), "update handler",
              r.request.input().name());
  } catch (...) {
    NoteTaskError(std::current_exception(),
                  HandlerOrigin("update handler", r.request.input().name()));
  }
  scheduler_.set_current_scope(outer);
}

Task<void> WorkflowRun::RunUpdateHandler(Task<Payloads> body, std::string update_id) {
  temporal::api::update::v1::Outcome outcome;
  try {
    *outcome.mutable_success() = co_await body;
  } catch (const WorkflowFailure& f) {
    *outcome.mutable_failure() = f.failure();
  }
  // Other exceptions end this coroutine and fail the workflow task (see RunUntilBlocked).
  CompleteUpdate(update_id, std::move(outcome));
}

void WorkflowRun::CompleteUpdate(const std::string& update_id,
                                 temporal::api::update::v1::Outcome outcome) {
  if (closed_) return;  // the workflow ended first; the service fails the update
  temporal::api::update::v1::Response response;
  response.mutable_meta()->set_update_id(update_id);
  *response.mutable_outcome() = std::move(outcome);
  Message message = UpdateMessage(update_id, "complete", response);
  Command command;
  command.set_command_type(enums::COMMAND_TYPE_PROTOCOL_MESSAGE);
  command.mutable_protocol_message_command_attributes()->set_message_id(message.id());
  const CommandKey key = CommandKey::CompleteUpdate(update_id);
  PendingCommand* pending = AddCommand(
      std::move(command), [](const HistoryEvent&) { return RunStatus(); }, {}, &key);
  pending->message = std::move(message);
}

void WorkflowRun::RejectUpdate(const UpdateRequest& r,
                               temporal::api::failure::v1::Failure failure) {
  temporal::api::update::v1::Rejection rejection;
  rejection.set_rejected_request_message_id(r.message_id);
  rejection.set_rejected_request_sequencing_event_id(r.sequencing_event_id);
  *rejection.mutable_rejected_request() = r.request;
  *rejection.mutable_failure() = std::move(failure);
  rejections_.push_back(UpdateMessage(r.request.meta().update_id(), "reject", rejection));
}

void WorkflowRun::RejectUnhandledUpdates(bool replaying) {
  std::vector<UpdateRequest> unhandled = std::move(buffered_updates_);
  buffered_updates_.clear();
  if (replaying) return;  // its acceptance event shows up as a missing command
  for (const UpdateRequest& r : unhandled) {
    RejectUpdate(r, FailureOf(closed_ ? "the workflow has completed"
                                      : absl::StrCat("no update handler \"",
                                                     r.request.input().name(), "\" is registered"),
                              "UnknownUpdate"));
  }
}

void WorkflowContext::SetRawUpdateHandler(std::string name,
                                          std::function<Task<Payloads>(const Payloads&)> handler,
                                          std::function<void(const Payloads&)> validator) {
  run_->SetUpdateHandler(std::move(name), {std::move(handler), std::move(validator)});
}

}  // namespace lockstep
