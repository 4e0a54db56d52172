// WorkflowRun: local activities. Live, the run executes them itself once the workflow code is
// blocked, each attempt through the run's ActivityExecutionEnv and retried inside the worker
// (local_activity_runner.h), and records each outcome in a LocalActivity marker as it
// resolves the Future. Replaying, it resolves them from the markers of the task being
// replayed (Go's, Java's or sdk-core's, local_activity_marker.h), in the order the code asked
// for them; one whose marker is in a later task (the
// worker heartbeated the task while retrying) stays pending until that task is replayed.
// A live task leaves one pending too when RunOptions::local_activity_outlives_task says the
// recording's worker was still running it (replay at every task boundary).
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/core/activity_execution.h"
#include "engine/core/task_handlers.h"
#include "engine/workflow/local_activity_runner.h"
#include "engine/workflow/run_internal.h"
#include "engine/workflow/run_ops.h"
#include "engine/workflow/workflow_run.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::command::v1::Command;
using temporal::api::history::v1::HistoryEvent;

RunStatus LocalActivityTransit(WorkflowRun::LocalActivityOp* op,
                               machines::LocalActivityTrigger trigger) {
  return run_internal::Transit(
      machines::LocalActivityTransitions(), &op->state, trigger,
      [op] { return CommandKey::LocalActivity(op->activity_type, op->activity_id).ToString(); },
      machines::LocalActivityStateName, machines::LocalActivityTriggerName);
}

}  // namespace

std::string WorkflowRun::CoreMarkerKey(int64_t seq) {
  return absl::StrCat(std::string(1, kCoreMarkerKeyPrefix), seq);
}

Future<Payloads> WorkflowRun::ScheduleLocalActivity(const std::string& type,
                                                    const LocalActivityOptions& options,
                                                    Payloads input, SourceLocation where) {
  CheckMayIssueCommand(absl::StrCat("ExecuteLocalActivity(\"", type, "\")"), where);
  if (options.start_to_close_timeout <= absl::ZeroDuration() &&
      options.schedule_to_close_timeout <= absl::ZeroDuration()) {
    throw std::invalid_argument(
        absl::StrCat("ExecuteLocalActivity(\"", type, "\") at ", run_internal::Where(where),
                     ": set start_to_close_timeout or schedule_to_close_timeout"));
  }
  if (CurrentScope()->canceled()) {
    return CanceledAtOnce<Payloads>(
        absl::StrCat("local activity ", type, " not started: its cancellation scope is canceled"));
  }
  LocalActivityOp& op = local_activities_.emplace_back();
  // Activities scheduled so far, local activities so far, and this one.
  op.shared_seq = (next_activity_seq_ - 1) + next_local_activity_seq_;
  op.activity_id = absl::StrCat(next_local_activity_seq_++);
  op.activity_type = type;
  op.input = std::move(input);
  op.options = options;
  op.where = where;
  if (where.line() != 0) last_command_where_ = where;
  auto [future, resolver] = Future<Payloads>::Make(&scheduler_);
  op.resolver = resolver;
  LocalActivityOp* op_ptr = &op;
  pending_local_activities_.push_back(op_ptr);
  future.SetCanceler([this, op_ptr] {
    if (!LocalActivityTransit(op_ptr, machines::LocalActivityTrigger::kCancelByCode).ok()) return;
    std::erase(pending_local_activities_, op_ptr);
    op_ptr->resolver.SetError(std::make_exception_ptr(CanceledFailure("local activity canceled")));
  });
  JoinCurrentScope(future);
  return future;
}

std::map<std::string, machines::LocalActivityMarker>::iterator
WorkflowRun::UnnumberedLocalActivityMarker() {
  // Go's SDK numbers local activities 1, 2, ... as Lockstep does, so their markers are found
  // by id even when they are recorded in completion order; sdk-core's are found by their
  // shared sequence number (CoreMarkerKey). Java's SDK gives them UUIDs: the code's local
  // activity then takes the task's first unclaimed marker with such an id.
  for (const std::string& id : recorded_local_activity_ids_) {
    if (id.empty() || id[0] == kCoreMarkerKeyPrefix || machines::IsNumberedLocalActivityId(id)) {
      continue;
    }
    auto it = recorded_local_activities_.find(id);
    if (it != recorded_local_activities_.end()) return it;
  }
  return recorded_local_activities_.end();
}

int WorkflowRun::ResolveLocalActivities() {
  std::vector<LocalActivityOp*> pending = std::move(pending_local_activities_);
  pending_local_activities_.clear();
  int resolved = 0;
  for (LocalActivityOp* op : pending) {
    if (op->state != machines::LocalActivityState::kCreated) continue;
    if (!replaying_) {
      if (options_.local_activity_outlives_task &&
          options_.local_activity_outlives_task(op->activity_id, op->shared_seq)) {
        pending_local_activities_.push_back(op);  // still running when the task completes
        continue;
      }
      RecordLocalActivity(op, ExecuteLocalActivity(op));
      ++resolved;
      continue;
    }
    auto it = recorded_local_activities_.find(op->activity_id);
    if (it == recorded_local_activities_.end()) {
      it = recorded_local_activities_.find(CoreMarkerKey(op->shared_seq));
    }
    if (it == recorded_local_activities_.end() && !strict_ids_) {
      it = UnnumberedLocalActivityMarker();
    }
    if (it == recorded_local_activities_.end()) {
      pending_local_activities_.push_back(op);  // its marker is in a later task
      continue;
    }
    // Issued as the live run did, with the code's type: a different recorded type is then
    // reported as a mismatch at the marker.
    machines::LocalActivityMarker marker = std::move(it->second);
    marker.activity_type = op->activity_type;
    recorded_local_activities_.erase(it);  // claimed
    RecordLocalActivity(op, std::move(marker));
    ++resolved;
  }
  return resolved;
}

void WorkflowRun::RecordLocalActivity(LocalActivityOp* op, machines::LocalActivityMarker marker) {
  Command command;
  command.set_command_type(enums::COMMAND_TYPE_RECORD_MARKER);
  *command.mutable_record_marker_command_attributes() =
      machines::LocalActivityMarkerCommand(marker);
  const CommandKey key = CommandKey::LocalActivity(op->activity_type, op->activity_id);
  AddRecordOnlyCommand(std::move(command), op->where, &key);
  (void)LocalActivityTransit(op, machines::LocalActivityTrigger::kResolved);
  if (marker.failed) {
    op->resolver.SetError(std::make_exception_ptr(ActivityFailure(std::move(marker.failure))));
  } else {
    op->resolver.SetValue(std::move(marker.result));
  }
}

machines::LocalActivityMarker WorkflowRun::ExecuteLocalActivity(LocalActivityOp* op) {
  ActivityTask task;
  task.workflow_id = info_.workflow_id;
  task.run_id = info_.run_id;
  task.workflow_type = info_.workflow_type;
  task.activity_id = op->activity_id;
  task.activity_type = op->activity_type;
  task.task_queue = info_.task_queue;
  task.input = op->input;
  task.scheduled_time = now_;  // the workflow task's time: workflow time does not move
  task.schedule_to_close_timeout = op->options.schedule_to_close_timeout;
  task.start_to_close_timeout = op->options.start_to_close_timeout;
  task.local = true;
  temporal::api::common::v1::RetryPolicy policy;  // unset fields: Temporal's defaults
  if (op->options.has_retry_policy) {
    run_internal::RetryPolicyToProto(op->options.retry_policy, &policy);
  }
  ActivityExecutionEnv run_at_once;  // no env given: run each attempt, zero latency
  ActivityExecutionEnv& env =
      options_.activity_env != nullptr ? *options_.activity_env : run_at_once;
  return RunLocalActivity(*registry_, env, std::move(task), policy);
}

Future<Payloads> WorkflowContext::ScheduleLocalActivity(const std::string& type,
                                                        const LocalActivityOptions& options,
                                                        Payloads input, SourceLocation where) {
  return run_->ScheduleLocalActivity(type, options, std::move(input), where);
}

}  // namespace lockstep
