#include "engine/history/json_reader.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/history/json_schema.h"
#include "engine/history/time_format.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"
#include "simdjson.h"
#include "temporal/api/common/v1/message.pb.h"

namespace lockstep::history {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;
using temporal::api::common::v1::Payload;
using temporal::api::common::v1::Payloads;
using temporal::api::history::v1::History;
using temporal::api::history::v1::HistoryEvent;

static_assert(kJsonPadding >= simdjson::SIMDJSON_PADDING);

constexpr int kMaxUnknownKeyExamples = 5;
// Messages below an event (the event itself is 1); with the History and its events list
// above, this stays well inside protobuf's binary recursion limit of 100.
constexpr int kMaxMessageDepth = 80;
// Keys remembered per message type, in order (MessagePlan::key_order): more than any Temporal
// message has fields.
constexpr size_t kMaxKeyOrder = 64;
// The longest payload metadata value Reader::DecodeMetadataValue remembers ("json/plain" and
// the other encodings are short).
constexpr size_t kMaxRememberedMetadataBytes = 64;

// What the reader needs to know about a message type, worked out once per parse instead of
// once per value: how its JSON is read and where its keys are looked up.
struct MessagePlan {
  enum class Kind {
    kPlain,           // a JSON object, key by key
    kPayload,         // temporal.api.common.v1.Payload and its several JSON forms
    kTimestamp,       // RFC 3339 text
    kDuration,        // "1.5s"
    kWrapper,         // google.protobuf.Int64Value and friends: a bare value
    kOtherWellKnown,  // Struct, Value, Any, ...: protobuf's own JSON parser
  };
  // How a field's JSON value is read.
  enum class Shape : uint8_t { kScalar, kMessage, kRepeated, kMap };
  // Fields set through their generated accessors instead of reflection: the four that every
  // event has, about a third of a small history's values.
  enum class Direct : uint8_t { kNone, kEventId, kEventTime, kEventType, kTaskId };
  // What the reader needs of one field, read from its descriptor once: asking the descriptor
  // for its type on every value costs a call each time.
  struct Field {
    const FieldDescriptor* desc = nullptr;
    Shape shape = Shape::kScalar;
    Direct direct = Direct::kNone;
    bool repeated = false;
    bool bytes = false;  // TYPE_BYTES: base64 in JSON
    // Payloads.payloads, the most common list, grown through the generated class.
    bool payload_list = false;
    FieldDescriptor::CppType cpp_type = FieldDescriptor::CPPTYPE_INT32;
    // The plan of its message type and the table of its enum type, once looked up.
    MessagePlan* child = nullptr;
    const EnumNameTable* enum_names = nullptr;
  };

  Kind kind = Kind::kPlain;
  const Descriptor* desc = nullptr;
  const JsonKeyTable* keys = nullptr;
  // Set from the first message of this type that is filled (the type's reflection is the
  // same for all its messages); asking every message for it costs a call each time.
  const Reflection* reflection = nullptr;
  const FieldDescriptor* first = nullptr;   // seconds, or the wrapper's value
  const FieldDescriptor* second = nullptr;  // nanos
  // The type is the generated google.protobuf.Timestamp or Duration (the same descriptor
  // object), so its messages are that generated class and are set through it.
  bool generated_time = false;
  // By field index. Sized once, so pointers to its elements stay valid.
  std::vector<Field> fields;
  // Every field's child plan and enum table is looked up (Reader::PlanFields).
  bool fields_planned = false;
  // The keys of the last object of this type, in their order, with their fields. Histories
  // come from programs that write every object of a type with the same keys in the same
  // order, so the key at position i is usually the last one's: one comparison instead of a
  // hash table lookup. Any other key is looked up and takes the place (kMaxKeyOrder bounds
  // what a hostile file can make it hold).
  struct SeenKey {
    std::string key;
    Field* field;
  };
  std::vector<SeenKey> key_order;
};

MessagePlan MakePlan(const Descriptor* desc) {
  MessagePlan plan;
  plan.desc = desc;
  plan.keys = &JsonKeysOf(desc);
  plan.fields.resize(static_cast<size_t>(desc->field_count()));
  const bool generated_event = desc == HistoryEvent::descriptor();
  for (int i = 0; i < desc->field_count(); ++i) {
    const FieldDescriptor* field = desc->field(i);
    MessagePlan::Field& f = plan.fields[static_cast<size_t>(i)];
    f.desc = field;
    f.cpp_type = field->cpp_type();
    f.repeated = field->is_repeated();
    f.bytes = field->type() == FieldDescriptor::TYPE_BYTES;
    f.shape = field->is_map()                                  ? MessagePlan::Shape::kMap
              : f.repeated                                     ? MessagePlan::Shape::kRepeated
              : f.cpp_type == FieldDescriptor::CPPTYPE_MESSAGE ? MessagePlan::Shape::kMessage
                                                               : MessagePlan::Shape::kScalar;
    if (generated_event) {
      switch (field->number()) {
        case HistoryEvent::kEventIdFieldNumber:
          f.direct = MessagePlan::Direct::kEventId;
          break;
        case HistoryEvent::kEventTimeFieldNumber:
          f.direct = MessagePlan::Direct::kEventTime;
          break;
        case HistoryEvent::kEventTypeFieldNumber:
          f.direct = MessagePlan::Direct::kEventType;
          break;
        case HistoryEvent::kTaskIdFieldNumber:
          f.direct = MessagePlan::Direct::kTaskId;
          break;
        default:
          break;
      }
    }
  }
  if (desc == Payloads::descriptor()) {
    plan
        .fields[static_cast<size_t>(
            Payloads::descriptor()->FindFieldByNumber(Payloads::kPayloadsFieldNumber)->index())]
        .payload_list = true;
  }
  plan.generated_time = desc == google::protobuf::Timestamp::descriptor() ||
                        desc == google::protobuf::Duration::descriptor();
  const std::string& name = desc->full_name();
  if (name == "temporal.api.common.v1.Payload") {
    plan.kind = MessagePlan::Kind::kPayload;
  } else if (name.rfind("google.protobuf.", 0) != 0) {
    plan.kind = MessagePlan::Kind::kPlain;
  } else if (name == "google.protobuf.Timestamp" || name == "google.protobuf.Duration") {
    plan.kind = name == "google.protobuf.Timestamp" ? MessagePlan::Kind::kTimestamp
                                                    : MessagePlan::Kind::kDuration;
    plan.first = desc->FindFieldByName("seconds");
    plan.second = desc->FindFieldByName("nanos");
  } else if (name.size() > 5 && name.compare(name.size() - 5, 5, "Value") == 0 &&
             desc->field_count() == 1 && desc->field(0)->name() == "value") {
    plan.kind = MessagePlan::Kind::kWrapper;
    plan.first = desc->field(0);
  } else {
    plan.kind = MessagePlan::Kind::kOtherWellKnown;
  }
  return plan;
}

// simdjson speaks std::string_view; this abseil release has its own string_view type.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Whether two keys are equal, inline: keys are short and compared once per value, where a call
// to memcmp costs more than the comparison. Reads only inside both texts.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool SameText(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  auto load8 = [](const char* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (load8(a.data() + i) != load8(b.data() + i)) return false;
    }
    return load8(a.data() + n - 8) == load8(b.data() + n - 8);
  }
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// Plain decimal text ("1048577", "-3"), the form every history writer uses for integers in
// strings, read without absl::SimpleAtoi's general machinery. At most 18 digits, so no
// overflow; anything else returns false and is left to SimpleAtoi, which has the last word
// (this gives the same value wherever it returns true).
inline bool ReadPlainDecimal(std::string_view s, bool allow_sign, int64_t* out) {
  size_t i = 0;
  const bool negative = allow_sign && !s.empty() && s[0] == '-';
  if (negative) i = 1;
  if (s.size() == i || s.size() - i > 18) return false;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    const unsigned digit = static_cast<unsigned char>(s[i]) - unsigned{'0'};
    if (digit > 9) return false;
    v = v * 10 + static_cast<int64_t>(digit);
  }
  *out = negative ? -v : v;
  return true;
}

absl::string_view TypeName(element_type type) {
  switch (type) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "a value";
}

// Strict base64 as protobuf-JSON writes it: standard alphabet, length a multiple of 4, '='
// only as trailing padding. Used to tell encoded payload metadata from raw text such as
// "json/plain", which lenient base64 would also accept.
bool IsStrictBase64(absl::string_view s) {
  if (s.size() % 4 != 0) return false;
  size_t end = s.size();
  if (end > 0 && s[end - 1] == '=') --end;
  if (end > 0 && s[end - 1] == '=') --end;
  for (size_t i = 0; i < end; ++i) {
    char c = s[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// Protobuf JSON accepts standard and URL-safe base64, padded or not.
bool DecodeBase64(absl::string_view in, std::string* out) {
  if (absl::Base64Unescape(in, out)) return true;
  return absl::WebSafeBase64Unescape(in, out);
}

// Keys Temporal has removed from its schema (their numbers are gone). Skipping one loses
// nothing when it holds its default value, which is all the recorded histories contain; a
// non-default value is counted as an unknown key like any other.
bool IsEmptyObsoleteKey(const Descriptor* desc, std::string_view key, element value) {
  if (desc->full_name() != "temporal.api.common.v1.WorkerVersionStamp" || key != "bundleId") {
    return false;
  }
  std::string_view text;
  return value.is_null() || (value.get(text) == simdjson::SUCCESS && text.empty());
}

class Reader {
 public:
  Reader(const JsonReadOptions& options, JsonReadStats* stats)
      : options_(&options), stats_(stats) {}

  // For the next parse, which may have other options and stats; the plans, which depend only
  // on message types, are kept.
  void Rebind(const JsonReadOptions& options, JsonReadStats* stats) {
    options_ = &options;
    stats_ = stats;
    depth_ = 0;
    path_.clear();
  }

  // Fills `msg` from a JSON object. On error returns the problem and leaves the JSON path
  // to it, innermost first, in path_.
  absl::Status FillMessage(element json, Message* msg) {
    return FillMessage(json, msg, PlanFor(msg->GetDescriptor()));
  }
  // Plans every message type an event can hold, and the enum tables of their fields.
  void PlanEverything() {
    if (event_plan_ == nullptr) event_plan_ = &PlanFor(HistoryEvent::descriptor());
    PlanFields(*event_plan_);
  }
  // The same for an event, whose plan is kept at hand: one per event is a lookup each.
  absl::Status FillEvent(element json, HistoryEvent* event) {
    if (event_plan_ == nullptr) event_plan_ = &PlanFor(HistoryEvent::descriptor());
    return FillMessage(json, event, *event_plan_);
  }

  // The path of the last error, outermost first ("input.payloads[0].data").
  std::string ErrorPath() const {
    std::string out;
    for (auto it = path_.rbegin(); it != path_.rend(); ++it) {
      if (!out.empty() && (*it)[0] != '[') out.push_back('.');
      out.append(*it);
    }
    return out;
  }
  void ClearPath() { path_.clear(); }
  void PushPath(std::string segment) { path_.push_back(std::move(segment)); }

 private:
  // `plan` is the plan of msg's type; `owner` that of the message holding `field`.
  absl::Status FillMessage(element json, Message* msg, MessagePlan& plan);
  absl::Status FillMessageFields(element json, Message* msg, MessagePlan& plan);
  absl::Status FillField(element json, Message* msg, MessagePlan& owner, MessagePlan::Field& field);
  absl::Status FillDirect(element json, Message* msg, MessagePlan::Field& field);
  absl::Status FillRepeated(array json, Message* msg, MessagePlan& owner,
                            MessagePlan::Field& field);
  absl::Status FillMap(object json, Message* msg, MessagePlan& owner, MessagePlan::Field& field);
  absl::Status FillPayload(element json, Message* msg, MessagePlan& plan);
  absl::Status CheckPayloadSize(int64_t size, const char* path);
  bool DecodeMetadataValue(std::string_view text, std::string* slot);
  absl::Status FillWellKnown(element json, Message* msg, MessagePlan& plan);
  absl::Status AddScalar(element json, Message* msg, const Reflection* refl,
                         MessagePlan::Field& field);
  absl::Status ReadEnum(element json, MessagePlan::Field& field, int* number);
  void NoteUnknownKey(std::string_view key);
  MessagePlan::Field* FieldForKey(MessagePlan& plan, size_t position, std::string_view key);

  // Plans and enum tables by descriptor, local to this parse: no lock on the hot path.
  MessagePlan& PlanFor(const Descriptor* desc) {
    auto [it, inserted] = plans_.try_emplace(desc);
    if (inserted) it->second = MakePlan(desc);
    return it->second;
  }
  // Depth first; a type is visited once, which ends the recursion of self-nesting types such
  // as Failure.
  void PlanFields(MessagePlan& plan) {
    if (plan.fields_planned) return;
    plan.fields_planned = true;
    for (MessagePlan::Field& field : plan.fields) {
      if (field.cpp_type == FieldDescriptor::CPPTYPE_ENUM) EnumNames(field);
      if (field.cpp_type == FieldDescriptor::CPPTYPE_MESSAGE) PlanFields(ChildPlan(field));
    }
  }
  MessagePlan& ChildPlan(MessagePlan::Field& field) {
    if (field.child == nullptr) field.child = &PlanFor(field.desc->message_type());
    return *field.child;
  }
  const EnumNameTable& EnumNames(MessagePlan::Field& field) {
    if (field.enum_names == nullptr) field.enum_names = &EnumNamesOf(field.desc->enum_type());
    return *field.enum_names;
  }

  const JsonReadOptions* options_;
  JsonReadStats* stats_;
  int depth_ = 0;  // FillMessage calls in progress
  std::vector<std::string> path_;
  MessagePlan* event_plan_ = nullptr;  // in plans_
  // Enum names read lately, by SeenEnumSlot: a history spells the same few values again and
  // again, and hashing the name for the table costs more than this one comparison.
  struct SeenEnumName {
    const EnumNameTable* table = nullptr;
    std::string text;
    int number = 0;
  };
  static constexpr size_t kSeenEnumSlots = 64;
  static size_t SeenEnumSlot(const EnumNameTable* table, std::string_view text) {
    // The tail tells names apart (they share their type's prefix); any spread will do.
    uint64_t tail = 0;
    const size_t n = std::min<size_t>(text.size(), sizeof tail);
    std::memcpy(&tail, text.data() + text.size() - n, n);
    const uint64_t mixed =
        (tail ^ reinterpret_cast<uintptr_t>(table) ^ text.size()) * uint64_t{0x9E3779B97F4A7C15};
    return static_cast<size_t>(mixed >> 58) % kSeenEnumSlots;
  }
  std::array<SeenEnumName, kSeenEnumSlots> seen_enum_names_;
  // DecodeMetadataValue's last text and what it gave.
  std::string last_metadata_text_;
  std::string last_metadata_bytes_;
  bool last_metadata_base64_ = false;
  bool has_last_metadata_ = false;
  // Node-based, so a plan's reference stays valid while nested messages add theirs.
  absl::node_hash_map<const Descriptor*, MessagePlan> plans_;
};

absl::Status WrongType(absl::string_view expected, element json) {
  return absl::InvalidArgumentError(
      absl::StrCat("expected ", expected, ", got ", TypeName(json.type())));
}

template <typename Int>
absl::Status ReadInteger(element json, Int* out) {
  switch (json.type()) {
    case element_type::INT64: {
      int64_t v = int64_t(json);
      if constexpr (std::is_unsigned_v<Int>) {
        if (v < 0) return absl::InvalidArgumentError(absl::StrCat("negative value ", v));
      }
      if (static_cast<long double>(v) < static_cast<long double>(std::numeric_limits<Int>::min()) ||
          static_cast<long double>(v) > static_cast<long double>(std::numeric_limits<Int>::max())) {
        return absl::InvalidArgumentError(absl::StrCat("value ", v, " out of range"));
      }
      *out = static_cast<Int>(v);
      return absl::OkStatus();
    }
    case element_type::UINT64: {
      uint64_t v = uint64_t(json);
      if (v > static_cast<uint64_t>(std::numeric_limits<Int>::max())) {
        return absl::InvalidArgumentError(absl::StrCat("value ", v, " out of range"));
      }
      *out = static_cast<Int>(v);
      return absl::OkStatus();
    }
    case element_type::DOUBLE: {
      double v = double(json);
      if (std::trunc(v) != v || v < static_cast<double>(std::numeric_limits<Int>::min()) ||
          v >= static_cast<double>(std::numeric_limits<Int>::max())) {
        return absl::InvalidArgumentError(absl::StrCat("value ", v, " is not a valid integer"));
      }
      *out = static_cast<Int>(v);
      return absl::OkStatus();
    }
    case element_type::STRING: {
      std::string_view s = std::string_view(json);
      int64_t plain = 0;
      if (ReadPlainDecimal(s, std::is_signed_v<Int>, &plain) &&
          plain >= static_cast<int64_t>(std::numeric_limits<Int>::min()) &&
          (plain < 0 || static_cast<uint64_t>(plain) <=
                            static_cast<uint64_t>(std::numeric_limits<Int>::max()))) {
        *out = static_cast<Int>(plain);
        return absl::OkStatus();
      }
      if (!absl::SimpleAtoi(AV(s), out)) {
        return absl::InvalidArgumentError(absl::StrCat("\"", AV(s), "\" is not a valid integer"));
      }
      return absl::OkStatus();
    }
    default:
      return WrongType("an integer", json);
  }
}

absl::Status ReadDouble(element json, double* out) {
  switch (json.type()) {
    case element_type::INT64:
      *out = static_cast<double>(int64_t(json));
      return absl::OkStatus();
    case element_type::UINT64:
      *out = static_cast<double>(uint64_t(json));
      return absl::OkStatus();
    case element_type::DOUBLE:
      *out = double(json);
      return absl::OkStatus();
    case element_type::STRING: {
      std::string_view s = std::string_view(json);
      if (s == "NaN") {
        *out = std::numeric_limits<double>::quiet_NaN();
        return absl::OkStatus();
      }
      if (s == "Infinity") {
        *out = std::numeric_limits<double>::infinity();
        return absl::OkStatus();
      }
      if (s == "-Infinity") {
        *out = -std::numeric_limits<double>::infinity();
        return absl::OkStatus();
      }
      if (!absl::SimpleAtod(AV(s), out)) {
        return absl::InvalidArgumentError(absl::StrCat("\"", AV(s), "\" is not a valid number"));
      }
      return absl::OkStatus();
    }
    default:
      return WrongType("a number", json);
  }
}

void Reader::NoteUnknownKey(std::string_view key) {
  if (stats_ == nullptr) return;
  ++stats_->unknown_keys;
  if (stats_->unknown_key_examples.size() < kMaxUnknownKeyExamples) {
    // The full path is only known to the caller; the key and its parents' path are enough
    // to find it, and the path stack is not kept on the success path for speed.
    stats_->unknown_key_examples.emplace_back(key);
  }
}

absl::Status Reader::FillMessage(element json, Message* msg, MessagePlan& plan) {
  // Protobuf's binary parser refuses messages nested more than 100 deep (its default recursion
  // limit), so a deeper failure-cause chain would load here and then not read back from the
  // binary form: it is refused now, with the path to it.
  if (depth_ == kMaxMessageDepth) {
    return absl::InvalidArgumentError(
        absl::StrCat("messages nested more than ", kMaxMessageDepth,
                     " deep (a failure's cause chain?); protobuf's binary form allows 100"));
  }
  ++depth_;
  absl::Status s = FillMessageFields(json, msg, plan);
  --depth_;
  return s;
}

// Every call inlined (flatten): the work per key (FillField, AddScalar, ReadInteger, simdjson's
// steps from member to member) is small and GCC leaves much of it out of line otherwise, a
// call or more per value. Measured 3% less CPU time for a batch of small histories.
[[gnu::flatten]] absl::Status Reader::FillMessageFields(element json, Message* msg,
                                                        MessagePlan& plan) {
  if (plan.reflection == nullptr) plan.reflection = msg->GetReflection();
  const Descriptor* desc = plan.desc;
  if (plan.kind == MessagePlan::Kind::kPayload) return FillPayload(json, msg, plan);
  if (plan.kind != MessagePlan::Kind::kPlain) return FillWellKnown(json, msg, plan);
  object obj;
  if (json.get(obj) != simdjson::SUCCESS) return WrongType("an object", json);
  size_t position = 0;
  for (auto [key, value] : obj) {
    MessagePlan::Field* field = FieldForKey(plan, position++, key);
    if (field == nullptr) {
      if (IsEmptyObsoleteKey(desc, key, value)) continue;
      if (!options_->allow_unknown_keys) {
        PushPath(std::string(key));
        return absl::InvalidArgumentError(absl::StrCat("unknown key for ", desc->full_name()));
      }
      NoteUnknownKey(key);
      continue;
    }
    if (value.is_null()) continue;  // explicit null means absent
    absl::Status s = field->direct == MessagePlan::Direct::kNone
                         ? FillField(value, msg, plan, *field)
                         : FillDirect(value, msg, *field);
    if (!s.ok()) {
      PushPath(std::string(key));
      return s;
    }
  }
  return absl::OkStatus();
}

// The same as FillField for the fields MakePlan marks direct, through HistoryEvent's generated
// accessors: the values read and the errors are AddScalar's and FillMessage's.
absl::Status Reader::FillDirect(element json, Message* msg, MessagePlan::Field& field) {
  auto* event = static_cast<HistoryEvent*>(msg);
  switch (field.direct) {
    case MessagePlan::Direct::kEventId:
    case MessagePlan::Direct::kTaskId: {
      int64_t v = 0;
      if (auto s = ReadInteger(json, &v); !s.ok()) return s;
      field.direct == MessagePlan::Direct::kEventId ? event->set_event_id(v)
                                                    : event->set_task_id(v);
      return absl::OkStatus();
    }
    case MessagePlan::Direct::kEventType: {
      int number = 0;
      if (auto s = ReadEnum(json, field, &number); !s.ok()) return s;
      event->set_event_type(static_cast<temporal::api::enums::v1::EventType>(number));
      return absl::OkStatus();
    }
    case MessagePlan::Direct::kEventTime:
      return FillMessage(json, event->mutable_event_time(), ChildPlan(field));
    case MessagePlan::Direct::kNone:
      break;
  }
  return absl::InternalError("unexpected direct field");
}

absl::Status Reader::FillField(element json, Message* msg, MessagePlan& owner,
                               MessagePlan::Field& field) {
  switch (field.shape) {
    case MessagePlan::Shape::kMap: {
      object obj;
      if (json.get(obj) != simdjson::SUCCESS) return WrongType("an object (map)", json);
      return FillMap(obj, msg, owner, field);
    }
    case MessagePlan::Shape::kRepeated: {
      array arr;
      if (json.get(arr) != simdjson::SUCCESS) return WrongType("an array", json);
      return FillRepeated(arr, msg, owner, field);
    }
    case MessagePlan::Shape::kMessage:
      return FillMessage(json, owner.reflection->MutableMessage(msg, field.desc), ChildPlan(field));
    case MessagePlan::Shape::kScalar:
      break;
  }
  return AddScalar(json, msg, owner.reflection, field);
}

absl::Status Reader::FillRepeated(array json, Message* msg, MessagePlan& owner,
                                  MessagePlan::Field& field) {
  const Reflection* refl = owner.reflection;
  const bool messages = field.cpp_type == FieldDescriptor::CPPTYPE_MESSAGE;
  size_t index = 0;
  for (element item : json) {
    absl::Status s;
    if (item.is_null()) {
      s = absl::InvalidArgumentError("null is not allowed inside an array");
    } else if (messages) {
      Message* item_msg = field.payload_list ? static_cast<Payloads*>(msg)->add_payloads()
                                             : refl->AddMessage(msg, field.desc);
      s = FillMessage(item, item_msg, ChildPlan(field));
    } else {
      s = AddScalar(item, msg, refl, field);
    }
    if (!s.ok()) {
      PushPath(absl::StrCat("[", index, "]"));
      return s;
    }
    ++index;
  }
  return absl::OkStatus();
}

absl::Status Reader::FillMap(object json, Message* msg, MessagePlan& owner,
                             MessagePlan::Field& field) {
  const Reflection* refl = owner.reflection;
  MessagePlan& entry_plan = ChildPlan(field);
  const Descriptor* entry_desc = field.desc->message_type();
  const FieldDescriptor* key_field = entry_desc->map_key();
  MessagePlan::Field& value_field =
      entry_plan.fields[static_cast<size_t>(entry_desc->map_value()->index())];
  for (auto [key, value] : json) {
    Message* entry = refl->AddMessage(msg, field.desc);
    if (entry_plan.reflection == nullptr) entry_plan.reflection = entry->GetReflection();
    const Reflection* entry_refl = entry_plan.reflection;
    absl::Status s;
    switch (key_field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        entry_refl->SetString(entry, key_field, std::string(key));
        break;
      default: {
        int64_t k = 0;
        if (!absl::SimpleAtoi(AV(key), &k)) {
          s = absl::InvalidArgumentError(
              absl::StrCat("map key \"", AV(key), "\" is not an integer"));
          break;
        }
        if (key_field->cpp_type() == FieldDescriptor::CPPTYPE_INT64) {
          entry_refl->SetInt64(entry, key_field, k);
        } else if (key_field->cpp_type() == FieldDescriptor::CPPTYPE_INT32) {
          entry_refl->SetInt32(entry, key_field, static_cast<int32_t>(k));
        } else {
          s = absl::InvalidArgumentError("unsupported map key type");
        }
      }
    }
    if (s.ok() && !value.is_null()) s = FillField(value, entry, entry_plan, value_field);
    if (!s.ok()) {
      PushPath(std::string(key));
      return s;
    }
  }
  return absl::OkStatus();
}

// A metadata value: its bytes if it is strict base64 (returns true), else the text itself.
// The last short value decoded is kept: a history's payloads repeat the same few encodings.
// A long one is decoded where it goes, as a copy kept would double what it costs.
bool Reader::DecodeMetadataValue(std::string_view text, std::string* slot) {
  if (text.size() > kMaxRememberedMetadataBytes) {
    if (IsStrictBase64(AV(text)) && DecodeBase64(AV(text), slot)) return true;
    slot->assign(text);
    return false;
  }
  if (!has_last_metadata_ || !SameText(text, last_metadata_text_)) {
    has_last_metadata_ = true;
    last_metadata_text_.assign(text);
    last_metadata_base64_ =
        IsStrictBase64(AV(text)) && DecodeBase64(AV(text), &last_metadata_bytes_);
  }
  if (last_metadata_base64_) {
    slot->assign(last_metadata_bytes_);
  } else {
    slot->assign(text);
  }
  return last_metadata_base64_;
}

// The payload size limit, in every form a payload can take; `path` is the key to name, if any.
absl::Status Reader::CheckPayloadSize(int64_t size, const char* path) {
  if (size <= options_->max_payload_bytes) return absl::OkStatus();
  if (path != nullptr) PushPath(path);
  return absl::InvalidArgumentError(
      absl::StrCat("payload of ", size, " bytes is over the limit of ", options_->max_payload_bytes,
                   " bytes (raise it with --max-payload-bytes if this is intended)"));
}

// Payload: the protobuf-JSON form {"metadata":{k:base64},"data":base64}, the decoded form
// ({"metadata":{"encoding":"json/plain"},"data":<raw text or JSON value>}), or a bare JSON
// value standing for a json/plain payload. Filled through the generated class, not
// reflection: payloads are the most numerous messages of a history, and a metadata map set
// through reflection is rebuilt on its first read.
absl::Status Reader::FillPayload(element json, Message* msg, MessagePlan& plan) {
  // A message of the generated type's own descriptor is of the generated class.
  Payload* payload = plan.desc == Payload::descriptor()
                         ? static_cast<Payload*>(msg)
                         : google::protobuf::DynamicCastToGenerated<Payload>(msg);
  if (payload == nullptr) return absl::InternalError("payload is not a generated message");
  auto& metadata_map = *payload->mutable_metadata();

  // One pass over the keys: are they all Payload fields, and where are metadata and data?
  object obj;
  bool is_payload_object = false;
  element metadata;
  element data;
  bool has_metadata = false, has_data = false, has_other = false;
  if (json.get(obj) == simdjson::SUCCESS) {
    is_payload_object = true;
    for (auto [key, value] : obj) {
      if (SameText(key, "metadata")) {
        if (!has_metadata) metadata = value;  // the first of duplicate keys counts
        has_metadata = true;
      } else if (SameText(key, "data")) {
        if (!has_data) data = value;
        has_data = true;
      } else if (plan.keys->Find(AV(key)) == nullptr) {
        is_payload_object = false;
        break;
      } else {
        has_other = true;
      }
    }
  }

  if (!is_payload_object) {
    // A bare JSON value: the decoded form of a json/plain payload.
    metadata_map["encoding"] = "json/plain";
    *payload->mutable_data() = simdjson::minify(json);
    return CheckPayloadSize(static_cast<int64_t>(payload->data().size()), nullptr);
  }

  bool decoded_form = false;
  bool has_encoding = false;
  if (has_metadata && !metadata.is_null()) {
    object meta_obj;
    if (metadata.get(meta_obj) != simdjson::SUCCESS) {
      PushPath("metadata");
      return WrongType("an object", metadata);
    }
    for (auto [key, value] : meta_obj) {
      std::string_view text;
      if (value.get(text) != simdjson::SUCCESS) {
        PushPath(std::string(key));
        PushPath("metadata");
        return WrongType("a string", value);
      }
      if (SameText(key, "encoding")) has_encoding = true;
      if (!DecodeMetadataValue(text, &metadata_map[std::string(key)])) decoded_form = true;
    }
  }

  if (has_data && !data.is_null()) {
    std::string_view text;
    if (data.get(text) == simdjson::SUCCESS) {
      // Checked before decoding: base64 text is 4/3 of the data it carries.
      const int64_t size = decoded_form ? static_cast<int64_t>(text.size())
                                        : static_cast<int64_t>(text.size() / 4 * 3);
      if (auto s = CheckPayloadSize(size, "data"); !s.ok()) return s;
      if (decoded_form) {
        payload->set_data(text.data(), text.size());
      } else if (!DecodeBase64(AV(text), payload->mutable_data())) {
        PushPath("data");
        return absl::InvalidArgumentError("payload data is not valid base64");
      }
    } else {
      // A JSON value in place of base64 text: the decoded form of a JSON payload. Its size is
      // known once minified; the file-size limit bounds what that costs.
      *payload->mutable_data() = simdjson::minify(data);
      if (auto s = CheckPayloadSize(static_cast<int64_t>(payload->data().size()), "data");
          !s.ok()) {
        return s;
      }
      if (!has_encoding) metadata_map["encoding"] = "json/plain";
    }
  }

  // Any other Payload fields (for example externalPayloads) go through the generic path.
  if (!has_other) return absl::OkStatus();
  for (auto [key, value] : obj) {
    if (key == "metadata" || key == "data" || value.is_null()) continue;
    absl::Status s = FillField(value, msg, plan,
                               plan.fields[static_cast<size_t>(plan.keys->Find(AV(key))->index())]);
    if (!s.ok()) {
      PushPath(std::string(key));
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Reader::FillWellKnown(element json, Message* msg, MessagePlan& plan) {
  const Reflection* refl = plan.reflection;
  switch (plan.kind) {
    case MessagePlan::Kind::kTimestamp:
    case MessagePlan::Kind::kDuration: {
      std::string_view text;
      if (json.get(text) != simdjson::SUCCESS) return WrongType("a string", json);
      int64_t seconds = 0;
      int32_t nanos = 0;
      absl::Status s = plan.kind == MessagePlan::Kind::kTimestamp
                           ? ParseRfc3339(AV(text), &seconds, &nanos)
                           : ParseProtoDuration(AV(text), &seconds, &nanos);
      if (!s.ok()) return s;
      if (plan.generated_time && plan.kind == MessagePlan::Kind::kTimestamp) {
        auto* time = static_cast<google::protobuf::Timestamp*>(msg);
        time->set_seconds(seconds);
        time->set_nanos(nanos);
        return absl::OkStatus();
      }
      if (plan.generated_time) {
        auto* duration = static_cast<google::protobuf::Duration*>(msg);
        duration->set_seconds(seconds);
        duration->set_nanos(nanos);
        return absl::OkStatus();
      }
      refl->SetInt64(msg, plan.first, seconds);
      refl->SetInt32(msg, plan.second, nanos);
      return absl::OkStatus();
    }
    case MessagePlan::Kind::kWrapper:
      // Wrappers (Int64Value, BoolValue, ...) are written as their bare value.
      return AddScalar(json, msg, refl, plan.fields[0]);
    default:
      break;
  }
  // Struct, Value, ListValue, Any, FieldMask, Empty: rare in histories; protobuf's own JSON
  // parser knows their special forms.
  google::protobuf::util::JsonParseOptions parse_options;
  parse_options.ignore_unknown_fields = true;
  auto s = google::protobuf::util::JsonStringToMessage(simdjson::minify(json), msg, parse_options);
  if (!s.ok()) return absl::InvalidArgumentError(std::string(s.message()));
  return absl::OkStatus();
}

absl::Status Reader::AddScalar(element json, Message* msg, const Reflection* refl,
                               MessagePlan::Field& plan) {
  const FieldDescriptor* field = plan.desc;
  const bool repeated = plan.repeated;
  switch (plan.cpp_type) {
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v = 0;
      if (auto s = ReadInteger(json, &v); !s.ok()) return s;
      repeated ? refl->AddInt64(msg, field, v) : refl->SetInt64(msg, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v = 0;
      if (auto s = ReadInteger(json, &v); !s.ok()) return s;
      repeated ? refl->AddInt32(msg, field, v) : refl->SetInt32(msg, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v = 0;
      if (auto s = ReadInteger(json, &v); !s.ok()) return s;
      repeated ? refl->AddUInt64(msg, field, v) : refl->SetUInt64(msg, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v = 0;
      if (auto s = ReadInteger(json, &v); !s.ok()) return s;
      repeated ? refl->AddUInt32(msg, field, v) : refl->SetUInt32(msg, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double v = 0;
      if (auto s = ReadDouble(json, &v); !s.ok()) return s;
      if (plan.cpp_type == FieldDescriptor::CPPTYPE_DOUBLE) {
        repeated ? refl->AddDouble(msg, field, v) : refl->SetDouble(msg, field, v);
      } else {
        float f = static_cast<float>(v);
        repeated ? refl->AddFloat(msg, field, f) : refl->SetFloat(msg, field, f);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v = false;
      if (json.get(v) != simdjson::SUCCESS) return WrongType("a boolean", json);
      repeated ? refl->AddBool(msg, field, v) : refl->SetBool(msg, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string_view text;
      if (json.get(text) != simdjson::SUCCESS) return WrongType("a string", json);
      std::string value;
      if (plan.bytes) {
        if (!DecodeBase64(AV(text), &value)) {
          return absl::InvalidArgumentError("bytes value is not valid base64");
        }
      } else {
        value.assign(text);
      }
      repeated ? refl->AddString(msg, field, std::move(value))
               : refl->SetString(msg, field, std::move(value));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      int number = 0;
      if (auto s = ReadEnum(json, plan, &number); !s.ok()) return s;
      repeated ? refl->AddEnumValue(msg, field, number) : refl->SetEnumValue(msg, field, number);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  return absl::InternalError("unexpected field type");
}

absl::Status Reader::ReadEnum(element json, MessagePlan::Field& field, int* number) {
  std::string_view text;
  if (json.get(text) == simdjson::SUCCESS) {
    const EnumNameTable& names = EnumNames(field);
    SeenEnumName& seen = seen_enum_names_[SeenEnumSlot(&names, text)];
    if (seen.table == &names && SameText(seen.text, text)) {
      *number = seen.number;
      return absl::OkStatus();
    }
    const EnumValueDescriptor* value = names.Find(AV(text));
    if (value == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown ", field.desc->enum_type()->name(), " value \"", AV(text), "\""));
    }
    *number = value->number();
    seen = {&names, std::string(text), *number};
  } else if (auto s = ReadInteger(json, number); !s.ok()) {
    return WrongType("an enum name or number", json);
  }
  return absl::OkStatus();
}

MessagePlan::Field* Reader::FieldForKey(MessagePlan& plan, size_t position, std::string_view key) {
  if (position < plan.key_order.size()) {
    const MessagePlan::SeenKey& seen = plan.key_order[position];
    if (SameText(seen.key, key)) return seen.field;
  }
  const FieldDescriptor* found = plan.keys->Find(AV(key));
  if (found == nullptr) return nullptr;
  MessagePlan::Field* field = &plan.fields[static_cast<size_t>(found->index())];
  if (position < kMaxKeyOrder) {
    if (position < plan.key_order.size()) {
      plan.key_order[position] = {std::string(key), field};
    } else if (position == plan.key_order.size()) {
      plan.key_order.push_back({std::string(key), field});
    }
  }
  return field;
}

std::string DescribeEvent(element event, size_t index) {
  std::string out = absl::StrCat("event #", index + 1);
  object obj;
  element id;
  if (event.get(obj) == simdjson::SUCCESS && obj["eventId"].get(id) == simdjson::SUCCESS) {
    std::string_view text;
    if (id.get(text) == simdjson::SUCCESS) {
      absl::StrAppend(&out, " (eventId ", AV(text), ")");
    } else if (id.is_int64()) {
      absl::StrAppend(&out, " (eventId ", int64_t(id), ")");
    }
  }
  return out;
}

absl::Status ReadEvents(Reader& reader, element events_json, History* history,
                        absl::string_view source, absl::string_view where) {
  array events;
  if (events_json.get(events) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": ", where, "\"events\" must be an array, got ", TypeName(events_json.type())));
  }
  history->mutable_events()->Reserve(static_cast<int>(events.size()));
  size_t index = 0;
  for (element event : events) {
    reader.ClearPath();
    absl::Status s = reader.FillEvent(event, history->add_events());
    if (!s.ok()) {
      std::string path = reader.ErrorPath();
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": ", where, DescribeEvent(event, index), path.empty() ? "" : ": ",
                       path, ": ", s.message()));
    }
    ++index;
  }
  return absl::OkStatus();
}

bool LooksLikeEvent(element json) {
  object obj;
  if (json.get(obj) != simdjson::SUCCESS) return false;
  element unused;
  return obj["eventId"].get(unused) == simdjson::SUCCESS ||
         obj["eventType"].get(unused) == simdjson::SUCCESS ||
         obj["event_id"].get(unused) == simdjson::SUCCESS;
}

absl::Status ReadHistoryObject(Reader& reader, element json, History* history,
                               absl::string_view source, absl::string_view where) {
  object obj;
  if (json.get(obj) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": ", where, "expected a history object, got ", TypeName(json.type())));
  }
  element inner;
  if (obj["history"].get(inner) == simdjson::SUCCESS) {
    return ReadHistoryObject(reader, inner, history, source, where);
  }
  element events;
  if (obj["events"].get(events) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": ", where, "no \"events\" key: expected {\"events\":[...]}"));
  }
  return ReadEvents(reader, events, history, source, where);
}

}  // namespace

namespace {

// The arena's first block, per byte of JSON. Temporal's pretty-printed exports take about 1.5
// bytes of messages per byte of text, compact JSON more; a block larger than needed costs
// only address space, as untouched pages are never backed by memory.
constexpr size_t kArenaBytesPerJsonByte = 2;

// Parses `json` into `histories`, which is empty. `parser` and `reader` may come from earlier
// parses: simdjson keeps its buffers when they are large enough, the reader its plans.
absl::Status Parse(absl::string_view json, bool padded, absl::string_view source,
                   simdjson::dom::parser& parser, Reader& reader, HistoryList& histories) {
  if (json.find_first_not_of(" \t\r\n") == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": file is empty"));
  }
  element root;
  auto parsed = padded ? parser.parse(json.data(), json.size(), /*realloc_if_needed=*/false)
                       : parser.parse(json.data(), json.size(), /*realloc_if_needed=*/true);
  if (auto error = parsed.get(root); error != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": not valid JSON: ", simdjson::error_message(error)));
  }

  array list;
  if (root.get(list) == simdjson::SUCCESS) {
    if (list.size() == 0) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": top-level array is empty"));
    }
    if (LooksLikeEvent(list.at(0).value_unsafe())) {
      return ReadEvents(reader, root, histories.Add(), source, "");
    }
    size_t index = 0;
    for (element item : list) {
      std::string where =
          list.size() > 1 ? absl::StrCat("history #", index + 1, ": ") : std::string();
      if (auto s = ReadHistoryObject(reader, item, histories.Add(), source, where); !s.ok()) {
        return s;
      }
      ++index;
    }
    return absl::OkStatus();
  }
  return ReadHistoryObject(reader, root, histories.Add(), source, "");
}

absl::StatusOr<HistoryList> ParseOnce(absl::string_view json, bool padded, absl::string_view source,
                                      const JsonReadOptions& options, JsonReadStats* stats) {
  simdjson::dom::parser parser;
  Reader reader(options, stats);
  HistoryList histories(json.size() * kArenaBytesPerJsonByte);
  if (auto s = Parse(json, padded, source, parser, reader, histories); !s.ok()) return s;
  return histories;
}

}  // namespace

absl::StatusOr<HistoryList> ParseHistoriesJson(absl::string_view json, absl::string_view source,
                                               const JsonReadOptions& options,
                                               JsonReadStats* stats) {
  return ParseOnce(json, /*padded=*/false, source, options, stats);
}

absl::StatusOr<HistoryList> ParseHistoriesJsonPadded(absl::string_view json,
                                                     absl::string_view source,
                                                     const JsonReadOptions& options,
                                                     JsonReadStats* stats) {
  return ParseOnce(json, /*padded=*/true, source, options, stats);
}

namespace {
// What a parser's reader is bound to until its first parse binds it to the caller's options.
const JsonReadOptions kUnboundOptions{};
}  // namespace

struct JsonHistoryParser::State {
  simdjson::dom::parser parser;
  Reader reader{kUnboundOptions, nullptr};
};

JsonHistoryParser::JsonHistoryParser() : state_(std::make_unique<State>()) {}
JsonHistoryParser::~JsonHistoryParser() = default;
JsonHistoryParser::JsonHistoryParser(JsonHistoryParser&&) noexcept = default;
JsonHistoryParser& JsonHistoryParser::operator=(JsonHistoryParser&&) noexcept = default;

size_t JsonHistoryParser::ArenaHint(size_t json_bytes) {
  return json_bytes * kArenaBytesPerJsonByte;
}

void JsonHistoryParser::Prepare() { state_->reader.PlanEverything(); }

absl::Status JsonHistoryParser::ParsePadded(absl::string_view json, absl::string_view source,
                                            const JsonReadOptions& options, JsonReadStats* stats,
                                            HistoryList* histories) {
  state_->reader.Rebind(options, stats);
  return Parse(json, /*padded=*/true, source, state_->parser, state_->reader, *histories);
}

}  // namespace lockstep::history
