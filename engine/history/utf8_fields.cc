#include "engine/history/utf8_fields.h"

#include <vector>

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

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  // The check protobuf's generated parsers make on proto3 string fields.
  return google::protobuf::internal::IsStructurallyValidUTF8(text.data(),
                                                             static_cast<int>(text.size()));
}

std::optional<std::string> FindInvalidUtf8(const Message& message) { return Find(message); }

absl::Status CheckUtf8(absl::string_view what, absl::string_view text) {
  if (IsValidUtf8(text)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(what, " is not valid UTF-8"));
}

absl::Status CheckUtf8(absl::string_view what, const Message& message) {
  std::optional<std::string> bad = Find(message);
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
