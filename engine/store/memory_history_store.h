// MemoryHistoryStore: a HistoryStore (history_store.h) held in memory, for tests and the
// simulator. It keeps every stored row as given, so it behaves as a durable store does in
// everything but surviving the process. Not thread-safe.
#ifndef LOCKSTEP_ENGINE_STORE_MEMORY_HISTORY_STORE_H_
#define LOCKSTEP_ENGINE_STORE_MEMORY_HISTORY_STORE_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/store/history_store.h"

namespace lockstep::store {

class MemoryHistoryStore : public HistoryStore {
 public:
  absl::Status Commit(const StoreBatch& batch) override;
  absl::StatusOr<std::vector<RunInfo>> ListRuns() const override;
  absl::StatusOr<temporal::api::history::v1::History> ReadHistory(
      const std::string& workflow_id, const std::string& run_id) const override;
  absl::Status ReadHistoryBinary(const std::string& workflow_id, const std::string& run_id,
                                 std::string* out) const override;
  absl::StatusOr<std::vector<ActivityAttemptState>> ReadActivityAttempts(
      const std::string& workflow_id, const std::string& run_id) const override;

 private:
  struct Run {
    RunInfo info;
    std::vector<std::string> events;
    std::map<int64_t, ActivityAttemptState> activity_attempts;  // by scheduled event id
  };
  // The run, or NotFound naming it.
  absl::StatusOr<const Run*> Find(const std::string& workflow_id, const std::string& run_id) const;

  std::vector<Run> runs_;  // in the order first committed
  // (workflow id, run id) -> index in runs_. An ordered map: nothing here depends on hashing.
  std::map<std::pair<std::string, std::string>, size_t> index_;
};

}  // namespace lockstep::store

#endif  // LOCKSTEP_ENGINE_STORE_MEMORY_HISTORY_STORE_H_
