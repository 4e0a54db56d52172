// WorkflowRun: child workflows and requests to other workflows (external signals and
// cancellation requests).
//
// A child's start command is matched, like every command, against its initiated event; the
// events that follow (started, start failed, and how the child ended) and the outcomes of
// external requests reach the code at the next activation, in history order, as activity
// results do.
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/history/event_types.h"
#include "engine/workflow/run_internal.h"
#include "engine/workflow/run_ops.h"
#include "engine/workflow/workflow_run.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using run_internal::SetDuration;
using run_internal::Transit;
using temporal::api::command::v1::Command;
using temporal::api::failure::v1::Failure;
using temporal::api::history::v1::HistoryEvent;

RunStatus ChildTransit(WorkflowRun::ChildOp* op, machines::ChildTrigger trigger) {
  return Transit(
      machines::ChildTransitions(), &op->state, trigger,
      [op] { return CommandKey::Child(op->workflow_type, op->workflow_id).ToString(); },
      machines::ChildStateName, machines::ChildTriggerName);
}

RunStatus ExternalTransit(WorkflowRun::ExternalOp* op, machines::ExternalTrigger trigger) {
  return Transit(
      machines::ExternalTransitions(), &op->state, trigger,
      [op] { return op->key.key().ToString(); }, machines::ExternalStateName,
      machines::ExternalTriggerName);
}

// The failure a parent sees for a child that did not complete: Temporal's shape, a
// ChildWorkflowExecutionFailureInfo whose cause says what happened to the child.
Failure ChildFailure(const WorkflowRun::ChildOp& op, const std::string& namespace_name,
                     Failure cause, enums::RetryState retry_state) {
  Failure f;
  f.set_message("child workflow execution error");
  f.set_source("Lockstep");
  auto* info = f.mutable_child_workflow_execution_failure_info();
  info->set_namespace_(namespace_name);
  info->mutable_workflow_execution()->set_workflow_id(op.workflow_id);
  info->mutable_workflow_execution()->set_run_id(op.run_id);
  info->mutable_workflow_type()->set_name(op.workflow_type);
  info->set_initiated_event_id(op.initiated_event_id);
  info->set_started_event_id(op.started_event_id);
  info->set_retry_state(retry_state);
  *f.mutable_cause() = std::move(cause);
  return f;
}

}  // namespace

WorkflowRun::ChildStart WorkflowRun::StartChild(const std::string& type,
                                                const ChildWorkflowOptions& options, Payloads input,
                                                SourceLocation where) {
  CheckMayIssueCommand("StartChildWorkflow", type, where);
  const int64_t seq = next_child_seq_++;
  std::string workflow_id = options.workflow_id.empty() ? absl::StrCat(info_.run_id, "_", seq)
                                                        : std::string(options.workflow_id);
  if (CurrentScope()->canceled()) {
    const std::string why =
        absl::StrCat("child ", type, " not started: its cancellation scope is canceled");
    return {CanceledAtOnce<ChildExecution>(why), CanceledAtOnce<Payloads>(why), workflow_id};
  }
  ChildOp& op = children_.emplace_back();
  op.workflow_id = workflow_id;
  op.id_generated = options.workflow_id.empty();
  op.workflow_type = type;
  op.cancellation_type = options.cancellation_type;
  op.where = where;

  Command command;
  command.set_command_type(enums::COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION);
  auto* a = command.mutable_start_child_workflow_execution_command_attributes();
  a->set_workflow_id(workflow_id);
  a->mutable_workflow_type()->set_name(type);
  a->mutable_task_queue()->set_name(options.task_queue.empty() ? info_.task_queue
                                                               : std::string(options.task_queue));
  *a->mutable_input() = std::move(input);
  if (options.execution_timeout > absl::ZeroDuration()) {
    SetDuration(options.execution_timeout, a->mutable_workflow_execution_timeout());
  }
  if (options.run_timeout > absl::ZeroDuration()) {
    SetDuration(options.run_timeout, a->mutable_workflow_run_timeout());
  }
  if (options.task_timeout > absl::ZeroDuration()) {
    SetDuration(options.task_timeout, a->mutable_workflow_task_timeout());
  }
  a->set_parent_close_policy(options.parent_close_policy);
  a->set_workflow_id_reuse_policy(options.id_reuse_policy);
  if (options.has_retry_policy) {
    run_internal::RetryPolicyToProto(options.retry_policy, a->mutable_retry_policy());
  }

  auto [started, started_resolver] = Future<ChildExecution>::Make(&scheduler_);
  auto [result, result_resolver] = Future<Payloads>::Make(&scheduler_);
  op.started = started_resolver;
  op.result = result_resolver;
  ChildOp* op_ptr = &op;
  op.command = AddCommand(
      std::move(command),
      [this, op_ptr](const HistoryEvent& event) {
        op_ptr->command = nullptr;
        const std::string& recorded =
            event.start_child_workflow_execution_initiated_event_attributes().workflow_id();
        if (!strict_ids_ && op_ptr->id_generated && recorded != op_ptr->workflow_id) {
          adopted_child_ids_[op_ptr->workflow_id] = recorded;
          op_ptr->workflow_id = recorded;
        }
        op_ptr->initiated_event_id = event.event_id();
        child_by_initiated_id_[event.event_id()] = op_ptr;
        return ChildTransit(op_ptr, machines::ChildTrigger::kInitiatedRecorded);
      },
      where);
  result.SetCanceler([this, op_ptr, where] {
    CheckMayIssueCommand("Cancel() on a child workflow", where);
    CancelChild(op_ptr);
  });
  JoinCurrentScope(result);
  return {started, result, std::move(workflow_id)};
}

void WorkflowRun::CancelChild(ChildOp* op) {
  using machines::ChildState;
  auto canceled = [] {
    return std::make_exception_ptr(CanceledFailure("child workflow canceled"));
  };
  switch (op->state) {
    case ChildState::kCreated:
      op->command->withdrawn = true;
      op->command = nullptr;
      (void)ChildTransit(op, machines::ChildTrigger::kCancelByCode);
      op->started.SetError(canceled());
      op->result.SetError(canceled());
      return;
    case ChildState::kInitiated:
    case ChildState::kStarted:
      break;
    default:
      return;  // already ended
  }
  const ChildWorkflowCancellationType type = op->cancellation_type;
  if (type == ChildWorkflowCancellationType::kAbandon) {
    op->result.SetError(canceled());
    return;
  }
  if (op->state == ChildState::kInitiated) {
    // The child's run id is not known yet: the request goes out once it has started.
    op->cancel_on_start = true;
  } else {
    Future<void> requested = CancelExternal(op->workflow_id, op->run_id, /*child_only=*/true,
                                            /*join_scope=*/false, op->where);
    if (type == ChildWorkflowCancellationType::kWaitCancellationRequested) {
      requested.OnReady([op, canceled] { op->result.SetError(canceled()); });
    }
  }
  if (type == ChildWorkflowCancellationType::kTryCancel) op->result.SetError(canceled());
}

RunStatus WorkflowRun::ApplyChildEvent(const HistoryEvent& event) {
  using machines::ChildTrigger;
  int64_t initiated = 0;
  ChildTrigger trigger;
  switch (event.event_type()) {
    case enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED:
      initiated =
          event.start_child_workflow_execution_failed_event_attributes().initiated_event_id();
      trigger = ChildTrigger::kStartFailedRecorded;
      break;
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
      initiated = event.child_workflow_execution_started_event_attributes().initiated_event_id();
      trigger = ChildTrigger::kStartedRecorded;
      break;
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
      initiated = event.child_workflow_execution_completed_event_attributes().initiated_event_id();
      trigger = ChildTrigger::kCompletedRecorded;
      break;
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
      initiated = event.child_workflow_execution_failed_event_attributes().initiated_event_id();
      trigger = ChildTrigger::kFailedRecorded;
      break;
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
      initiated = event.child_workflow_execution_canceled_event_attributes().initiated_event_id();
      trigger = ChildTrigger::kCanceledRecorded;
      break;
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
      initiated = event.child_workflow_execution_timed_out_event_attributes().initiated_event_id();
      trigger = ChildTrigger::kTimedOutRecorded;
      break;
    default:
      initiated = event.child_workflow_execution_terminated_event_attributes().initiated_event_id();
      trigger = ChildTrigger::kTerminatedRecorded;
      break;
  }
  auto it = child_by_initiated_id_.find(initiated);
  if (it == child_by_initiated_id_.end()) {
    return run_internal::UnknownOperation(event, "initiated", initiated, "child workflow");
  }
  ChildOp* op = it->second;
  if (RunStatus s = ChildTransit(op, trigger); !s.ok()) {
    return run_internal::AtEvent(event, std::move(s).error());
  }
  Job job{Job::Kind::kResolve, &event};
  job.resolve = [this, op](const HistoryEvent& e) {
    switch (e.event_type()) {
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED: {
        const auto& a = e.child_workflow_execution_started_event_attributes();
        op->run_id = a.workflow_execution().run_id();
        op->started_event_id = e.event_id();
        op->started.SetValue(ChildExecution{op->workflow_id, op->run_id});
        if (op->cancel_on_start) {
          op->cancel_on_start = false;
          internal::ScopeState* outer = scheduler_.set_current_scope(root_scope_);
          CancelChild(op);
          scheduler_.set_current_scope(outer);
        }
        return;
      }
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
        op->result.SetValue(e.child_workflow_execution_completed_event_attributes().result());
        return;
      case enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED: {
        Failure cause;
        cause.set_message(absl::StrCat("workflow id ", op->workflow_id, " is already in use"));
        cause.mutable_application_failure_info()->set_type("ChildWorkflowExecutionAlreadyStarted");
        cause.mutable_application_failure_info()->set_non_retryable(true);
        auto error = std::make_exception_ptr(
            ChildWorkflowFailure(ChildFailure(*op, info_.namespace_name, std::move(cause),
                                              enums::RETRY_STATE_NON_RETRYABLE_FAILURE)));
        op->started.SetError(error);
        op->result.SetError(error);
        return;
      }
      default:
        break;
    }
    Failure cause;
    enums::RetryState retry_state = enums::RETRY_STATE_NON_RETRYABLE_FAILURE;
    if (e.event_type() == enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED) {
      const auto& a = e.child_workflow_execution_failed_event_attributes();
      cause = a.failure();
      retry_state = a.retry_state();
    } else if (e.event_type() == enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED) {
      cause.set_message("canceled");
      *cause.mutable_canceled_failure_info()->mutable_details() =
          e.child_workflow_execution_canceled_event_attributes().details();
    } else if (e.event_type() == enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT) {
      cause.set_message("timeout");
      cause.mutable_timeout_failure_info()->set_timeout_type(enums::TIMEOUT_TYPE_START_TO_CLOSE);
      retry_state = e.child_workflow_execution_timed_out_event_attributes().retry_state();
    } else {
      cause.set_message("terminated");
      cause.mutable_terminated_failure_info();
    }
    op->result.SetError(std::make_exception_ptr(ChildWorkflowFailure(
        ChildFailure(*op, info_.namespace_name, std::move(cause), retry_state))));
  };
  jobs_.push_back(std::move(job));
  return {};
}

Future<void> WorkflowRun::IssueExternal(Command command, SourceLocation where,
                                        ExternalOp** op_out) {
  ExternalOp& op = externals_.emplace_back();
  op.key = OwnedCommandKey(KeyOfCommand(command));
  auto [future, resolver] = Future<void>::Make(&scheduler_);
  op.resolver = resolver;
  ExternalOp* op_ptr = &op;
  op.command = AddCommand(
      std::move(command),
      [this, op_ptr](const HistoryEvent& event) {
        op_ptr->command = nullptr;
        op_ptr->initiated_event_id = event.event_id();
        external_by_initiated_id_[event.event_id()] = op_ptr;
        return ExternalTransit(op_ptr, machines::ExternalTrigger::kInitiatedRecorded);
      },
      where);
  *op_out = op_ptr;
  return future;
}

const std::string& WorkflowRun::AdoptedChildId(const std::string& workflow_id) const {
  auto it = adopted_child_ids_.find(workflow_id);
  return it == adopted_child_ids_.end() ? workflow_id : it->second;
}

Future<void> WorkflowRun::SignalExternal(const std::string& workflow_id, const std::string& run_id,
                                         const std::string& signal, Payloads input, bool child_only,
                                         SourceLocation where) {
  CheckMayIssueCommand("SignalExternalWorkflow", signal, where);
  if (CurrentScope()->canceled()) {
    return CanceledAtOnce<void>(
        absl::StrCat("signal ", signal, " not sent: its cancellation scope is canceled"));
  }
  Command command;
  command.set_command_type(enums::COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION);
  auto* a = command.mutable_signal_external_workflow_execution_command_attributes();
  a->mutable_execution()->set_workflow_id(AdoptedChildId(workflow_id));
  a->mutable_execution()->set_run_id(run_id);
  a->set_signal_name(signal);
  *a->mutable_input() = std::move(input);
  a->set_child_workflow_only(child_only);
  ExternalOp* op_ptr = nullptr;
  Future<void> future = IssueExternal(std::move(command), where, &op_ptr);
  // Only a signal not yet sent can be canceled.
  future.SetCanceler([op_ptr] {
    if (op_ptr->state != machines::ExternalState::kCreated) return;
    op_ptr->command->withdrawn = true;
    op_ptr->command = nullptr;
    (void)ExternalTransit(op_ptr, machines::ExternalTrigger::kCancelByCode);
    op_ptr->resolver.SetError(std::make_exception_ptr(CanceledFailure("signal canceled")));
  });
  JoinCurrentScope(future);
  return future;
}

Future<void> WorkflowRun::CancelExternal(const std::string& workflow_id, const std::string& run_id,
                                         bool child_only, bool join_scope, SourceLocation where) {
  CheckMayIssueCommand("RequestCancelExternalWorkflow", where);
  if (join_scope && CurrentScope()->canceled()) {
    return CanceledAtOnce<void>(absl::StrCat("cancellation of ", workflow_id,
                                             " not requested: its cancellation scope is canceled"));
  }
  Command command;
  command.set_command_type(enums::COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION);
  auto* a = command.mutable_request_cancel_external_workflow_execution_command_attributes();
  a->set_workflow_id(AdoptedChildId(workflow_id));
  a->set_run_id(run_id);
  a->set_child_workflow_only(child_only);
  ExternalOp* op_ptr = nullptr;
  Future<void> future = IssueExternal(std::move(command), where, &op_ptr);
  if (join_scope) JoinCurrentScope(future);
  return future;
}

RunStatus WorkflowRun::ApplyExternalEvent(const HistoryEvent& event) {
  int64_t initiated = 0;
  bool delivered = false;
  switch (event.event_type()) {
    case enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED:
      initiated =
          event.external_workflow_execution_signaled_event_attributes().initiated_event_id();
      delivered = true;
      break;
    case enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED:
      initiated =
          event.signal_external_workflow_execution_failed_event_attributes().initiated_event_id();
      break;
    case enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
      initiated = event.external_workflow_execution_cancel_requested_event_attributes()
                      .initiated_event_id();
      delivered = true;
      break;
    default:
      initiated = event.request_cancel_external_workflow_execution_failed_event_attributes()
                      .initiated_event_id();
      break;
  }
  auto it = external_by_initiated_id_.find(initiated);
  if (it == external_by_initiated_id_.end()) {
    return run_internal::UnknownOperation(event, "initiated", initiated,
                                          "external signal or cancellation request");
  }
  ExternalOp* op = it->second;
  if (RunStatus s = ExternalTransit(op, delivered ? machines::ExternalTrigger::kDeliveredRecorded
                                                  : machines::ExternalTrigger::kFailedRecorded);
      !s.ok()) {
    return run_internal::AtEvent(event, std::move(s).error());
  }
  Job job{Job::Kind::kResolve, &event};
  job.resolve = [op, delivered](const HistoryEvent&) {
    if (delivered) {
      op->resolver.SetValue();
    } else {
      op->resolver.SetError(std::make_exception_ptr(
          ApplicationFailure(absl::StrCat(op->key.key().ToString(), ": no such workflow"),
                             "ExternalWorkflowExecutionNotFound",
                             /*non_retryable=*/true)));
    }
  };
  jobs_.push_back(std::move(job));
  return {};
}

// ---------------------------------------------------------------------------------------
// WorkflowContext

WorkflowContext::RawChild WorkflowContext::StartRawChild(const std::string& type,
                                                         const ChildWorkflowOptions& options,
                                                         Payloads input, SourceLocation where) {
  WorkflowRun::ChildStart start = run_->StartChild(type, options, std::move(input), where);
  return {std::move(start.workflow_id), start.started, start.result};
}

Future<void> WorkflowContext::SignalChild(const std::string& workflow_id, const Located& signal,
                                          Payloads input) {
  return run_->SignalExternal(workflow_id, "", signal.name, std::move(input), /*child_only=*/true,
                              signal.location);
}

Future<void> WorkflowContext::SignalExternalRaw(const std::string& workflow_id,
                                                const std::string& run_id,
                                                const std::string& signal, Payloads input,
                                                SourceLocation where) {
  return run_->SignalExternal(workflow_id, run_id, signal, std::move(input), /*child_only=*/false,
                              where);
}

Future<void> WorkflowContext::RequestCancelExternalWorkflow(const std::string& workflow_id,
                                                            const std::string& run_id,
                                                            SourceLocation where) {
  return run_->CancelExternal(workflow_id, run_id, /*child_only=*/false, /*join_scope=*/true,
                              where);
}

}  // namespace lockstep
