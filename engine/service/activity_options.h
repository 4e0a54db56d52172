// Normalizes a ScheduleActivityTask command's timeouts and retry policy the way Temporal's
// server does before it writes ActivityTaskScheduled (chasm/lib/activity/validator.go,
// validateAndNormalizeTimeouts; service/history/api/command_attr_validator.go):
//   1. schedule-to-close set: a missing schedule-to-start / start-to-close becomes
//      schedule-to-close, and neither may exceed it;
//   2. only start-to-close set: schedule-to-close and a missing schedule-to-start become the
//      workflow run timeout (zero: unlimited);
//   3. neither set: an error (BAD_SCHEDULE_ACTIVITY_ATTRIBUTES);
//   4. no timeout exceeds a non-zero run timeout;
//   5. the heartbeat timeout does not exceed start-to-close.
// A missing retry policy becomes an empty one and every policy gets the server defaults, so
// every activity Temporal schedules has a retry policy (and its ActivityTaskScheduled event
// shows it). `apply_default_retry_policy = false` keeps a missing policy missing, which models
// servers before that rule: such an activity is never retried (RETRY_POLICY_NOT_SET).
#ifndef LOCKSTEP_ENGINE_SERVICE_ACTIVITY_OPTIONS_H_
#define LOCKSTEP_ENGINE_SERVICE_ACTIVITY_OPTIONS_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/common/v1/message.pb.h"

namespace lockstep::service {

struct ActivityOptions {
  absl::Duration schedule_to_close = absl::ZeroDuration();  // zero: none
  absl::Duration schedule_to_start = absl::ZeroDuration();  // zero: none
  absl::Duration start_to_close = absl::ZeroDuration();
  absl::Duration heartbeat = absl::ZeroDuration();  // zero: none
  std::optional<temporal::api::common::v1::RetryPolicy> retry_policy;
};

// InvalidArgument with Temporal's message when the command cannot be scheduled.
[[nodiscard]] absl::StatusOr<ActivityOptions> NormalizeActivityOptions(
    const temporal::api::command::v1::ScheduleActivityTaskCommandAttributes& attributes,
    absl::Duration run_timeout, bool apply_default_retry_policy);

}  // namespace lockstep::service

#endif  // LOCKSTEP_ENGINE_SERVICE_ACTIVITY_OPTIONS_H_
