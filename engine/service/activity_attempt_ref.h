// Names one attempt of one activity, as Temporal's activity task token does: the run, the
// activity's ActivityTaskScheduled event id and the attempt number. An attempt whose outcome is
// reported later (ActivityAttempt::deferred) is completed and heartbeated through it
// (Service::CompleteActivityAttempt, Service::RecordActivityHeartbeat).
//
// A ref is a value: it stays meaningful after its attempt ended, and the service then refuses
// it (the attempt timed out, was retried as a new attempt, or its run closed).
#ifndef LOCKSTEP_ENGINE_SERVICE_ACTIVITY_ATTEMPT_REF_H_
#define LOCKSTEP_ENGINE_SERVICE_ACTIVITY_ATTEMPT_REF_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/core/task_handlers.h"

namespace lockstep {

struct ActivityAttemptRef {
  std::string workflow_id;
  std::string run_id;  // required: a ref names one run
  int64_t scheduled_event_id = 0;
  int32_t attempt = 1;

  // The ref of the attempt `task` hands to a worker (a remote activity's task).
  static ActivityAttemptRef Of(const ActivityTask& task) {
    return ActivityAttemptRef{.workflow_id = task.workflow_id,
                              .run_id = task.run_id,
                              .scheduled_event_id = task.scheduled_event_id,
                              .attempt = task.attempt};
  }

  // "workflow id W, run id R, scheduled event id S, attempt A", for error messages.
  std::string DebugString() const {
    return absl::StrCat("workflow id ", workflow_id, ", run id ", run_id, ", scheduled event id ",
                        scheduled_event_id, ", attempt ", attempt);
  }

  friend bool operator==(const ActivityAttemptRef&, const ActivityAttemptRef&) = default;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_SERVICE_ACTIVITY_ATTEMPT_REF_H_
