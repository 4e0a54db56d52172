#include "examples/temporal_ports/temporal_ports.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include "absl/strings/match.h"
#include "examples/temporal_ports/port_registrations.h"

namespace lockstep::ports {

const std::vector<TemporalPort>& TemporalPorts() {
  static const std::vector<TemporalPort> kPorts = {
      {"sdk-go/continue-as-new", "sdk-go__test__replaytests__continue-as-new.json",
       "ContinueAsNewWorkflow", "replay-test", RegisterGoContinueAsNew},
      {"sdk-go/side-effect", "sdk-go__test__replaytests__side-effect.json", "SideEffectWorkflow",
       "replay-test", RegisterGoSideEffect},
      {"sdk-go/workflow1", "sdk-go__test__replaytests__workflow1.json", "Workflow1", "replay-test",
       RegisterGoWorkflow1},
      {"sdk-go/workflow2", "sdk-go__test__replaytests__workflow2.json", "Workflow2", "replay-test",
       RegisterGoWorkflow2},
      {"sdk-go/activity-same-time-as-cancel",
       "sdk-go__test__replaytests__activity-same-time-as-cancel.json",
       "WorkflowWithLocalActivityStartWhenTimerCancel", "tq-1-",
       RegisterGoActivitySameTimeAsCancel},
      {"sdk-go/update_complete_and_exit",
       "sdk-go__test__replaytests__update_complete_and_exit.json", "UpdateAndExit", "replay-test",
       RegisterGoUpdateCompleteAndExit},
      {"sdk-go/parentWF", "sdk-go__internal__testdata__parentWF.json",
       "testReplayWorkflowFromFileParent", "childWorkflowGroup", RegisterGoParentWorkflow},
      {"sdk-go/local-activity", "sdk-go__test__replaytests__local-activity.json",
       "LocalActivityWorkflow", "replay-test", RegisterGoLocalActivity},
      {"sdk-go/upsert-memo", "sdk-go__test__replaytests__upsert-memo-workflow.json",
       "UpsertMemoWorkflow", "replay-test", RegisterGoUpsertMemo},
      {"sdk-go/search-attribute", "sdk-go__test__replaytests__search-attribute.json",
       "UpsertSearchAttributesWorkflow", "replay-test", RegisterGoSearchAttributes},
      {"sdk-java/cancellationScopeDeterminism",
       "sdk-java__temporal-sdk__src__test__resources__cancellationScopeDeterminism.json",
       "TestWorkflow", "WorkflowTest-replayCanceledWorkflow", RegisterJavaCancellationScope},
      {"sdk-java/testChildWorkflowRetryHistory",
       "sdk-java__temporal-sdk__src__test__resources__testChildWorkflowRetryHistory.json",
       "TestWorkflow1", "WorkflowTest-testChildWorkflowRetry", RegisterJavaChildWorkflowRetry},
      {"sdk-java/testGetVersionHistory",
       "sdk-java__temporal-sdk__src__test__resources__testGetVersionHistory.json", "TestWorkflow1",
       "WorkflowTest-testGetVersion-", RegisterJavaGetVersion},
      {"sdk-java/testGetVersionInSignalHistory",
       "sdk-java__temporal-sdk__src__test__resources__testGetVersionInSignalHistory.json",
       "TestSignaledWorkflow", "WorkflowTest-testGetVersionInSignal-",
       RegisterJavaGetVersionInSignal},
      {"samples-go/helloworld", "samples-go__helloworld__helloworld.json", "Workflow",
       "hello-world", RegisterSamplesGoHelloWorld},
      {"features/activity/retry_on_error (go)",
       "features__features__activity__retry_on_error__history__history.go.v1.5.0.json", "Workflow",
       "features-activity/retry_on_error", RegisterFeaturesRetryOnError},
  };
  return kPorts;
}

const TemporalPort* FindPort(const temporal::api::history::v1::History& history) {
  if (history.events_size() == 0) return nullptr;
  const auto& started = history.events(0).workflow_execution_started_event_attributes();
  for (const TemporalPort& port : TemporalPorts()) {
    if (started.workflow_type().name() == port.workflow_type &&
        absl::StartsWith(started.task_queue().name(), port.task_queue_prefix)) {
      return &port;
    }
  }
  return nullptr;
}

const Registry& PortRegistry(const TemporalPort& port) {
  static std::mutex mu;
  static auto* registries = new std::map<const TemporalPort*, std::unique_ptr<Registry>>();
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = (*registries)[&port];
  if (!slot) {
    slot = std::make_unique<Registry>();
    if (absl::Status s = port.register_fn(slot.get()); !s.ok()) {
      std::fprintf(stderr, "lockstep: port %s: %s\n", port.name, std::string(s.message()).c_str());
      std::abort();
    }
  }
  return *slot;
}

}  // namespace lockstep::ports
