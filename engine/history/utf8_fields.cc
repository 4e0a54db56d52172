#include "engine/history/utf8_fields.h"

#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/stubs/common.h"

namespace lockstep::history {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::optional<std::string> Find(const Message& message) {
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  std::string scratch;
  for (const FieldDescriptor* field : fields) {
    const bool is_string = field->type() == FieldDescriptor::TYPE_STRING;
    const bool is_message = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (!is_string && !is_message) continue;
    if (!field->is_repeated()) {
      if (is_string) {
        if (!IsValidUtf8(reflection->GetStringReference(message, field, &scratch))) {
          return std::string(field->name());
        }
      } else if (std::optional<std::string> inner = Find(reflection->GetMessage(message, field))) {
        return absl::StrCat(field->name(), ".", *inner);
      }
      continue;
    }
    const int n = reflection->FieldSize(message, field);
    for (int i = 0; i < n; ++i) {
      if (is_string) {
        if (!IsValidUtf8(reflection->GetRepeatedStringReference(message, field, i, &scratch))) {
          return absl::StrCat(field->name(), "[", i, "]");
        }
      } else if (std::optional<std::string> inner =
                     Find(reflection->GetRepeatedMessage(message, field, i))) {
        // A map is a repeated field of key/value entries.
        return absl::StrCat(field->name(), "[", i, "].", *inner);
      }
    }
  }
  return std::nullopt;
}

// The fast path: which fields of a message type can hold text at all, worked out once per type
// and thread, so that a check visits only those, reads a oneof's case once instead of asking
// for each member, goes from a field to its type's plan without a lookup, and checks payloads
// and headers without reflection. Timestamps, durations, numbers, enums and `bytes` are never
// visited. It answers only "all valid?"; a message that fails is walked again by Find above
// for the path of the field.
struct TypePlan;

struct PlannedField {
  const FieldDescriptor* field = nullptr;  // nullptr: a oneof member that cannot hold text
  const TypePlan* type = nullptr;          // the plan of a message field's type
};

struct TypePlan {
  enum class Kind { kReflect, kNoText, kPayload, kPayloads, kHeader };
  Kind kind = Kind::kReflect;
  std::vector<PlannedField> fields;  // outside oneofs, can hold text
  struct Oneof {
    const google::protobuf::OneofDescriptor* oneof;
    std::vector<PlannedField> members;  // by index_in_oneof()
  };
  std::vector<Oneof> oneofs;  // some member can hold text
};

// Node-based: plans point at each other, and at entries made while their own is being made.
using PlanMap = absl::node_hash_map<const google::protobuf::Descriptor*, TypePlan>;

const TypePlan& PlanFor(const google::protobuf::Descriptor* type, PlanMap& plans);

// `field` with its type's plan, or no field when it cannot hold text.
PlannedField Plan(const FieldDescriptor* field, PlanMap& plans) {
  if (field->type() == FieldDescriptor::TYPE_STRING) return {field, nullptr};
  if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return {};
  const TypePlan& type = PlanFor(field->message_type(), plans);
  if (type.kind == TypePlan::Kind::kNoText) return {};
  return {field, &type};
}

const TypePlan& PlanFor(const google::protobuf::Descriptor* type, PlanMap& plans) {
  if (auto it = plans.find(type); it != plans.end()) return it->second;
  // A type that contains itself (a failure's cause) meets its own entry while it is being
  // planned: kReflect there means "may hold text", the safe answer, and the entry is filled in
  // below, where the fields that point at it will find it.
  TypePlan& slot = plans[type];
  TypePlan plan;
  if (type == temporal::api::common::v1::Payload::descriptor()) {
    plan.kind = TypePlan::Kind::kPayload;
  } else if (type == temporal::api::common::v1::Payloads::descriptor()) {
    plan.kind = TypePlan::Kind::kPayloads;
  } else if (type == temporal::api::common::v1::Header::descriptor()) {
    plan.kind = TypePlan::Kind::kHeader;
  } else {
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (field->real_containing_oneof() != nullptr) continue;
      if (PlannedField planned = Plan(field, plans); planned.field != nullptr) {
        plan.fields.push_back(planned);
      }
    }
    for (int i = 0; i < type->real_oneof_decl_count(); ++i) {
      const google::protobuf::OneofDescriptor* oneof = type->oneof_decl(i);  // real ones first
      TypePlan::Oneof planned{oneof, {}};
      bool any = false;
      for (int j = 0; j < oneof->field_count(); ++j) {
        planned.members.push_back(Plan(oneof->field(j), plans));
        any = any || planned.members.back().field != nullptr;
      }
      if (any) plan.oneofs.push_back(std::move(planned));
    }
    if (plan.fields.empty() && plan.oneofs.empty()) plan.kind = TypePlan::Kind::kNoText;
  }
  slot = std::move(plan);
  return slot;
}

PlanMap& ThreadPlans() {
  thread_local PlanMap plans;
  return plans;
}

bool PayloadValid(const temporal::api::common::v1::Payload& p) {
  for (const auto& [key, value] : p.metadata()) {
    if (!IsValidUtf8(key)) return false;
  }
  return true;
}

bool AllValid(const Message& message, const TypePlan& plan);

bool FieldValid(const Message& message, const Reflection* reflection, const PlannedField& planned) {
  const FieldDescriptor* field = planned.field;
  std::string scratch;
  if (!field->is_repeated()) {
    if (planned.type == nullptr) {
      return IsValidUtf8(reflection->GetStringReference(message, field, &scratch));
    }
    return !reflection->HasField(message, field) ||
           AllValid(reflection->GetMessage(message, field), *planned.type);
  }
  const int n = reflection->FieldSize(message, field);
  for (int i = 0; i < n; ++i) {
    if (planned.type == nullptr) {
      if (!IsValidUtf8(reflection->GetRepeatedStringReference(message, field, i, &scratch))) {
        return false;
      }
    } else if (!AllValid(reflection->GetRepeatedMessage(message, field, i), *planned.type)) {
      return false;
    }
  }
  return true;
}

bool AllValid(const Message& message, const TypePlan& plan) {
  switch (plan.kind) {
    case TypePlan::Kind::kNoText:
      return true;
    case TypePlan::Kind::kPayload:
      if (const auto* p =
              google::protobuf::DynamicCastToGenerated<temporal::api::common::v1::Payload>(
                  &message)) {
        return PayloadValid(*p);
      }
      break;
    case TypePlan::Kind::kPayloads:
      if (const auto* p =
              google::protobuf::DynamicCastToGenerated<temporal::api::common::v1::Payloads>(
                  &message)) {
        for (const auto& payload : p->payloads()) {
          if (!PayloadValid(payload)) return false;
        }
        return true;
      }
      break;
    case TypePlan::Kind::kHeader:
      if (const auto* h =
              google::protobuf::DynamicCastToGenerated<temporal::api::common::v1::Header>(
                  &message)) {
        for (const auto& [name, payload] : h->fields()) {
          if (!IsValidUtf8(name) || !PayloadValid(payload)) return false;
        }
        return true;
      }
      break;
    case TypePlan::Kind::kReflect:
      break;
  }
  // Not the generated class (a dynamic message of the same type): the walk that names fields.
  if (plan.kind != TypePlan::Kind::kReflect) return !Find(message).has_value();
  const Reflection* reflection = message.GetReflection();
  for (const PlannedField& field : plan.fields) {
    if (!FieldValid(message, reflection, field)) return false;
  }
  for (const TypePlan::Oneof& oneof : plan.oneofs) {
    const FieldDescriptor* set = reflection->GetOneofFieldDescriptor(message, oneof.oneof);
    if (set == nullptr) continue;
    const PlannedField& member = oneof.members[static_cast<size_t>(set->index_in_oneof())];
    if (member.field != nullptr && !FieldValid(message, reflection, member)) return false;
  }
  return true;
}

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  // The check protobuf's generated parsers make on proto3 string fields.
  return google::protobuf::internal::IsStructurallyValidUTF8(text.data(),
                                                             static_cast<int>(text.size()));
}

std::optional<std::string> FindInvalidUtf8(const Message& message) {
  if (AllValid(message, PlanFor(message.GetDescriptor(), ThreadPlans()))) return std::nullopt;
  return Find(message);
}

absl::Status CheckUtf8(absl::string_view what, absl::string_view text) {
  if (IsValidUtf8(text)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(what, " is not valid UTF-8"));
}

absl::Status CheckUtf8(absl::string_view what, const Message& message) {
  std::optional<std::string> bad = FindInvalidUtf8(message);
  if (!bad.has_value()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(what, ".", *bad, " is not valid UTF-8"));
}

namespace {

absl::Status CheckPayload(absl::string_view what, const temporal::api::common::v1::Payload& p) {
  for (const auto& [key, value] : p.metadata()) {
    if (!IsValidUtf8(key)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": a payload metadata key is not valid UTF-8"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckUtf8(absl::string_view what,
                       const temporal::api::common::v1::Payloads& payloads) {
  for (const auto& p : payloads.payloads()) {
    if (absl::Status s = CheckPayload(what, p); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status CheckUtf8(absl::string_view what, const temporal::api::common::v1::Header& header) {
  for (const auto& [name, p] : header.fields()) {
    if (!IsValidUtf8(name)) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": a field name is not valid UTF-8"));
    }
    if (absl::Status s = CheckPayload(what, p); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace lockstep::history
