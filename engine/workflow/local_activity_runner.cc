#include "engine/workflow/local_activity_runner.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "engine/core/retry_policy.h"
#include "engine/workflow/activity_runner.h"
#include "engine/workflow/options.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::failure::v1::Failure;

constexpr char kFailureSource[] = "Lockstep";

// Temporal's wording for activity timeouts (common.FailureReasonActivityTimeout formatted with
// Go's TimeoutType names), so local and remote timeouts read alike.
Failure TimeoutFailure(enums::TimeoutType type) {
  Failure failure;
  failure.set_message(type == enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE
                          ? "activity ScheduleToClose timeout"
                          : "activity StartToClose timeout");
  failure.set_source(kFailureSource);
  failure.mutable_timeout_failure_info()->set_timeout_type(type);
  return failure;
}

// The Go SDK's shape for a failed local activity (internal_event_handlers.go).
Failure LocalActivityFailure(const ActivityTask& task, enums::RetryState state, Failure cause) {
  Failure wrapped;
  wrapped.set_message("local activity error");
  wrapped.set_source(kFailureSource);
  auto* info = wrapped.mutable_activity_failure_info();
  info->mutable_activity_type()->set_name(task.activity_type);
  info->set_activity_id(task.activity_id);
  info->set_retry_state(state);
  *wrapped.mutable_cause() = std::move(cause);
  return wrapped;
}

struct Deadline {
  absl::Duration at;  // since the first attempt was scheduled
  enums::TimeoutType type;
};

// The deadline of an attempt that starts `start` after the first was scheduled.
std::optional<Deadline> AttemptDeadline(const ActivityTask& task, absl::Duration start) {
  std::optional<Deadline> deadline;
  if (task.schedule_to_close_timeout > absl::ZeroDuration()) {
    deadline = Deadline{task.schedule_to_close_timeout, enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE};
  }
  if (task.start_to_close_timeout > absl::ZeroDuration() &&
      (!deadline.has_value() || start + task.start_to_close_timeout < deadline->at)) {
    deadline = Deadline{start + task.start_to_close_timeout, enums::TIMEOUT_TYPE_START_TO_CLOSE};
  }
  return deadline;
}

bool IsScheduleToCloseTimeout(const Failure& failure) {
  return failure.has_timeout_failure_info() &&
         failure.timeout_failure_info().timeout_type() == enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE;
}

}  // namespace

machines::LocalActivityMarker RunLocalActivity(
    const Registry& registry, ActivityExecutionEnv& env, ActivityTask task,
    const temporal::api::common::v1::RetryPolicy& retry_policy) {
  const retry::RetryPolicy policy = retry::WithRetryDefaults(retry_policy);
  std::optional<absl::Time> expiration;
  if (task.schedule_to_close_timeout > absl::ZeroDuration()) {
    expiration = task.scheduled_time + task.schedule_to_close_timeout;
  }
  machines::LocalActivityMarker marker;
  marker.activity_id = task.activity_id;
  marker.activity_type = task.activity_type;
  marker.replay_time = task.scheduled_time;

  absl::Duration elapsed = absl::ZeroDuration();  // since the first attempt was scheduled
  for (int32_t attempt = 1;; ++attempt) {
    task.attempt = attempt;
    task.current_attempt_scheduled_time = task.scheduled_time + elapsed;
    marker.attempt = attempt;
    ActivityAttempt done =
        env.RunActivityAttempt(task, [&registry, &task] { return RunActivity(registry, task); });

    const std::optional<Deadline> deadline = AttemptDeadline(task, elapsed);
    const absl::Duration end = elapsed + std::max(done.timing.latency, absl::ZeroDuration());
    const bool lost = done.outcome.kind == ActivityOutcome::Kind::kCanceled;
    Failure failure;
    if (deadline.has_value() && (lost || end >= deadline->at)) {
      elapsed = deadline->at;
      failure = TimeoutFailure(deadline->type);
    } else if (lost) {
      // Only a task without timeouts gets here (ScheduleLocalActivity refuses one).
      elapsed = end;
      failure = TimeoutFailure(enums::TIMEOUT_TYPE_START_TO_CLOSE);
    } else if (done.outcome.kind == ActivityOutcome::Kind::kCompleted) {
      marker.result = std::move(done.outcome.result);
      return marker;
    } else {
      elapsed = end;
      failure = std::move(done.outcome.failure);
    }

    // The order of the service's RetryActivity: schedule-to-close ends retries; then
    // retryability; then maximum attempts and expiration (retry.go).
    enums::RetryState state;
    absl::Duration backoff = absl::ZeroDuration();
    if (IsScheduleToCloseTimeout(failure)) {
      state = enums::RETRY_STATE_TIMEOUT;
    } else if (!retry::IsRetryableFailure(failure, policy)) {
      state = enums::RETRY_STATE_NON_RETRYABLE_FAILURE;
    } else {
      const retry::RetryDecision decision =
          retry::NextRetry(policy, attempt, task.scheduled_time + elapsed, expiration,
                           retry::NextRetryDelayOf(failure), /*delay_replaces_maximum=*/true);
      state = decision.state;
      backoff = decision.backoff;
    }
    if (state == enums::RETRY_STATE_IN_PROGRESS && attempt >= kMaxLocalActivityAttempts) {
      state = enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED;
    }
    if (state != enums::RETRY_STATE_IN_PROGRESS) {
      marker.failed = true;
      marker.failure = LocalActivityFailure(task, state, std::move(failure));
      return marker;
    }
    elapsed += backoff;
  }
}

}  // namespace lockstep
