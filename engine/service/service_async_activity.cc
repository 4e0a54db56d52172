// Service: asynchronous activity completion — the outcome and heartbeats of an attempt whose
// environment deferred it (ActivityAttempt::deferred) arrive through client calls.
//
// Temporal facts followed here (temporalio/temporal, service/history/api):
//   - respondactivitytaskcompleted/api.go (and the failed / canceled variants): a closed run
//     is refused with ErrWorkflowCompleted ("workflow execution already completed"); an
//     activity that is not pending, whose attempt has not started, or whose current attempt is
//     not the token's attempt is refused with ErrActivityTaskNotFound. The attempt number is
//     what makes a report of a timed-out or retried attempt stale.
//   - recordactivitytaskheartbeat/api.go: the same checks; a heartbeat stores its details in
//     the activity's state (the next attempt and a timeout's failure see them), moves the
//     heartbeat timeout, and answers whether cancellation was requested.
//   - respondactivitytaskcanceled/api.go refuses a cancellation nobody asked for.
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/history/utf8_fields.h"
#include "engine/service/service.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using service::DueKind;

std::string Refused(absl::string_view call, const ActivityAttemptRef& ref, absl::string_view why) {
  return absl::StrCat(call, " refused for ", ref.DebugString(), ": ", why);
}

}  // namespace

absl::StatusOr<service::ActivityState*> Service::DeferredAttempt(const ActivityAttemptRef& ref,
                                                                 absl::string_view call,
                                                                 size_t* run_index) {
  if (ref.run_id.empty()) {
    return absl::InvalidArgumentError(Refused(call, ref, "the ref names no run id"));
  }
  absl::StatusOr<RunState*> found = FindRun(ref.workflow_id, ref.run_id);
  if (!found.ok()) {
    return absl::NotFoundError(Refused(call, ref, "workflow execution not found"));
  }
  RunState& run = **found;
  if (!run.running()) {
    return absl::NotFoundError(Refused(call, ref, "workflow execution already completed"));
  }
  auto it = run.activities.find(ref.scheduled_event_id);
  if (it == run.activities.end()) {
    return absl::NotFoundError(
        Refused(call, ref, "activity task not found (the activity is closed or never existed)"));
  }
  ActivityState& activity = it->second;
  if (!activity.started || activity.attempt != ref.attempt) {
    return absl::NotFoundError(Refused(
        call, ref,
        absl::StrCat("activity task not found (the attempt is no longer current: it timed out "
                     "or was retried; the current attempt is ",
                     activity.attempt, activity.started ? ", running)" : ", not started)")));
  }
  if (!activity.deferred) {
    return absl::FailedPreconditionError(Refused(
        call, ref, "the attempt's outcome was decided when it was dispatched (not deferred)"));
  }
  if (activity.outcome_key.has_value()) {
    return absl::NotFoundError(
        Refused(call, ref, "activity task not found (its outcome was already reported)"));
  }
  *run_index = run.index;
  return &activity;
}

absl::Status Service::CompleteActivityAttempt(const ActivityAttemptRef& ref,
                                              ActivityOutcome outcome) {
  constexpr absl::string_view kCall = "CompleteActivityAttempt";
  size_t run_index = 0;
  absl::StatusOr<ActivityState*> found = DeferredAttempt(ref, kCall, &run_index);
  if (!found.ok()) return found.status();
  ActivityState& activity = **found;
  if (outcome.kind == ActivityOutcome::Kind::kCanceled && !activity.cancel_requested) {
    return absl::FailedPreconditionError(
        Refused(kCall, ref, "a cancellation was reported but none was requested"));
  }
  if (outcome.kind == ActivityOutcome::Kind::kFailed && history::FindInvalidUtf8(outcome.failure)) {
    return absl::InvalidArgumentError(
        Refused(kCall, ref, "the failure holds text that is not valid UTF-8"));
  }
  if (outcome.heartbeated) activity.heartbeat_details = outcome.heartbeat_details;
  activity.outcome = std::move(outcome);
  // Delivered as the outcome of an attempt with a latency is: a step of the agenda, never
  // delayed, and after any deadline already due at this instant (created before it).
  DueItem item;
  item.kind = DueKind::kActivityOutcome;
  item.run = run_index;
  item.ref = ref.scheduled_event_id;
  activity.outcome_key = Schedule(&timers_, Now(), item);
  return absl::OkStatus();
}

absl::StatusOr<bool> Service::RecordActivityHeartbeat(
    const ActivityAttemptRef& ref, const temporal::api::common::v1::Payloads& details) {
  size_t run_index = 0;
  absl::StatusOr<ActivityState*> found =
      DeferredAttempt(ref, "RecordActivityHeartbeat", &run_index);
  if (!found.ok()) return found.status();
  ActivityState& activity = **found;
  activity.heartbeat_details = details;
  NoteActivityAttempt(*runs_[run_index], activity);
  if (activity.heartbeat_timeout > absl::ZeroDuration()) {
    timers_.Remove(&activity.heartbeat_key);
    DueItem item;
    item.kind = DueKind::kActivityTimeout;
    item.run = run_index;
    item.ref = ref.scheduled_event_id;
    item.timeout_type = enums::TIMEOUT_TYPE_HEARTBEAT;
    activity.heartbeat_key = Schedule(&timers_, Now() + activity.heartbeat_timeout, item);
  }
  return activity.cancel_requested;
}

}  // namespace lockstep
