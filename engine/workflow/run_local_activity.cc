// WorkflowRun: local activities. Live, the run executes them itself (through the registry)
// once the workflow code is blocked, retrying inside the worker, and records each outcome in
// a LocalActivity marker as it resolves the Future. Replaying, it resolves them from the
// markers of the task being replayed, in the order the code asked for them; one whose marker
// is in a later task (the worker heartbeated the task while retrying) stays pending until
// that task is replayed.
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/workflow/activity.h"
#include "engine/workflow/registry.h"
#include "engine/workflow/run_internal.h"
#include "engine/workflow/run_ops.h"
#include "engine/workflow/workflow_run.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::command::v1::Command;
using temporal::api::failure::v1::Failure;
using temporal::api::history::v1::HistoryEvent;

RunStatus LocalActivityTransit(WorkflowRun::LocalActivityOp* op,
                               machines::LocalActivityTrigger trigger) {
  return run_internal::Transit(
      machines::LocalActivityTransitions(), &op->state, trigger,
      [op] { return CommandKey::LocalActivity(op->activity_type, op->activity_id).ToString(); },
      machines::LocalActivityStateName, machines::LocalActivityTriggerName);
}

bool NonRetryable(const Failure& f, const RetryPolicy& policy) {
  if (f.application_failure_info().non_retryable()) return true;
  const std::string& type = f.application_failure_info().type();
  return std::any_of(policy.non_retryable_error_types.begin(),
                     policy.non_retryable_error_types.end(),
                     [&type](absl::string_view t) { return !t.empty() && t == type; });
}

}  // namespace

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
  // by id even when they are recorded in completion order. Java's SDK gives them UUIDs: the
  // code's local activity then takes the task's first unclaimed marker with such an id.
  for (const std::string& id : recorded_local_activity_ids_) {
    if (id.empty() ||
        std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
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
      RecordLocalActivity(op, ExecuteLocalActivity(op));
      ++resolved;
      continue;
    }
    auto it = recorded_local_activities_.find(op->activity_id);
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
  machines::LocalActivityMarker marker;
  marker.activity_id = op->activity_id;
  marker.activity_type = op->activity_type;
  marker.replay_time = now_;
  const ActivityFunction* fn = registry_->FindActivity(op->activity_type);
  const RetryPolicy& policy = op->options.retry_policy;
  const int max_attempts = op->options.has_retry_policy && policy.maximum_attempts > 0
                               ? std::min(policy.maximum_attempts, kMaxLocalActivityAttempts)
                               : kMaxLocalActivityAttempts;
  absl::Duration backoff_total = absl::ZeroDuration();
  absl::Duration interval =
      policy.initial_interval > absl::ZeroDuration() ? policy.initial_interval : absl::Seconds(1);
  const double coefficient = policy.backoff_coefficient > 0 ? policy.backoff_coefficient : 2.0;
  const absl::Duration max_interval =
      policy.maximum_interval > absl::ZeroDuration() ? policy.maximum_interval : 100 * interval;
  Failure last_failure;
  for (int attempt = 1;; ++attempt) {
    marker.attempt = attempt;
    if (fn == nullptr) {
      last_failure.set_message(absl::StrCat("activity type \"", op->activity_type,
                                            "\" is not registered with this worker"));
      last_failure.mutable_application_failure_info()->set_type("ActivityNotRegistered");
      last_failure.mutable_application_failure_info()->set_non_retryable(true);
    } else {
      ActivityContext ctx({info_.workflow_id, info_.run_id, info_.workflow_type, op->activity_id,
                           op->activity_type, info_.task_queue, attempt},
                          {});
      try {
        marker.result = (*fn)(ctx, op->input);
        break;
      } catch (const WorkflowFailure& failure) {
        last_failure = failure.failure();
      } catch (const std::exception& e) {
        last_failure = Failure();
        last_failure.set_message(e.what());
        last_failure.mutable_application_failure_info()->set_type("CppException");
      }
    }
    last_failure.set_source("Lockstep");
    const bool out_of_time = op->options.schedule_to_close_timeout > absl::ZeroDuration() &&
                             backoff_total + interval >= op->options.schedule_to_close_timeout;
    if (NonRetryable(last_failure, policy) || attempt >= max_attempts || out_of_time) {
      marker.failed = true;
      Failure wrapped;
      wrapped.set_message("local activity error");
      wrapped.set_source("Lockstep");
      auto* info = wrapped.mutable_activity_failure_info();
      info->mutable_activity_type()->set_name(op->activity_type);
      info->set_activity_id(op->activity_id);
      info->set_retry_state(NonRetryable(last_failure, policy)
                                ? enums::RETRY_STATE_NON_RETRYABLE_FAILURE
                            : out_of_time ? enums::RETRY_STATE_TIMEOUT
                                          : enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
      *wrapped.mutable_cause() = last_failure;
      marker.failure = std::move(wrapped);
      break;
    }
    backoff_total += interval;
    interval = std::min(max_interval, interval * coefficient);
  }
  return marker;
}

Future<Payloads> WorkflowContext::ScheduleLocalActivity(const std::string& type,
                                                        const LocalActivityOptions& options,
                                                        Payloads input, SourceLocation where) {
  return run_->ScheduleLocalActivity(type, options, std::move(input), where);
}

}  // namespace lockstep
