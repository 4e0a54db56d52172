#include "engine/core/retry_policy.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/core/proto_time.h"

namespace lockstep::retry {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::failure::v1::Failure;

constexpr char kTimeoutTypePrefix[] = "TemporalTimeout:";

// Go's TimeoutType.String() names, which Temporal matches against non_retryable_error_types.
const char* TimeoutTypeGoName(enums::TimeoutType type) {
  switch (type) {
    case enums::TIMEOUT_TYPE_START_TO_CLOSE:
      return "StartToClose";
    case enums::TIMEOUT_TYPE_HEARTBEAT:
      return "Heartbeat";
    case enums::TIMEOUT_TYPE_SCHEDULE_TO_START:
      return "ScheduleToStart";
    case enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE:
      return "ScheduleToClose";
    default:
      return "Unspecified";
  }
}

bool Listed(const RetryPolicy& policy, const std::string& type) {
  return std::find(policy.non_retryable_error_types().begin(),
                   policy.non_retryable_error_types().end(),
                   type) != policy.non_retryable_error_types().end();
}

// x^n by squaring: only IEEE multiplications, each correctly rounded, so every conforming
// platform computes the same bits.
double PowBySquaring(double x, int64_t n) {
  double result = 1.0;
  while (n > 0) {
    if (n & 1) result *= x;
    x *= x;
    n >>= 1;
  }
  return result;
}

}  // namespace

RetryPolicy WithRetryDefaults(RetryPolicy policy) {
  if (FromProtoDuration(policy.initial_interval()) == absl::ZeroDuration()) {
    SetProtoDuration(absl::Seconds(1), policy.mutable_initial_interval());
  }
  if (FromProtoDuration(policy.maximum_interval()) == absl::ZeroDuration()) {
    SetProtoDuration(100 * FromProtoDuration(policy.initial_interval()),
                     policy.mutable_maximum_interval());
  }
  if (policy.backoff_coefficient() == 0) policy.set_backoff_coefficient(2.0);
  return policy;
}

absl::Status ValidateRetryPolicy(const RetryPolicy& policy) {
  if (policy.maximum_attempts() == 1) return absl::OkStatus();
  const absl::Duration initial = FromProtoDuration(policy.initial_interval());
  const absl::Duration maximum = FromProtoDuration(policy.maximum_interval());
  if (initial < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("invalid InitialInterval set on retry policy: negative");
  }
  if (policy.backoff_coefficient() < 1) {
    return absl::InvalidArgumentError("BackoffCoefficient cannot be less than 1 on retry policy.");
  }
  if (maximum < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("invalid MaximumInterval set on retry policy: negative");
  }
  if (maximum > absl::ZeroDuration() && maximum < initial) {
    return absl::InvalidArgumentError(
        "MaximumInterval cannot be less than InitialInterval on retry policy.");
  }
  if (policy.maximum_attempts() < 0) {
    return absl::InvalidArgumentError("MaximumAttempts cannot be negative on retry policy.");
  }
  return absl::OkStatus();
}

bool IsRetryableFailure(const Failure& failure, const RetryPolicy& policy) {
  if (failure.has_terminated_failure_info() || failure.has_canceled_failure_info()) return false;
  if (failure.has_timeout_failure_info()) {
    const enums::TimeoutType type = failure.timeout_failure_info().timeout_type();
    if (type == enums::TIMEOUT_TYPE_START_TO_CLOSE || type == enums::TIMEOUT_TYPE_HEARTBEAT) {
      return !Listed(policy, absl::StrCat(kTimeoutTypePrefix, TimeoutTypeGoName(type)));
    }
    return false;
  }
  if (failure.has_server_failure_info()) return !failure.server_failure_info().non_retryable();
  if (failure.has_application_failure_info()) {
    if (failure.application_failure_info().non_retryable()) return false;
    return !Listed(policy, failure.application_failure_info().type());
  }
  return true;
}

absl::Duration ExponentialBackoff(absl::Duration initial, double coefficient, int32_t attempt) {
  const double factor = PowBySquaring(coefficient, std::max<int64_t>(0, int64_t{attempt} - 1));
  const double nanos = static_cast<double>(absl::ToInt64Nanoseconds(initial)) * factor;
  // 2^63 as a double; Go clamps at MaxInt64 nanoseconds, which no history can reach anyway.
  if (!(nanos < 9223372036854775808.0)) return absl::Nanoseconds(INT64_MAX);
  if (nanos <= 0) return absl::ZeroDuration();
  return absl::Nanoseconds(static_cast<int64_t>(nanos));  // truncation, as Go's int64()
}

RetryDecision NextRetry(const RetryPolicy& policy, int32_t attempt, absl::Time now,
                        std::optional<absl::Time> expiration,
                        std::optional<absl::Duration> next_retry_delay,
                        bool delay_replaces_maximum) {
  attempt = std::max(attempt, 1);
  if (policy.maximum_attempts() > 0 && attempt >= policy.maximum_attempts()) {
    return {enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED, absl::ZeroDuration()};
  }
  absl::Duration maximum = FromProtoDuration(policy.maximum_interval());
  absl::Duration interval;
  if (next_retry_delay.has_value()) {
    interval = *next_retry_delay;
    if (delay_replaces_maximum) maximum = *next_retry_delay;
  } else {
    interval = ExponentialBackoff(FromProtoDuration(policy.initial_interval()),
                                  policy.backoff_coefficient(), attempt);
  }
  if (maximum == absl::ZeroDuration() && interval <= absl::ZeroDuration()) {
    return {enums::RETRY_STATE_TIMEOUT, absl::ZeroDuration()};
  }
  if (maximum != absl::ZeroDuration() && (interval <= absl::ZeroDuration() || interval > maximum)) {
    interval = maximum;
  }
  if (expiration.has_value() && now + interval > *expiration) {
    return {enums::RETRY_STATE_TIMEOUT, absl::ZeroDuration()};
  }
  return {enums::RETRY_STATE_IN_PROGRESS, interval};
}

std::optional<absl::Duration> NextRetryDelayOf(const Failure& failure) {
  if (!failure.has_application_failure_info() ||
      !failure.application_failure_info().has_next_retry_delay()) {
    return std::nullopt;
  }
  return FromProtoDuration(failure.application_failure_info().next_retry_delay());
}

}  // namespace lockstep::retry
