// Lookup tables that map Temporal's JSON spellings onto protobuf descriptors.
//
// Temporal's JSON histories come in two shapes: the current protobuf-JSON one (camelCase keys,
// enum values spelled `EVENT_TYPE_WORKFLOW_EXECUTION_STARTED`) and an older one written by
// earlier Temporal tooling (enum values spelled `WorkflowExecutionStarted`, `Normal`,
// `MaximumAttemptsReached`). Some files mix both. These tables accept either spelling.
//
// Contract: every function is thread-safe; tables are built once per descriptor on first use
// and never change afterwards, so lookups cost one hash probe. A table reference stays valid
// for the life of the process, so a hot loop may fetch it once (one lock) and probe it freely.
#ifndef LOCKSTEP_ENGINE_HISTORY_JSON_SCHEMA_H_
#define LOCKSTEP_ENGINE_HISTORY_JSON_SCHEMA_H_

#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace lockstep::history {

// The JSON keys of one message: json_name, proto name and legacy keys, each to its field.
class JsonKeyTable {
 public:
  const google::protobuf::FieldDescriptor* Find(absl::string_view key) const {
    auto it = fields_.find(key);
    return it == fields_.end() ? nullptr : it->second;
  }

 private:
  friend class SchemaTables;
  absl::flat_hash_map<std::string, const google::protobuf::FieldDescriptor*> fields_;
};

// The accepted spellings of one enum's values (see FindEnumValueByAnyName).
class EnumNameTable {
 public:
  const google::protobuf::EnumValueDescriptor* Find(absl::string_view name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
  }

 private:
  friend class SchemaTables;
  absl::flat_hash_map<std::string, const google::protobuf::EnumValueDescriptor*> by_name_;
  std::string prefix_;  // what the old shape leaves out, "EVENT_TYPE_"
};

const JsonKeyTable& JsonKeysOf(const google::protobuf::Descriptor* message);
const EnumNameTable& EnumNamesOf(const google::protobuf::EnumDescriptor* enum_type);

// The field of `message` that a JSON key names: its lowerCamelCase json_name or its
// snake_case proto name. Returns nullptr for an unknown key.
const google::protobuf::FieldDescriptor* FindFieldByJsonKey(
    const google::protobuf::Descriptor* message, absl::string_view key);

// The value of `enum_type` spelled `name` in any accepted form: the full proto name
// (`EVENT_TYPE_TIMER_FIRED`), the PascalCase suffix (`TimerFired`), or the bare upper-case
// suffix (`TIMER_FIRED`). Returns nullptr when no value matches.
const google::protobuf::EnumValueDescriptor* FindEnumValueByAnyName(
    const google::protobuf::EnumDescriptor* enum_type, absl::string_view name);

// The PascalCase short form of an enum value (`EVENT_TYPE_TIMER_FIRED` -> `TimerFired`),
// used for display. Returns the full name when the enum has no common prefix.
std::string ShortEnumName(const google::protobuf::EnumValueDescriptor* value);

}  // namespace lockstep::history

#endif  // LOCKSTEP_ENGINE_HISTORY_JSON_SCHEMA_H_
