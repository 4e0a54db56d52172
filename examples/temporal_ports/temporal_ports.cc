#include "examples/temporal_ports/temporal_ports.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
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
      {"features/activity/retry_on_error (java)",
       "features__features__activity__retry_on_error__history__history.java.1.0.6.json",
       "SimpleWorkflow", "features-activity/retry_on_error", RegisterFeaturesJavaRetryOnError},
      {"features/telemetry/metrics (go)",
       "features__features__telemetry__metrics__history__history.go.v1.11.0.json", "Workflow",
       "features-telemetry/tally_metrics", RegisterFeaturesMetrics},
      {"features/bugs/go/activity_start_race",
       "features__features__bugs__go__activity_start_race__history__history.manual.json",
       "Workflow", "features-bugs/go/activity_start_race", RegisterFeaturesActivityStartRace},
      {"samples-go/rainbow-statuses",
       "samples-go__temporal-fixtures__rainbow-statuses__rainbowstatusesworkflow.json",
       "RainbowStatusesWorkflow", "rainbow-statuses", RegisterSamplesGoRainbowStatuses},
      {"sdk-go/sampleHistory", "sdk-go__internal__testdata__sampleHistory.json",
       "testReplayWorkflowFromFile", "taskQueue1", RegisterGoSampleHistory},
      {"sdk-go/activity.cancel.sm.repro", "sdk-go__test__fixtures__activity.cancel.sm.repro.json",
       "ActivityCancelRepro", "tq-", RegisterGoActivityCancelRepro},
      {"sdk-go/await-with-timeout-no-timer-cancel",
       "sdk-go__test__replaytests__await-with-timeout-no-timer-cancel.json",
       "AwaitWithTimeoutNoTimerCancelWorkflow", "test-task-queue",
       RegisterGoAwaitWithTimeoutNoTimerCancel},
      {"sdk-go/cancel-activity-completion-before-workflow-task-started",
       "sdk-go__test__replaytests__cancel-activity-completion-before-workflow-task-started.json",
       "CancelActivityCompletionBeforeWorkflowTaskStarted", "replay-test",
       RegisterGoCancelActivityCompletion},
      {"sdk-go/duplicate-child-workflow",
       "sdk-go__test__replaytests__duplicate-child-workflow.json", "DuplicateChildWorkflow",
       "replay-test", RegisterGoDuplicateChildWorkflow},
      {"sdk-go/multiple-updates", "sdk-go__test__replaytests__multiple-updates.json",
       "MultipleUpdateWorkflow", "tq-ca4512b3-5a8f-483f-aab7-915860ef7685-",
       RegisterGoMultipleUpdates},
      {"sdk-go/mutable-side-effect", "sdk-go__test__replaytests__mutable-side-effect.json",
       "MutableSideEffectWorkflow", "replay-test", RegisterGoMutableSideEffect},
      {"sdk-go/replay-tests-version-and-mutable-side-effect",
       "sdk-go__test__replaytests__replay-tests-version-and-mutable-side-effect.json",
       "VersionAndMutableSideEffectWorkflow", "replay-test", RegisterGoVersionAndMutableSideEffect},
      {"sdk-go/parallel-local-activities",
       "sdk-go__test__replaytests__parallel-local-activities.json",
       "WorkflowWithParallelLocalActivities", "tq-1-", RegisterGoParallelLocalActivities},
      {"sdk-go/partial-replay-non-command-event",
       "sdk-go__test__replaytests__partial-replay-non-command-event.json", "TripWorkflow",
       "recovery", RegisterGoTripWorkflow},
      {"sdk-go/replay-tests-cancel-order",
       "sdk-go__test__replaytests__replay-tests-cancel-order.json", "CancelOrderSelectWorkflow",
       "replay-test", RegisterGoCancelOrder},
      {"sdk-go/reset-workflow-after-child-complete",
       "sdk-go__test__replaytests__reset-workflow-after-child-complete.json",
       "ResetWorkflowWithChild", "child-workflow-test-queue", RegisterGoResetWorkflowWithChild},
      {"sdk-go/unhandled_cmd_timer_cancel",
       "sdk-go__test__replaytests__unhandled_cmd_timer_cancel.json", "TimerWf", "tq-1-",
       RegisterGoTimerWf},
      {"sdk-go/update_with_protocol_message_command",
       "sdk-go__test__replaytests__update_with_protocol_message_command.json", "UpdateWorkflow",
       "replay-test", RegisterGoUpdateWithProtocolMessage},
      {"sdk-go/version-loop-workflow-10",
       "sdk-go__test__replaytests__version-loop-workflow-10.json", "VersionLoopWorkflow",
       "replay-test", RegisterGoVersionLoop},
      {"sdk-java/laSuccessfulCompletion_1_17",
       "sdk-java__temporal-sdk__src__test__resources__laSuccessfulCompletion_1_17.json",
       "TestWorkflowReturnString", "WorkflowTest-testSuccessfulCompletion-",
       RegisterJavaLocalActivitySuccess},
      {"sdk-java/testAsyncActivityRetryHistory",
       "sdk-java__temporal-sdk__src__test__resources__testAsyncActivityRetryHistory.json",
       "TestWorkflow1", "WorkflowTest-testAsyncActivityRetry-", RegisterJavaAsyncActivityRetry},
      {"sdk-java/testLocalActivityAfterCancelTest",
       "sdk-java__temporal-sdk__src__test__resources__testLocalActivityAfterCancelTest.json",
       "TestWorkflow1", "WorkflowTest-localActivityAfterChildWorkflowCanceled-",
       RegisterJavaLocalActivityAfterCancel},
      {"sdk-java/testMultipleLargeGetVersionInSignalsHistory",
       "sdk-java__temporal-sdk__src__test__resources__testMultipleLargeGetVersionInSignalsHistory."
       "json",
       "TestSignaledWorkflow", "WorkflowTest-testMultipleLargeGetVersionInSignals",
       RegisterJavaMultipleGetVersionInSignals},
      {"sdk-java/awaitTimerConditionOldBehavior",
       "sdk-java__temporal-sdk__src__test__resources__awaitTimerConditionOldBehavior.json",
       "TestAwaitWorkflow", "WorkflowTest-replay-await-timer",
       RegisterJavaAwaitTimerConditionOldBehavior},
      {"sdk-java/laRetriesAndFails_1_17",
       "sdk-java__temporal-sdk__src__test__resources__laRetriesAndFails_1_17.json", "TestWorkflow1",
       "WorkflowTest-testLocalActivityRetriesAndFails-", RegisterJavaLocalActivityRetriesAndFails},
      // sdk-core's replay fixtures (tests/data/temporal/sdk-core, binary protobuf).
      {"sdk-core/timer_workflow_history", "sdk-core/timer_workflow_history.bin",
       "timer_workflow_NqA7v+rB", "timer_workflow_NqA7v+rB", RegisterCoreTimerWorkflow},
      {"sdk-core/ends_empty_wft_complete", "sdk-core/ends_empty_wft_complete.bin",
       "SayHelloWorkflow", "5f633ae3-6039-4a7e-a5f3-cc4a3ab2bea7",
       RegisterCoreEndsEmptyWorkflowTask},
      {"sdk-core/fail_wf_task", "sdk-core/fail_wf_task.bin", "fail_wf_task_PITR/89Y",
       "fail_wf_task_PITR/89Y", RegisterCoreFailWorkflowTask},
      {"sdk-core/old_change_marker_format", "sdk-core/old_change_marker_format.bin",
       "writes_change_markers", "writes_change_markers_", RegisterCoreOldChangeMarker},
      {"sdk-core/evict_while_la_running_no_interference-16",
       "sdk-core/evict_while_la_running_no_interference-16_history.bin",
       "evict_while_la_running_no_interference", "evict_while_la_running_no_interference_u9JV5stV",
       RegisterCoreLaProblem},
      {"sdk-core/evict_while_la_running_no_interference-23",
       "sdk-core/evict_while_la_running_no_interference-23_history.bin",
       "evict_while_la_running_no_interference", "evict_while_la_running_no_interference_KCS7nREX",
       RegisterCoreLaProblem},
      {"sdk-core/evict_while_la_running_no_interference-85",
       "sdk-core/evict_while_la_running_no_interference-85_history.bin",
       "evict_while_la_running_no_interference", "evict_while_la_running_no_interference_gKJWHkqu",
       RegisterCoreLaProblem},
      {"sdk-core/long_local_activity_with_update-0",
       "sdk-core/long_local_activity_with_update-0_history.bin",
       "long_local_activity_with_update-0", "long_local_activity_with_update-0_",
       RegisterCoreLongLocalActivityWithUpdate0},
      {"sdk-core/long_local_activity_with_update-1",
       "sdk-core/long_local_activity_with_update-1_history.bin",
       "long_local_activity_with_update-1", "long_local_activity_with_update-1_",
       RegisterCoreLongLocalActivityWithUpdate1},
      {"sdk-core/long_local_activity_with_update-2",
       "sdk-core/long_local_activity_with_update-2_history.bin",
       "long_local_activity_with_update-2", "long_local_activity_with_update-2_",
       RegisterCoreLongLocalActivityWithUpdate2},
      {"sdk-core/long_local_activity_with_update-3",
       "sdk-core/long_local_activity_with_update-3_history.bin",
       "long_local_activity_with_update-3", "long_local_activity_with_update-3_",
       RegisterCoreLongLocalActivityWithUpdate3},
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
  // Built once each, on first use; after that a lookup is one atomic load, with no lock for
  // the replay threads of a batch to queue on.
  static auto* registries = new std::vector<std::atomic<const Registry*>>(TemporalPorts().size());
  static std::mutex mu;
  std::atomic<const Registry*>& slot =
      (*registries)[static_cast<size_t>(&port - TemporalPorts().data())];
  if (const Registry* built = slot.load(std::memory_order_acquire)) return *built;
  std::lock_guard<std::mutex> lock(mu);
  if (const Registry* built = slot.load(std::memory_order_relaxed)) return *built;
  auto* registry = new Registry();
  if (absl::Status s = port.register_fn(registry); !s.ok()) {
    std::fprintf(stderr, "lockstep: port %s: %s\n", port.name, std::string(s.message()).c_str());
    std::abort();
  }
  slot.store(registry, std::memory_order_release);
  return *registry;
}

}  // namespace lockstep::ports
