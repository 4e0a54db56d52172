#include "engine/service/failures.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "engine/history/json_writer.h"

namespace lockstep::service {
namespace {

constexpr char kServerSource[] = "Server";

std::string JsonQuote(absl::string_view text) {
  std::string out;
  history::AppendJsonString(text, &out);
  return out;
}

}  // namespace

temporal::api::failure::v1::Failure TimeoutFailure(absl::string_view message,
                                                   temporal::api::enums::v1::TimeoutType type) {
  temporal::api::failure::v1::Failure failure;
  failure.set_message(std::string(message));
  failure.set_source(kServerSource);
  failure.mutable_timeout_failure_info()->set_timeout_type(type);
  return failure;
}

temporal::api::failure::v1::Failure ServerFailure(absl::string_view message, bool non_retryable) {
  temporal::api::failure::v1::Failure failure;
  failure.set_message(std::string(message));
  failure.set_source(kServerSource);
  failure.mutable_server_failure_info()->set_non_retryable(non_retryable);
  return failure;
}

namespace {

temporal::api::failure::v1::Failure ServerApplicationFailure(absl::string_view message,
                                                             absl::string_view type) {
  temporal::api::failure::v1::Failure failure;
  failure.set_message(std::string(message));
  failure.set_source(kServerSource);
  failure.mutable_application_failure_info()->set_type(std::string(type));
  failure.mutable_application_failure_info()->set_non_retryable(true);
  return failure;
}

}  // namespace

temporal::api::failure::v1::Failure UnprocessedUpdateFailure() {
  return ServerApplicationFailure(
      "Workflow Update is rejected because it wasn't processed by worker. Probably, Workflow "
      "Update is not supported by the worker.",
      "UnprocessedUpdate");
}

temporal::api::failure::v1::Failure AcceptedUpdateCompletedWorkflowFailure() {
  return ServerApplicationFailure(
      "Workflow Update failed because the Workflow completed before the Update completed.",
      "AcceptedUpdateCompletedWorkflow");
}

temporal::api::common::v1::Payloads StringPayloads(absl::string_view text) {
  temporal::api::common::v1::Payloads payloads;
  // A JSON string, as Temporal's Go SDK encodes one (json/plain).
  temporal::api::common::v1::Payload* payload = payloads.add_payloads();
  (*payload->mutable_metadata())["encoding"] = "json/plain";
  payload->set_data(JsonQuote(text));
  return payloads;
}

std::string ActivityTimeoutMessage(temporal::api::enums::v1::TimeoutType type) {
  namespace enums = temporal::api::enums::v1;
  // Temporal formats common.FailureReasonActivityTimeout ("activity %v timeout") with Go's
  // TimeoutType.String().
  switch (type) {
    case enums::TIMEOUT_TYPE_START_TO_CLOSE:
      return "activity StartToClose timeout";
    case enums::TIMEOUT_TYPE_SCHEDULE_TO_START:
      return "activity ScheduleToStart timeout";
    case enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE:
      return "activity ScheduleToClose timeout";
    case enums::TIMEOUT_TYPE_HEARTBEAT:
      return "activity Heartbeat timeout";
    default:
      return absl::StrCat("activity ", static_cast<int>(type), " timeout");
  }
}

}  // namespace lockstep::service
