// WorkflowRun: versioning (GetVersion, Patched, DeprecatePatch) and the commands that only
// record something (markers, search attribute and memo upserts).
//
// Replay rule for versions, as in Temporal's SDKs: the version of a change id is decided the
// first time the code asks. When the run executes new code, it is the highest supported
// version and a marker records it. When it replays, it is the version recorded by a marker of
// the task being replayed, or kDefaultVersion if that task has no marker for the change id
// (the history predates the change).
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/machines/marker_machine.h"
#include "engine/machines/version_marker.h"
#include "engine/workflow/run_internal.h"
#include "engine/workflow/workflow_run.h"

namespace lockstep {

namespace enums = temporal::api::enums::v1;
using temporal::api::command::v1::Command;
using temporal::api::history::v1::HistoryEvent;

void WorkflowRun::AddRecordOnlyCommand(Command command, SourceLocation where,
                                       const CommandKey* key) {
  auto state = std::make_shared<machines::RecordState>(machines::RecordState::kCreated);
  AddCommand(
      std::move(command),
      [state](const HistoryEvent& event) -> RunStatus {
        auto next = machines::RecordTransitions().Next(*state, machines::RecordTrigger::kRecorded);
        if (!next) {
          // The event matched the command, so its key reads as the command's.
          DecodedMarker decoded;
          return RunError::Of(
              RunError::Kind::kCorruptHistory,
              absl::StrCat(KeyOfEvent(event, &decoded).ToString(), " recorded twice"),
              event.event_id());
        }
        *state = *next;
        return {};
      },
      where, key);
}

int WorkflowRun::GetVersion(const std::string& change_id, int min_supported, int max_supported,
                            SourceLocation where) {
  CheckMayIssueCommand("GetVersion", change_id, where);
  int version = 0;
  bool record = false;
  bool upsert = false;
  bool deprecated = false;
  if (auto known = versions_.find(change_id); known != versions_.end()) {
    version = known->second;
  } else if (replaying_) {
    auto recorded = recorded_versions_.find(change_id);
    if (recorded == recorded_versions_.end()) {
      version = WorkflowContext::kDefaultVersion;
    } else {
      version = recorded->second.version;
      record = true;
      upsert = recorded->second.search_attribute_updated;
      deprecated = recorded->second.deprecated;
    }
  } else {
    version = max_supported;
    record = true;
    upsert = upsert_change_version_;
  }
  if (version < min_supported || version > max_supported) {
    throw std::out_of_range(absl::StrCat(
        "GetVersion(\"", change_id, "\") at ", run_internal::Where(where), ": version ", version,
        " is outside the supported range [", min_supported, ", ", max_supported,
        "]; the history was recorded by code this code no longer supports"));
  }
  versions_.emplace(change_id, version);
  if (!record) return version;

  Command marker;
  marker.set_command_type(enums::COMMAND_TYPE_RECORD_MARKER);
  *marker.mutable_record_marker_command_attributes() = machines::VersionMarkerCommand(
      {change_id, version, /*search_attribute_updated=*/upsert, deprecated});
  const CommandKey key = CommandKey::VersionMarker(change_id);
  AddRecordOnlyCommand(std::move(marker), where, &key);
  if (upsert) {
    // Newest first, as Temporal's Go SDK writes it, so the list reads as a change log.
    change_versions_.insert(change_versions_.begin(), absl::StrCat(change_id, "-", version));
    temporal::api::common::v1::SearchAttributes attributes;
    Payload value = ToPayload(change_versions_);
    (*value.mutable_metadata())["type"] = "KeywordList";
    (*attributes.mutable_indexed_fields())[std::string(machines::kChangeVersionSearchAttribute)] =
        std::move(value);
    UpsertSearchAttributes(std::move(attributes), where);
  }
  return version;
}

void WorkflowRun::DeprecatePatch(const std::string& change_id, SourceLocation where) {
  CheckMayIssueCommand("DeprecatePatch", change_id, where);
  if (versions_.count(change_id) != 0) return;
  if (replaying_) {
    if (recorded_versions_.count(change_id) == 0) {
      versions_.emplace(change_id, 1);  // recorded without the marker: nothing to match
    } else {
      // Whatever was recorded (a live Patched marker and its upsert, or a deprecated one)
      // is issued again, so it matches.
      GetVersion(change_id, std::numeric_limits<int>::min(), std::numeric_limits<int>::max(),
                 where);
    }
    return;
  }
  versions_.emplace(change_id, 1);
  Command marker;
  marker.set_command_type(enums::COMMAND_TYPE_RECORD_MARKER);
  *marker.mutable_record_marker_command_attributes() =
      machines::VersionMarkerCommand({change_id, 1, false, /*deprecated=*/true});
  const CommandKey key = CommandKey::VersionMarker(change_id);
  AddRecordOnlyCommand(std::move(marker), where, &key);
}

void WorkflowRun::UpsertSearchAttributes(temporal::api::common::v1::SearchAttributes attributes,
                                         SourceLocation where) {
  CheckMayIssueCommand("UpsertSearchAttributes", where);
  for (const auto& [key, value] : attributes.indexed_fields()) {
    (*search_attributes_.mutable_indexed_fields())[key] = value;
  }
  Command command;
  command.set_command_type(enums::COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES);
  *command.mutable_upsert_workflow_search_attributes_command_attributes()
       ->mutable_search_attributes() = std::move(attributes);
  AddRecordOnlyCommand(std::move(command), where);
}

void WorkflowRun::UpsertMemo(temporal::api::common::v1::Memo memo, SourceLocation where) {
  CheckMayIssueCommand("UpsertMemo", where);
  for (const auto& [key, value] : memo.fields()) (*memo_.mutable_fields())[key] = value;
  Command command;
  command.set_command_type(enums::COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES);
  *command.mutable_modify_workflow_properties_command_attributes()->mutable_upserted_memo() =
      std::move(memo);
  AddRecordOnlyCommand(std::move(command), where);
}

// ---------------------------------------------------------------------------------------
// WorkflowContext

int WorkflowContext::GetVersion(const std::string& change_id, int min_supported, int max_supported,
                                SourceLocation where) {
  return run_->GetVersion(change_id, min_supported, max_supported, where);
}

bool WorkflowContext::Patched(const std::string& change_id, SourceLocation where) {
  return run_->GetVersion(change_id, kDefaultVersion, 1, where) == 1;
}

void WorkflowContext::DeprecatePatch(const std::string& change_id, SourceLocation where) {
  run_->DeprecatePatch(change_id, where);
}

void WorkflowContext::UpsertSearchAttributes(const std::map<std::string, Payload>& attributes,
                                             SourceLocation where) {
  temporal::api::common::v1::SearchAttributes sa;
  for (const auto& [key, value] : attributes) (*sa.mutable_indexed_fields())[key] = value;
  run_->UpsertSearchAttributes(std::move(sa), where);
}

void WorkflowContext::UpsertMemo(const std::map<std::string, Payload>& fields,
                                 SourceLocation where) {
  temporal::api::common::v1::Memo memo;
  for (const auto& [key, value] : fields) (*memo.mutable_fields())[key] = value;
  run_->UpsertMemo(std::move(memo), where);
}

const temporal::api::common::v1::SearchAttributes& WorkflowContext::SearchAttributes() const {
  return run_->search_attributes_;
}

const temporal::api::common::v1::Memo& WorkflowContext::Memo() const { return run_->memo_; }

void WorkflowContext::SetChangeVersionSearchAttribute(bool enabled) {
  run_->upsert_change_version_ = enabled;
}

}  // namespace lockstep
