// HistoryStore: a durable store of workflow histories, one append-only history per run, written
// one service step at a time.
//
// What is stored is what the engine holds (engine/history/event_log.h): every event as its
// deterministic serialization (a temporal.api.history.v1.HistoryEvent, without a frame), so a
// run's history read back framed as field 1 of temporal.api.history.v1.History is byte for byte
// SerializeHistoryBinary of the history the service recorded.
//
// Contract:
//   - Commit(batch) writes every run of the batch or none of them. A run's events must follow
//     the stored ones: first_event_id is the stored event count + 1 (1 for a run the store does
//     not know yet, which must then name its workflow type). Anything else is rejected with
//     FailedPrecondition naming the workflow id, the run id and both ids: a lost or a repeated
//     write shows up here, at the next write of the run, not when the history is read.
//   - A run is closed by the batch that writes its close event (its status is then the close
//     event's, see RunStatusAfter); a closed run takes no more events, as in Temporal.
//   - Beside its history a run has the attempt state of its pending activities
//     (engine/service/activity_attempt_state.h), one record per scheduled event id, which
//     Temporal keeps in mutable state and persists in the same transaction as the events. A
//     batch replaces the records it carries, then drops those of the activities it closes; a
//     batch that closes the run drops all of them. A run entry may carry records and no
//     events (an attempt dispatched or retried writes no event); it must then be stored and
//     open, and first_event_id is still the stored count + 1. ReadActivityAttempts returns
//     them by scheduled event id; a record that does not decode is DataLoss naming the
//     execution and the scheduled event id.
//   - Commit does not decode the events: the bytes are stored as given. ReadHistory decodes
//     them and reports a row that does not decode, or whose event id is not its position, as
//     DataLoss naming the workflow id, the run id and the event id; other runs stay readable.
//     ReadHistoryBinary only frames the stored bytes.
//   - Reads of an unknown run are NotFound. ListRuns lists runs in the order the store first
//     saw them.
//   - Errors are returned, never thrown; after a failed Commit the store is as it was before it.
//   - Implementations are not thread-safe: one thread at a time per store object.
#ifndef LOCKSTEP_ENGINE_STORE_HISTORY_STORE_H_
#define LOCKSTEP_ENGINE_STORE_HISTORY_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/service/activity_attempt_state.h"
#include "temporal/api/enums/v1/event_type.pb.h"
#include "temporal/api/enums/v1/workflow.pb.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::store {

using ::lockstep::ActivityAttemptState;
using temporal::api::enums::v1::WorkflowExecutionStatus;

// The events one step appended to one run.
struct RunAppend {
  std::string workflow_id;
  std::string run_id;
  // Required when first_event_id is 1 (the run is new); otherwise empty or the stored type.
  std::string workflow_type;
  int64_t first_event_id = 0;
  // Each event's deterministic serialization, without a frame; events first_event_id, +1, ...
  // Empty only when the entry carries activity attempt records.
  std::vector<std::string> events;
  // The run's status once these events are written: WORKFLOW_EXECUTION_STATUS_RUNNING, or the
  // status the last event closes it with.
  WorkflowExecutionStatus status = temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_RUNNING;
  // Pending activities whose attempt state changed: each replaces the stored record of its
  // scheduled event id.
  std::vector<ActivityAttemptState> activity_attempts;
  // Scheduled event ids of the activities these events close: their records are dropped
  // (after activity_attempts are applied).
  std::vector<int64_t> closed_activities;
};

// One step's writes: at most one entry per run.
struct StoreBatch {
  std::vector<RunAppend> runs;
};

struct RunInfo {
  std::string workflow_id;
  std::string run_id;
  std::string workflow_type;
  WorkflowExecutionStatus status = temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_RUNNING;
  int64_t event_count = 0;

  friend bool operator==(const RunInfo&, const RunInfo&) = default;
};

class HistoryStore {
 public:
  virtual ~HistoryStore() = default;

  // Appends the batch's events, all or nothing (see the contract). InvalidArgument for a batch
  // that is malformed by itself (no events, an id missing, a run twice, a status that is not
  // one); FailedPrecondition for one that does not fit what is stored.
  [[nodiscard]] virtual absl::Status Commit(const StoreBatch& batch) = 0;

  // Every stored run, in the order the store first saw them.
  [[nodiscard]] virtual absl::StatusOr<std::vector<RunInfo>> ListRuns() const = 0;

  // The run's history, decoded.
  [[nodiscard]] virtual absl::StatusOr<temporal::api::history::v1::History> ReadHistory(
      const std::string& workflow_id, const std::string& run_id) const = 0;

  // The run's history as a serialized temporal.api.history.v1.History (SerializeHistoryBinary's
  // bytes when every row decodes), appended to `out`, without decoding it. On an error `out` is
  // as it was.
  [[nodiscard]] virtual absl::Status ReadHistoryBinary(const std::string& workflow_id,
                                                       const std::string& run_id,
                                                       std::string* out) const = 0;

  // The attempt state of the run's pending activities, by scheduled event id (empty for a
  // closed run, and for a run whose activities never changed attempt).
  [[nodiscard]] virtual absl::StatusOr<std::vector<ActivityAttemptState>> ReadActivityAttempts(
      const std::string& workflow_id, const std::string& run_id) const = 0;
};

// The status of a run whose last event is of `type`: RUNNING unless `type` closes the run
// (completed, failed, canceled, terminated, continued as new, timed out).
WorkflowExecutionStatus RunStatusAfter(temporal::api::enums::v1::EventType type);

}  // namespace lockstep::store

#endif  // LOCKSTEP_ENGINE_STORE_HISTORY_STORE_H_
