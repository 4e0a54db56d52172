// Failures as workflow code sees them: C++ exceptions that carry a Temporal Failure.
//
// Throwing a WorkflowFailure (or letting one escape, such as the ActivityFailure an awaited
// activity raises) fails the workflow: the run records FailWorkflowExecution with that
// failure. Any other exception escaping workflow code is a bug in the code, not a business
// outcome: it fails the workflow task, which the service retries, as Temporal does.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_FAILURE_H_
#define LOCKSTEP_ENGINE_WORKFLOW_FAILURE_H_

#include <stdexcept>
#include <string>
#include <utility>

#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/failure/v1/message.pb.h"

namespace lockstep {

class WorkflowFailure : public std::runtime_error {
 public:
  explicit WorkflowFailure(temporal::api::failure::v1::Failure failure);
  const temporal::api::failure::v1::Failure& failure() const { return failure_; }

 private:
  temporal::api::failure::v1::Failure failure_;
};

// A business failure raised by workflow or activity code. `type` names the error for retry
// policies (non_retryable_error_types); `non_retryable` stops activity retries outright.
class ApplicationFailure : public WorkflowFailure {
 public:
  ApplicationFailure(const std::string& message, const std::string& type = "",
                     bool non_retryable = false);
};

// An awaited activity failed, timed out or was canceled; cause() carries why.
class ActivityFailure : public WorkflowFailure {
 public:
  using WorkflowFailure::WorkflowFailure;
};

// An awaited child workflow failed, timed out, was canceled or terminated, or could not start;
// failure().cause() carries why (child_workflow_execution_failure_info names the child).
class ChildWorkflowFailure : public WorkflowFailure {
 public:
  using WorkflowFailure::WorkflowFailure;
};

// The awaited operation was canceled.
class CanceledFailure : public WorkflowFailure {
 public:
  explicit CanceledFailure(const std::string& message);
};

// Thrown by WorkflowContext::ContinueAsNew to end the run and start the next one. It is not
// a std::exception, so `catch (const std::exception&)` in workflow code lets it through.
class ContinueAsNewRequest {
 public:
  explicit ContinueAsNewRequest(
      temporal::api::command::v1::ContinueAsNewWorkflowExecutionCommandAttributes attributes)
      : attributes_(std::move(attributes)) {}
  const temporal::api::command::v1::ContinueAsNewWorkflowExecutionCommandAttributes& attributes()
      const {
    return attributes_;
  }

 private:
  temporal::api::command::v1::ContinueAsNewWorkflowExecutionCommandAttributes attributes_;
};

// A query handler or other read-only code tried to change the workflow (issue a command).
class QueryViolation : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_FAILURE_H_
