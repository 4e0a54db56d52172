// Small helpers the buggy examples' invariants share: reading a run's identity and input from
// its history (a RunView gives histories, not inputs).
#ifndef LOCKSTEP_EXAMPLES_BUGGY_WORKLOAD_UTIL_H_
#define LOCKSTEP_EXAMPLES_BUGGY_WORKLOAD_UTIL_H_

#include <string>
#include <tuple>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "engine/payload/payload.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::examples::buggy {

// The run id a history belongs to (its WorkflowExecutionStarted names it as the original
// execution); empty for an empty history.
inline std::string RunIdOf(const temporal::api::history::v1::History& history) {
  if (history.events_size() == 0) return "";
  return history.events(0)
      .workflow_execution_started_event_attributes()
      .original_execution_run_id();
}

// The run's input, decoded as T.
template <typename T>
absl::StatusOr<T> StartedInputAs(const temporal::api::history::v1::History& history) {
  if (history.events_size() == 0) {
    return absl::FailedPreconditionError("the history is empty");
  }
  auto decoded =
      FromPayloads<T>(history.events(0).workflow_execution_started_event_attributes().input());
  if (!decoded.ok()) return decoded.status();
  return std::get<0>(*std::move(decoded));
}

}  // namespace lockstep::examples::buggy

#endif  // LOCKSTEP_EXAMPLES_BUGGY_WORKLOAD_UTIL_H_
