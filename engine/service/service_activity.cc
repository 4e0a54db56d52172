// Service: activities — dispatch to the ActivityTaskHandler, results, timeouts, retries with
// backoff, cancellation.
//
// Temporal facts followed here (temporalio/temporal, service/history):
//   - workflow/mutable_state_impl.go AddActivityTaskStartedEvent: with a retry policy the
//     start of an attempt is not written; the last attempt's ActivityTaskStarted (its attempt,
//     its start time, the previous attempt's failure as last_failure) is written just before the
//     closing event. Retried attempts write nothing.
//   - RetryActivity: no policy -> RETRY_POLICY_NOT_SET; cancel requested -> CANCEL_REQUESTED;
//     schedule-to-start / schedule-to-close timeout -> TIMEOUT; non-retryable -> NON_RETRYABLE_
//     FAILURE; then maximum attempts and the schedule-to-close expiration (retry.go).
//   - timer_queue_active_task_executor.go: a timeout that cannot be retried because time ran
//     out is reported as a SCHEDULE_TO_CLOSE timeout ("Not enough time to schedule next retry
//     before activity ScheduleToClose timeout, giving up retrying"), except schedule-to-start;
//     its cause is the previous attempt's failure and it carries the last heartbeat details.
//   - timer_sequence.go: schedule-to-start counts from the attempt's scheduled time,
//     schedule-to-close from the first, start-to-close and heartbeat from the attempt's start.
//   - workflow_task_completed_handler.go: canceling an activity that is not running cancels it
//     at once (details "ACTIVITY_ID_NOT_STARTED"); a running one learns of the request when it
//     heartbeats; respondactivitytaskcanceled/api.go refuses a cancellation nobody asked for.
#include <algorithm>
#include <utility>

#include "engine/core/proto_time.h"
#include "engine/core/retry_policy.h"
#include "engine/history/utf8_fields.h"
#include "engine/service/activity_options.h"
#include "engine/service/failures.h"
#include "engine/service/service.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using service::DueKind;

constexpr char kNotStartedDetails[] = "ACTIVITY_ID_NOT_STARTED";
constexpr char kRetryTimeoutMessage[] =
    "Not enough time to schedule next retry before activity ScheduleToClose timeout, giving up "
    "retrying";

// First heartbeat of an attempt started at `start` at or after `t`.
absl::Time NextHeartbeat(absl::Time start, absl::Duration interval, absl::Time t) {
  const int64_t elapsed = std::max<int64_t>(0, absl::ToInt64Nanoseconds(t - start));
  const int64_t step = absl::ToInt64Nanoseconds(interval);
  const int64_t beats = std::max<int64_t>(1, (elapsed + step - 1) / step);
  return start + absl::Nanoseconds(beats * step);
}

}  // namespace

void Service::ScheduleActivity(RunState& run,
                               temporal::api::command::v1::ScheduleActivityTaskCommandAttributes& c,
                               int64_t completed_id) {
  // Checked before the task completed, so this cannot fail.
  const service::ActivityOptions options = *service::NormalizeActivityOptions(
      c, run.run_timeout, options_.apply_default_activity_retry_policy);
  auto* a = Append(run, enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
                ->mutable_activity_task_scheduled_event_attributes();
  a->set_activity_id(c.activity_id());
  *a->mutable_activity_type() = c.activity_type();
  a->mutable_task_queue()->set_name(c.task_queue().name().empty() ? run.task_queue
                                                                  : c.task_queue().name());
  a->mutable_task_queue()->set_kind(enums::TASK_QUEUE_KIND_NORMAL);
  *a->mutable_header() = c.header();
  if (c.input().payloads_size() > 0) *a->mutable_input() = c.input();
  SetProtoDuration(options.schedule_to_close, a->mutable_schedule_to_close_timeout());
  SetProtoDuration(options.schedule_to_start, a->mutable_schedule_to_start_timeout());
  SetProtoDuration(options.start_to_close, a->mutable_start_to_close_timeout());
  SetProtoDuration(options.heartbeat, a->mutable_heartbeat_timeout());
  a->set_workflow_task_completed_event_id(completed_id);
  if (options.retry_policy.has_value()) *a->mutable_retry_policy() = *options.retry_policy;

  const int64_t id = run.history.size();
  ActivityState& activity = run.activities[id];
  activity.scheduled_event_id = id;
  activity.activity_id = c.activity_id();
  activity.activity_type = c.activity_type().name();
  activity.task_queue = a->task_queue().name();
  // Recorded in the event above; the command is not read again.
  activity.input = std::move(*c.mutable_input());
  activity.header = std::move(*c.mutable_header());
  activity.schedule_to_close = options.schedule_to_close;
  activity.schedule_to_start = options.schedule_to_start;
  activity.start_to_close = options.start_to_close;
  activity.heartbeat_timeout = options.heartbeat;
  activity.retry_policy = options.retry_policy;
  activity.first_scheduled_time = Now();
  activity.attempt_scheduled_time = Now();
  if (activity.schedule_to_close > absl::ZeroDuration()) {
    DueItem item;
    item.kind = DueKind::kActivityTimeout;
    item.run = run.index;
    item.ref = id;
    item.timeout_type = enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE;
    activity.schedule_to_close_key =
        Schedule(&timers_, activity.first_scheduled_time + activity.schedule_to_close, item);
  }
  EnqueueAttempt(run, activity);
}

void Service::EnqueueAttempt(RunState& run, ActivityState& activity) {
  DueItem item;
  item.kind = DueKind::kActivityDispatch;
  item.run = run.index;
  item.ref = activity.scheduled_event_id;
  activity.dispatch_key = Schedule(&activity_dispatch_, activity.attempt_scheduled_time, item);
  if (activity.schedule_to_start > absl::ZeroDuration()) {
    item.kind = DueKind::kActivityTimeout;
    item.timeout_type = enums::TIMEOUT_TYPE_SCHEDULE_TO_START;
    activity.schedule_to_start_key =
        Schedule(&timers_, activity.attempt_scheduled_time + activity.schedule_to_start, item);
  }
}

void Service::DispatchActivity(RunState& run, int64_t scheduled_event_id) {
  auto it = run.activities.find(scheduled_event_id);
  if (!run.running() || it == run.activities.end() || it->second.started) return;
  ActivityState& activity = it->second;
  timers_.Remove(&activity.schedule_to_start_key);
  const absl::Time now = Now();
  activity.started = true;
  activity.started_time = now;
  activity.started_request_id = NextRequestId();
  NoteActivityAttempt(run, activity);
  if (!activity.retry_policy.has_value()) {
    // Without a retry policy Temporal writes the start when it happens.
    HistoryEvent event = NewEvent(enums::EVENT_TYPE_ACTIVITY_TASK_STARTED);
    auto* a = event.mutable_activity_task_started_event_attributes();
    a->set_scheduled_event_id(scheduled_event_id);
    a->set_identity(options_.worker_identity);
    a->set_request_id(activity.started_request_id);
    a->set_attempt(activity.attempt);
    activity.started_event_id = Record(run, std::move(event));
  }

  ActivityTask task;
  task.workflow_id = run.workflow_id;
  task.run_id = run.run_id;
  task.workflow_type = run.workflow_type;
  task.activity_id = activity.activity_id;
  task.activity_type = activity.activity_type;
  task.task_queue = activity.task_queue;
  // The attempt borrows the input (nothing but a dispatch reads it) and gives it back below:
  // a copy per attempt cost as much as the rest of the task.
  task.input.Swap(&activity.input);
  task.attempt = activity.attempt;
  task.scheduled_event_id = scheduled_event_id;
  task.scheduled_time = activity.first_scheduled_time;
  task.current_attempt_scheduled_time = activity.attempt_scheduled_time;
  task.heartbeat_timeout = activity.heartbeat_timeout;
  if (activity.heartbeat_details.has_value()) task.heartbeat_details = *activity.heartbeat_details;
  task.schedule_to_close_timeout = activity.schedule_to_close;
  task.start_to_close_timeout = activity.start_to_close;
  const std::string request_id = activity.started_request_id;
  ActivityTaskHandler* handler = activities_;
  ActivityAttempt attempt =
      env_->RunActivityAttempt(task, [handler, &task] { return handler->HandleActivityTask(task); });
  ActivityOutcome outcome = std::move(attempt.outcome);
  const ActivityTiming timing = attempt.timing;
  const bool deferred = attempt.deferred;

  // The handler may have called back into the service (closing the run, say).
  it = run.activities.find(scheduled_event_id);
  if (it != run.activities.end()) it->second.input.Swap(&task.input);
  if (!run.running() || it == run.activities.end() || it->second.started_request_id != request_id) {
    return;
  }
  ActivityState& current = it->second;
  current.outcome = std::move(outcome);
  current.timing = timing;
  current.deferred = deferred;
  DueItem item;
  item.run = run.index;
  item.ref = scheduled_event_id;
  // Timeouts are scheduled before the result, so a result due at the very deadline is late.
  item.kind = DueKind::kActivityTimeout;
  item.timeout_type = enums::TIMEOUT_TYPE_START_TO_CLOSE;
  current.start_to_close_key = Schedule(&timers_, now + current.start_to_close, item);
  const absl::Duration hb = current.heartbeat_timeout;
  if (hb > absl::ZeroDuration() && (deferred || timing.heartbeat_interval <= absl::ZeroDuration() ||
                                    timing.heartbeat_interval > hb)) {
    // No heartbeat arrives within the heartbeat timeout of the start (a deferred attempt's
    // heartbeats move it: RecordActivityHeartbeat).
    item.timeout_type = enums::TIMEOUT_TYPE_HEARTBEAT;
    current.heartbeat_key = Schedule(&timers_, now + hb, item);
  }
  // A deferred attempt's outcome is scheduled when it is reported (CompleteActivityAttempt).
  if (deferred) return;
  item.kind = DueKind::kActivityOutcome;
  item.timeout_type = enums::TIMEOUT_TYPE_UNSPECIFIED;
  current.outcome_key =
      Schedule(&timers_, now + std::max(timing.latency, absl::ZeroDuration()), item);
}

void Service::KeepHeartbeatDetails(ActivityState& activity) {
  // The attempt heartbeats every heartbeat_interval from its start; if it heartbeated at least
  // once before now, the service holds its (last) heartbeat details.
  const absl::Duration interval = activity.timing.heartbeat_interval;
  if (activity.outcome.heartbeated && interval > absl::ZeroDuration() &&
      activity.started_time + interval <= Now()) {
    activity.heartbeat_details = activity.outcome.heartbeat_details;
  }
}

void Service::CancelAttemptItems(ActivityState& activity) {
  timers_.Remove(&activity.start_to_close_key);
  timers_.Remove(&activity.heartbeat_key);
  timers_.Remove(&activity.outcome_key);
  timers_.Remove(&activity.cancel_noticed_key);
  timers_.Remove(&activity.schedule_to_start_key);
  activity_dispatch_.Remove(&activity.dispatch_key);
}

void Service::CancelActivityItems(ActivityState& activity) {
  CancelAttemptItems(activity);
  timers_.Remove(&activity.schedule_to_close_key);
}

enums::RetryState Service::ActivityRetryState(const ActivityState& activity, const Failure& failure,
                                              absl::Duration* backoff) const {
  if (!activity.retry_policy.has_value()) return enums::RETRY_STATE_RETRY_POLICY_NOT_SET;
  if (activity.cancel_requested) return enums::RETRY_STATE_CANCEL_REQUESTED;
  if (failure.has_timeout_failure_info()) {
    const enums::TimeoutType type = failure.timeout_failure_info().timeout_type();
    if (type == enums::TIMEOUT_TYPE_SCHEDULE_TO_START ||
        type == enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE) {
      return enums::RETRY_STATE_TIMEOUT;
    }
  }
  if (!retry::IsRetryableFailure(failure, *activity.retry_policy)) {
    return enums::RETRY_STATE_NON_RETRYABLE_FAILURE;
  }
  std::optional<absl::Time> expiration;
  if (activity.schedule_to_close > absl::ZeroDuration()) {
    expiration = activity.first_scheduled_time + activity.schedule_to_close;
  }
  const retry::RetryDecision decision =
      retry::NextRetry(*activity.retry_policy, activity.attempt, Now(), expiration,
                         retry::NextRetryDelayOf(failure), /*delay_replaces_maximum=*/true);
  *backoff = decision.backoff;
  return decision.state;
}

void Service::RetryActivity(RunState& run, ActivityState& activity, const Failure& failure,
                            absl::Duration backoff) {
  CancelAttemptItems(activity);
  activity.started = false;
  activity.started_request_id.clear();
  activity.started_event_id = 0;
  activity.last_failure = failure;
  ++activity.attempt;
  activity.attempt_scheduled_time = Now() + backoff;
  activity.outcome = {};
  activity.timing = {};
  NoteActivityAttempt(run, activity);
  EnqueueAttempt(run, activity);
}

void Service::NoteActivityAttempt(const RunState& run, const ActivityState& activity) {
  if (!observers_want_attempts_) return;
  const std::pair<size_t, int64_t> key(run.index, activity.scheduled_event_id);
  // Heartbeats between two steps note one activity again and again.
  if (attempt_changes_.empty() || attempt_changes_.back() != key) attempt_changes_.push_back(key);
}

ActivityAttemptState Service::AttemptStateOf(const ActivityState& activity) {
  ActivityAttemptState state;
  state.scheduled_event_id = activity.scheduled_event_id;
  state.attempt = activity.attempt;
  state.attempt_scheduled_time = activity.attempt_scheduled_time;
  if (activity.started) {
    state.started_time = activity.started_time;
    state.started_request_id = activity.started_request_id;
  }
  state.last_failure = activity.last_failure;
  state.heartbeat_details = activity.heartbeat_details;
  return state;
}

void Service::OnActivityOutcome(RunState& run, ActivityState& activity) {
  const ActivityOutcome& outcome = activity.outcome;
  if (outcome.kind == ActivityOutcome::Kind::kCanceled && !activity.cancel_requested) {
    // Temporal refuses RespondActivityTaskCanceled without a cancel request; the attempt is
    // then as good as lost and times out.
    return;
  }
  if (outcome.kind == ActivityOutcome::Kind::kFailed && history::FindInvalidUtf8(outcome.failure)) {
    // A failure whose text is not UTF-8 cannot be stored (utf8_fields.h); Temporal's server
    // refuses such a RespondActivityTaskFailed, and the attempt times out.
    return;
  }
  KeepHeartbeatDetails(activity);
  switch (outcome.kind) {
    case ActivityOutcome::Kind::kCompleted: {
      HistoryEvent close = NewEvent(enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
      auto* a = close.mutable_activity_task_completed_event_attributes();
      *a->mutable_result() = outcome.result;
      a->set_identity(options_.worker_identity);
      CloseActivity(run, activity, std::move(close));
      return;
    }
    case ActivityOutcome::Kind::kCanceled: {
      HistoryEvent close = NewEvent(enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED);
      auto* a = close.mutable_activity_task_canceled_event_attributes();
      *a->mutable_details() = outcome.result;
      a->set_latest_cancel_requested_event_id(activity.cancel_requested_event_id);
      a->set_identity(options_.worker_identity);
      CloseActivity(run, activity, std::move(close));
      return;
    }
    case ActivityOutcome::Kind::kFailed: {
      absl::Duration backoff;
      const enums::RetryState state = ActivityRetryState(activity, outcome.failure, &backoff);
      if (state == enums::RETRY_STATE_IN_PROGRESS) {
        const Failure failure = outcome.failure;
        RetryActivity(run, activity, failure, backoff);
        return;
      }
      HistoryEvent close = NewEvent(enums::EVENT_TYPE_ACTIVITY_TASK_FAILED);
      auto* a = close.mutable_activity_task_failed_event_attributes();
      *a->mutable_failure() = outcome.failure;
      a->set_identity(options_.worker_identity);
      a->set_retry_state(state);
      CloseActivity(run, activity, std::move(close));
      return;
    }
  }
}

void Service::OnActivityTimeout(RunState& run, ActivityState& activity, enums::TimeoutType type) {
  Failure failure = service::TimeoutFailure(service::ActivityTimeoutMessage(type), type);
  KeepHeartbeatDetails(activity);
  absl::Duration backoff;
  const enums::RetryState state = ActivityRetryState(activity, failure, &backoff);
  if (state == enums::RETRY_STATE_IN_PROGRESS) {
    RetryActivity(run, activity, failure, backoff);
    return;
  }
  if (state == enums::RETRY_STATE_TIMEOUT && type != enums::TIMEOUT_TYPE_SCHEDULE_TO_START) {
    failure = service::TimeoutFailure(kRetryTimeoutMessage, enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE);
  }
  if (activity.heartbeat_details.has_value()) {
    *failure.mutable_timeout_failure_info()->mutable_last_heartbeat_details() =
        *activity.heartbeat_details;
  }
  if (activity.last_failure.has_value()) *failure.mutable_cause() = *activity.last_failure;
  HistoryEvent close = NewEvent(enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  auto* a = close.mutable_activity_task_timed_out_event_attributes();
  *a->mutable_failure() = std::move(failure);
  a->set_retry_state(state);
  CloseActivity(run, activity, std::move(close));
}

void Service::OnActivityCancelNoticed(RunState& run, ActivityState& activity) {
  // The running attempt heartbeated, was told of the cancellation and reported it.
  KeepHeartbeatDetails(activity);
  HistoryEvent close = NewEvent(enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED);
  auto* a = close.mutable_activity_task_canceled_event_attributes();
  a->set_latest_cancel_requested_event_id(activity.cancel_requested_event_id);
  a->set_identity(options_.worker_identity);
  CloseActivity(run, activity, std::move(close));
}

bool Service::RequestCancelActivity(RunState& run, int64_t scheduled_event_id,
                                    int64_t completed_id) {
  auto* a = Append(run, enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED)
                ->mutable_activity_task_cancel_requested_event_attributes();
  a->set_scheduled_event_id(scheduled_event_id);
  a->set_workflow_task_completed_event_id(completed_id);
  const int64_t requested_id = run.history.size();
  auto it = run.activities.find(scheduled_event_id);
  if (it == run.activities.end()) return false;  // its close event is buffered
  ActivityState& activity = it->second;
  activity.cancel_requested = true;
  activity.cancel_requested_event_id = requested_id;
  if (!activity.started) {
    HistoryEvent close = NewEvent(enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED);
    auto* c = close.mutable_activity_task_canceled_event_attributes();
    *c->mutable_details() = service::StringPayloads(kNotStartedDetails);
    c->set_latest_cancel_requested_event_id(requested_id);
    c->set_identity(options_.worker_identity);
    CloseActivity(run, activity, std::move(close));
    return true;
  }
  const absl::Duration interval = activity.timing.heartbeat_interval;
  if (interval > absl::ZeroDuration()) {
    DueItem item;
    item.kind = DueKind::kActivityCancelNoticed;
    item.run = run.index;
    item.ref = scheduled_event_id;
    activity.cancel_noticed_key =
        Schedule(&timers_, NextHeartbeat(activity.started_time, interval, Now()), item);
  }
  return false;
}

void Service::CloseActivity(RunState& run, ActivityState& activity, HistoryEvent close) {
  CancelActivityItems(activity);
  const int64_t scheduled_id = activity.scheduled_event_id;
  int64_t started_id = activity.started_event_id;
  if (activity.started && started_id == 0) {
    // The transient start of the last attempt, stamped with the time it started.
    HistoryEvent started = NewEvent(enums::EVENT_TYPE_ACTIVITY_TASK_STARTED);
    SetProtoTime(activity.started_time, started.mutable_event_time());
    auto* a = started.mutable_activity_task_started_event_attributes();
    a->set_scheduled_event_id(scheduled_id);
    a->set_identity(options_.worker_identity);
    a->set_request_id(activity.started_request_id);
    a->set_attempt(activity.attempt);
    if (activity.last_failure.has_value()) *a->mutable_last_failure() = *activity.last_failure;
    started_id = Record(run, std::move(started));
  }
  auto set_ids = [&](auto* attrs) {
    attrs->set_scheduled_event_id(scheduled_id);
    attrs->set_started_event_id(started_id);
  };
  switch (close.event_type()) {
    case enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      set_ids(close.mutable_activity_task_completed_event_attributes());
      break;
    case enums::EVENT_TYPE_ACTIVITY_TASK_FAILED:
      set_ids(close.mutable_activity_task_failed_event_attributes());
      break;
    case enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
      set_ids(close.mutable_activity_task_timed_out_event_attributes());
      break;
    default:
      set_ids(close.mutable_activity_task_canceled_event_attributes());
      break;
  }
  run.activities.erase(scheduled_id);  // `activity` dangles from here
  Record(run, std::move(close));
  ScheduleWorkflowTask(run);
}

}  // namespace lockstep
