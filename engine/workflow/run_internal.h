// Helpers shared by the files that implement WorkflowRun (workflow_run.cc, run_*.cc): how
// commands are recorded as events, the identities by which they are matched, and small
// conversions. Internal to engine/workflow.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_RUN_INTERNAL_H_
#define LOCKSTEP_ENGINE_WORKFLOW_RUN_INTERNAL_H_

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "engine/history/event_types.h"
#include "engine/machines/local_activity_marker.h"
#include "engine/machines/transition_table.h"
#include "engine/machines/version_marker.h"
#include "engine/util/source_location.h"
#include "engine/workflow/options.h"
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

// The event type a command is recorded as.
inline temporal::api::enums::v1::EventType RecordedAs(temporal::api::enums::v1::CommandType type) {
  switch (type) {
    case enums::COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK:
      return enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED;
    case enums::COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK:
      return enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED;
    case enums::COMMAND_TYPE_START_TIMER:
      return enums::EVENT_TYPE_TIMER_STARTED;
    case enums::COMMAND_TYPE_CANCEL_TIMER:
      return enums::EVENT_TYPE_TIMER_CANCELED;
    case enums::COMMAND_TYPE_RECORD_MARKER:
      return enums::EVENT_TYPE_MARKER_RECORDED;
    case enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
      return enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED;
    case enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
      return enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED;
    case enums::COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
      return enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED;
    case enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
      return enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW;
    case enums::COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
      return enums::EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES;
    case enums::COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES:
      return enums::EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED;
    case enums::COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION:
      return enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED;
    case enums::COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION:
      return enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED;
    case enums::COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION:
      return enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED;
    default:
      return enums::EVENT_TYPE_UNSPECIFIED;
  }
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

inline std::string ChildIdentity(absl::string_view type, absl::string_view workflow_id) {
  return absl::StrCat("child ", type, " id=", workflow_id);
}
inline std::string SignalExternalIdentity(absl::string_view signal, absl::string_view workflow_id) {
  return absl::StrCat("signal ", signal, " to ", workflow_id);
}
inline std::string CancelExternalIdentity(absl::string_view workflow_id) {
  return absl::StrCat("cancel workflow ", workflow_id);
}

inline std::string AcceptUpdateIdentity(absl::string_view name, absl::string_view update_id) {
  return absl::StrCat("accept update ", name, " id=", update_id);
}
inline std::string CompleteUpdateIdentity(absl::string_view update_id) {
  return absl::StrCat("complete update id=", update_id);
}
inline bool IsUpdateEvent(temporal::api::enums::v1::EventType type) {
  return type == temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED ||
         type == temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED;
}

// An identity without the command's own id, for histories recorded by other SDKs (IdRule).
inline std::string WithoutId(const std::string& identity) {
  for (absl::string_view prefix :
       {"activity ", "timer ", "cancel timer ", "local activity ", "child "}) {
    if (!absl::StartsWith(identity, prefix)) continue;
    const size_t at = identity.rfind(" id=");
    if (at != std::string::npos) return identity.substr(0, at);
    return identity;
  }
  return identity;
}

inline std::string VersionMarkerIdentity(const std::string& change_id) {
  return absl::StrCat("marker Version change-id=", change_id);
}

// Upserts are identified by the keys they set (sorted), not the values.
template <typename Map>
std::string KeysIdentity(absl::string_view what, const Map& fields) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : fields) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  return absl::StrCat(what, " ", absl::StrJoin(keys, ","));
}
inline std::string UpsertIdentity(const temporal::api::common::v1::SearchAttributes& sa) {
  return KeysIdentity("upsert search attributes", sa.indexed_fields());
}
inline std::string MemoIdentity(const temporal::api::common::v1::Memo& memo) {
  return KeysIdentity("upsert memo", memo.fields());
}

// The identity of a command event, in the same words as the identity of a command, so that
// the two compare as strings and read well in reports.
inline std::string EventIdentity(const HistoryEvent& e) {
  switch (e.event_type()) {
    case enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
      const auto& a = e.activity_task_scheduled_event_attributes();
      return absl::StrCat("activity ", a.activity_type().name(), " id=", a.activity_id());
    }
    case enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED:
      return absl::StrCat("cancel activity scheduled=",
                          e.activity_task_cancel_requested_event_attributes().scheduled_event_id());
    case enums::EVENT_TYPE_TIMER_STARTED:
      return absl::StrCat("timer id=", e.timer_started_event_attributes().timer_id());
    case enums::EVENT_TYPE_TIMER_CANCELED:
      return absl::StrCat("cancel timer id=", e.timer_canceled_event_attributes().timer_id());
    case enums::EVENT_TYPE_MARKER_RECORDED: {
      if (auto local = machines::ReadLocalActivityMarker(e)) {
        return absl::StrCat("local activity ", local->activity_type, " id=", local->activity_id);
      }
      if (auto version = machines::ReadVersionMarker(e)) {
        return VersionMarkerIdentity(version->change_id);
      }
      return absl::StrCat("marker ", e.marker_recorded_event_attributes().marker_name());
    }
    case enums::EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
      return UpsertIdentity(
          e.upsert_workflow_search_attributes_event_attributes().search_attributes());
    case enums::EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
      return MemoIdentity(e.workflow_properties_modified_event_attributes().upserted_memo());
    case enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: {
      const auto& a = e.start_child_workflow_execution_initiated_event_attributes();
      return ChildIdentity(a.workflow_type().name(), a.workflow_id());
    }
    case enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: {
      const auto& a = e.signal_external_workflow_execution_initiated_event_attributes();
      return SignalExternalIdentity(a.signal_name(), a.workflow_execution().workflow_id());
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: {
      const auto& a = e.workflow_execution_update_accepted_event_attributes();
      return AcceptUpdateIdentity(a.accepted_request().input().name(),
                                  a.accepted_request().meta().update_id().empty()
                                      ? a.protocol_instance_id()
                                      : a.accepted_request().meta().update_id());
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
      return CompleteUpdateIdentity(
          e.workflow_execution_update_completed_event_attributes().meta().update_id());
    case enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
      return CancelExternalIdentity(
          e.request_cancel_external_workflow_execution_initiated_event_attributes()
              .workflow_execution()
              .workflow_id());
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      return "complete workflow";
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      return "fail workflow";
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      return "cancel workflow";
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
      return absl::StrCat(
          "continue as new ",
          e.workflow_execution_continued_as_new_event_attributes().workflow_type().name());
    default:
      return history::EventTypeShortName(e.event_type());
  }
}

// The identity of a workflow-closing command, matching EventIdentity of its event.
inline std::string CommandIdentity(const Command& c) {
  switch (c.command_type()) {
    case enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
      return "complete workflow";
    case enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
      return "fail workflow";
    case enums::COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
      return "cancel workflow";
    case enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
      return absl::StrCat(
          "continue as new ",
          c.continue_as_new_workflow_execution_command_attributes().workflow_type().name());
    default:
      return "";
  }
}

// `machine` describes the machine for the error message; it is only called on error, so
// the success path builds no strings.
template <typename State, typename Trigger, typename Describe, typename StateName,
          typename TriggerName>
absl::Status Transit(const machines::TransitionTable<State, Trigger>& table, State* state,
                     Trigger trigger, const Describe& machine, StateName state_name,
                     TriggerName trigger_name) {
  auto next = table.Next(*state, trigger);
  if (!next) {
    return absl::InvalidArgumentError(absl::StrCat(machine(), " in state ", state_name(*state),
                                                   " cannot take ", trigger_name(trigger)));
  }
  *state = *next;
  return absl::OkStatus();
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
