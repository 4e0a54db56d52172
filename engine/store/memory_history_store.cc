#include "engine/store/memory_history_store.h"

#include "absl/strings/str_cat.h"
#include "engine/store/store_rules.h"

namespace lockstep::store {

using temporal::api::history::v1::History;

absl::Status MemoryHistoryStore::Commit(const StoreBatch& batch) {
  if (absl::Status shape = CheckBatchShape(batch); !shape.ok()) return shape;
  // Every check first, then every write: nothing below can fail, so the batch is all or
  // nothing.
  for (const RunAppend& run : batch.runs) {
    auto found = index_.find({run.workflow_id, run.run_id});
    const RunInfo* stored = found != index_.end() ? &runs_[found->second].info : nullptr;
    if (absl::Status fits = CheckAppend(run, stored); !fits.ok()) return fits;
  }
  for (const RunAppend& run : batch.runs) {
    auto [found, added] = index_.try_emplace({run.workflow_id, run.run_id}, runs_.size());
    if (added) {
      Run& fresh = runs_.emplace_back();
      fresh.info.workflow_id = run.workflow_id;
      fresh.info.run_id = run.run_id;
      fresh.info.workflow_type = run.workflow_type;
    }
    Run& stored = runs_[found->second];
    stored.events.insert(stored.events.end(), run.events.begin(), run.events.end());
    stored.info.event_count = static_cast<int64_t>(stored.events.size());
    stored.info.status = run.status;
    for (const ActivityAttemptState& attempt : run.activity_attempts) {
      stored.activity_attempts[attempt.scheduled_event_id] = attempt;
    }
    for (int64_t closed : run.closed_activities) stored.activity_attempts.erase(closed);
    if (run.status != temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_RUNNING) {
      stored.activity_attempts.clear();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ActivityAttemptState>> MemoryHistoryStore::ReadActivityAttempts(
    const std::string& workflow_id, const std::string& run_id) const {
  absl::StatusOr<const Run*> run = Find(workflow_id, run_id);
  if (!run.ok()) return run.status();
  std::vector<ActivityAttemptState> attempts;
  attempts.reserve((*run)->activity_attempts.size());
  for (const auto& [id, attempt] : (*run)->activity_attempts) attempts.push_back(attempt);
  return attempts;
}

absl::StatusOr<std::vector<RunInfo>> MemoryHistoryStore::ListRuns() const {
  std::vector<RunInfo> runs;
  runs.reserve(runs_.size());
  for (const Run& run : runs_) runs.push_back(run.info);
  return runs;
}

absl::StatusOr<const MemoryHistoryStore::Run*> MemoryHistoryStore::Find(
    const std::string& workflow_id, const std::string& run_id) const {
  auto found = index_.find({workflow_id, run_id});
  if (found == index_.end()) {
    return absl::NotFoundError(absl::StrCat(ExecutionName(workflow_id, run_id), ": not stored"));
  }
  return &runs_[found->second];
}

absl::StatusOr<History> MemoryHistoryStore::ReadHistory(const std::string& workflow_id,
                                                        const std::string& run_id) const {
  absl::StatusOr<const Run*> run = Find(workflow_id, run_id);
  if (!run.ok()) return run.status();
  History history;
  for (size_t i = 0; i < (*run)->events.size(); ++i) {
    absl::Status decoded = DecodeStoredEvent((*run)->events[i], "", workflow_id, run_id,
                                             static_cast<int64_t>(i) + 1, history.add_events());
    if (!decoded.ok()) return decoded;
  }
  return history;
}

absl::Status MemoryHistoryStore::ReadHistoryBinary(const std::string& workflow_id,
                                                   const std::string& run_id,
                                                   std::string* out) const {
  absl::StatusOr<const Run*> run = Find(workflow_id, run_id);
  if (!run.ok()) return run.status();
  for (const std::string& event : (*run)->events) AppendFramedEvent(event, out);
  return absl::OkStatus();
}

}  // namespace lockstep::store
