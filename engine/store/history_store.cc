#include "engine/store/history_store.h"

namespace lockstep::store {

namespace enums = temporal::api::enums::v1;

WorkflowExecutionStatus RunStatusAfter(enums::EventType type) {
  switch (type) {
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      return enums::WORKFLOW_EXECUTION_STATUS_COMPLETED;
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      return enums::WORKFLOW_EXECUTION_STATUS_FAILED;
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      return enums::WORKFLOW_EXECUTION_STATUS_TIMED_OUT;
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      return enums::WORKFLOW_EXECUTION_STATUS_CANCELED;
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      return enums::WORKFLOW_EXECUTION_STATUS_TERMINATED;
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
      return enums::WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW;
    default:
      return enums::WORKFLOW_EXECUTION_STATUS_RUNNING;
  }
}

}  // namespace lockstep::store
