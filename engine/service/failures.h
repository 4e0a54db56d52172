// Failures and payloads the service itself writes into histories, shaped as Temporal's server
// writes them (common/failure/failure.go: source "Server"; payloads.EncodeString: json/plain).
#ifndef LOCKSTEP_ENGINE_SERVICE_FAILURES_H_
#define LOCKSTEP_ENGINE_SERVICE_FAILURES_H_

#include <string>

#include "absl/strings/string_view.h"
#include "temporal/api/common/v1/message.pb.h"
#include "temporal/api/enums/v1/workflow.pb.h"
#include "temporal/api/failure/v1/message.pb.h"

namespace lockstep::service {

// Temporal's identity for what the server does on its own behalf (consts.IdentityHistoryService).
inline constexpr char kServerIdentity[] = "history-service";

// A failure with timeout_failure_info of `type`, source "Server".
temporal::api::failure::v1::Failure TimeoutFailure(absl::string_view message,
                                                   temporal::api::enums::v1::TimeoutType type);

// A failure with server_failure_info, source "Server" (what Temporal attaches to the
// WorkflowTaskFailed events it writes when it rejects a workflow task's commands).
temporal::api::failure::v1::Failure ServerFailure(absl::string_view message, bool non_retryable);

// One json/plain payload holding `text` as a JSON string.
temporal::api::common::v1::Payloads StringPayloads(absl::string_view text);

// The failures Temporal's server gives an update it ends itself
// (service/history/workflow/update/errors_failures.go): a request the worker ignored
// ("UnprocessedUpdate") and an accepted update whose run closed first
// ("AcceptedUpdateCompletedWorkflow"). Both are non-retryable application failures.
temporal::api::failure::v1::Failure UnprocessedUpdateFailure();
temporal::api::failure::v1::Failure AcceptedUpdateCompletedWorkflowFailure();

// Temporal's message for an activity timeout: "activity StartToClose timeout".
std::string ActivityTimeoutMessage(temporal::api::enums::v1::TimeoutType type);

}  // namespace lockstep::service

#endif  // LOCKSTEP_ENGINE_SERVICE_FAILURES_H_
