// Structural validation of a history, independent of any workflow code.
//
// Rules (each problem names the event id and what is wrong):
//   1. The history is not empty and its first event is WorkflowExecutionStarted.
//   2. Event ids start at 1 and increase by exactly one.
//   3. Every event has a known type and carries the attributes of that type.
//   4. Every reference to another event (scheduledEventId, startedEventId, initiatedEventId,
//      ...) points to an earlier event, and where the schema fixes its type (an
//      ActivityTaskStarted's scheduledEventId names an ActivityTaskScheduled), to an event of
//      that type. Zero means "none" where Temporal allows it (a timed-out activity that never
//      started). workflowTaskCompletedEventId is informational and real histories record it
//      inexactly (see validate.cc), so it is not checked.
//   5. At most one close event (completed, failed, timed out, canceled, terminated,
//      continued as new), and it is the last event.
// A history that ends mid-run is valid: incomplete histories are normal input for replay.
#ifndef LOCKSTEP_ENGINE_HISTORY_VALIDATE_H_
#define LOCKSTEP_ENGINE_HISTORY_VALIDATE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::history {

struct ValidationProblem {
  int64_t event_id = 0;  // the offending event's id, or 0 for the history as a whole
  int event_type = 0;    // its temporal.api.enums.v1.EventType, 0 when unknown
  std::string message;
};

// Every problem, in event order.
std::vector<ValidationProblem> FindProblems(const temporal::api::history::v1::History& history);

// OK, or InvalidArgument "<source>: event <id> (<type>): <problem>" for the first problem,
// with a count of the others.
[[nodiscard]] absl::Status ValidateHistory(const temporal::api::history::v1::History& history,
                                           absl::string_view source);

}  // namespace lockstep::history

#endif  // LOCKSTEP_ENGINE_HISTORY_VALIDATE_H_
