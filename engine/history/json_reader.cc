#include "engine/history/json_reader.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/history/json_schema.h"
#include "engine/history/time_format.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "simdjson.h"

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
using temporal::api::history::v1::History;

constexpr int kMaxUnknownKeyExamples = 5;

// simdjson speaks std::string_view; this abseil release has its own string_view type.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

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
  Reader(const JsonReadOptions& options, JsonReadStats* stats) : options_(options), stats_(stats) {}

  // Fills `msg` from a JSON object. On error returns the problem and leaves the JSON path
  // to it, innermost first, in path_.
  absl::Status FillMessage(element json, Message* msg);

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
  absl::Status FillField(element json, Message* msg, const FieldDescriptor* field);
  absl::Status FillRepeated(array json, Message* msg, const FieldDescriptor* field);
  absl::Status FillMap(object json, Message* msg, const FieldDescriptor* field);
  absl::Status FillPayload(element json, Message* payload);
  absl::Status FillWellKnown(element json, Message* msg, bool* handled);
  absl::Status AddScalar(element json, Message* msg, const FieldDescriptor* field);
  void NoteUnknownKey(std::string_view key);

  const JsonReadOptions& options_;
  JsonReadStats* stats_;
  std::vector<std::string> path_;
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

absl::Status Reader::FillMessage(element json, Message* msg) {
  const Descriptor* desc = msg->GetDescriptor();
  if (desc->full_name() == "temporal.api.common.v1.Payload") return FillPayload(json, msg);
  bool handled = false;
  absl::Status status = FillWellKnown(json, msg, &handled);
  if (handled || !status.ok()) return status;

  object obj;
  if (json.get(obj) != simdjson::SUCCESS) return WrongType("an object", json);
  for (auto [key, value] : obj) {
    const FieldDescriptor* field = FindFieldByJsonKey(desc, AV(key));
    if (field == nullptr) {
      if (IsEmptyObsoleteKey(desc, key, value)) continue;
      if (!options_.allow_unknown_keys) {
        PushPath(std::string(key));
        return absl::InvalidArgumentError(absl::StrCat("unknown key for ", desc->full_name()));
      }
      NoteUnknownKey(key);
      continue;
    }
    if (value.is_null()) continue;  // explicit null means absent
    absl::Status s = FillField(value, msg, field);
    if (!s.ok()) {
      PushPath(std::string(key));
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Reader::FillField(element json, Message* msg, const FieldDescriptor* field) {
  if (field->is_map()) {
    object obj;
    if (json.get(obj) != simdjson::SUCCESS) return WrongType("an object (map)", json);
    return FillMap(obj, msg, field);
  }
  if (field->is_repeated()) {
    array arr;
    if (json.get(arr) != simdjson::SUCCESS) return WrongType("an array", json);
    return FillRepeated(arr, msg, field);
  }
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    return FillMessage(json, msg->GetReflection()->MutableMessage(msg, field));
  }
  return AddScalar(json, msg, field);
}

absl::Status Reader::FillRepeated(array json, Message* msg, const FieldDescriptor* field) {
  const Reflection* refl = msg->GetReflection();
  size_t index = 0;
  for (element item : json) {
    absl::Status s;
    if (item.is_null()) {
      s = absl::InvalidArgumentError("null is not allowed inside an array");
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      s = FillMessage(item, refl->AddMessage(msg, field));
    } else {
      s = AddScalar(item, msg, field);
    }
    if (!s.ok()) {
      PushPath(absl::StrCat("[", index, "]"));
      return s;
    }
    ++index;
  }
  return absl::OkStatus();
}

absl::Status Reader::FillMap(object json, Message* msg, const FieldDescriptor* field) {
  const Reflection* refl = msg->GetReflection();
  const Descriptor* entry_desc = field->message_type();
  const FieldDescriptor* key_field = entry_desc->map_key();
  const FieldDescriptor* value_field = entry_desc->map_value();
  for (auto [key, value] : json) {
    Message* entry = refl->AddMessage(msg, field);
    const Reflection* entry_refl = entry->GetReflection();
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
    if (s.ok() && !value.is_null()) s = FillField(value, entry, value_field);
    if (!s.ok()) {
      PushPath(std::string(key));
      return s;
    }
  }
  return absl::OkStatus();
}

// Payload: the protobuf-JSON form {"metadata":{k:base64},"data":base64}, the decoded form
// ({"metadata":{"encoding":"json/plain"},"data":<raw text or JSON value>}), or a bare JSON
// value standing for a json/plain payload.
absl::Status Reader::FillPayload(element json, Message* msg) {
  const Descriptor* desc = msg->GetDescriptor();
  const Reflection* refl = msg->GetReflection();
  const FieldDescriptor* metadata_field = desc->FindFieldByName("metadata");
  const FieldDescriptor* data_field = desc->FindFieldByName("data");

  object obj;
  bool is_payload_object = false;
  if (json.get(obj) == simdjson::SUCCESS) {
    is_payload_object = true;
    for (auto [key, value] : obj) {
      if (FindFieldByJsonKey(desc, AV(key)) == nullptr) {
        is_payload_object = false;
        break;
      }
    }
    if (obj.size() == 0) is_payload_object = true;
  }

  auto set_metadata = [&](std::string_view key, std::string value) {
    Message* entry = refl->AddMessage(msg, metadata_field);
    const Descriptor* entry_desc = metadata_field->message_type();
    entry->GetReflection()->SetString(entry, entry_desc->map_key(), std::string(key));
    entry->GetReflection()->SetString(entry, entry_desc->map_value(), std::move(value));
  };

  if (!is_payload_object) {
    // A bare JSON value: the decoded form of a json/plain payload.
    set_metadata("encoding", "json/plain");
    refl->SetString(msg, data_field, simdjson::minify(json));
    return absl::OkStatus();
  }

  bool decoded_form = false;
  bool has_encoding = false;
  element metadata;
  if (obj["metadata"].get(metadata) == simdjson::SUCCESS && !metadata.is_null()) {
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
      if (key == "encoding") has_encoding = true;
      std::string bytes;
      if (IsStrictBase64(AV(text)) && DecodeBase64(AV(text), &bytes)) {
        set_metadata(key, std::move(bytes));
      } else {
        decoded_form = true;
        set_metadata(key, std::string(text));
      }
    }
  }

  element data;
  if (obj["data"].get(data) == simdjson::SUCCESS && !data.is_null()) {
    std::string_view text;
    if (data.get(text) == simdjson::SUCCESS) {
      // Checked before decoding: base64 text is 4/3 of the data it carries.
      const int64_t size = decoded_form ? static_cast<int64_t>(text.size())
                                        : static_cast<int64_t>(text.size() / 4 * 3);
      if (size > options_.max_payload_bytes) {
        PushPath("data");
        return absl::InvalidArgumentError(absl::StrCat(
            "payload of ", size, " bytes is over the limit of ", options_.max_payload_bytes,
            " bytes (raise it with --max-payload-bytes if this is intended)"));
      }
      std::string bytes;
      if (decoded_form) {
        refl->SetString(msg, data_field, std::string(text));
      } else if (DecodeBase64(AV(text), &bytes)) {
        refl->SetString(msg, data_field, std::move(bytes));
      } else {
        PushPath("data");
        return absl::InvalidArgumentError("payload data is not valid base64");
      }
    } else {
      // A JSON value in place of base64 text: the decoded form of a JSON payload.
      refl->SetString(msg, data_field, simdjson::minify(data));
      if (!has_encoding) set_metadata("encoding", "json/plain");
    }
  }

  // Any other Payload fields (for example externalPayloads) go through the generic path.
  for (auto [key, value] : obj) {
    if (key == "metadata" || key == "data" || value.is_null()) continue;
    absl::Status s = FillField(value, msg, FindFieldByJsonKey(desc, AV(key)));
    if (!s.ok()) {
      PushPath(std::string(key));
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Reader::FillWellKnown(element json, Message* msg, bool* handled) {
  const std::string& name = msg->GetDescriptor()->full_name();
  if (name.rfind("google.protobuf.", 0) != 0) return absl::OkStatus();
  *handled = true;
  const Descriptor* desc = msg->GetDescriptor();
  const Reflection* refl = msg->GetReflection();
  if (name == "google.protobuf.Timestamp" || name == "google.protobuf.Duration") {
    std::string_view text;
    if (json.get(text) != simdjson::SUCCESS) return WrongType("a string", json);
    int64_t seconds = 0;
    int32_t nanos = 0;
    absl::Status s = name == "google.protobuf.Timestamp"
                         ? ParseRfc3339(AV(text), &seconds, &nanos)
                         : ParseProtoDuration(AV(text), &seconds, &nanos);
    if (!s.ok()) return s;
    refl->SetInt64(msg, desc->FindFieldByName("seconds"), seconds);
    refl->SetInt32(msg, desc->FindFieldByName("nanos"), nanos);
    return absl::OkStatus();
  }
  if (name.size() > 5 && name.compare(name.size() - 5, 5, "Value") == 0 &&
      desc->field_count() == 1 && desc->field(0)->name() == "value") {
    // Wrappers (Int64Value, BoolValue, ...) are written as their bare value.
    return AddScalar(json, msg, desc->field(0));
  }
  // Struct, Value, ListValue, Any, FieldMask, Empty: rare in histories; protobuf's own JSON
  // parser knows their special forms.
  google::protobuf::util::JsonParseOptions parse_options;
  parse_options.ignore_unknown_fields = true;
  auto s = google::protobuf::util::JsonStringToMessage(simdjson::minify(json), msg, parse_options);
  if (!s.ok()) return absl::InvalidArgumentError(std::string(s.message()));
  return absl::OkStatus();
}

absl::Status Reader::AddScalar(element json, Message* msg, const FieldDescriptor* field) {
  const Reflection* refl = msg->GetReflection();
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
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
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
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
      if (field->type() == FieldDescriptor::TYPE_BYTES) {
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
      std::string_view text;
      if (json.get(text) == simdjson::SUCCESS) {
        const EnumValueDescriptor* value = FindEnumValueByAnyName(field->enum_type(), AV(text));
        if (value == nullptr) {
          return absl::InvalidArgumentError(
              absl::StrCat("unknown ", field->enum_type()->name(), " value \"", AV(text), "\""));
        }
        number = value->number();
      } else if (auto s = ReadInteger(json, &number); !s.ok()) {
        return WrongType("an enum name or number", json);
      }
      repeated ? refl->AddEnumValue(msg, field, number) : refl->SetEnumValue(msg, field, number);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  return absl::InternalError("unexpected field type");
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
    absl::Status s = reader.FillMessage(event, history->add_events());
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

absl::StatusOr<std::vector<History>> ParseHistoriesJson(absl::string_view json,
                                                        absl::string_view source,
                                                        const JsonReadOptions& options,
                                                        JsonReadStats* stats) {
  if (json.find_first_not_of(" \t\r\n") == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": file is empty"));
  }
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json.data(), json.size());
  element root;
  if (auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": not valid JSON: ", simdjson::error_message(error)));
  }

  Reader reader(options, stats);
  std::vector<History> histories;
  array list;
  if (root.get(list) == simdjson::SUCCESS) {
    if (list.size() == 0) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": top-level array is empty"));
    }
    if (LooksLikeEvent(list.at(0).value_unsafe())) {
      histories.emplace_back();
      if (auto s = ReadEvents(reader, root, &histories.back(), source, ""); !s.ok()) return s;
      return histories;
    }
    size_t index = 0;
    for (element item : list) {
      histories.emplace_back();
      std::string where =
          list.size() > 1 ? absl::StrCat("history #", index + 1, ": ") : std::string();
      if (auto s = ReadHistoryObject(reader, item, &histories.back(), source, where); !s.ok()) {
        return s;
      }
      ++index;
    }
    return histories;
  }
  histories.emplace_back();
  if (auto s = ReadHistoryObject(reader, root, &histories.back(), source, ""); !s.ok()) {
    return s;
  }
  return histories;
}

}  // namespace lockstep::history
