// Lookup tables that map Temporal's JSON spellings onto protobuf descriptors.
//
// Temporal's JSON histories come in two shapes: the current protobuf-JSON one (camelCase keys,
// enum values spelled `EVENT_TYPE_WORKFLOW_EXECUTION_STARTED`) and an older one written by
// earlier Temporal tooling (enum values spelled `WorkflowExecutionStarted`, `Normal`,
// `MaximumAttemptsReached`). Some files mix both. These tables accept either spelling.
//
// Contract: every function is thread-safe; tables are built once per descriptor on first use
// and never change afterwards, so lookups cost one hash probe.
#ifndef LOCKSTEP_ENGINE_HISTORY_JSON_SCHEMA_H_
#define LOCKSTEP_ENGINE_HISTORY_JSON_SCHEMA_H_

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace lockstep::history {

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
