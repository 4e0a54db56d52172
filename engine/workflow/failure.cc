#include "engine/workflow/failure.h"

namespace lockstep {

WorkflowFailure::WorkflowFailure(temporal::api::failure::v1::Failure failure)
    : std::runtime_error(failure.message()), failure_(std::move(failure)) {}

namespace {

temporal::api::failure::v1::Failure MakeApplicationFailure(const std::string& message,
                                                           const std::string& type,
                                                           bool non_retryable) {
  temporal::api::failure::v1::Failure f;
  f.set_message(message);
  f.set_source("Lockstep");
  auto* info = f.mutable_application_failure_info();
  info->set_type(type);
  info->set_non_retryable(non_retryable);
  return f;
}

temporal::api::failure::v1::Failure MakeCanceledFailure(const std::string& message) {
  temporal::api::failure::v1::Failure f;
  f.set_message(message);
  f.set_source("Lockstep");
  f.mutable_canceled_failure_info();
  return f;
}

}  // namespace

ApplicationFailure::ApplicationFailure(const std::string& message, const std::string& type,
                                       bool non_retryable)
    : WorkflowFailure(MakeApplicationFailure(message, type, non_retryable)) {}

CanceledFailure::CanceledFailure(const std::string& message)
    : WorkflowFailure(MakeCanceledFailure(message)) {}

}  // namespace lockstep
