#include "engine/history/json_schema.h"

#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"

namespace lockstep::history {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;

// Protobuf enums in the Temporal API name their zero value `<PREFIX>UNSPECIFIED`; the prefix
// is what the old JSON shape leaves out.
std::string EnumPrefix(const EnumDescriptor* enum_type) {
  if (enum_type->value_count() == 0) return "";
  const std::string& first = enum_type->value(0)->name();
  constexpr absl::string_view kUnspecified = "UNSPECIFIED";
  if (absl::EndsWith(first, kUnspecified)) {
    return first.substr(0, first.size() - kUnspecified.size());
  }
  return "";
}

std::string ToPascal(absl::string_view upper_snake) {
  std::string out;
  out.reserve(upper_snake.size());
  bool start = true;
  for (char c : upper_snake) {
    if (c == '_') {
      start = true;
      continue;
    }
    out.push_back(start ? absl::ascii_toupper(c) : absl::ascii_tolower(c));
    start = false;
  }
  return out;
}

// JSON keys that older Temporal servers wrote for fields since renamed. Each keeps its field
// number and wire type, so reading the old key into the new field loses nothing.
struct LegacyKey {
  absl::string_view message;  // full name of the message holding the field
  absl::string_view key;      // the old JSON key
  absl::string_view field;    // the field's current proto name
};
constexpr LegacyKey kLegacyKeys[] = {
    // VersionId worker_versioning_id = 5 became WorkerVersionStamp worker_version = 5.
    {"temporal.api.history.v1.WorkflowTaskCompletedEventAttributes", "workerVersioningId",
     "worker_version"},
    // VersionId.worker_build_id = 1 is WorkerVersionStamp.build_id = 1.
    {"temporal.api.common.v1.WorkerVersionStamp", "workerBuildId", "build_id"},
    // use_compatible_version (bool) kept its number under new names.
    {"temporal.api.history.v1.ActivityTaskScheduledEventAttributes", "useCompatibleVersion",
     "use_workflow_build_id"},
    {"temporal.api.history.v1.StartChildWorkflowExecutionInitiatedEventAttributes",
     "useCompatibleVersion", "inherit_build_id"},
};

}  // namespace

// Tables are keyed by descriptor address only for lookup; nothing iterates these maps, so
// their order never reaches an output.
class SchemaTables {
 public:
  static SchemaTables& Get() {
    static SchemaTables* tables = new SchemaTables();
    return *tables;
  }

  const JsonKeyTable& Fields(const Descriptor* message) {
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = fields_.find(message);
      if (it != fields_.end()) return *it->second;
    }
    auto table = std::make_unique<JsonKeyTable>();
    for (int i = 0; i < message->field_count(); ++i) {
      const FieldDescriptor* field = message->field(i);
      table->fields_.emplace(field->json_name(), field);
      table->fields_.emplace(field->name(), field);
    }
    for (const LegacyKey& legacy : kLegacyKeys) {
      if (legacy.message != message->full_name()) continue;
      if (const FieldDescriptor* field = message->FindFieldByName(std::string(legacy.field))) {
        table->fields_.emplace(std::string(legacy.key), field);
      }
    }
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = fields_.emplace(message, std::move(table));
    return *it->second;
  }

  const EnumNameTable& Enum(const EnumDescriptor* enum_type) {
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = enums_.find(enum_type);
      if (it != enums_.end()) return *it->second;
    }
    auto table = std::make_unique<EnumNameTable>();
    table->prefix_ = EnumPrefix(enum_type);
    for (int i = 0; i < enum_type->value_count(); ++i) {
      const EnumValueDescriptor* value = enum_type->value(i);
      table->by_name_.emplace(value->name(), value);
      if (!table->prefix_.empty() && absl::StartsWith(value->name(), table->prefix_)) {
        std::string suffix = value->name().substr(table->prefix_.size());
        table->by_name_.emplace(ToPascal(suffix), value);
        table->by_name_.emplace(suffix, value);
      }
    }
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = enums_.emplace(enum_type, std::move(table));
    return *it->second;
  }

  static const std::string& Prefix(const EnumNameTable& table) { return table.prefix_; }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<const Descriptor*, std::unique_ptr<JsonKeyTable>> fields_;
  absl::flat_hash_map<const EnumDescriptor*, std::unique_ptr<EnumNameTable>> enums_;
};

const JsonKeyTable& JsonKeysOf(const Descriptor* message) {
  return SchemaTables::Get().Fields(message);
}

const EnumNameTable& EnumNamesOf(const EnumDescriptor* enum_type) {
  return SchemaTables::Get().Enum(enum_type);
}

const FieldDescriptor* FindFieldByJsonKey(const Descriptor* message, absl::string_view key) {
  return JsonKeysOf(message).Find(key);
}

const EnumValueDescriptor* FindEnumValueByAnyName(const EnumDescriptor* enum_type,
                                                  absl::string_view name) {
  return EnumNamesOf(enum_type).Find(name);
}

std::string ShortEnumName(const EnumValueDescriptor* value) {
  const std::string& prefix = SchemaTables::Prefix(EnumNamesOf(value->type()));
  if (prefix.empty() || !absl::StartsWith(value->name(), prefix)) return value->name();
  return ToPascal(absl::string_view(value->name()).substr(prefix.size()));
}

}  // namespace lockstep::history
