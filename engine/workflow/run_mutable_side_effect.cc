// WorkflowRun: MutableSideEffect, with the rules of Temporal's Go SDK
// (internal/internal_event_handlers.go: workflowEnvironmentImpl.MutableSideEffect,
// lookupMutableSideEffect, recordMutableSideEffect and workflowExecutionEventHandlerImpl.
// handleMarkerRecorded; internal/internal_task_handlers.go: ProcessWorkflowTask preloads the
// markers of the task being replayed; internal/internal_command_state_machine.go:
// commandsHelper.recordMutableSideEffectMarker and getNextID).
//
// - Every call for an id counts: the n-th call of MutableSideEffect(id) has call count n
//   (mutableSideEffectCallCounter).
// - The value of a call is the one recorded at the greatest call count not above its own
//   (lookupMutableSideEffect). Recorded values come from the markers this run recorded and,
//   replaying, from the markers of each replayed task, read before its code runs, each under
//   its "mutable-side-effect-call-counter", or, in markers of old SDKs without one, under the
//   id's call count when the task starts (handleMarkerRecorded).
// - Live, the function runs; its value is recorded in a marker when the id has none yet or
//   the value differs from the current one (MutableSideEffect).
// - Replaying, the function never runs. A call issues a marker command exactly when the
//   replayed task has a marker whose "side-effect-id" is "<id>_<the event id the command
//   would take>" (mutableSideEffectsRecorded, keyed by getNextID()); otherwise it records
//   nothing. A call with no recorded value at all is nondeterminism (Go: TMPRL1100).
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/history/event_types.h"
#include "engine/machines/mutable_side_effect_marker.h"
#include "engine/workflow/run_internal.h"
#include "engine/workflow/workflow_run.h"

namespace lockstep {

namespace enums = temporal::api::enums::v1;
using temporal::api::command::v1::Command;
using temporal::api::history::v1::HistoryEvent;

void WorkflowRun::PreloadMutableSideEffect(machines::MutableSideEffectMarker marker) {
  // handleMarkerRecorded: an old SDK's marker without a call counter is taken as the value
  // from the id's current call count on ("only the last value is used").
  const int call = marker.call_counter.value_or(mutable_side_effect_calls_[marker.id]);
  recorded_mutable_side_effect_ids_.insert(marker.side_effect_id);
  mutable_side_effects_[marker.id][call] = std::move(marker.value);
}

const Payloads* WorkflowRun::CurrentMutableSideEffect(const std::string& id, int call) {
  auto values = mutable_side_effects_.find(id);
  if (values == mutable_side_effects_.end()) return nullptr;
  std::map<int, Payloads>& by_call = values->second;
  auto after = by_call.upper_bound(call);
  if (after == by_call.begin()) return nullptr;
  auto current = std::prev(after);
  // lookupMutableSideEffect drops the values before the current one: no later call reads them.
  by_call.erase(by_call.begin(), current);
  return &current->second;
}

void WorkflowRun::RecordMutableSideEffectMarker(const std::string& id, int call, Payloads value,
                                                SourceLocation where) {
  // recordMutableSideEffectMarker: the marker is named after the event id it will take.
  const int64_t next_event_id = task_started_event_id_ + 2 + commands_this_task_;
  machines::MutableSideEffectMarker marker{
      .id = id,
      .side_effect_id = machines::MutableSideEffectId(id, next_event_id),
      .call_counter = call,
      .value = value};
  Command command;
  command.set_command_type(enums::COMMAND_TYPE_RECORD_MARKER);
  *command.mutable_record_marker_command_attributes() =
      machines::MutableSideEffectMarkerCommand(marker);
  const CommandKey key = CommandKey::MutableSideEffectMarker(marker.id, marker.side_effect_id);
  AddRecordOnlyCommand(std::move(command), where, &key);
  // recordMutableSideEffect: the value becomes the id's current one from this call on.
  mutable_side_effects_[id][call] = std::move(value);
}

RunError WorkflowRun::UnrecordedMutableSideEffect(const std::string& id, SourceLocation where) {
  const std::string actual = CommandKey::MutableSideEffectMarker(id, "").ToString();
  // The command event the call's marker would have been recorded as, if the task has one.
  const int index = lookahead_from_ + static_cast<int>(commands_this_task_);
  bool in_task = lookahead_history_ != nullptr && index < end_index_;
  for (int i = lookahead_from_; in_task && i <= index; ++i) {
    in_task = lookahead_history_->events(i).event_type() != enums::EVENT_TYPE_WORKFLOW_TASK_STARTED;
  }
  if (in_task) {
    const HistoryEvent& event = lookahead_history_->events(index);
    if (run_internal::IsCommandEvent(event.event_type())) {
      DecodedMarker decoded;
      return Nondeterministic({Nondeterminism::Kind::kMismatch, event.event_id(),
                               history::EventTypeShortName(event.event_type()),
                               KeyOfEvent(event, &decoded).ToString(), actual, where, "", ""});
    }
  }
  return Nondeterministic({Nondeterminism::Kind::kExtra, task_started_event_id_ + 1,
                           "WorkflowTaskCompleted", "", actual, where, "", ""});
}

Payloads WorkflowRun::RecordMutableSideEffect(
    const std::string& id,
    const std::function<std::optional<Payloads>(const Payloads* current)>& next_value,
    SourceLocation where) {
  CheckMayIssueCommand("MutableSideEffect", id, where);
  const int call = ++mutable_side_effect_calls_[id];
  const Payloads* current = CurrentMutableSideEffect(id, call);
  if (replaying_) {
    if (current == nullptr) {
      (void)UnrecordedMutableSideEffect(id, where);
      throw run_internal::NondeterminismAbort{};
    }
    Payloads value = *current;
    const int64_t next_event_id = task_started_event_id_ + 2 + commands_this_task_;
    if (recorded_mutable_side_effect_ids_.contains(
            machines::MutableSideEffectId(id, next_event_id))) {
      RecordMutableSideEffectMarker(id, call, value, where);
    }
    return value;
  }
  std::optional<Payloads> next = next_value(current);
  if (!next) {
    if (current != nullptr) return *current;
    next.emplace();  // nothing to compare with: the first value is always recorded
  }
  RecordMutableSideEffectMarker(id, call, *next, where);
  return *std::move(next);
}

}  // namespace lockstep
