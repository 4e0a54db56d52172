#include "engine/history/json_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/history/time_format.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"

namespace lockstep::history {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

class Writer {
 public:
  Writer(const JsonWriteOptions& options, std::string* out) : pretty_(options.pretty), out_(out) {}

  void WriteMessage(const Message& msg, int depth);

 private:
  void Newline(int depth) {
    if (!pretty_) return;
    out_->push_back('\n');
    out_->append(static_cast<size_t>(depth) * 2, ' ');
  }
  void Key(absl::string_view key) {
    WriteString(key);
    out_->append(pretty_ ? ": " : ":");
  }
  void WriteString(absl::string_view s);
  void WriteDouble(double v);
  void WriteField(const Message& msg, const FieldDescriptor* field, int depth);
  void WriteScalar(const Message& msg, const FieldDescriptor* field, int index);
  void WriteValue(const Message& msg, const FieldDescriptor* field, int index, int depth);
  bool WriteWellKnown(const Message& msg, int depth);

  bool pretty_;
  std::string* out_;
};

}  // namespace

void AppendJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out->append("\\u00");
          out->push_back(kHex[(c >> 4) & 0xf]);
          out->push_back(kHex[c & 0xf]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

namespace {

void Writer::WriteString(absl::string_view s) { AppendJsonString(s, out_); }

void Writer::WriteDouble(double v) {
  if (std::isnan(v)) {
    out_->append("\"NaN\"");
  } else if (std::isinf(v)) {
    out_->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);  // shortest round-trip form
    out_->append(buf, end);
  }
}

bool IsDefault(const Message& msg, const FieldDescriptor* field) {
  const Reflection* refl = msg.GetReflection();
  if (field->is_repeated()) return refl->FieldSize(msg, field) == 0;
  if (field->has_presence()) return !refl->HasField(msg, field);
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return refl->GetInt32(msg, field) == 0;
    case FieldDescriptor::CPPTYPE_INT64:
      return refl->GetInt64(msg, field) == 0;
    case FieldDescriptor::CPPTYPE_UINT32:
      return refl->GetUInt32(msg, field) == 0;
    case FieldDescriptor::CPPTYPE_UINT64:
      return refl->GetUInt64(msg, field) == 0;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return refl->GetDouble(msg, field) == 0;
    case FieldDescriptor::CPPTYPE_FLOAT:
      return refl->GetFloat(msg, field) == 0;
    case FieldDescriptor::CPPTYPE_BOOL:
      return !refl->GetBool(msg, field);
    case FieldDescriptor::CPPTYPE_ENUM:
      return refl->GetEnumValue(msg, field) == 0;
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      return refl->GetStringReference(msg, field, &scratch).empty();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return !refl->HasField(msg, field);
  }
  return true;
}

void Writer::WriteScalar(const Message& msg, const FieldDescriptor* field, int index) {
  const Reflection* refl = msg.GetReflection();
  const bool rep = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(out_,
                      rep ? refl->GetRepeatedInt32(msg, field, index) : refl->GetInt32(msg, field));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(
          out_, rep ? refl->GetRepeatedUInt32(msg, field, index) : refl->GetUInt32(msg, field));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(out_, "\"",
                      rep ? refl->GetRepeatedInt64(msg, field, index) : refl->GetInt64(msg, field),
                      "\"");
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(
          out_, "\"",
          rep ? refl->GetRepeatedUInt64(msg, field, index) : refl->GetUInt64(msg, field), "\"");
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      WriteDouble(rep ? refl->GetRepeatedDouble(msg, field, index) : refl->GetDouble(msg, field));
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      WriteDouble(rep ? refl->GetRepeatedFloat(msg, field, index) : refl->GetFloat(msg, field));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      out_->append((rep ? refl->GetRepeatedBool(msg, field, index) : refl->GetBool(msg, field))
                       ? "true"
                       : "false");
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      int number =
          rep ? refl->GetRepeatedEnumValue(msg, field, index) : refl->GetEnumValue(msg, field);
      const auto* value = field->enum_type()->FindValueByNumber(number);
      if (value != nullptr) {
        WriteString(value->name());
      } else {
        absl::StrAppend(out_, number);  // an unknown value survives as its number
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& s = rep ? refl->GetRepeatedStringReference(msg, field, index, &scratch)
                                 : refl->GetStringReference(msg, field, &scratch);
      if (field->type() == FieldDescriptor::TYPE_BYTES) {
        WriteString(absl::Base64Escape(s));
      } else {
        WriteString(s);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
}

void Writer::WriteValue(const Message& msg, const FieldDescriptor* field, int index, int depth) {
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    const Reflection* refl = msg.GetReflection();
    WriteMessage(field->is_repeated() ? refl->GetRepeatedMessage(msg, field, index)
                                      : refl->GetMessage(msg, field),
                 depth);
  } else {
    WriteScalar(msg, field, index);
  }
}

void Writer::WriteField(const Message& msg, const FieldDescriptor* field, int depth) {
  const Reflection* refl = msg.GetReflection();
  Key(field->json_name());
  if (field->is_map()) {
    // Entries sorted by key text so that output never depends on hash order.
    const int n = refl->FieldSize(msg, field);
    const FieldDescriptor* key_field = field->message_type()->map_key();
    const FieldDescriptor* value_field = field->message_type()->map_value();
    std::vector<std::pair<std::string, const Message*>> entries;
    entries.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      const Message& entry = refl->GetRepeatedMessage(msg, field, i);
      std::string key;
      const Reflection* er = entry.GetReflection();
      switch (key_field->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING:
          key = er->GetString(entry, key_field);
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          key = absl::StrCat(er->GetInt64(entry, key_field));
          break;
        case FieldDescriptor::CPPTYPE_INT32:
          key = absl::StrCat(er->GetInt32(entry, key_field));
          break;
        case FieldDescriptor::CPPTYPE_UINT64:
          key = absl::StrCat(er->GetUInt64(entry, key_field));
          break;
        case FieldDescriptor::CPPTYPE_UINT32:
          key = absl::StrCat(er->GetUInt32(entry, key_field));
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          key = er->GetBool(entry, key_field) ? "true" : "false";
          break;
        default:
          break;
      }
      entries.emplace_back(std::move(key), &entry);
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    out_->push_back('{');
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) out_->push_back(',');
      Newline(depth + 1);
      Key(entries[i].first);
      WriteValue(*entries[i].second, value_field, 0, depth + 1);
    }
    Newline(depth);
    out_->push_back('}');
    return;
  }
  if (field->is_repeated()) {
    const int n = refl->FieldSize(msg, field);
    out_->push_back('[');
    for (int i = 0; i < n; ++i) {
      if (i > 0) out_->push_back(',');
      Newline(depth + 1);
      WriteValue(msg, field, i, depth + 1);
    }
    Newline(depth);
    out_->push_back(']');
    return;
  }
  WriteValue(msg, field, 0, depth);
}

bool Writer::WriteWellKnown(const Message& msg, int depth) {
  const Descriptor* desc = msg.GetDescriptor();
  const std::string& name = desc->full_name();
  if (name.rfind("google.protobuf.", 0) != 0) return false;
  const Reflection* refl = msg.GetReflection();
  if (name == "google.protobuf.Timestamp" || name == "google.protobuf.Duration") {
    int64_t seconds = refl->GetInt64(msg, desc->FindFieldByName("seconds"));
    int32_t nanos = refl->GetInt32(msg, desc->FindFieldByName("nanos"));
    std::string text;
    if (name == "google.protobuf.Timestamp") {
      AppendRfc3339(seconds, nanos, &text);
    } else {
      AppendProtoDuration(seconds, nanos, &text);
    }
    WriteString(text);
    return true;
  }
  if (desc->field_count() == 1 && desc->field(0)->name() == "value" &&
      !desc->field(0)->is_repeated() &&
      desc->field(0)->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    WriteScalar(msg, desc->field(0), 0);
    return true;
  }
  std::string text;
  google::protobuf::util::JsonPrintOptions print_options;
  if (google::protobuf::util::MessageToJsonString(msg, &text, print_options).ok()) {
    out_->append(text);
  } else {
    out_->append("null");
  }
  (void)depth;
  return true;
}

void Writer::WriteMessage(const Message& msg, int depth) {
  if (WriteWellKnown(msg, depth)) return;
  const Descriptor* desc = msg.GetDescriptor();
  out_->push_back('{');
  bool first = true;
  for (int i = 0; i < desc->field_count(); ++i) {
    const FieldDescriptor* field = desc->field(i);
    if (IsDefault(msg, field)) continue;
    if (!first) out_->push_back(',');
    first = false;
    Newline(depth + 1);
    WriteField(msg, field, depth + 1);
  }
  if (!first) Newline(depth);
  out_->push_back('}');
}

}  // namespace

void AppendMessageJson(const Message& message, const JsonWriteOptions& options, std::string* out) {
  Writer(options, out).WriteMessage(message, 0);
}

void AppendHistoryJson(const temporal::api::history::v1::History& history,
                       const JsonWriteOptions& options, std::string* out) {
  if (history.events_size() == 0) {
    out->append(options.pretty ? "{\n  \"events\": []\n}" : "{\"events\":[]}");
    return;
  }
  AppendMessageJson(history, options, out);
}

std::string HistoryToJson(const temporal::api::history::v1::History& history,
                          const JsonWriteOptions& options) {
  std::string out;
  out.reserve(static_cast<size_t>(history.events_size()) * 512);
  AppendHistoryJson(history, options, &out);
  out.push_back('\n');
  return out;
}

}  // namespace lockstep::history
