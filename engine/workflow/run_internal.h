// Helpers shared by the files that implement WorkflowRun (workflow_run.cc, run_*.cc): which
// events record commands, machine transitions and the errors they raise, and small
// conversions. Internal to engine/workflow. (Commands are matched with their events by
// CommandKey, command_key.h.)
#ifndef LOCKSTEP_ENGINE_WORKFLOW_RUN_INTERNAL_H_
#define LOCKSTEP_ENGINE_WORKFLOW_RUN_INTERNAL_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/history/event_types.h"
#include "engine/machines/transition_table.h"
#include "engine/util/source_location.h"
#include "engine/workflow/options.h"
#include "engine/workflow/run_error.h"
#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::run_internal {

namespace enums = temporal::api::enums::v1;
using temporal::api::command::v1::Command;
using temporal::api::history::v1::HistoryEvent;

// Thrown through workflow code to abandon an activation once nondeterminism is found; it is
// not a std::exception, so ordinary catch clauses in workflow code do not swallow it, and the
// run records the finding before throwing so that even catch (...) cannot hide it.
struct NondeterminismAbort {};

inline absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

inline void SetDuration(absl::Duration d, google::protobuf::Duration* out) {
  const int64_t nanos = absl::ToInt64Nanoseconds(d);
  out->set_seconds(nanos / 1000000000);
  out->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

inline std::string Where(SourceLocation where) {
  if (where.file_name() == nullptr || where.line() == 0) return "unknown location";
  return absl::StrCat(where.file_name(), ":", where.line());
}

inline bool IsCommandEvent(temporal::api::enums::v1::EventType type) {
  switch (type) {
    case enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
    case enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED:
    case enums::EVENT_TYPE_TIMER_STARTED:
    case enums::EVENT_TYPE_TIMER_CANCELED:
    case enums::EVENT_TYPE_MARKER_RECORDED:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
    case enums::EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
    case enums::EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
    case enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
    case enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
    case enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
      return true;
    default:
      return false;
  }
}

// Temporal's RetryPolicy for `r`; zero fields stay unset (the service's defaults).
inline void RetryPolicyToProto(const RetryPolicy& r, temporal::api::common::v1::RetryPolicy* p) {
  if (r.initial_interval > absl::ZeroDuration()) {
    SetDuration(r.initial_interval, p->mutable_initial_interval());
  }
  p->set_backoff_coefficient(r.backoff_coefficient);
  if (r.maximum_interval > absl::ZeroDuration()) {
    SetDuration(r.maximum_interval, p->mutable_maximum_interval());
  }
  p->set_maximum_attempts(r.maximum_attempts);
  for (absl::string_view t : r.non_retryable_error_types) {
    if (!t.empty()) p->add_non_retryable_error_types(std::string(t));
  }
}

inline bool IsUpdateEvent(temporal::api::enums::v1::EventType type) {
  return type == temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED ||
         type == temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED;
}

// Moves `*state` by `trigger`. A transition the table does not allow is an event that
// contradicts the machine (kCorruptHistory); callers that know the event add its id.
// `machine` describes the machine for the error message; it is only called on error, so
// the success path builds no strings.
template <typename State, typename Trigger, typename Describe, typename StateName,
          typename TriggerName>
RunStatus Transit(const machines::TransitionTable<State, Trigger>& table, State* state,
                  Trigger trigger, const Describe& machine, StateName state_name,
                  TriggerName trigger_name) {
  auto next = table.Next(*state, trigger);
  if (!next) {
    return RunError::Of(RunError::Kind::kCorruptHistory,
                        absl::StrCat(machine(), " in state ", state_name(*state), " cannot take ",
                                     trigger_name(trigger)));
  }
  *state = *next;
  return {};
}

// `error` (from Transit or an operation's on_recorded) as the error of applying `event`: the
// same kind, the message prefixed with the event's id.
inline RunError AtEvent(const HistoryEvent& event, RunError error) {
  error.message = absl::StrCat("event ", event.event_id(), ": ", error.message);
  error.event_id = event.event_id();
  return error;
}

// The error for an event that refers to `what` (initiated, scheduled, started event `id`),
// which is no operation of this run.
inline RunError UnknownOperation(const HistoryEvent& event, absl::string_view what, int64_t id,
                                 absl::string_view kind) {
  return RunError::Of(RunError::Kind::kCorruptHistory,
                      absl::StrCat("event ", event.event_id(), " (",
                                   history::EventTypeShortName(event.event_type()), ") refers to ",
                                   what, " event ", id, ", which is no ", kind, " of this run"),
                      event.event_id());
}

inline temporal::api::failure::v1::Failure ActivityFailureOf(
    const std::string& activity_type, const std::string& activity_id, int64_t scheduled,
    int64_t started, const temporal::api::failure::v1::Failure& cause,
    enums::RetryState retry_state) {
  temporal::api::failure::v1::Failure f;
  f.set_message("activity error");
  f.set_source("Lockstep");
  auto* info = f.mutable_activity_failure_info();
  info->set_scheduled_event_id(scheduled);
  info->set_started_event_id(started);
  info->mutable_activity_type()->set_name(activity_type);
  info->set_activity_id(activity_id);
  info->set_retry_state(retry_state);
  *f.mutable_cause() = cause;
  return f;
}

}  // namespace lockstep::run_internal

#endif  // LOCKSTEP_ENGINE_WORKFLOW_RUN_INTERNAL_H_
