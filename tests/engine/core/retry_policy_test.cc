#include "engine/core/retry_policy.h"

#include <string>
#include <utility>
#include <vector>

#include "engine/core/proto_time.h"
#include "gtest/gtest.h"

namespace lockstep::retry {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::failure::v1::Failure;

Failure ApplicationFailure(std::string message, std::string type = "", bool non_retryable = false) {
  Failure f;
  f.set_message(std::move(message));
  f.mutable_application_failure_info()->set_type(std::move(type));
  f.mutable_application_failure_info()->set_non_retryable(non_retryable);
  return f;
}

RetryPolicy Policy(absl::Duration initial, double coefficient, absl::Duration maximum,
                   int32_t attempts, std::vector<std::string> non_retryable = {}) {
  RetryPolicy p;
  SetProtoDuration(initial, p.mutable_initial_interval());
  p.set_backoff_coefficient(coefficient);
  SetProtoDuration(maximum, p.mutable_maximum_interval());
  p.set_maximum_attempts(attempts);
  for (auto& t : non_retryable) p.add_non_retryable_error_types(std::move(t));
  return p;
}

TEST(RetryPolicyTest, DefaultsAreTemporals) {
  RetryPolicy p = WithRetryDefaults({});
  EXPECT_EQ(FromProtoDuration(p.initial_interval()), absl::Seconds(1));
  EXPECT_EQ(p.backoff_coefficient(), 2.0);
  EXPECT_EQ(FromProtoDuration(p.maximum_interval()), absl::Seconds(100));
  EXPECT_EQ(p.maximum_attempts(), 0);
  // Maximum interval defaults to 100 x the given initial interval.
  RetryPolicy q;
  SetProtoDuration(absl::Milliseconds(30), q.mutable_initial_interval());
  EXPECT_EQ(FromProtoDuration(WithRetryDefaults(q).maximum_interval()), absl::Seconds(3));
}

TEST(RetryPolicyTest, Validation) {
  EXPECT_TRUE(ValidateRetryPolicy(WithRetryDefaults({})).ok());
  RetryPolicy bad = Policy(absl::Seconds(10), 2, absl::Seconds(1), 0);
  EXPECT_FALSE(ValidateRetryPolicy(bad).ok());
  bad = Policy(absl::Seconds(1), 0.5, absl::Seconds(10), 0);
  EXPECT_FALSE(ValidateRetryPolicy(bad).ok());
  bad.set_maximum_attempts(1);  // one attempt: nothing else matters
  EXPECT_TRUE(ValidateRetryPolicy(bad).ok());
}

TEST(RetryPolicyTest, ExponentialBackoffIsExact) {
  EXPECT_EQ(ExponentialBackoff(absl::Seconds(1), 2.0, 1), absl::Seconds(1));
  EXPECT_EQ(ExponentialBackoff(absl::Seconds(1), 2.0, 4), absl::Seconds(8));
  EXPECT_EQ(ExponentialBackoff(absl::Milliseconds(100), 1.5, 3), absl::Milliseconds(225));
  EXPECT_EQ(ExponentialBackoff(absl::Nanoseconds(1), 1.0, 50), absl::Nanoseconds(1));
  // Huge exponents clamp instead of overflowing.
  EXPECT_GT(ExponentialBackoff(absl::Seconds(1), 2.0, 200), absl::Hours(24 * 365 * 100));
}

TEST(RetryPolicyTest, RetryableFailures) {
  RetryPolicy p = WithRetryDefaults(Policy(absl::Seconds(1), 2, absl::Seconds(10), 0, {"Fatal"}));
  EXPECT_TRUE(IsRetryableFailure(ApplicationFailure("x", "Transient"), p));
  EXPECT_FALSE(IsRetryableFailure(ApplicationFailure("x", "Fatal"), p));
  EXPECT_FALSE(IsRetryableFailure(ApplicationFailure("x", "Transient", true), p));
  temporal::api::failure::v1::Failure timeout;
  timeout.mutable_timeout_failure_info()->set_timeout_type(enums::TIMEOUT_TYPE_START_TO_CLOSE);
  EXPECT_TRUE(IsRetryableFailure(timeout, p));
  timeout.mutable_timeout_failure_info()->set_timeout_type(enums::TIMEOUT_TYPE_SCHEDULE_TO_START);
  EXPECT_FALSE(IsRetryableFailure(timeout, p));
  p.add_non_retryable_error_types("TemporalTimeout:Heartbeat");
  timeout.mutable_timeout_failure_info()->set_timeout_type(enums::TIMEOUT_TYPE_HEARTBEAT);
  EXPECT_FALSE(IsRetryableFailure(timeout, p));
  temporal::api::failure::v1::Failure canceled;
  canceled.mutable_canceled_failure_info();
  EXPECT_FALSE(IsRetryableFailure(canceled, p));
}

TEST(RetryPolicyTest, NextRetry) {
  const absl::Time now = absl::FromUnixSeconds(1000);
  RetryPolicy p = WithRetryDefaults(Policy(absl::Seconds(1), 2, absl::Seconds(5), 4));
  auto d = NextRetry(p, 1, now, std::nullopt, std::nullopt, true);
  EXPECT_EQ(d.state, enums::RETRY_STATE_IN_PROGRESS);
  EXPECT_EQ(d.backoff, absl::Seconds(1));
  d = NextRetry(p, 3, now, std::nullopt, std::nullopt, true);
  EXPECT_EQ(d.backoff, absl::Seconds(4));
  EXPECT_EQ(NextRetry(p, 4, now, std::nullopt, std::nullopt, true).state,
            enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  p.set_maximum_attempts(0);
  EXPECT_EQ(NextRetry(p, 10, now, std::nullopt, std::nullopt, true).backoff, absl::Seconds(5));
  // The next attempt would start after the expiration.
  EXPECT_EQ(NextRetry(p, 3, now, now + absl::Seconds(3), std::nullopt, true).state,
            enums::RETRY_STATE_TIMEOUT);
  EXPECT_EQ(NextRetry(p, 3, now, now + absl::Seconds(4), std::nullopt, true).state,
            enums::RETRY_STATE_IN_PROGRESS);
  // An application's next_retry_delay replaces the interval; for activities also the cap.
  EXPECT_EQ(NextRetry(p, 1, now, std::nullopt, absl::Seconds(30), true).backoff, absl::Seconds(30));
  EXPECT_EQ(NextRetry(p, 1, now, std::nullopt, absl::Seconds(30), false).backoff, absl::Seconds(5));
}

}  // namespace
}  // namespace lockstep::retry
