// Decides, before anything is written, whether a workflow task's commands can be recorded.
//
// Temporal's server handles commands one by one and, at the first bad one, throws the whole
// completion away (service/history/api/respondworkflowtaskcompleted). Two outcomes matter:
//   kReject   - the completion request itself is invalid (a close command that is not last,
//               an unknown command type): the RPC fails, nothing is written, and the started
//               task later times out (start-to-close).
//   kFailTask - a command or update message is invalid for the run's state, or the workflow
//               tries to close while events are buffered (UNHANDLED_COMMAND):
//               WorkflowTaskFailed is written with the cause and a ServerFailure, and a new
//               workflow task is scheduled.
// Update messages are checked in the order the service applies them: each at its
// PROTOCOL_MESSAGE command, the others after the last command; after a close command they are
// not checked (the run's updates are aborted instead, as in Temporal).
// Nexus commands, which this service does not model, fail the task with
// WORKFLOW_TASK_FAILED_CAUSE_FEATURE_DISABLED, as Temporal does for features a namespace has
// switched off, so a workflow using them fails loudly instead of hanging.
#ifndef LOCKSTEP_ENGINE_SERVICE_COMMAND_CHECKER_H_
#define LOCKSTEP_ENGINE_SERVICE_COMMAND_CHECKER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/service/run_state.h"
#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/enums/v1/failed_cause.pb.h"
#include "temporal/api/protocol/v1/message.pb.h"

namespace lockstep::service {

struct CommandVerdict {
  enum class Kind { kAccept, kFailTask, kReject };
  Kind kind = Kind::kAccept;
  temporal::api::enums::v1::WorkflowTaskFailedCause cause =
      temporal::api::enums::v1::WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED;
  std::string message;
};

// `first_command_event_id` is the id the first command's event would get (the
// WorkflowTaskCompleted id + 1); the checker follows ids so that a RequestCancelActivityTask
// may name an activity scheduled earlier in the same task.
CommandVerdict CheckCommands(const RunState& run,
                             const std::vector<temporal::api::command::v1::Command>& commands,
                             const std::vector<temporal::api::protocol::v1::Message>& messages,
                             int64_t first_command_event_id, bool apply_default_retry_policy);

// True for the commands that close the run.
bool IsCloseCommand(temporal::api::enums::v1::CommandType type);

}  // namespace lockstep::service

#endif  // LOCKSTEP_ENGINE_SERVICE_COMMAND_CHECKER_H_
