#include "engine/store/store_rules.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"

namespace lockstep::store {
namespace {

namespace enums = temporal::api::enums::v1;

// History has one field, `repeated HistoryEvent events = 1`: field 1, length-delimited.
constexpr uint8_t kEventsTag = 0x0a;
// A 64-bit varint takes at most ten bytes.
constexpr size_t kMaxVarintBytes = 10;

}  // namespace

std::string ExecutionName(absl::string_view workflow_id, absl::string_view run_id) {
  return absl::StrCat("workflow \"", workflow_id, "\" run \"", run_id, "\"");
}

bool IsRunStatus(int64_t value) {
  return value >= enums::WORKFLOW_EXECUTION_STATUS_RUNNING &&
         value <= enums::WORKFLOW_EXECUTION_STATUS_TIMED_OUT;
}

absl::Status CheckBatchShape(const StoreBatch& batch) {
  std::set<std::pair<absl::string_view, absl::string_view>> seen;
  for (const RunAppend& run : batch.runs) {
    const std::string name = ExecutionName(run.workflow_id, run.run_id);
    if (run.workflow_id.empty() || run.run_id.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(name,
                                                     ": a workflow id and a run id are "
                                                     "both required"));
    }
    if (!seen.emplace(run.workflow_id, run.run_id).second) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": twice in one batch"));
    }
    if (run.events.empty() && run.activity_attempts.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": no events to append and no activity attempt state"));
    }
    if (run.events.empty() && run.status != enums::WORKFLOW_EXECUTION_STATUS_RUNNING) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": status ", enums::WorkflowExecutionStatus_Name(run.status),
                       " without an event that closes the run"));
    }
    std::set<int64_t> activities;
    for (const ActivityAttemptState& attempt : run.activity_attempts) {
      if (attempt.scheduled_event_id < 1 || attempt.attempt < 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            name, ": activity attempt state with scheduled event id ", attempt.scheduled_event_id,
            " and attempt ", attempt.attempt, " (both start at 1)"));
      }
      if (!activities.insert(attempt.scheduled_event_id).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": two attempt states for the activity scheduled at event ",
                         attempt.scheduled_event_id));
      }
    }
    if (run.first_event_id < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": first event id ", run.first_event_id, " (ids start at 1)"));
    }
    if (run.first_event_id == 1 && run.workflow_type.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": a run's first events must name its workflow type"));
    }
    if (!IsRunStatus(run.status)) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": status ", static_cast<int>(run.status), " is not a run status"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckAppend(const RunAppend& run, const RunInfo* stored) {
  if (run.events.empty() && stored == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(ExecutionName(run.workflow_id, run.run_id),
                     ": activity attempt state for a run that is not stored"));
  }
  const int64_t count = stored != nullptr ? stored->event_count : 0;
  if (run.first_event_id != count + 1) {
    return absl::FailedPreconditionError(
        absl::StrCat(ExecutionName(run.workflow_id, run.run_id), ": the batch starts at event ",
                     run.first_event_id, " but the store holds ", count, " events (the next is ",
                     count + 1, "): a write was lost or repeated"));
  }
  if (stored == nullptr) return absl::OkStatus();
  if (!run.workflow_type.empty() && run.workflow_type != stored->workflow_type) {
    return absl::FailedPreconditionError(absl::StrCat(
        ExecutionName(run.workflow_id, run.run_id), ": the batch gives workflow type \"",
        run.workflow_type, "\" but the stored run is of type \"", stored->workflow_type, "\""));
  }
  if (stored->status != enums::WORKFLOW_EXECUTION_STATUS_RUNNING) {
    return absl::FailedPreconditionError(absl::StrCat(
        ExecutionName(run.workflow_id, run.run_id), ": closed (",
        enums::WorkflowExecutionStatus_Name(stored->status), ") after event ", count, ", so ",
        run.events.empty() ? "activity attempt state cannot be stored"
                           : absl::StrCat("event ", run.first_event_id, " cannot be appended")));
  }
  return absl::OkStatus();
}

void AppendFramedEvent(absl::string_view event, std::string* out) {
  uint8_t header[1 + kMaxVarintBytes];
  uint8_t* end = google::protobuf::io::CodedOutputStream::WriteTagToArray(kEventsTag, header);
  end = google::protobuf::io::CodedOutputStream::WriteVarint64ToArray(event.size(), end);
  out->append(reinterpret_cast<const char*>(header), static_cast<size_t>(end - header));
  out->append(event.data(), event.size());
}

absl::Status DecodeStoredEvent(absl::string_view bytes, absl::string_view source,
                               absl::string_view workflow_id, absl::string_view run_id,
                               int64_t event_id, temporal::api::history::v1::HistoryEvent* event) {
  const std::string where =
      absl::StrCat(source, source.empty() ? "" : ": ", ExecutionName(workflow_id, run_id),
                   ": stored event ", event_id);
  if (!event->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(absl::StrCat(where, " does not decode (", bytes.size(), " bytes)"));
  }
  // Bytes that happen to parse (protobuf keeps fields it does not know) still have to be the
  // event of their row.
  if (event->event_id() != event_id) {
    return absl::DataLossError(
        absl::StrCat(where, " decodes to an event with id ", event->event_id()));
  }
  return absl::OkStatus();
}

absl::Status DecodeStoredAttempt(std::optional<absl::string_view> last_failure,
                                 std::optional<absl::string_view> heartbeat_details,
                                 absl::string_view source, absl::string_view workflow_id,
                                 absl::string_view run_id, ActivityAttemptState* state) {
  auto decode = [&](absl::string_view bytes, absl::string_view what,
                    google::protobuf::MessageLite* message) -> absl::Status {
    if (message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::OkStatus();
    }
    return absl::DataLossError(
        absl::StrCat(source, source.empty() ? "" : ": ", ExecutionName(workflow_id, run_id),
                     ": the stored ", what, " of the activity scheduled at event ",
                     state->scheduled_event_id, " does not decode (", bytes.size(), " bytes)"));
  };
  state->last_failure.reset();
  state->heartbeat_details.reset();
  if (last_failure.has_value()) {
    if (absl::Status s = decode(*last_failure, "last failure", &state->last_failure.emplace());
        !s.ok()) {
      return s;
    }
  }
  if (heartbeat_details.has_value()) {
    return decode(*heartbeat_details, "heartbeat details", &state->heartbeat_details.emplace());
  }
  return absl::OkStatus();
}

}  // namespace lockstep::store
