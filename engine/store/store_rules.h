// The rules every HistoryStore implementation applies (history_store.h), in one place so that
// the stores accept, reject and report alike: the checks of a batch, and how stored rows are
// framed and decoded.
#ifndef LOCKSTEP_ENGINE_STORE_STORE_RULES_H_
#define LOCKSTEP_ENGINE_STORE_STORE_RULES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/store/history_store.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::store {

// `workflow "ID" run "RUN"`, how every error names an execution.
std::string ExecutionName(absl::string_view workflow_id, absl::string_view run_id);

// Whether `value` is a WorkflowExecutionStatus a run can have (RUNNING or a closed one).
bool IsRunStatus(int64_t value);

// The checks that need nothing stored: ids present, events present (or activity attempt
// state, with the run left running), first event id at least 1, a run status, a type for a new
// run, no run twice, attempt states with ids and attempts from 1 and at most one per activity.
// InvalidArgument naming the execution.
absl::Status CheckBatchShape(const StoreBatch& batch);

// The checks of one run's append against what is stored about it (`stored` null when the run
// is not stored): its first event id follows the stored ones, its type is the stored one, the
// run is not closed, attempt state without events is for a stored run. FailedPrecondition
// naming the execution and the ids.
absl::Status CheckAppend(const RunAppend& run, const RunInfo* stored);

// Appends one stored event to `out` framed as field 1 of temporal.api.history.v1.History.
void AppendFramedEvent(absl::string_view event, std::string* out);

// Decodes the stored row of event `event_id` into `event`. DataLoss naming `source` (a file,
// or empty), the execution and the event id when the bytes do not parse or the event they hold
// has another id.
absl::Status DecodeStoredEvent(absl::string_view bytes, absl::string_view source,
                               absl::string_view workflow_id, absl::string_view run_id,
                               int64_t event_id, temporal::api::history::v1::HistoryEvent* event);

// Decodes the serialized last failure and heartbeat details of a stored activity attempt
// state (nullopt: none) into `state`, whose scheduled_event_id is set. DataLoss naming `source`,
// the execution and the activity's scheduled event id when they do not parse.
absl::Status DecodeStoredAttempt(std::optional<absl::string_view> last_failure,
                                 std::optional<absl::string_view> heartbeat_details,
                                 absl::string_view source, absl::string_view workflow_id,
                                 absl::string_view run_id, ActivityAttemptState* state);

}  // namespace lockstep::store

#endif  // LOCKSTEP_ENGINE_STORE_STORE_RULES_H_
