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

struct EnumTable {
  absl::flat_hash_map<std::string, const EnumValueDescriptor*> by_name;
  std::string prefix;
};

using FieldTable = absl::flat_hash_map<std::string, const FieldDescriptor*>;

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

// Tables are keyed by descriptor address only for lookup; nothing iterates these maps, so
// their order never reaches an output.
class Tables {
 public:
  static Tables& Get() {
    static Tables* tables = new Tables();
    return *tables;
  }

  const FieldTable& Fields(const Descriptor* message) {
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = fields_.find(message);
      if (it != fields_.end()) return *it->second;
    }
    auto table = std::make_unique<FieldTable>();
    for (int i = 0; i < message->field_count(); ++i) {
      const FieldDescriptor* field = message->field(i);
      table->emplace(field->json_name(), field);
      table->emplace(field->name(), field);
    }
    for (const LegacyKey& legacy : kLegacyKeys) {
      if (legacy.message != message->full_name()) continue;
      if (const FieldDescriptor* field = message->FindFieldByName(std::string(legacy.field))) {
        table->emplace(std::string(legacy.key), field);
      }
    }
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = fields_.emplace(message, std::move(table));
    return *it->second;
  }

  const EnumTable& Enum(const EnumDescriptor* enum_type) {
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = enums_.find(enum_type);
      if (it != enums_.end()) return *it->second;
    }
    auto table = std::make_unique<EnumTable>();
    table->prefix = EnumPrefix(enum_type);
    for (int i = 0; i < enum_type->value_count(); ++i) {
      const EnumValueDescriptor* value = enum_type->value(i);
      table->by_name.emplace(value->name(), value);
      if (!table->prefix.empty() && absl::StartsWith(value->name(), table->prefix)) {
        std::string suffix = value->name().substr(table->prefix.size());
        table->by_name.emplace(ToPascal(suffix), value);
        table->by_name.emplace(suffix, value);
      }
    }
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = enums_.emplace(enum_type, std::move(table));
    return *it->second;
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<const Descriptor*, std::unique_ptr<FieldTable>> fields_;
  absl::flat_hash_map<const EnumDescriptor*, std::unique_ptr<EnumTable>> enums_;
};

}  // namespace

const FieldDescriptor* FindFieldByJsonKey(const Descriptor* message, absl::string_view key) {
  const FieldTable& table = Tables::Get().Fields(message);
  auto it = table.find(key);
  return it == table.end() ? nullptr : it->second;
}

const EnumValueDescriptor* FindEnumValueByAnyName(const EnumDescriptor* enum_type,
                                                  absl::string_view name) {
  const EnumTable& table = Tables::Get().Enum(enum_type);
  auto it = table.by_name.find(name);
  return it == table.by_name.end() ? nullptr : it->second;
}

std::string ShortEnumName(const EnumValueDescriptor* value) {
  const EnumTable& table = Tables::Get().Enum(value->type());
  if (table.prefix.empty() || !absl::StartsWith(value->name(), table.prefix)) {
    return value->name();
  }
  return ToPascal(absl::string_view(value->name()).substr(table.prefix.size()));
}

}  // namespace lockstep::history
