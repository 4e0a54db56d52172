// Runs a local activity to its final outcome inside a workflow task: every attempt goes through
// the ActivityExecutionEnv (the seam remote attempts take too, so injected failures and latency
// reach local activities), and retries follow Temporal's rules in lockstep::retry, the one
// retry implementation the service uses as well.
//
// Virtual time: the workflow's clock does not move while a local activity runs, but its
// decisions are taken on a clock of its own that starts at `task.scheduled_time` (the workflow
// task's time) and advances by each attempt's latency (ActivityTiming.latency, as the env
// decides it) and each backoff. On that clock:
//   - An attempt times out when its outcome is due at or after its deadline: start-to-close
//     from its start, schedule-to-close from the first attempt's schedule, the earlier of the
//     two (schedule-to-close on a tie). A result due at the very deadline is late, as in the
//     service, which fires a timeout before a result due at the same instant, and as in Go's
//     SDK, whose attempt context is done at its deadline.
//   - A START_TO_CLOSE timeout is a failure like any other (retryable unless the policy lists
//     "TemporalTimeout:StartToClose"); a SCHEDULE_TO_CLOSE timeout ends the activity with
//     RETRY_STATE_TIMEOUT, as the service's RetryActivity does.
//   - A kCanceled outcome is refused (nobody can ask to cancel an attempt inside a workflow
//     task): the attempt is lost and times out at its deadline, as the service treats it.
//   - After a failure: IsRetryableFailure, then NextRetry with expiration = first schedule +
//     schedule_to_close_timeout (none when unset) and the failure's next_retry_delay, which
//     replaces the maximum interval as for remote activities. Another attempt is made when
//     NextRetry says IN_PROGRESS (Temporal's retry.go: an attempt starting exactly at the
//     expiration is still made; it then times out), and at most kMaxLocalActivityAttempts are
//     made in all (MAXIMUM_ATTEMPTS_REACHED).
//
// The final failure is what Go's SDK records: an ActivityFailure "local activity error" naming
// the type, the id and the retry state, whose cause is the last attempt's failure.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_LOCAL_ACTIVITY_RUNNER_H_
#define LOCKSTEP_ENGINE_WORKFLOW_LOCAL_ACTIVITY_RUNNER_H_

#include "engine/core/activity_execution.h"
#include "engine/core/task_handlers.h"
#include "engine/machines/local_activity_marker.h"
#include "engine/workflow/registry.h"
#include "temporal/api/common/v1/message.pb.h"

namespace lockstep {

// `task` describes the first attempt: ids, types, task queue, input, timeouts (at least one
// set), scheduled_time = the workflow task's time, local = true; attempt and
// current_attempt_scheduled_time are set here for each attempt. `retry_policy` is the
// activity's (unset fields: Temporal's defaults). Returns the outcome as its marker records
// it: the last attempt's number, the result or the final failure, replay_time =
// task.scheduled_time.
machines::LocalActivityMarker RunLocalActivity(
    const Registry& registry, ActivityExecutionEnv& env, ActivityTask task,
    const temporal::api::common::v1::RetryPolicy& retry_policy);

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_LOCAL_ACTIVITY_RUNNER_H_
