// Service: the life of a run — start (with id reuse policies), signals, termination, run and
// execution timeouts, the workflow retry policy and the chain of runs it makes.
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/core/proto_time.h"
#include "engine/service/failures.h"
#include "engine/service/request_utf8.h"
#include "engine/service/service.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;

bool ClosedUnsuccessfully(enums::WorkflowExecutionStatus status) {
  // consts.FailedWorkflowStatuses
  return status == enums::WORKFLOW_EXECUTION_STATUS_FAILED ||
         status == enums::WORKFLOW_EXECUTION_STATUS_CANCELED ||
         status == enums::WORKFLOW_EXECUTION_STATUS_TERMINATED ||
         status == enums::WORKFLOW_EXECUTION_STATUS_TIMED_OUT;
}

}  // namespace

absl::Status Service::ValidateStart(const StartWorkflowRequest& request) const {
  if (request.workflow_id.empty()) return absl::InvalidArgumentError("WorkflowId is not set.");
  if (request.workflow_type.empty()) {
    return absl::InvalidArgumentError("WorkflowType is not set.");
  }
  if (request.task_queue.empty()) return absl::InvalidArgumentError("TaskQueue is not set.");
  if (absl::Status s = service::CheckRequestUtf8(request); !s.ok()) return s;
  const absl::Duration zero = absl::ZeroDuration();
  if (request.execution_timeout < zero || request.run_timeout < zero ||
      request.task_timeout < zero) {
    return absl::InvalidArgumentError("Invalid negative workflow timeout.");
  }
  if (request.retry_policy.has_value()) {
    return retry::ValidateRetryPolicy(retry::WithRetryDefaults(*request.retry_policy));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Service::CheckIdReuse(RunState* current,
                                                  const StartWorkflowRequest& request,
                                                  bool* dedupe_hit) {
  if (current == nullptr) return run_ids_.NextUuid();
  if (!request.request_id.empty() && current->start_request_id == request.request_id) {
    *dedupe_hit = true;  // a retried start: answer with the run it created
    return std::string();
  }
  const enums::WorkflowIdReusePolicy policy = request.id_reuse_policy;
  const std::string ids =
      absl::StrCat("WorkflowId: ", current->workflow_id, ", RunId: ", current->run_id, ".");
  if (current->running()) {
    if (policy != enums::WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING) {
      return absl::AlreadyExistsError(absl::StrCat("Workflow execution is already running. ", ids));
    }
    std::string run_id = run_ids_.NextUuid();
    TerminateRun(*current, "TerminateIfRunning WorkflowIdReusePolicy",
                 service::StringPayloads(absl::StrCat("terminated by new runID: ", run_id)),
                 service::kServerIdentity);
    return run_id;
  }
  if (policy == enums::WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY &&
      !ClosedUnsuccessfully(current->status)) {
    return absl::AlreadyExistsError(
        absl::StrCat("Workflow execution already finished successfully. ", ids,
                     " Workflow Id reuse policy: allow duplicate workflow Id if last run failed."));
  }
  if (policy == enums::WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE) {
    return absl::AlreadyExistsError(
        absl::StrCat("Workflow execution already finished. ", ids,
                     " Workflow Id reuse policy: reject duplicate workflow Id."));
  }
  return run_ids_.NextUuid();
}

Service::NewRun Service::NewRunFromRequest(const StartWorkflowRequest& request,
                                           std::string run_id) const {
  NewRun p;
  p.workflow_id = request.workflow_id;
  p.run_id = std::move(run_id);
  p.workflow_type = request.workflow_type;
  p.task_queue = request.task_queue;
  p.input = request.input;
  p.execution_timeout = request.execution_timeout;
  p.run_timeout = request.run_timeout;
  p.task_timeout = request.task_timeout;
  if (request.retry_policy.has_value()) {
    p.retry_policy = retry::WithRetryDefaults(*request.retry_policy);
  }
  p.header = request.header;
  p.memo = request.memo;
  p.search_attributes = request.search_attributes;
  p.identity = request.identity;
  p.request_id = request.request_id;
  return p;
}

service::RunState& Service::CreateRun(NewRun p) {
  auto owned = std::make_unique<RunState>();
  RunState& run = *owned;
  run.index = runs_.size();
  run.history.set_pool(&block_pool_);
  // An empty log pins without decoding anything.
  if (options_.keep_histories_decoded) run.history.Pin().IgnoreError();
  runs_.push_back(std::move(owned));
  run_index_[{p.workflow_id, p.run_id}] = run.index;
  current_run_[p.workflow_id] = run.index;

  const absl::Time now = Now();
  const absl::Duration zero = absl::ZeroDuration();
  run.workflow_id = p.workflow_id;
  run.run_id = p.run_id;
  run.first_run_id = p.first_run_id.empty() ? p.run_id : p.first_run_id;
  run.workflow_type = p.workflow_type;
  run.task_queue = p.task_queue;
  run.start_time = now;
  // Temporal's defaults: the run timeout is the execution timeout when unset and never longer;
  // the task timeout defaults to 10s and never exceeds the run timeout.
  run.execution_timeout = p.execution_timeout;
  run.run_timeout = p.run_timeout == zero ? p.execution_timeout : p.run_timeout;
  if (run.execution_timeout > zero)
    run.run_timeout = std::min(run.run_timeout, run.execution_timeout);
  run.task_timeout =
      p.task_timeout == zero ? options_.default_workflow_task_timeout : p.task_timeout;
  if (run.run_timeout > zero) run.task_timeout = std::min(run.task_timeout, run.run_timeout);
  run.expiration_time = p.expiration_time;
  if (!p.expiration_time.has_value() && run.execution_timeout > zero) {
    run.expiration_time = now + run.execution_timeout;
  }
  run.retry_policy = p.retry_policy;
  run.attempt = p.attempt;
  run.input = std::move(p.input);
  run.header = std::move(p.header);
  if (p.memo.has_value()) run.memo = *p.memo;
  if (p.search_attributes.has_value()) run.search_attributes = *p.search_attributes;
  run.start_request_id = p.request_id;
  run.identity = p.identity;

  auto* a = Append(run, enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
                ->mutable_workflow_execution_started_event_attributes();
  a->mutable_workflow_type()->set_name(run.workflow_type);
  a->mutable_task_queue()->set_name(run.task_queue);
  a->mutable_task_queue()->set_kind(enums::TASK_QUEUE_KIND_NORMAL);
  if (run.input.payloads_size() > 0) *a->mutable_input() = run.input;
  SetProtoDuration(run.execution_timeout, a->mutable_workflow_execution_timeout());
  SetProtoDuration(run.run_timeout, a->mutable_workflow_run_timeout());
  SetProtoDuration(run.task_timeout, a->mutable_workflow_task_timeout());
  a->set_continued_execution_run_id(p.continued_run_id);
  a->set_initiator(p.initiator);
  if (p.continued_failure.has_value()) *a->mutable_continued_failure() = *p.continued_failure;
  if (p.last_completion_result.has_value()) {
    *a->mutable_last_completion_result() = *p.last_completion_result;
  }
  a->set_original_execution_run_id(run.run_id);
  a->set_identity(p.identity);
  a->set_first_execution_run_id(run.first_run_id);
  if (run.retry_policy.has_value()) *a->mutable_retry_policy() = *run.retry_policy;
  a->set_attempt(run.attempt);
  if (run.expiration_time.has_value()) {
    SetProtoTime(*run.expiration_time, a->mutable_workflow_execution_expiration_time());
  }
  SetProtoDuration(p.start_backoff, a->mutable_first_workflow_task_backoff());
  if (p.memo.has_value()) *a->mutable_memo() = *p.memo;
  if (p.search_attributes.has_value()) *a->mutable_search_attributes() = *p.search_attributes;
  *a->mutable_header() = run.header;
  a->set_workflow_id(run.workflow_id);
  run.parent = p.parent;
  run.root = p.root;
  if (p.parent.has_value()) {
    a->set_parent_workflow_namespace(p.parent->namespace_name);
    a->mutable_parent_workflow_execution()->set_workflow_id(p.parent->workflow_id);
    a->mutable_parent_workflow_execution()->set_run_id(p.parent->run_id);
    a->set_parent_initiated_event_id(p.parent->initiated_event_id);
  }
  if (p.root.has_value()) *a->mutable_root_workflow_execution() = *p.root;

  // The first task waits for the start backoff; the run timer counts from when it may start.
  const absl::Time execution_time = now + std::max(p.start_backoff, zero);
  if (p.start_backoff > zero) {
    run.awaiting_start_backoff = true;
    run.start_key = Schedule(&timers_, execution_time,
                             service::RunItem(service::DueKind::kWorkflowStart, run.index));
  }
  ArmRunTimeout(run, execution_time);
  return run;
}

void Service::ArmRunTimeout(RunState& run, absl::Time execution_time) {
  // The run timeout counts from when the first task may start; the execution expiration
  // (the whole chain's) cuts it short.
  std::optional<absl::Time> deadline;
  if (run.run_timeout > absl::ZeroDuration()) deadline = execution_time + run.run_timeout;
  if (run.expiration_time.has_value() && (!deadline || *run.expiration_time < *deadline)) {
    deadline = run.expiration_time;
  }
  if (deadline.has_value()) {
    run.run_timeout_key =
        Schedule(&timers_, *deadline, service::RunItem(service::DueKind::kRunTimeout, run.index));
  }
}

void Service::BeginRun(RunState& run) { ScheduleWorkflowTask(run); }

void Service::OnStartBackoffDone(RunState& run) {
  run.awaiting_start_backoff = false;
  ScheduleWorkflowTask(run);
}

void Service::RecordSignal(RunState& run, const std::string& name, const Payloads& input,
                           const std::string& identity, const std::string& request_id,
                           const temporal::api::common::v1::Header& header,
                           const temporal::api::common::v1::WorkflowExecution* external) {
  if (!request_id.empty()) run.signal_request_ids.insert(request_id);
  auto* a = RecordNew(run, enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
                ->mutable_workflow_execution_signaled_event_attributes();
  a->set_signal_name(name);
  if (input.payloads_size() > 0) *a->mutable_input() = input;
  a->set_identity(identity);
  if (header.fields_size() > 0) *a->mutable_header() = header;
  if (external != nullptr) *a->mutable_external_workflow_execution() = *external;
  a->set_request_id(request_id);
  ScheduleWorkflowTask(run);  // not while the first task waits for its start backoff
}

void Service::CloseRun(RunState& run, enums::WorkflowExecutionStatus status) {
  run.status = status;
  run.close_time = Now();
  workflow_dispatch_.Remove(&run.task.dispatch_key);
  timers_.Remove(&run.task.timeout_key);
  timers_.Remove(&run.task.response_key);
  run.task = {};
  // Temporal abandons pending activities and timers of a closed run without writing events.
  for (auto& [id, activity] : run.activities) CancelActivityItems(activity);
  run.activities.clear();
  for (auto& [id, timer] : run.timers) timers_.Remove(&timer.key);
  run.timers.clear();
  timers_.Remove(&run.run_timeout_key);
  timers_.Remove(&run.start_key);
  run.awaiting_start_backoff = false;
  AbortUpdates(run);
  // Reporting to the parent and the children's close policies come as a step of their own,
  // after this close is recorded (Temporal's close execution transfer task).
  if (run.parent.has_value() || !run.children.empty()) {
    Schedule(&timers_, Now(), service::RunItem(service::DueKind::kCloseExecution, run.index));
    run.close_report_pending = true;
  }
  if (RetentionReleases()) newly_closed_.push_back(run.index);
}

void Service::ForceCloseWorkflowTask(RunState& run) {
  using Phase = service::WorkflowTaskState::Phase;
  if (run.task.phase == Phase::kStarted) {
    if (run.task.handler_called) EvictFromWorker(run);
    EndTaskAsFailed(run, enums::WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND, nullptr,
                    service::kServerIdentity);
  } else if (run.task.phase == Phase::kScheduled) {
    workflow_dispatch_.Remove(&run.task.dispatch_key);
    run.task = {};
  }
  FlushBuffered(run);
}

void Service::TerminateRun(RunState& run, const std::string& reason, const Payloads& details,
                           const std::string& identity) {
  ForceCloseWorkflowTask(run);
  auto* a = Append(run, enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED)
                ->mutable_workflow_execution_terminated_event_attributes();
  a->set_reason(reason);
  if (details.payloads_size() > 0) *a->mutable_details() = details;
  a->set_identity(identity);
  CloseRun(run, enums::WORKFLOW_EXECUTION_STATUS_TERMINATED);
}

retry::RetryDecision Service::WorkflowRetry(const RunState& run, const Failure& failure) const {
  if (!run.retry_policy.has_value()) return {enums::RETRY_STATE_RETRY_POLICY_NOT_SET};
  if (!retry::IsRetryableFailure(failure, *run.retry_policy)) {
    return {enums::RETRY_STATE_NON_RETRYABLE_FAILURE};
  }
  return retry::NextRetry(*run.retry_policy, run.attempt, Now(), run.expiration_time,
                            retry::NextRetryDelayOf(failure),
                            /*delay_replaces_maximum=*/false);
}

Service::NewRun Service::RetryRunParams(const RunState& run, const Failure& failure,
                                        absl::Duration backoff, std::string new_run_id) const {
  // A retry starts over from the original start request (SetupNewWorkflowForRetryOrCron).
  const HistoryEvent first = StoredEvent(run, 1);
  const auto& started = first.workflow_execution_started_event_attributes();
  NewRun p;
  p.workflow_id = run.workflow_id;
  p.run_id = std::move(new_run_id);
  p.workflow_type = run.workflow_type;
  p.task_queue = run.task_queue;
  p.input = started.input();
  p.execution_timeout = run.execution_timeout;
  p.run_timeout = run.run_timeout;
  p.task_timeout = run.task_timeout;
  p.retry_policy = run.retry_policy;
  p.attempt = run.attempt + 1;
  p.header = started.header();
  if (started.has_memo()) p.memo = started.memo();
  if (started.has_search_attributes()) p.search_attributes = started.search_attributes();
  p.identity = started.identity();
  p.first_run_id = run.first_run_id;
  p.continued_run_id = run.run_id;
  p.expiration_time = run.expiration_time;
  p.initiator = enums::CONTINUE_AS_NEW_INITIATOR_RETRY;
  p.continued_failure = failure;
  p.start_backoff = backoff;
  return p;
}

void Service::StartNextRunInChain(RunState& previous, NewRun params) {
  previous.new_execution_run_id = params.run_id;
  // Every run of a child's chain reports to the same parent (the last one does).
  params.parent = previous.parent;
  params.root = previous.root;
  RunState& next = CreateRun(std::move(params));
  BeginRun(next);
}

void Service::OnRunTimeout(RunState& run) {
  if (!run.running()) return;
  ForceCloseWorkflowTask(run);
  const Failure failure =
      service::TimeoutFailure("workflow timeout", enums::TIMEOUT_TYPE_START_TO_CLOSE);
  retry::RetryDecision decision{enums::RETRY_STATE_TIMEOUT};
  if (!run.expiration_time.has_value() || *run.expiration_time > Now()) {
    decision = WorkflowRetry(run, failure);
  }
  std::string new_run_id;
  if (decision.state == enums::RETRY_STATE_IN_PROGRESS) new_run_id = run_ids_.NextUuid();
  auto* a = Append(run, enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT)
                ->mutable_workflow_execution_timed_out_event_attributes();
  a->set_retry_state(decision.state);
  a->set_new_execution_run_id(new_run_id);
  run.new_execution_run_id = new_run_id;
  CloseRun(run, enums::WORKFLOW_EXECUTION_STATUS_TIMED_OUT);
  if (!new_run_id.empty()) {
    StartNextRunInChain(run, RetryRunParams(run, failure, decision.backoff, new_run_id));
  }
}

}  // namespace lockstep
