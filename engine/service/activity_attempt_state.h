// The attempt state of a pending activity that its history does not hold, as Temporal keeps it
// in mutable state beside the history (persistence's ActivityInfo: Attempt, ScheduledTime,
// StartedTime, RequestId, RetryLastFailure, LastHeartbeatDetails), written in the same
// transaction as the events (service/history/workflow/mutable_state_impl.go).
//
// With a retry policy Temporal writes an activity's ActivityTaskStarted only when the activity
// closes, so until then the history says neither which attempt is current, nor whether it is
// running, nor the last failure or heartbeat details. The service reports this state to step
// observers that ask for it (step_observer.h), a StoreRecorder stores it with the step's
// events, and Service::RestoreRun takes it back (docs/recovery.md "Activity attempts").
#ifndef LOCKSTEP_ENGINE_SERVICE_ACTIVITY_ATTEMPT_STATE_H_
#define LOCKSTEP_ENGINE_SERVICE_ACTIVITY_ATTEMPT_STATE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "temporal/api/common/v1/message.pb.h"
#include "temporal/api/failure/v1/message.pb.h"

namespace lockstep {

struct ActivityAttemptState {
  // The activity's ActivityTaskScheduled event id: which activity of the run this is.
  int64_t scheduled_event_id = 0;
  // The current attempt, from 1: running, waiting for a worker, or waiting out its backoff.
  int32_t attempt = 1;
  // When the current attempt may be dispatched (the end of its backoff); its schedule-to-start
  // timeout counts from here.
  absl::Time attempt_scheduled_time = absl::UnixEpoch();
  // Set while the current attempt runs on a worker: when it started and its request id (the
  // ActivityTaskStarted written when the activity closes carries both).
  std::optional<absl::Time> started_time;
  std::string started_request_id;
  // The previous attempt's failure (ActivityTaskStarted.last_failure, the cause of a timeout).
  std::optional<temporal::api::failure::v1::Failure> last_failure;
  // The last heartbeat details the service received (handed to the next attempt, and carried
  // by a timeout's failure).
  std::optional<temporal::api::common::v1::Payloads> heartbeat_details;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_SERVICE_ACTIVITY_ATTEMPT_STATE_H_
