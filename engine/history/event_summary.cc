#include "engine/history/event_summary.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/history/event_types.h"
#include "engine/history/json_schema.h"
#include "engine/history/time_format.h"

namespace lockstep::history {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using temporal::api::history::v1::History;
using temporal::api::history::v1::HistoryEvent;
namespace enums = temporal::api::enums::v1;

// A key attribute: a label and a dotted path of proto field names inside the attributes.
struct KeyField {
  absl::string_view label;
  absl::string_view path;
};

struct SummaryRule {
  EventType type;
  std::vector<KeyField> fields;
};

// The key attributes of each event type, in display order. Types not listed show nothing.
const std::vector<SummaryRule>& SummaryRules() {
  static const auto* rules = new std::vector<SummaryRule>{
      {enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
       {{"type", "workflow_type.name"},
        {"queue", "task_queue.name"},
        {"input", "input"},
        {"parent", "parent_workflow_execution.workflow_id"}}},
      {enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, {{"result", "result"}}},
      {enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
       {{"failure", "failure"}, {"retry", "retry_state"}}},
      {enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT, {{"retry", "retry_state"}}},
      {enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, {{"details", "details"}}},
      {enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
       {{"reason", "reason"}, {"identity", "identity"}}},
      {enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
       {{"new_run", "new_execution_run_id"}, {"type", "workflow_type.name"}, {"input", "input"}}},
      {enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED, {{"cause", "cause"}}},
      {enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
       {{"signal", "signal_name"}, {"input", "input"}}},
      {enums::EVENT_TYPE_WORKFLOW_TASK_FAILED, {{"cause", "cause"}, {"failure", "failure"}}},
      {enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, {{"timeout", "timeout_type"}}},
      {enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
       {{"activity", "activity_type.name"}, {"id", "activity_id"}, {"input", "input"}}},
      {enums::EVENT_TYPE_ACTIVITY_TASK_STARTED,
       {{"scheduled", "scheduled_event_id"}, {"attempt", "attempt"}}},
      {enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
       {{"scheduled", "scheduled_event_id"}, {"result", "result"}}},
      {enums::EVENT_TYPE_ACTIVITY_TASK_FAILED,
       {{"scheduled", "scheduled_event_id"}, {"failure", "failure"}, {"retry", "retry_state"}}},
      {enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
       {{"scheduled", "scheduled_event_id"}, {"failure", "failure"}, {"retry", "retry_state"}}},
      {enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED, {{"scheduled", "scheduled_event_id"}}},
      {enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED,
       {{"scheduled", "scheduled_event_id"}, {"details", "details"}}},
      {enums::EVENT_TYPE_TIMER_STARTED,
       {{"timer", "timer_id"}, {"duration", "start_to_fire_timeout"}}},
      {enums::EVENT_TYPE_TIMER_FIRED, {{"timer", "timer_id"}}},
      {enums::EVENT_TYPE_TIMER_CANCELED, {{"timer", "timer_id"}}},
      {enums::EVENT_TYPE_MARKER_RECORDED,
       {{"marker", "marker_name"}, {"details", "details"}, {"failure", "failure"}}},
      {enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
       {{"child", "workflow_type.name"}, {"id", "workflow_id"}, {"input", "input"}}},
      {enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED,
       {{"child", "workflow_type.name"}, {"id", "workflow_id"}, {"cause", "cause"}}},
      {enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
       {{"child", "workflow_type.name"}, {"id", "workflow_execution.workflow_id"}}},
      {enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
       {{"child", "workflow_type.name"},
        {"id", "workflow_execution.workflow_id"},
        {"result", "result"}}},
      {enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
       {{"child", "workflow_type.name"},
        {"id", "workflow_execution.workflow_id"},
        {"failure", "failure"}}},
      {enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
       {{"child", "workflow_type.name"}, {"id", "workflow_execution.workflow_id"}}},
      {enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
       {{"child", "workflow_type.name"}, {"id", "workflow_execution.workflow_id"}}},
      {enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED,
       {{"child", "workflow_type.name"}, {"id", "workflow_execution.workflow_id"}}},
      {enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
       {{"signal", "signal_name"},
        {"target", "workflow_execution.workflow_id"},
        {"input", "input"}}},
      {enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
       {{"target", "workflow_execution.workflow_id"}, {"cause", "cause"}}},
      {enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
       {{"target", "workflow_execution.workflow_id"}}},
      {enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
       {{"target", "workflow_execution.workflow_id"}}},
      {enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
       {{"target", "workflow_execution.workflow_id"}, {"cause", "cause"}}},
      {enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
       {{"target", "workflow_execution.workflow_id"}}},
      {enums::EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
       {{"attributes", "search_attributes.indexed_fields"}}},
      {enums::EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED, {{"memo", "upserted_memo.fields"}}},
      {enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
       {{"update", "accepted_request.input.name"}, {"id", "protocol_instance_id"}}},
      {enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
       {{"id", "meta.update_id"}, {"outcome", "outcome.success"}, {"failure", "outcome.failure"}}},
      {enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED,
       {{"id", "protocol_instance_id"}, {"failure", "failure"}}},
      {enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED,
       {{"update", "request.input.name"}, {"id", "request.meta.update_id"}}},
      {enums::EVENT_TYPE_NEXUS_OPERATION_SCHEDULED,
       {{"endpoint", "endpoint"}, {"service", "service"}, {"operation", "operation"}}},
      {enums::EVENT_TYPE_NEXUS_OPERATION_STARTED, {{"scheduled", "scheduled_event_id"}}},
      {enums::EVENT_TYPE_NEXUS_OPERATION_COMPLETED,
       {{"scheduled", "scheduled_event_id"}, {"result", "result"}}},
      {enums::EVENT_TYPE_NEXUS_OPERATION_FAILED,
       {{"scheduled", "scheduled_event_id"}, {"failure", "failure"}}},
      {enums::EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED, {{"scheduled", "scheduled_event_id"}}},
  };
  return *rules;
}

// One line per event: control characters (newlines in pretty-printed JSON payloads) are
// escaped the way JSON would write them.
std::string OneLine(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\n') {
      out.append("\\n");
    } else if (c == '\r') {
      out.append("\\r");
    } else if (c == '\t') {
      out.append("\\t");
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out.push_back('?');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string Truncate(std::string text, size_t max_chars) {
  text = OneLine(text);
  if (max_chars == 0 || text.size() <= max_chars) return text;
  size_t total = text.size();
  text.resize(max_chars);
  // Do not cut a UTF-8 sequence in half.
  while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
  if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0) text.pop_back();
  absl::StrAppend(&text, "...(", total, " bytes)");
  return text;
}

std::string RenderValue(const Message& msg, const FieldDescriptor* field);

std::string RenderMessage(const Message& msg) {
  const std::string& name = msg.GetDescriptor()->full_name();
  if (name == "temporal.api.common.v1.Payloads") {
    const auto& payloads = static_cast<const temporal::api::common::v1::Payloads&>(msg);
    if (payloads.payloads_size() == 1) return PayloadToDisplay(payloads.payloads(0));
    std::vector<std::string> parts;
    for (const auto& p : payloads.payloads()) parts.push_back(PayloadToDisplay(p));
    return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
  }
  if (name == "temporal.api.common.v1.Payload") {
    return PayloadToDisplay(static_cast<const temporal::api::common::v1::Payload&>(msg));
  }
  if (name == "temporal.api.failure.v1.Failure") {
    const auto* desc = msg.GetDescriptor();
    std::string message = msg.GetReflection()->GetString(msg, desc->FindFieldByName("message"));
    return Truncate(absl::StrCat("\"", message, "\""), 80);
  }
  if (name == "google.protobuf.Duration") {
    const auto* desc = msg.GetDescriptor();
    std::string out;
    AppendProtoDuration(msg.GetReflection()->GetInt64(msg, desc->FindFieldByName("seconds")),
                        msg.GetReflection()->GetInt32(msg, desc->FindFieldByName("nanos")), &out);
    return out;
  }
  return "{...}";
}

std::string RenderValue(const Message& msg, const FieldDescriptor* field) {
  const auto* refl = msg.GetReflection();
  if (field->is_map()) {
    // Keys only, sorted: search attributes and memos can be large.
    std::vector<std::string> keys;
    for (int i = 0; i < refl->FieldSize(msg, field); ++i) {
      const Message& entry = refl->GetRepeatedMessage(msg, field, i);
      const auto* key_field = entry.GetDescriptor()->map_key();
      if (key_field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        keys.push_back(entry.GetReflection()->GetString(entry, key_field));
      }
    }
    std::sort(keys.begin(), keys.end());
    return absl::StrCat("[", absl::StrJoin(keys, ","), "]");
  }
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return refl->GetString(msg, field);
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(refl->GetInt64(msg, field));
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(refl->GetInt32(msg, field));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(refl->GetUInt64(msg, field));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(refl->GetUInt32(msg, field));
    case FieldDescriptor::CPPTYPE_BOOL:
      return refl->GetBool(msg, field) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(refl->GetDouble(msg, field));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(refl->GetFloat(msg, field));
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* value = refl->GetEnum(msg, field);
      return value == nullptr ? "?" : ShortEnumName(value);
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return RenderMessage(refl->GetMessage(msg, field));
  }
  return "";
}

// Follows `path` from `msg`; returns false when a step is missing or unset (nothing shown).
bool Lookup(const Message& msg, absl::string_view path, std::string* out) {
  const Message* current = &msg;
  std::vector<absl::string_view> steps = absl::StrSplit(path, '.');
  for (size_t i = 0; i < steps.size(); ++i) {
    const FieldDescriptor* field = current->GetDescriptor()->FindFieldByName(std::string(steps[i]));
    if (field == nullptr) return false;
    const auto* refl = current->GetReflection();
    const bool last = i + 1 == steps.size();
    if (field->is_repeated()) {
      if (!last || refl->FieldSize(*current, field) == 0) return false;
      *out = RenderValue(*current, field);
      return true;
    }
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (!refl->HasField(*current, field)) return false;
      if (last) {
        *out = RenderValue(*current, field);
        return *out != "[]";  // an empty payload list says nothing
      }
      current = &refl->GetMessage(*current, field);
      continue;
    }
    if (!last) return false;
    *out = RenderValue(*current, field);
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_ENUM &&
        refl->GetEnumValue(*current, field) == 0) {
      return false;  // an unspecified enum says nothing
    }
    return !out->empty() && *out != "0";
  }
  return false;
}

}  // namespace

std::string PayloadToDisplay(const temporal::api::common::v1::Payload& payload, size_t max_chars) {
  auto it = payload.metadata().find("encoding");
  std::string encoding = it == payload.metadata().end() ? "" : it->second;
  if (encoding == "json/plain") return Truncate(payload.data(), max_chars);
  if (encoding == "binary/null") return "null";
  return absl::StrCat("<", encoding.empty() ? "no encoding" : encoding, ", ", payload.data().size(),
                      " bytes>");
}

std::string EventSummaryOfPayloads(const temporal::api::common::v1::Payloads& payloads) {
  return RenderMessage(payloads);
}

std::string SummarizeEvent(const HistoryEvent& event) {
  const Message* attrs = EventAttributes(event);
  if (attrs == nullptr) return "";
  for (const SummaryRule& rule : SummaryRules()) {
    if (rule.type != event.event_type()) continue;
    std::vector<std::string> parts;
    for (const KeyField& key : rule.fields) {
      std::string value;
      if (Lookup(*attrs, key.path, &value)) {
        parts.push_back(absl::StrCat(key.label, "=", OneLine(value)));
      }
    }
    return absl::StrJoin(parts, " ");
  }
  return "";
}

HistorySummary SummarizeHistory(const History& history) {
  HistorySummary summary;
  summary.events = history.events_size();
  if (history.events_size() == 0) return summary;
  const HistoryEvent& first = history.events(0);
  if (first.has_workflow_execution_started_event_attributes()) {
    const auto& started = first.workflow_execution_started_event_attributes();
    summary.workflow_type = started.workflow_type().name();
    if (!started.workflow_id().empty()) summary.workflow_id = started.workflow_id();
    if (!started.original_execution_run_id().empty()) {
      summary.run_id = started.original_execution_run_id();
    }
  }
  const HistoryEvent& last = history.events(history.events_size() - 1);
  if (IsCloseEvent(last.event_type())) {
    std::string name = EventTypeShortName(last.event_type());
    constexpr absl::string_view kPrefix = "WorkflowExecution";
    summary.status = absl::StartsWith(name, kPrefix) ? name.substr(kPrefix.size()) : name;
  }
  if (first.has_event_time() && last.has_event_time()) {
    summary.duration = ElapsedBetween(first.event_time(), last.event_time());
  }
  return summary;
}

absl::Duration ElapsedBetween(const google::protobuf::Timestamp& from,
                              const google::protobuf::Timestamp& to) {
  // absl::Duration holds +/-2^63 seconds and its arithmetic saturates, so neither the
  // conversion nor the difference can overflow.
  return (absl::Seconds(to.seconds()) + absl::Nanoseconds(to.nanos())) -
         (absl::Seconds(from.seconds()) + absl::Nanoseconds(from.nanos()));
}

std::string FormatElapsed(absl::Duration elapsed) {
  if (elapsed == absl::InfiniteDuration()) return "inf";
  if (elapsed == -absl::InfiniteDuration()) return "-inf";
  const bool negative = elapsed < absl::ZeroDuration();
  // Negating a finite duration is exact (absl keeps a separate sign), unlike negating INT64_MIN.
  if (negative) elapsed = -elapsed;
  // -(-2^63 s) is the one finite duration whose negation saturates.
  if (elapsed == absl::InfiniteDuration()) return negative ? "-inf" : "inf";
  absl::Duration rest;
  const int64_t hours = absl::IDivDuration(elapsed, absl::Hours(1), &rest);
  const int64_t minutes = absl::IDivDuration(rest, absl::Minutes(1), &rest);
  const int64_t seconds = absl::IDivDuration(rest, absl::Seconds(1), &rest);
  const int64_t ms = absl::IDivDuration(rest, absl::Milliseconds(1), &rest);
  char buf[64];
  if (hours > 0) {
    std::snprintf(buf, sizeof(buf), "%lldh%02lldm%02lld.%03llds", static_cast<long long>(hours),
                  static_cast<long long>(minutes), static_cast<long long>(seconds),
                  static_cast<long long>(ms));
  } else if (minutes > 0) {
    std::snprintf(buf, sizeof(buf), "%lldm%02lld.%03llds", static_cast<long long>(minutes),
                  static_cast<long long>(seconds), static_cast<long long>(ms));
  } else {
    std::snprintf(buf, sizeof(buf), "%lld.%03llds", static_cast<long long>(seconds),
                  static_cast<long long>(ms));
  }
  std::string out;
  if (negative) out.push_back('-');
  out.append(buf);
  return out;
}

}  // namespace lockstep::history
