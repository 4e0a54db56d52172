// Service: child workflows — the StartChildWorkflowExecution command, starting the child,
// reporting its close to the parent, and the parent close policy.
//
// Temporal: the command writes StartChildWorkflowExecutionInitiated
// (workflow_task_completed_handler.go handleCommandStartChildWorkflow, with the attributes
// normalized by command_attr_validator.go ValidateStartChildExecutionAttributes); a transfer
// task then starts the child and writes ChildWorkflowExecutionStarted or
// StartChildWorkflowExecutionFailed to the parent before the child's first workflow task is
// scheduled (transfer_queue_active_task_executor.go processStartChildExecution). When a run
// closes, the close transfer task reports it to the parent unless a new run continues the
// chain, then applies the run's children's parent close policies (processCloseExecution,
// applyParentClosePolicy; recordchildworkflowcompleted/api.go writes the parent's event).
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/service/failures.h"
#include "engine/core/proto_time.h"
#include "engine/service/service.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::common::v1::WorkflowExecution;

// Temporal's overrideWorkflowRunTimeout: the execution timeout caps the run timeout and
// stands in for it when it is unset.
absl::Duration ChildRunTimeout(absl::Duration run, absl::Duration execution) {
  if (run == absl::ZeroDuration()) return execution;
  if (execution > absl::ZeroDuration() && run > execution) return execution;
  return run;
}

// Temporal's overrideWorkflowTaskTimeout: a default when unset, never above the run timeout.
absl::Duration ChildTaskTimeout(absl::Duration task, absl::Duration run,
                                absl::Duration default_task) {
  if (task == absl::ZeroDuration()) task = default_task;
  if (run > absl::ZeroDuration() && task > run) task = run;
  return task;
}

}  // namespace

void Service::InitiateChild(
    RunState& run,
    const temporal::api::command::v1::StartChildWorkflowExecutionCommandAttributes& c,
    int64_t completed_id) {
  auto* a = Append(run, enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)
                ->mutable_start_child_workflow_execution_initiated_event_attributes();
  a->set_namespace_(options_.namespace_name);
  a->set_workflow_id(c.workflow_id());
  *a->mutable_workflow_type() = c.workflow_type();
  // The task queue defaults to the parent's (tqid.NormalizeAndValidateUserDefined).
  a->mutable_task_queue()->set_name(c.task_queue().name().empty() ? run.task_queue
                                                                  : c.task_queue().name());
  a->mutable_task_queue()->set_kind(enums::TASK_QUEUE_KIND_NORMAL);
  if (c.has_input()) *a->mutable_input() = c.input();
  const absl::Duration execution = FromProtoDuration(c.workflow_execution_timeout());
  const absl::Duration run_timeout =
      ChildRunTimeout(FromProtoDuration(c.workflow_run_timeout()), execution);
  const absl::Duration task_timeout =
      ChildTaskTimeout(FromProtoDuration(c.workflow_task_timeout()), run_timeout,
                       options_.default_workflow_task_timeout);
  SetProtoDuration(execution, a->mutable_workflow_execution_timeout());
  SetProtoDuration(run_timeout, a->mutable_workflow_run_timeout());
  SetProtoDuration(task_timeout, a->mutable_workflow_task_timeout());
  // enums.SetDefaultParentClosePolicy / SetDefaultWorkflowIdReusePolicy.
  a->set_parent_close_policy(c.parent_close_policy() == enums::PARENT_CLOSE_POLICY_UNSPECIFIED
                                 ? enums::PARENT_CLOSE_POLICY_TERMINATE
                                 : c.parent_close_policy());
  a->set_workflow_task_completed_event_id(completed_id);
  a->set_workflow_id_reuse_policy(c.workflow_id_reuse_policy() ==
                                          enums::WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED
                                      ? enums::WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
                                      : c.workflow_id_reuse_policy());
  // A child gets no retry policy unless the command gives one; then the server's defaults
  // fill its gaps (validateWorkflowRetryPolicy).
  if (c.has_retry_policy())
    *a->mutable_retry_policy() = retry::WithRetryDefaults(c.retry_policy());
  a->set_cron_schedule(c.cron_schedule());
  if (c.has_header()) *a->mutable_header() = c.header();
  if (c.has_memo()) *a->mutable_memo() = c.memo();
  if (c.has_search_attributes()) *a->mutable_search_attributes() = c.search_attributes();
  if (c.has_priority()) *a->mutable_priority() = c.priority();

  const int64_t initiated_id = run.history.size();
  service::ChildState& child = run.children[initiated_id];
  child.initiated_event_id = initiated_id;
  child.workflow_id = c.workflow_id();
  child.workflow_type = c.workflow_type().name();
  child.parent_close_policy = a->parent_close_policy();
  DueItem item = service::RunItem(service::DueKind::kStartChild, run.index);
  item.ref = initiated_id;
  Schedule(&timers_, Now(), std::move(item));
}

Service::NewRun Service::ChildRunParams(const RunState& parent, int64_t initiated_event_id,
                                        std::string run_id) {
  const HistoryEvent initiated = StoredEvent(parent, initiated_event_id);
  const auto& a = initiated.start_child_workflow_execution_initiated_event_attributes();
  NewRun p;
  p.workflow_id = a.workflow_id();
  p.run_id = std::move(run_id);
  p.workflow_type = a.workflow_type().name();
  p.task_queue = a.task_queue().name();
  p.input = a.input();
  p.execution_timeout = FromProtoDuration(a.workflow_execution_timeout());
  p.run_timeout = FromProtoDuration(a.workflow_run_timeout());
  p.task_timeout = FromProtoDuration(a.workflow_task_timeout());
  if (a.has_retry_policy()) p.retry_policy = a.retry_policy();
  p.header = a.header();
  if (a.has_memo()) p.memo = a.memo();
  if (a.has_search_attributes()) p.search_attributes = a.search_attributes();
  // The start request Temporal makes for a child has no identity.
  p.parent = service::ParentLink{options_.namespace_name, parent.workflow_id, parent.run_id,
                                 initiated_event_id};
  p.root = parent.root.has_value() ? *parent.root : parent.execution();
  return p;
}

void Service::OnStartChild(RunState& parent, int64_t initiated_event_id) {
  // A parent that closed before its child started never starts it (processStartChildExecution).
  auto it = parent.children.find(initiated_event_id);
  if (!parent.running() || it == parent.children.end() || !it->second.run_id.empty()) return;
  // After a recovery the child may have started already (service_recovery.cc).
  if (AdoptRestoredChild(parent, initiated_event_id)) return;
  const HistoryEvent initiated = StoredEvent(parent, initiated_event_id);
  const auto& a = initiated.start_child_workflow_execution_initiated_event_attributes();
  // The child's start uses WORKFLOW_ID_CONFLICT_POLICY_FAIL: a running id fails whatever the
  // reuse policy; for a closed one the reuse policy decides (TERMINATE_IF_RUNNING acts as
  // ALLOW_DUPLICATE there, MigrateWorkflowIDReusePolicyForRunningWorkflow).
  ChildStartInfo info;
  info.parent_workflow_id = parent.workflow_id;
  info.parent_run_id = parent.run_id;
  info.initiated_event_id = initiated_event_id;
  info.workflow_id = a.workflow_id();
  info.workflow_type = a.workflow_type().name();
  info.task_queue = a.task_queue().name();
  std::optional<enums::StartChildWorkflowExecutionFailedCause> injected =
      env_->FailChildStart(info);
  RunState* current = CurrentRun(a.workflow_id());
  absl::StatusOr<std::string> run_id =
      absl::AlreadyExistsError("Workflow execution is already running.");
  if (injected.has_value()) {
    run_id = absl::UnavailableError("child start failed by the service environment");
  } else if (current == nullptr || !current->running()) {
    StartWorkflowRequest reuse;
    reuse.workflow_id = a.workflow_id();
    reuse.id_reuse_policy =
        a.workflow_id_reuse_policy() == enums::WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING
            ? enums::WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
            : a.workflow_id_reuse_policy();
    bool dedupe_hit = false;
    run_id = CheckIdReuse(current, reuse, &dedupe_hit);
  }
  if (!run_id.ok()) {
    HistoryEvent event = NewEvent(enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED);
    auto* f = event.mutable_start_child_workflow_execution_failed_event_attributes();
    f->set_namespace_(a.namespace_());
    f->set_workflow_id(a.workflow_id());
    *f->mutable_workflow_type() = a.workflow_type();
    f->set_cause(injected.value_or(
        enums::START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS));
    f->set_initiated_event_id(initiated_event_id);
    f->set_workflow_task_completed_event_id(a.workflow_task_completed_event_id());
    parent.children.erase(it);
    Record(parent, std::move(event));
    ScheduleWorkflowTask(parent);
    return;
  }
  RunState& child = CreateRun(ChildRunParams(parent, initiated_event_id, *run_id));
  HistoryEvent event = NewEvent(enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED);
  auto* s = event.mutable_child_workflow_execution_started_event_attributes();
  s->set_namespace_(a.namespace_());
  s->set_initiated_event_id(initiated_event_id);
  *s->mutable_workflow_execution() = child.execution();
  *s->mutable_workflow_type() = a.workflow_type();
  if (a.has_header()) *s->mutable_header() = a.header();
  it->second.run_id = child.run_id;
  it->second.started_event_id = Record(parent, std::move(event));
  ScheduleWorkflowTask(parent);
  // The child's first workflow task comes after the parent learned of the start
  // (createFirstWorkflowTask).
  BeginRun(child);
}

void Service::OnCloseExecution(RunState& run) {
  ReportCloseToParent(run);
  ApplyParentClosePolicies(run);
  run.close_report_pending = false;
}

void Service::ReportCloseToParent(const RunState& child) {
  // Only the last run of a chain reports; a parent that closed meanwhile hears nothing.
  if (!child.parent.has_value() || !child.new_execution_run_id.empty()) return;
  const service::ParentLink& link = *child.parent;
  absl::StatusOr<RunState*> found = FindRun(link.workflow_id, link.run_id);
  if (!found.ok() || !(*found)->running()) return;
  RunState& parent = **found;
  auto it = parent.children.find(link.initiated_event_id);
  if (it == parent.children.end() || it->second.run_id != child.first_run_id) return;
  const service::ChildState& info = it->second;

  // The close event is the last (no longer decoded when no observer keeps it).
  const HistoryEvent close = StoredEvent(child, child.history.size());
  HistoryEvent event;
  auto fill = [&](auto* attrs) {
    attrs->set_namespace_(link.namespace_name);
    *attrs->mutable_workflow_execution() = child.execution();
    attrs->mutable_workflow_type()->set_name(info.workflow_type);
    attrs->set_initiated_event_id(info.initiated_event_id);
    attrs->set_started_event_id(info.started_event_id);
    return attrs;
  };
  switch (close.event_type()) {
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: {
      event = NewEvent(enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED);
      auto* a = fill(event.mutable_child_workflow_execution_completed_event_attributes());
      const auto& c = close.workflow_execution_completed_event_attributes();
      if (c.has_result()) *a->mutable_result() = c.result();
      break;
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: {
      event = NewEvent(enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED);
      auto* a = fill(event.mutable_child_workflow_execution_failed_event_attributes());
      const auto& c = close.workflow_execution_failed_event_attributes();
      *a->mutable_failure() = c.failure();
      a->set_retry_state(c.retry_state());
      break;
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: {
      event = NewEvent(enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED);
      auto* a = fill(event.mutable_child_workflow_execution_canceled_event_attributes());
      const auto& c = close.workflow_execution_canceled_event_attributes();
      if (c.has_details()) *a->mutable_details() = c.details();
      break;
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: {
      event = NewEvent(enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT);
      auto* a = fill(event.mutable_child_workflow_execution_timed_out_event_attributes());
      a->set_retry_state(close.workflow_execution_timed_out_event_attributes().retry_state());
      break;
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      event = NewEvent(enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED);
      fill(event.mutable_child_workflow_execution_terminated_event_attributes());
      break;
    default:
      return;  // a run that continued as new reports nothing (new_execution_run_id is set)
  }
  parent.children.erase(it);
  Record(parent, std::move(event));
  ScheduleWorkflowTask(parent);
}

void Service::ApplyParentClosePolicies(const RunState& parent) {
  const WorkflowExecution parent_execution = parent.execution();
  for (const auto& [initiated_id, info] : parent.children) {
    if (info.run_id.empty() || info.parent_close_policy == enums::PARENT_CLOSE_POLICY_ABANDON) {
      continue;
    }
    // The child's chain, found by its first run (FirstExecutionRunId), and only if it is this
    // run's child (ChildWorkflowOnly).
    RunState* child = CurrentRun(info.workflow_id);
    if (child == nullptr || !child->running() || child->first_run_id != info.run_id ||
        !child->parent.has_value() || child->parent->workflow_id != parent.workflow_id ||
        child->parent->run_id != parent.run_id) {
      continue;
    }
    if (info.parent_close_policy == enums::PARENT_CLOSE_POLICY_REQUEST_CANCEL) {
      RecordCancelRequest(*child, "", service::kServerIdentity, 0, &parent_execution);
    } else {
      TerminateRun(*child, "by parent close policy", Payloads(), service::kServerIdentity);
    }
  }
}

}  // namespace lockstep
