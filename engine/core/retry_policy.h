// Temporal's retry rules for activities and workflows, as the server applies them.
//
// Sources (temporalio/temporal): common/retrypolicy/retry_policy.go (defaults, validation,
// which failures are retryable), service/history/workflow/retry.go (nextBackoffInterval), and
// common/backoff/retry.go (ExponentialBackoffAlgorithm).
//
// Backoff arithmetic is exact and the same on every compiler: initial * coefficient^(attempt-1)
// is computed with IEEE-754 multiplications only (exponentiation by squaring; no libm pow, whose
// last bit may differ between C libraries), then truncated to whole nanoseconds like Go's
// time.Duration(float64). For integer coefficients (the common 1 and 2) and for any coefficient
// whose powers fit in 53 bits, this equals Temporal's math.Pow result exactly.
#ifndef LOCKSTEP_ENGINE_CORE_RETRY_POLICY_H_
#define LOCKSTEP_ENGINE_CORE_RETRY_POLICY_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "temporal/api/common/v1/message.pb.h"
#include "temporal/api/enums/v1/workflow.pb.h"
#include "temporal/api/failure/v1/message.pb.h"

namespace lockstep::retry {

using temporal::api::common::v1::RetryPolicy;
using temporal::api::enums::v1::RetryState;

// Fills unset fields with Temporal's defaults (DefaultDefaultRetrySettings): initial interval
// 1s, backoff coefficient 2.0, maximum interval 100 x initial interval, maximum attempts 0
// (unlimited).
RetryPolicy WithRetryDefaults(RetryPolicy policy);

// Temporal's retrypolicy.Validate: coefficient >= 1, maximum interval >= initial interval,
// maximum attempts >= 0, no negative intervals. A policy with maximum_attempts == 1 is always
// valid (it disables retries).
[[nodiscard]] absl::Status ValidateRetryPolicy(const RetryPolicy& policy);

// Temporal's IsRetryableFailure: canceled and terminated failures never retry; timeouts retry
// only for START_TO_CLOSE and HEARTBEAT (unless "TemporalTimeout:<Type>" is listed as
// non-retryable); an application failure retries unless it is flagged non_retryable or its
// type is listed in `policy.non_retryable_error_types`.
bool IsRetryableFailure(const temporal::api::failure::v1::Failure& failure,
                        const RetryPolicy& policy);

// initial * coefficient^(attempt-1), clamped to [0, InfiniteDuration) like Temporal's
// ExponentialBackoffAlgorithm (which clamps at MaxInt64 nanoseconds).
absl::Duration ExponentialBackoff(absl::Duration initial, double coefficient, int32_t attempt);

struct RetryDecision {
  RetryState state = RetryState::RETRY_STATE_UNSPECIFIED;  // IN_PROGRESS: retry after backoff
  absl::Duration backoff = absl::ZeroDuration();
};

// Temporal's nextBackoffInterval for a retryable failure of attempt `attempt` (1-based) at
// `now`: MAXIMUM_ATTEMPTS_REACHED when attempt >= maximum_attempts > 0; TIMEOUT when the next
// attempt would start after `expiration`; otherwise IN_PROGRESS with the backoff, capped at the
// maximum interval. `next_retry_delay` (from ApplicationFailureInfo) replaces the exponential
// interval; for activities it also replaces the cap (RetryActivity), for workflows the cap
// stays (getBackoffInterval). `policy` must have its defaults filled.
RetryDecision NextRetry(const RetryPolicy& policy, int32_t attempt, absl::Time now,
                        std::optional<absl::Time> expiration,
                        std::optional<absl::Duration> next_retry_delay,
                        bool delay_replaces_maximum);

// The ApplicationFailureInfo.next_retry_delay of `failure`, when set.
std::optional<absl::Duration> NextRetryDelayOf(const temporal::api::failure::v1::Failure& failure);

}  // namespace lockstep::retry

#endif  // LOCKSTEP_ENGINE_CORE_RETRY_POLICY_H_
