#include "engine/history/event_types.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/history/json_schema.h"

namespace lockstep::history {
namespace {

using google::protobuf::FieldDescriptor;
using temporal::api::history::v1::HistoryEvent;

// Indexed by event type number; built once from the descriptors, so it follows the schema.
const std::vector<const FieldDescriptor*>& AttributeFields() {
  static const std::vector<const FieldDescriptor*>* fields = [] {
    auto* out = new std::vector<const FieldDescriptor*>();
    const auto* enum_desc = temporal::api::enums::v1::EventType_descriptor();
    const auto* event_desc = HistoryEvent::descriptor();
    constexpr absl::string_view kPrefix = "EVENT_TYPE_";
    for (int i = 0; i < enum_desc->value_count(); ++i) {
      const auto* value = enum_desc->value(i);
      if (value->number() < 0) continue;
      std::string name = absl::AsciiStrToLower(value->name().substr(kPrefix.size()));
      const FieldDescriptor* field =
          event_desc->FindFieldByName(absl::StrCat(name, "_event_attributes"));
      if (static_cast<size_t>(value->number()) >= out->size()) {
        out->resize(static_cast<size_t>(value->number()) + 1, nullptr);
      }
      (*out)[static_cast<size_t>(value->number())] = field;
    }
    return out;
  }();
  return *fields;
}

}  // namespace

const FieldDescriptor* AttributesFieldFor(EventType type) {
  const auto& fields = AttributeFields();
  if (type < 0 || static_cast<size_t>(type) >= fields.size()) return nullptr;
  return fields[static_cast<size_t>(type)];
}

const FieldDescriptor* SetAttributesField(const HistoryEvent& event) {
  // By the generated oneof case (the member's field number) rather than by reflection: this
  // runs for every event the validator reads.
  static const std::vector<const FieldDescriptor*>* const by_number = [] {
    auto* out = new std::vector<const FieldDescriptor*>();
    const google::protobuf::OneofDescriptor* oneof =
        HistoryEvent::descriptor()->FindOneofByName("attributes");
    for (int i = 0; i < oneof->field_count(); ++i) {
      const FieldDescriptor* field = oneof->field(i);
      const auto number = static_cast<size_t>(field->number());
      if (number >= out->size()) out->resize(number + 1, nullptr);
      (*out)[number] = field;
    }
    return out;
  }();
  const auto number = static_cast<size_t>(event.attributes_case());
  return number < by_number->size() ? (*by_number)[number] : nullptr;
}

const google::protobuf::Message* EventAttributes(const HistoryEvent& event) {
  const FieldDescriptor* set = SetAttributesField(event);
  if (set == nullptr) return nullptr;
  return &event.GetReflection()->GetMessage(event, set);
}

std::string EventTypeShortName(int type) {
  const auto* value = temporal::api::enums::v1::EventType_descriptor()->FindValueByNumber(type);
  if (value == nullptr) return absl::StrCat("EventType(", type, ")");
  return ShortEnumName(value);
}

bool IsCloseEvent(EventType type) {
  using temporal::api::enums::v1::EventType;
  switch (type) {
    case temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
    case temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
    case temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
    case temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
    case temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
    case temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
      return true;
    default:
      return false;
  }
}

}  // namespace lockstep::history
