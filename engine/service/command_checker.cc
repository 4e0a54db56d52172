#include "engine/service/command_checker.h"

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/core/proto_time.h"
#include "engine/core/retry_policy.h"
#include "engine/history/utf8_fields.h"
#include "engine/service/activity_options.h"
#include "engine/service/update_messages.h"

namespace lockstep::service {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::command::v1::Command;
using temporal::api::protocol::v1::Message;

// Where an update stands as the messages seen so far would leave it.
enum class UpdateStage { kRequested, kAccepted, kDone };

// The run's pending state as the commands seen so far would leave it.
struct Overlay {
  absl::btree_set<std::string> activity_ids;
  absl::btree_map<int64_t, bool> activities;  // scheduled id -> cancel requested
  absl::btree_set<int64_t> started;           // scheduled ids of running attempts
  absl::btree_set<int64_t> buffered_closed;   // activities whose close event is buffered
  absl::btree_set<std::string> timers;
  absl::btree_set<std::string> buffered_fired;
  int64_t buffered_count = 0;
  int64_t next_event_id = 0;
  absl::btree_set<std::string> initiated_children;  // workflow ids started by these commands
  absl::btree_map<std::string, UpdateStage> updates;
  std::vector<bool> messages_taken;
  bool closed = false;
};

Overlay OverlayOf(const RunState& run, int64_t first_event_id) {
  Overlay o;
  for (const auto& [id, activity] : run.activities) {
    o.activity_ids.insert(activity.activity_id);
    o.activities[id] = activity.cancel_requested;
    if (activity.started) o.started.insert(id);
  }
  for (const auto& [id, timer] : run.timers) o.timers.insert(id);
  for (const BufferedEvent& b : run.buffered) {
    const auto& e = b.event;
    switch (e.event_type()) {
      case enums::EVENT_TYPE_TIMER_FIRED:
        o.buffered_fired.insert(e.timer_fired_event_attributes().timer_id());
        break;
      case enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        o.buffered_closed.insert(e.activity_task_completed_event_attributes().scheduled_event_id());
        break;
      case enums::EVENT_TYPE_ACTIVITY_TASK_FAILED:
        o.buffered_closed.insert(e.activity_task_failed_event_attributes().scheduled_event_id());
        break;
      case enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
        o.buffered_closed.insert(e.activity_task_timed_out_event_attributes().scheduled_event_id());
        break;
      case enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED:
        o.buffered_closed.insert(e.activity_task_canceled_event_attributes().scheduled_event_id());
        break;
      default:
        break;
    }
  }
  o.buffered_count = static_cast<int64_t>(run.buffered.size());
  o.next_event_id = first_event_id;
  for (const auto& [id, update] : run.updates) {
    if (update.status.completed()) continue;
    o.updates[id] = update.status.stage == UpdateStatus::Stage::kAccepted ? UpdateStage::kAccepted
                                                                          : UpdateStage::kRequested;
  }
  return o;
}

CommandVerdict Fail(enums::WorkflowTaskFailedCause cause, std::string message) {
  return {CommandVerdict::Kind::kFailTask, cause, std::move(message)};
}

CommandVerdict BadUpdateMessage(std::string message) {
  return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE,
              std::move(message));
}

// One update message (workflow_task_completed_handler.go handleMessage, update.go
// OnProtocolMessage): the update must be known and the answer must fit its stage.
CommandVerdict CheckMessage(const Message& message, Overlay* o) {
  if (o->closed) return {};  // the run's updates are aborted, not answered
  absl::StatusOr<UpdateAnswer> answer = DecodeUpdateAnswer(message);
  if (!answer.ok()) return BadUpdateMessage(std::string(answer.status().message()));
  auto it = o->updates.find(message.protocol_instance_id());
  if (it == o->updates.end()) {
    return BadUpdateMessage(
        absl::StrCat("update ", message.protocol_instance_id(),
                     " wasn't found on the server. This is most likely a transient error which "
                     "will be resolved automatically by retries"));
  }
  const bool acceptance = answer->kind == UpdateAnswer::Kind::kAcceptance;
  const bool response = answer->kind == UpdateAnswer::Kind::kResponse;
  const UpdateStage needed = response ? UpdateStage::kAccepted : UpdateStage::kRequested;
  if (it->second != needed) {
    return BadUpdateMessage(absl::StrCat("invalid state transition attempted for Update ",
                                         it->first, ": received ",
                                         acceptance ? "*updatepb.Acceptance"
                                         : response ? "*updatepb.Response"
                                                    : "*updatepb.Rejection",
                                         " message in its current state"));
  }
  it->second = acceptance ? UpdateStage::kAccepted : UpdateStage::kDone;
  if (acceptance || response) ++o->next_event_id;  // UpdateAccepted / UpdateCompleted
  return {};
}

CommandVerdict CheckProtocolMessageCommand(const Command& command,
                                           const std::vector<Message>& messages, Overlay* o) {
  const std::string& id = command.protocol_message_command_attributes().message_id();
  if (!command.has_protocol_message_command_attributes()) {
    return BadUpdateMessage(
        "ProtocolMessageCommandAttributes is not set on ProtocolMessageCommand.");
  }
  if (id.empty()) return BadUpdateMessage("MessageID is not set on ProtocolMessageCommand.");
  for (size_t i = 0; i < messages.size(); ++i) {
    if (o->messages_taken[i] || messages[i].id() != id) continue;
    o->messages_taken[i] = true;
    return CheckMessage(messages[i], o);
  }
  return BadUpdateMessage(absl::StrCat("ProtocolMessageCommand referenced absent message ID ", id));
}

CommandVerdict CheckStartChild(const Command& command, Overlay* o) {
  const auto& a = command.start_child_workflow_execution_command_attributes();
  const enums::WorkflowTaskFailedCause cause =
      enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES;
  if (!command.has_start_child_workflow_execution_command_attributes()) {
    return Fail(cause,
                "StartChildWorkflowExecutionCommandAttributes is not set on "
                "StartChildWorkflowExecutionCommand.");
  }
  if (a.workflow_id().empty()) {
    return Fail(cause,
                "Required field WorkflowId is not set on StartChildWorkflowExecutionCommand.");
  }
  if (a.workflow_type().name().empty()) {
    return Fail(cause,
                "Required field WorkflowType is not set on StartChildWorkflowExecutionCommand.");
  }
  const absl::Duration zero = absl::ZeroDuration();
  if (FromProtoDuration(a.workflow_execution_timeout()) < zero ||
      FromProtoDuration(a.workflow_run_timeout()) < zero ||
      FromProtoDuration(a.workflow_task_timeout()) < zero) {
    return Fail(cause, "Invalid negative timeout on StartChildWorkflowExecutionCommand.");
  }
  if (a.has_retry_policy()) {
    if (absl::Status status = retry::ValidateRetryPolicy(retry::WithRetryDefaults(a.retry_policy()));
        !status.ok()) {
      return Fail(cause, absl::StrCat("invalid WorkflowRetryPolicy on "
                                      "StartChildWorkflowExecutionCommand: ",
                                      status.message()));
    }
  }
  o->initiated_children.insert(a.workflow_id());
  ++o->next_event_id;
  return {};
}

CommandVerdict CheckSignalExternal(const Command& command, Overlay* o) {
  const auto& a = command.signal_external_workflow_execution_command_attributes();
  const enums::WorkflowTaskFailedCause cause =
      enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES;
  if (!command.has_signal_external_workflow_execution_command_attributes()) {
    return Fail(cause,
                "SignalExternalWorkflowExecutionCommandAttributes is not set on "
                "SignalExternalWorkflowExecutionCommand.");
  }
  if (!a.has_execution()) {
    return Fail(cause, "Execution is not set on SignalExternalWorkflowExecutionCommand.");
  }
  if (a.execution().workflow_id().empty()) {
    return Fail(cause, "WorkflowId is not set on SignalExternalWorkflowExecutionCommand.");
  }
  if (a.signal_name().empty()) {
    return Fail(cause, "SignalName is not set on SignalExternalWorkflowExecutionCommand.");
  }
  ++o->next_event_id;
  return {};
}

CommandVerdict CheckCancelExternal(const Command& command, Overlay* o) {
  const auto& a = command.request_cancel_external_workflow_execution_command_attributes();
  const enums::WorkflowTaskFailedCause cause =
      enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES;
  if (!command.has_request_cancel_external_workflow_execution_command_attributes()) {
    return Fail(cause,
                "RequestCancelExternalWorkflowExecutionCommandAttributes is not set on "
                "RequestCancelExternalWorkflowExecutionCommand.");
  }
  if (a.workflow_id().empty()) {
    return Fail(cause, "WorkflowId is not set on RequestCancelExternalWorkflowExecutionCommand.");
  }
  if (o->initiated_children.contains(a.workflow_id())) {
    return Fail(cause, absl::StrCat("Start and RequestCancel for child workflow is not allowed in "
                                    "same workflow task. WorkflowId=",
                                    a.workflow_id()));
  }
  ++o->next_event_id;
  return {};
}

CommandVerdict CheckOne(const RunState& run, const Command& command,
                        const std::vector<Message>& messages, bool default_retry, Overlay* o) {
  const enums::CommandType type = command.command_type();
  switch (type) {
    case enums::COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: {
      const auto& a = command.schedule_activity_task_command_attributes();
      if (!command.has_schedule_activity_task_command_attributes()) {
        return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
                    "ScheduleActivityTaskCommandAttributes is not set on "
                    "ScheduleActivityTaskCommand.");
      }
      if (auto options = NormalizeActivityOptions(a, run.run_timeout, default_retry);
          !options.ok()) {
        return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
                    std::string(options.status().message()));
      }
      if (o->activity_ids.contains(a.activity_id())) {
        return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID,
                    absl::StrCat("Activity with id ", a.activity_id(), " is already pending."));
      }
      o->activity_ids.insert(a.activity_id());
      o->activities[o->next_event_id] = false;
      ++o->next_event_id;
      return {};
    }
    case enums::COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK: {
      const int64_t id =
          command.request_cancel_activity_task_command_attributes().scheduled_event_id();
      if (id <= 0) {
        return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
                    "ScheduledEventId is not set on RequestCancelActivityTaskCommand.");
      }
      auto it = o->activities.find(id);
      if (it == o->activities.end()) {
        if (!o->buffered_closed.contains(id)) {
          return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
                      absl::StrCat("No pending activity with ScheduledEventID: ", id));
        }
        ++o->next_event_id;  // only ActivityTaskCancelRequested
        return {};
      }
      if (it->second) {
        return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
                    absl::StrCat("Cancellation already requested. ScheduledEventID: ", id));
      }
      ++o->next_event_id;
      if (!o->started.contains(id)) {
        // Not running: canceled at once (ActivityTaskCanceled follows), and gone.
        ++o->next_event_id;
        o->activities.erase(it);
      } else {
        it->second = true;
      }
      return {};
    }
    case enums::COMMAND_TYPE_START_TIMER: {
      const auto& a = command.start_timer_command_attributes();
      if (!command.has_start_timer_command_attributes() || a.timer_id().empty()) {
        return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES,
                    "TimerId is not set on StartTimerCommand.");
      }
      if (FromProtoDuration(a.start_to_fire_timeout()) < absl::ZeroDuration()) {
        return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES,
                    absl::StrCat("An invalid StartToFireTimeout is set on StartTimerCommand: "
                                 "negative. TimerId=",
                                 a.timer_id()));
      }
      if (o->timers.contains(a.timer_id())) {
        return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID,
                    absl::StrCat("Timer with id ", a.timer_id(), " is already pending."));
      }
      o->timers.insert(a.timer_id());
      ++o->next_event_id;
      return {};
    }
    case enums::COMMAND_TYPE_CANCEL_TIMER: {
      const std::string& id = command.cancel_timer_command_attributes().timer_id();
      if (id.empty()) {
        return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES,
                    "TimerId is not set on CancelTimerCommand.");
      }
      if (o->timers.erase(id) == 0) {
        if (o->buffered_fired.erase(id) == 0) {
          return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES,
                      absl::StrCat("No pending timer with TimerId: ", id));
        }
        --o->buffered_count;  // the buffered TimerFired is dropped
      }
      ++o->next_event_id;
      return {};
    }
    case enums::COMMAND_TYPE_RECORD_MARKER:
      if (command.record_marker_command_attributes().marker_name().empty()) {
        return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES,
                    "MarkerName is not set on RecordMarkerCommand.");
      }
      ++o->next_event_id;
      return {};
    case enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
    case enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
    case enums::COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
    case enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
      if (o->buffered_count > 0) {
        return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
                    "Workflow tried to close while new events arrived.");
      }
      if (type == enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION &&
          !command.fail_workflow_execution_command_attributes().has_failure()) {
        return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES,
                    "Failure is not set on FailWorkflowExecutionCommand.");
      }
      if (type == enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION) {
        const auto& a = command.continue_as_new_workflow_execution_command_attributes();
        const absl::Duration zero = absl::ZeroDuration();
        if (FromProtoDuration(a.workflow_run_timeout()) < zero ||
            FromProtoDuration(a.workflow_task_timeout()) < zero ||
            FromProtoDuration(a.backoff_start_interval()) < zero) {
          return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES,
                      "A negative timeout or backoff is set on ContinueAsNewCommand.");
        }
      }
      ++o->next_event_id;
      o->closed = true;
      return {};
    case enums::COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
      if (command.upsert_workflow_search_attributes_command_attributes()
              .search_attributes()
              .indexed_fields()
              .empty()) {
        return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
                    "IndexedFields is empty on command.");
      }
      ++o->next_event_id;
      return {};
    case enums::COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES:
      if (!command.has_modify_workflow_properties_command_attributes()) {
        return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES,
                    "ModifyWorkflowPropertiesCommandAttributes is not set on "
                    "ModifyWorkflowPropertiesCommand.");
      }
      ++o->next_event_id;
      return {};
    case enums::COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION:
      return CheckStartChild(command, o);
    case enums::COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION:
      return CheckSignalExternal(command, o);
    case enums::COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION:
      return CheckCancelExternal(command, o);
    case enums::COMMAND_TYPE_PROTOCOL_MESSAGE:
      return CheckProtocolMessageCommand(command, messages, o);
    case enums::COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION:
    case enums::COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION:
      return Fail(enums::WORKFLOW_TASK_FAILED_CAUSE_FEATURE_DISABLED,
                  absl::StrCat("Lockstep's in-process service does not support ",
                               enums::CommandType_Name(type), " yet."));
    default:
      return {CommandVerdict::Kind::kReject, enums::WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED,
              absl::StrCat("Unknown command type: ", static_cast<int>(type))};
  }
}

// The commands a workflow sends most (timers, completion) have one text field each: they are
// checked through the generated accessors, which costs a tenth of the reflection walk. Any other
// command, or one carrying user metadata or event group markers, is walked. nullopt: not
// checked here. service_utf8_test holds these types to the schema: a text field added to one of
// them fails it until it is checked here.
std::optional<bool> CommandTextValid(const Command& command) {
  if (command.has_user_metadata() || command.event_group_markers_size() > 0) return std::nullopt;
  switch (command.attributes_case()) {
    case Command::kStartTimerCommandAttributes:
      return history::IsValidUtf8(command.start_timer_command_attributes().timer_id());
    case Command::kCancelTimerCommandAttributes:
      return history::IsValidUtf8(command.cancel_timer_command_attributes().timer_id());
    case Command::kCompleteWorkflowExecutionCommandAttributes:
      return history::CheckUtf8("",
                                command.complete_workflow_execution_command_attributes().result())
          .ok();
    default:
      return std::nullopt;
  }
}

}  // namespace

bool IsCloseCommand(enums::CommandType type) {
  return type == enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION ||
         type == enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION ||
         type == enums::COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION ||
         type == enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION;
}

CommandVerdict CheckCommands(const RunState& run, const std::vector<Command>& commands,
                             const std::vector<Message>& messages, int64_t first_command_event_id,
                             bool apply_default_retry_policy) {
  // A string that is not UTF-8 would be stored but never read back (utf8_fields.h); Temporal's
  // server refuses the whole request when it cannot parse it.
  for (size_t i = 0; i < commands.size(); ++i) {
    if (CommandTextValid(commands[i]).value_or(false)) continue;
    if (std::optional<std::string> bad = history::FindInvalidUtf8(commands[i])) {
      return {
          CommandVerdict::Kind::kReject, enums::WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED,
          absl::StrCat("command ", i + 1, " (", enums::CommandType_Name(commands[i].command_type()),
                       "): ", *bad, " is not valid UTF-8")};
    }
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    if (std::optional<std::string> bad = history::FindInvalidUtf8(messages[i])) {
      return {CommandVerdict::Kind::kReject, enums::WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED,
              absl::StrCat("message ", i + 1, ": ", *bad, " is not valid UTF-8")};
    }
  }
  // ValidateCommandSequence: a close command must be the last command.
  for (size_t i = 0; i + 1 < commands.size(); ++i) {
    if (IsCloseCommand(commands[i].command_type())) {
      std::vector<std::string> names;
      for (const Command& c : commands) names.push_back(enums::CommandType_Name(c.command_type()));
      return {CommandVerdict::Kind::kReject, enums::WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED,
              absl::StrCat("invalid command sequence: [", absl::StrJoin(names, ", "), "], command ",
                           enums::CommandType_Name(commands[i].command_type()),
                           " must be the last command.")};
    }
  }
  Overlay overlay = OverlayOf(run, first_command_event_id);
  overlay.messages_taken.assign(messages.size(), false);
  for (const Command& command : commands) {
    CommandVerdict verdict = CheckOne(run, command, messages, apply_default_retry_policy, &overlay);
    if (verdict.kind != CommandVerdict::Kind::kAccept) return verdict;
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    if (overlay.messages_taken[i]) continue;
    CommandVerdict verdict = CheckMessage(messages[i], &overlay);
    if (verdict.kind != CommandVerdict::Kind::kAccept) return verdict;
  }
  return {};
}

}  // namespace lockstep::service
