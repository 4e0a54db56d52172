#include "engine/service/activity_options.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/core/proto_time.h"
#include "engine/core/retry_policy.h"

namespace lockstep::service {

absl::StatusOr<ActivityOptions> NormalizeActivityOptions(
    const temporal::api::command::v1::ScheduleActivityTaskCommandAttributes& attributes,
    absl::Duration run_timeout, bool apply_default_retry_policy) {
  const std::string& id = attributes.activity_id();
  const std::string& type = attributes.activity_type().name();
  if (id.empty()) return absl::InvalidArgumentError("activityId is not set");
  if (type.empty()) return absl::InvalidArgumentError("activityType is not set");

  ActivityOptions options;
  if (attributes.has_retry_policy() || apply_default_retry_policy) {
    options.retry_policy = retry::WithRetryDefaults(attributes.retry_policy());
    if (absl::Status status = retry::ValidateRetryPolicy(*options.retry_policy); !status.ok()) {
      return status;
    }
  }

  absl::Duration s2c = FromProtoDuration(attributes.schedule_to_close_timeout());
  absl::Duration s2s = FromProtoDuration(attributes.schedule_to_start_timeout());
  absl::Duration stc = FromProtoDuration(attributes.start_to_close_timeout());
  absl::Duration hb = FromProtoDuration(attributes.heartbeat_timeout());
  const absl::Duration zero = absl::ZeroDuration();
  if (s2c < zero || s2s < zero || stc < zero || hb < zero) {
    return absl::InvalidArgumentError(
        absl::StrCat("negative timeout on activity. ActivityId=", id, " ActivityType=", type));
  }
  if (s2c > zero) {
    s2s = s2s > zero ? std::min(s2s, s2c) : s2c;
    stc = stc > zero ? std::min(stc, s2c) : s2c;
  } else if (stc > zero) {
    s2c = run_timeout;
    if (s2s == zero) s2s = run_timeout;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "a valid StartToCloseTimeout or ScheduleToCloseTimeout must be set on the activity. "
        "ActivityId=",
        id, " ActivityType=", type));
  }
  if (run_timeout > zero) {
    s2c = std::min(s2c, run_timeout);
    s2s = std::min(s2s, run_timeout);
    stc = std::min(stc, run_timeout);
    hb = std::min(hb, run_timeout);
  }
  hb = std::min(hb, stc);

  options.schedule_to_close = s2c;
  options.schedule_to_start = s2s;
  options.start_to_close = stc;
  options.heartbeat = hb;
  return options;
}

}  // namespace lockstep::service
