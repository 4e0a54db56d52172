#include "engine/workflow/command_key.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/history/event_types.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using Kind = CommandKey::Kind;

CommandKey Make(Kind kind, enums::EventType event_type) {
  CommandKey key;
  key.kind = kind;
  key.event_type = event_type;
  return key;
}

// The keys a map sets, sorted: upserts are identified by the keys, not the values.
template <typename Map>
std::vector<absl::string_view> SortedKeys(const Map& fields) {
  std::vector<absl::string_view> keys;
  keys.reserve(fields.size());
  for (const auto& [key, value] : fields) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace

CommandKey CommandKey::Activity(absl::string_view type, absl::string_view activity_id) {
  CommandKey key = Make(Kind::kActivity, enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
  key.name = type;
  key.sdk_id = activity_id;
  return key;
}

CommandKey CommandKey::CancelActivity(int64_t scheduled_event_id) {
  CommandKey key = Make(Kind::kCancelActivity, enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED);
  key.scheduled_event_id = scheduled_event_id;
  return key;
}

CommandKey CommandKey::Timer(absl::string_view timer_id) {
  CommandKey key = Make(Kind::kTimer, enums::EVENT_TYPE_TIMER_STARTED);
  key.sdk_id = timer_id;
  return key;
}

CommandKey CommandKey::CancelTimer(absl::string_view timer_id) {
  CommandKey key = Make(Kind::kCancelTimer, enums::EVENT_TYPE_TIMER_CANCELED);
  key.sdk_id = timer_id;
  return key;
}

CommandKey CommandKey::LocalActivity(absl::string_view type, absl::string_view activity_id) {
  CommandKey key = Make(Kind::kLocalActivity, enums::EVENT_TYPE_MARKER_RECORDED);
  key.name = type;
  key.sdk_id = activity_id;
  return key;
}

CommandKey CommandKey::VersionMarker(absl::string_view change_id) {
  CommandKey key = Make(Kind::kVersionMarker, enums::EVENT_TYPE_MARKER_RECORDED);
  key.ref = change_id;
  return key;
}

CommandKey CommandKey::MutableSideEffectMarker(absl::string_view id,
                                               absl::string_view side_effect_id) {
  CommandKey key = Make(Kind::kMutableSideEffectMarker, enums::EVENT_TYPE_MARKER_RECORDED);
  key.ref = id;
  key.sdk_id = side_effect_id;
  return key;
}

CommandKey CommandKey::Marker(absl::string_view marker_name) {
  CommandKey key = Make(Kind::kMarker, enums::EVENT_TYPE_MARKER_RECORDED);
  key.name = marker_name;
  return key;
}

CommandKey CommandKey::UpsertSearchAttributes(
    const temporal::api::common::v1::SearchAttributes& attributes) {
  CommandKey key =
      Make(Kind::kUpsertSearchAttributes, enums::EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES);
  key.keys = SortedKeys(attributes.indexed_fields());
  return key;
}

CommandKey CommandKey::UpsertMemo(const temporal::api::common::v1::Memo& memo) {
  CommandKey key = Make(Kind::kUpsertMemo, enums::EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED);
  key.keys = SortedKeys(memo.fields());
  return key;
}

CommandKey CommandKey::Child(absl::string_view type, absl::string_view workflow_id) {
  CommandKey key = Make(Kind::kChild, enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED);
  key.name = type;
  key.sdk_id = workflow_id;
  return key;
}

CommandKey CommandKey::SignalExternal(absl::string_view signal, absl::string_view workflow_id) {
  CommandKey key =
      Make(Kind::kSignalExternal, enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
  key.name = signal;
  key.ref = workflow_id;
  return key;
}

CommandKey CommandKey::CancelExternal(absl::string_view workflow_id) {
  CommandKey key = Make(Kind::kCancelExternal,
                        enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
  key.ref = workflow_id;
  return key;
}

CommandKey CommandKey::AcceptUpdate(absl::string_view name, absl::string_view update_id) {
  CommandKey key = Make(Kind::kAcceptUpdate, enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
  key.name = name;
  key.ref = update_id;
  return key;
}

CommandKey CommandKey::CompleteUpdate(absl::string_view update_id) {
  CommandKey key =
      Make(Kind::kCompleteUpdate, enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED);
  key.ref = update_id;
  return key;
}

CommandKey CommandKey::CompleteWorkflow() {
  return Make(Kind::kCompleteWorkflow, enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
}

CommandKey CommandKey::FailWorkflow() {
  return Make(Kind::kFailWorkflow, enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
}

CommandKey CommandKey::CancelWorkflow() {
  return Make(Kind::kCancelWorkflow, enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED);
}

CommandKey CommandKey::ContinueAsNew(absl::string_view workflow_type) {
  CommandKey key =
      Make(Kind::kContinueAsNew, enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
  key.name = workflow_type;
  return key;
}

bool CommandKey::Matches(const CommandKey& other, bool strict_ids) const {
  return kind == other.kind && event_type == other.event_type && name == other.name &&
         ref == other.ref && scheduled_event_id == other.scheduled_event_id && keys == other.keys &&
         (!strict_ids || sdk_id == other.sdk_id);
}

std::string CommandKey::ToString() const {
  switch (kind) {
    case Kind::kActivity:
      return absl::StrCat("activity ", name, " id=", sdk_id);
    case Kind::kCancelActivity:
      return absl::StrCat("cancel activity scheduled=", scheduled_event_id);
    case Kind::kTimer:
      return absl::StrCat("timer id=", sdk_id);
    case Kind::kCancelTimer:
      return absl::StrCat("cancel timer id=", sdk_id);
    case Kind::kLocalActivity:
      return absl::StrCat("local activity ", name, " id=", sdk_id);
    case Kind::kVersionMarker:
      return absl::StrCat("marker ", machines::kVersionMarker, " change-id=", ref);
    case Kind::kMutableSideEffectMarker:
      return absl::StrCat("marker ", machines::kMutableSideEffectMarker, " id=", ref);
    case Kind::kMarker:
      return absl::StrCat("marker ", name);
    case Kind::kUpsertSearchAttributes:
      return absl::StrCat("upsert search attributes ", absl::StrJoin(keys, ","));
    case Kind::kUpsertMemo:
      return absl::StrCat("upsert memo ", absl::StrJoin(keys, ","));
    case Kind::kChild:
      return absl::StrCat("child ", name, " id=", sdk_id);
    case Kind::kSignalExternal:
      return absl::StrCat("signal ", name, " to ", ref);
    case Kind::kCancelExternal:
      return absl::StrCat("cancel workflow ", ref);
    case Kind::kAcceptUpdate:
      return absl::StrCat("accept update ", name, " id=", ref);
    case Kind::kCompleteUpdate:
      return absl::StrCat("complete update id=", ref);
    case Kind::kCompleteWorkflow:
      return "complete workflow";
    case Kind::kFailWorkflow:
      return "fail workflow";
    case Kind::kCancelWorkflow:
      return "cancel workflow";
    case Kind::kContinueAsNew:
      return absl::StrCat("continue as new ", name);
    case Kind::kOther:
      break;
  }
  return history::EventTypeShortName(event_type);
}

CommandKey KeyOfCommand(const temporal::api::command::v1::Command& c) {
  switch (c.command_type()) {
    case enums::COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: {
      const auto& a = c.schedule_activity_task_command_attributes();
      return CommandKey::Activity(a.activity_type().name(), a.activity_id());
    }
    case enums::COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK:
      return CommandKey::CancelActivity(
          c.request_cancel_activity_task_command_attributes().scheduled_event_id());
    case enums::COMMAND_TYPE_START_TIMER:
      return CommandKey::Timer(c.start_timer_command_attributes().timer_id());
    case enums::COMMAND_TYPE_CANCEL_TIMER:
      return CommandKey::CancelTimer(c.cancel_timer_command_attributes().timer_id());
    case enums::COMMAND_TYPE_RECORD_MARKER:
      return CommandKey::Marker(c.record_marker_command_attributes().marker_name());
    case enums::COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
      return CommandKey::UpsertSearchAttributes(
          c.upsert_workflow_search_attributes_command_attributes().search_attributes());
    case enums::COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES:
      return CommandKey::UpsertMemo(
          c.modify_workflow_properties_command_attributes().upserted_memo());
    case enums::COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: {
      const auto& a = c.start_child_workflow_execution_command_attributes();
      return CommandKey::Child(a.workflow_type().name(), a.workflow_id());
    }
    case enums::COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION: {
      const auto& a = c.signal_external_workflow_execution_command_attributes();
      return CommandKey::SignalExternal(a.signal_name(), a.execution().workflow_id());
    }
    case enums::COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION:
      return CommandKey::CancelExternal(
          c.request_cancel_external_workflow_execution_command_attributes().workflow_id());
    case enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
      return CommandKey::CompleteWorkflow();
    case enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
      return CommandKey::FailWorkflow();
    case enums::COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
      return CommandKey::CancelWorkflow();
    case enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
      return CommandKey::ContinueAsNew(
          c.continue_as_new_workflow_execution_command_attributes().workflow_type().name());
    default:
      return Make(Kind::kOther, enums::EVENT_TYPE_UNSPECIFIED);
  }
}

CommandKey KeyOfEvent(const temporal::api::history::v1::HistoryEvent& e, DecodedMarker* decoded) {
  switch (e.event_type()) {
    case enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
      const auto& a = e.activity_task_scheduled_event_attributes();
      return CommandKey::Activity(a.activity_type().name(), a.activity_id());
    }
    case enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED:
      return CommandKey::CancelActivity(
          e.activity_task_cancel_requested_event_attributes().scheduled_event_id());
    case enums::EVENT_TYPE_TIMER_STARTED:
      return CommandKey::Timer(e.timer_started_event_attributes().timer_id());
    case enums::EVENT_TYPE_TIMER_CANCELED:
      return CommandKey::CancelTimer(e.timer_canceled_event_attributes().timer_id());
    case enums::EVENT_TYPE_MARKER_RECORDED: {
      decoded->local_activity = machines::ReadLocalActivityMarker(e);
      if (decoded->local_activity) {
        return CommandKey::LocalActivity(decoded->local_activity->activity_type,
                                         decoded->local_activity->activity_id);
      }
      decoded->version = machines::ReadVersionMarker(e);
      if (decoded->version) return CommandKey::VersionMarker(decoded->version->change_id);
      decoded->mutable_side_effect = machines::ReadMutableSideEffectMarker(e);
      if (decoded->mutable_side_effect) {
        return CommandKey::MutableSideEffectMarker(decoded->mutable_side_effect->id,
                                                   decoded->mutable_side_effect->side_effect_id);
      }
      return CommandKey::Marker(e.marker_recorded_event_attributes().marker_name());
    }
    case enums::EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
      return CommandKey::UpsertSearchAttributes(
          e.upsert_workflow_search_attributes_event_attributes().search_attributes());
    case enums::EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
      return CommandKey::UpsertMemo(
          e.workflow_properties_modified_event_attributes().upserted_memo());
    case enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: {
      const auto& a = e.start_child_workflow_execution_initiated_event_attributes();
      return CommandKey::Child(a.workflow_type().name(), a.workflow_id());
    }
    case enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: {
      const auto& a = e.signal_external_workflow_execution_initiated_event_attributes();
      return CommandKey::SignalExternal(a.signal_name(), a.workflow_execution().workflow_id());
    }
    case enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
      return CommandKey::CancelExternal(
          e.request_cancel_external_workflow_execution_initiated_event_attributes()
              .workflow_execution()
              .workflow_id());
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: {
      const auto& a = e.workflow_execution_update_accepted_event_attributes();
      const std::string& update_id = a.accepted_request().meta().update_id();
      return CommandKey::AcceptUpdate(a.accepted_request().input().name(),
                                      update_id.empty() ? a.protocol_instance_id() : update_id);
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
      return CommandKey::CompleteUpdate(
          e.workflow_execution_update_completed_event_attributes().meta().update_id());
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      return CommandKey::CompleteWorkflow();
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      return CommandKey::FailWorkflow();
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      return CommandKey::CancelWorkflow();
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
      return CommandKey::ContinueAsNew(
          e.workflow_execution_continued_as_new_event_attributes().workflow_type().name());
    default:
      return Make(Kind::kOther, e.event_type());
  }
}

void OwnedCommandKey::Assign(const CommandKey& key) {
  storage_.clear();
  size_t total = key.name.size() + key.sdk_id.size() + key.ref.size();
  for (absl::string_view k : key.keys) total += k.size();
  storage_.reserve(total);
  // Every string first, then the views: they must point into the final buffer. The second
  // pass walks the strings in the same order, so each view starts where its bytes were put.
  auto append = [this](absl::string_view s) { storage_.append(s.data(), s.size()); };
  append(key.name);
  append(key.sdk_id);
  append(key.ref);
  for (absl::string_view k : key.keys) append(k);
  const char* at = storage_.data();
  auto next = [&at](absl::string_view s) {
    const absl::string_view view(at, s.size());
    at += s.size();
    return view;
  };
  key_.kind = key.kind;
  key_.event_type = key.event_type;
  key_.scheduled_event_id = key.scheduled_event_id;
  key_.name = next(key.name);
  key_.sdk_id = next(key.sdk_id);
  key_.ref = next(key.ref);
  key_.keys.resize(key.keys.size());
  for (size_t i = 0; i < key.keys.size(); ++i) key_.keys[i] = next(key.keys[i]);
}

void OwnedCommandKey::MoveFrom(OwnedCommandKey& other) noexcept {
  const auto old_base = reinterpret_cast<uintptr_t>(other.storage_.data());
  const size_t size = other.storage_.size();
  storage_ = std::move(other.storage_);
  key_ = std::move(other.key_);
  const char* new_base = storage_.data();
  if (reinterpret_cast<uintptr_t>(new_base) != old_base) {
    // The bytes were in the moved-from string's own short buffer: same offsets, new base.
    // (A view that points elsewhere, as a default key's do, is left alone.)
    auto rebase = [old_base, size, new_base](absl::string_view& view) {
      const auto at = reinterpret_cast<uintptr_t>(view.data());
      if (at < old_base || at > old_base + size) return;
      view = absl::string_view(new_base + (at - old_base), view.size());
    };
    rebase(key_.name);
    rebase(key_.sdk_id);
    rebase(key_.ref);
    for (absl::string_view& k : key_.keys) rebase(k);
  }
  other.storage_.clear();
  other.key_ = CommandKey();
}

}  // namespace lockstep
