#include "engine/service/service_env.h"

namespace lockstep {

absl::string_view StepKindName(StepKind kind) {
  switch (kind) {
    case StepKind::kWorkflowTaskDispatch:
      return "WorkflowTaskDispatch";
    case StepKind::kWorkflowTaskResponse:
      return "WorkflowTaskResponse";
    case StepKind::kWorkflowTaskTimeout:
      return "WorkflowTaskTimeout";
    case StepKind::kWorkflowStart:
      return "WorkflowStart";
    case StepKind::kRunTimeout:
      return "RunTimeout";
    case StepKind::kUserTimer:
      return "UserTimer";
    case StepKind::kActivityDispatch:
      return "ActivityDispatch";
    case StepKind::kActivityOutcome:
      return "ActivityOutcome";
    case StepKind::kActivityTimeout:
      return "ActivityTimeout";
    case StepKind::kActivityCancelNoticed:
      return "ActivityCancelNoticed";
    case StepKind::kStartChild:
      return "StartChild";
    case StepKind::kSignalExternal:
      return "SignalExternal";
    case StepKind::kCancelExternal:
      return "CancelExternal";
    case StepKind::kCloseExecution:
      return "CloseExecution";
    case StepKind::kClientStartWorkflow:
      return "ClientStartWorkflow";
    case StepKind::kClientSignalWorkflow:
      return "ClientSignalWorkflow";
    case StepKind::kClientSignalWithStart:
      return "ClientSignalWithStart";
    case StepKind::kClientCancelWorkflow:
      return "ClientCancelWorkflow";
    case StepKind::kClientTerminateWorkflow:
      return "ClientTerminateWorkflow";
    case StepKind::kClientUpdateWorkflow:
      return "ClientUpdateWorkflow";
    case StepKind::kWorkersCrashed:
      return "WorkersCrashed";
  }
  return "Unknown";
}

}  // namespace lockstep
