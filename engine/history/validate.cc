#include "engine/history/validate.h"

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/history/event_types.h"

namespace lockstep::history {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using temporal::api::history::v1::History;
using temporal::api::history::v1::HistoryEvent;
namespace enums = temporal::api::enums::v1;

// Which event type a reference field must point to. A reference field not listed here must
// still point to an earlier event.
struct ReferenceRule {
  EventType event;                 // the referring event
  absl::string_view field;         // its attributes field
  std::vector<EventType> targets;  // allowed types of the referenced event
  bool zero_allowed;               // 0 means "no such event"
};

constexpr EventType kWtScheduled = enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED;
constexpr EventType kWtStarted = enums::EVENT_TYPE_WORKFLOW_TASK_STARTED;
constexpr EventType kAtScheduled = enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED;
constexpr EventType kAtStarted = enums::EVENT_TYPE_ACTIVITY_TASK_STARTED;
constexpr EventType kChildInitiated = enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED;
constexpr EventType kChildStarted = enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED;
constexpr EventType kNexusScheduled = enums::EVENT_TYPE_NEXUS_OPERATION_SCHEDULED;

const std::vector<ReferenceRule>& ReferenceRules() {
  static const auto* rules = new std::vector<ReferenceRule>{
      {kWtStarted, "scheduled_event_id", {kWtScheduled}, false},
      {enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED, "scheduled_event_id", {kWtScheduled}, false},
      // Old SDK test fixtures (sdk-java laSuccessfulCompletion_1_17) omit it.
      {enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED, "started_event_id", {kWtStarted}, true},
      {enums::EVENT_TYPE_WORKFLOW_TASK_FAILED, "scheduled_event_id", {kWtScheduled}, false},
      {enums::EVENT_TYPE_WORKFLOW_TASK_FAILED, "started_event_id", {kWtStarted}, true},
      {enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, "scheduled_event_id", {kWtScheduled}, false},
      {enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, "started_event_id", {kWtStarted}, true},
      {kAtStarted, "scheduled_event_id", {kAtScheduled}, false},
      {enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED, "scheduled_event_id", {kAtScheduled}, false},
      {enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED, "started_event_id", {kAtStarted}, false},
      {enums::EVENT_TYPE_ACTIVITY_TASK_FAILED, "scheduled_event_id", {kAtScheduled}, false},
      {enums::EVENT_TYPE_ACTIVITY_TASK_FAILED, "started_event_id", {kAtStarted}, false},
      {enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, "scheduled_event_id", {kAtScheduled}, false},
      {enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, "started_event_id", {kAtStarted}, true},
      {enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
       "scheduled_event_id",
       {kAtScheduled},
       false},
      {enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED, "scheduled_event_id", {kAtScheduled}, false},
      {enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED, "started_event_id", {kAtStarted}, true},
      {enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED,
       "latest_cancel_requested_event_id",
       {enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED},
       true},
      {enums::EVENT_TYPE_TIMER_FIRED, "started_event_id", {enums::EVENT_TYPE_TIMER_STARTED}, false},
      {enums::EVENT_TYPE_TIMER_CANCELED,
       "started_event_id",
       {enums::EVENT_TYPE_TIMER_STARTED},
       false},
      {enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED,
       "initiated_event_id",
       {kChildInitiated},
       false},
      {kChildStarted, "initiated_event_id", {kChildInitiated}, false},
      {enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
       "initiated_event_id",
       {kChildInitiated},
       false},
      {enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
       "started_event_id",
       {kChildStarted},
       false},
      {enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
       "initiated_event_id",
       {kChildInitiated},
       false},
      {enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
       "started_event_id",
       {kChildStarted},
       false},
      {enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
       "initiated_event_id",
       {kChildInitiated},
       false},
      {enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
       "started_event_id",
       {kChildStarted},
       false},
      {enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
       "initiated_event_id",
       {kChildInitiated},
       false},
      {enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
       "started_event_id",
       {kChildStarted},
       false},
      {enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED,
       "initiated_event_id",
       {kChildInitiated},
       false},
      {enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED,
       "started_event_id",
       {kChildStarted},
       false},
      {enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
       "initiated_event_id",
       {enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED},
       false},
      {enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
       "initiated_event_id",
       {enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED},
       false},
      {enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
       "initiated_event_id",
       {enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED},
       false},
      {enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
       "initiated_event_id",
       {enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED},
       false},
      // Servers before update events carried this id leave it out.
      {enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
       "accepted_event_id",
       {enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED},
       true},
      {enums::EVENT_TYPE_NEXUS_OPERATION_STARTED, "scheduled_event_id", {kNexusScheduled}, false},
      {enums::EVENT_TYPE_NEXUS_OPERATION_COMPLETED, "scheduled_event_id", {kNexusScheduled}, false},
      {enums::EVENT_TYPE_NEXUS_OPERATION_FAILED, "scheduled_event_id", {kNexusScheduled}, false},
      {enums::EVENT_TYPE_NEXUS_OPERATION_CANCELED, "scheduled_event_id", {kNexusScheduled}, false},
      {enums::EVENT_TYPE_NEXUS_OPERATION_TIMED_OUT, "scheduled_event_id", {kNexusScheduled}, false},
      {enums::EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED,
       "scheduled_event_id",
       {kNexusScheduled},
       false},
  };
  return *rules;
}

// Back-references that say which workflow task produced an event. Real Temporal histories
// record them inexactly: a command from a speculative (update) workflow task names the later
// WorkflowTaskCompleted that wrote it (sdk-go child-workflow-cancel-with-update, event 12
// names 17), and old sdk-java fixtures name the WorkflowTaskStarted event. Nothing derives
// structure from them, so they are not checked.
bool IsInformationalReference(absl::string_view field) {
  return field == "workflow_task_completed_event_id" ||
         field == "accepted_request_sequencing_event_id";
}

// Ids of events in another workflow's history: a child's parent_initiated_event_id (the
// parent's StartChildWorkflowExecutionInitiated) and a cancel request's
// external_initiated_event_id (the requester's RequestCancelExternal...Initiated).
bool IsCrossHistoryReference(absl::string_view field) {
  return field == "parent_initiated_event_id" || field == "external_initiated_event_id";
}

const ReferenceRule* FindRule(EventType event, absl::string_view field) {
  for (const ReferenceRule& rule : ReferenceRules()) {
    if (rule.event == event && rule.field == field) return &rule;
  }
  return nullptr;
}

std::string TypeList(const std::vector<EventType>& types) {
  return absl::StrJoin(types, " or ",
                       [](std::string* out, EventType t) { out->append(EventTypeShortName(t)); });
}

// The reference fields (int64 *_event_id, not informational) of one event type's attributes,
// with the rule for each if there is one.
struct ReferenceField {
  const FieldDescriptor* field;
  const ReferenceRule* rule;
};

// Indexed by event type number; worked out once from the descriptors, since walking every
// attributes field and searching the rules by name for every event is most of validation.
const std::vector<std::vector<ReferenceField>>& ReferenceFieldsByType() {
  static const auto* by_type = [] {
    auto* out = new std::vector<std::vector<ReferenceField>>();
    const auto* enum_desc = enums::EventType_descriptor();
    for (int v = 0; v < enum_desc->value_count(); ++v) {
      const int number = enum_desc->value(v)->number();
      if (number < 0) continue;
      const auto type = static_cast<EventType>(number);
      if (static_cast<size_t>(number) >= out->size()) out->resize(static_cast<size_t>(number) + 1);
      const FieldDescriptor* attrs_field = AttributesFieldFor(type);
      if (attrs_field == nullptr) continue;
      const auto* desc = attrs_field->message_type();
      for (int i = 0; i < desc->field_count(); ++i) {
        const FieldDescriptor* field = desc->field(i);
        if (field->is_repeated() || field->cpp_type() != FieldDescriptor::CPPTYPE_INT64 ||
            !absl::EndsWith(field->name(), "_event_id") ||
            IsInformationalReference(field->name()) || IsCrossHistoryReference(field->name())) {
          continue;
        }
        (*out)[static_cast<size_t>(number)].push_back({field, FindRule(type, field->name())});
      }
    }
    return out;
  }();
  return *by_type;
}

// `attrs_field` is the attributes member `event` has set, the one its type needs.
void CheckReferences(const HistoryEvent& event, const FieldDescriptor* attrs_field,
                     const std::vector<EventType>& types_by_id,
                     std::vector<ValidationProblem>* problems) {
  const auto& by_type = ReferenceFieldsByType();
  const auto type = static_cast<size_t>(event.event_type());
  // Most events (signals) have no references: then the attributes are not even touched.
  if (type >= by_type.size() || by_type[type].empty()) return;
  const Message& attrs = event.GetReflection()->GetMessage(event, attrs_field);
  const auto* refl = attrs.GetReflection();
  for (const auto& [field, rule] : by_type[type]) {
    const int64_t ref = refl->GetInt64(attrs, field);
    if (ref == 0) {
      if (rule != nullptr && !rule->zero_allowed) {
        problems->push_back({event.event_id(), event.event_type(),
                             absl::StrCat(field->json_name(), " is missing")});
      }
      continue;
    }
    if (ref < 0 || ref >= event.event_id()) {
      problems->push_back(
          {event.event_id(), event.event_type(),
           absl::StrCat(field->json_name(), " ", ref, " does not point to an earlier event")});
      continue;
    }
    const EventType target = types_by_id[static_cast<size_t>(ref)];
    if (rule == nullptr) continue;
    bool ok = false;
    for (EventType t : rule->targets) ok = ok || t == target;
    if (!ok) {
      problems->push_back(
          {event.event_id(), event.event_type(),
           absl::StrCat(field->json_name(), " ", ref, " points to a ", EventTypeShortName(target),
                        " event, expected ", TypeList(rule->targets))});
    }
  }
}

}  // namespace

std::vector<ValidationProblem> FindProblems(const History& history) {
  std::vector<ValidationProblem> problems;
  if (history.events_size() == 0) {
    problems.push_back({0, 0, "history has no events"});
    return problems;
  }
  if (history.events(0).event_type() != enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) {
    problems.push_back(
        {history.events(0).event_id(), history.events(0).event_type(),
         absl::StrCat("first event is ", EventTypeShortName(history.events(0).event_type()),
                      ", expected WorkflowExecutionStarted")});
  }
  // types_by_id[i] is the type of event i; index 0 is unused.
  std::vector<EventType> types_by_id(1, enums::EVENT_TYPE_UNSPECIFIED);
  types_by_id.reserve(static_cast<size_t>(history.events_size()) + 1);
  int64_t close_event_id = 0;
  for (int i = 0; i < history.events_size(); ++i) {
    const HistoryEvent& event = history.events(i);
    const int64_t expected_id = i + 1;
    if (event.event_id() != expected_id) {
      problems.push_back(
          {event.event_id(), event.event_type(),
           absl::StrCat("event id ", event.event_id(), " at position ", i + 1, ", expected ",
                        expected_id, " (ids must start at 1 and increase by one)")});
      // Later references are checked against positions; an id that is off makes every
      // later check misleading, so stop here.
      return problems;
    }
    types_by_id.push_back(event.event_type());
    if (close_event_id != 0) {
      problems.push_back({event.event_id(), event.event_type(),
                          absl::StrCat("event follows the close event ", close_event_id, " (",
                                       EventTypeShortName(types_by_id[close_event_id]),
                                       "); a close event must be last")});
    }
    const FieldDescriptor* attrs_field = AttributesFieldFor(event.event_type());
    if (event.event_type() == enums::EVENT_TYPE_UNSPECIFIED) {
      problems.push_back({event.event_id(), event.event_type(), "event type is missing"});
      continue;
    }
    if (attrs_field == nullptr) {
      problems.push_back({event.event_id(), event.event_type(),
                          absl::StrCat("event type ", EventTypeShortName(event.event_type()),
                                       " is not supported")});
      continue;
    }
    const FieldDescriptor* set_field = SetAttributesField(event);
    if (set_field != attrs_field) {
      problems.push_back({event.event_id(), event.event_type(),
                          set_field == nullptr
                              ? absl::StrCat("missing ", attrs_field->json_name())
                              : absl::StrCat("carries ", set_field->json_name(),
                                             " but its type needs ", attrs_field->json_name())});
      continue;
    }
    CheckReferences(event, set_field, types_by_id, &problems);
    if (IsCloseEvent(event.event_type())) {
      if (close_event_id == 0) close_event_id = event.event_id();
    }
  }
  return problems;
}

absl::Status ValidateHistory(const History& history, absl::string_view source) {
  std::vector<ValidationProblem> problems = FindProblems(history);
  if (problems.empty()) return absl::OkStatus();
  const ValidationProblem& first = problems.front();
  std::string where;
  if (first.event_id != 0) {
    where = first.event_type == 0 ? absl::StrCat("event ", first.event_id, ": ")
                                  : absl::StrCat("event ", first.event_id, " (",
                                                 EventTypeShortName(first.event_type), "): ");
  }
  std::string more;
  if (problems.size() > 1) {
    more = absl::StrCat(" (and ", problems.size() - 1, " more problem",
                        problems.size() > 2 ? "s" : "", ")");
  }
  return absl::InvalidArgumentError(absl::StrCat(source, ": ", where, first.message, more));
}

}  // namespace lockstep::history
