// The registration function of each port (one file each); the catalog is temporal_ports.cc.
#ifndef LOCKSTEP_EXAMPLES_TEMPORAL_PORTS_PORT_REGISTRATIONS_H_
#define LOCKSTEP_EXAMPLES_TEMPORAL_PORTS_PORT_REGISTRATIONS_H_

#include <initializer_list>

#include "absl/status/status.h"
#include "engine/workflow/registry.h"

namespace lockstep::ports {

// The first error of several registrations, or OK (a port registers a workflow and the
// activities it calls).
inline absl::Status FirstError(std::initializer_list<absl::Status> statuses) {
  for (const absl::Status& s : statuses) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status RegisterGoContinueAsNew(Registry* r);
absl::Status RegisterGoSideEffect(Registry* r);
absl::Status RegisterGoWorkflow1(Registry* r);
absl::Status RegisterGoWorkflow2(Registry* r);
absl::Status RegisterGoActivitySameTimeAsCancel(Registry* r);
absl::Status RegisterGoUpdateCompleteAndExit(Registry* r);
absl::Status RegisterGoParentWorkflow(Registry* r);
absl::Status RegisterGoLocalActivity(Registry* r);
absl::Status RegisterGoUpsertMemo(Registry* r);
absl::Status RegisterGoSearchAttributes(Registry* r);
absl::Status RegisterGoMutableSideEffect(Registry* r);
absl::Status RegisterGoVersionAndMutableSideEffect(Registry* r);
absl::Status RegisterJavaCancellationScope(Registry* r);
absl::Status RegisterJavaChildWorkflowRetry(Registry* r);
absl::Status RegisterJavaGetVersion(Registry* r);
absl::Status RegisterJavaGetVersionInSignal(Registry* r);
absl::Status RegisterSamplesGoHelloWorld(Registry* r);
absl::Status RegisterFeaturesRetryOnError(Registry* r);
absl::Status RegisterFeaturesJavaRetryOnError(Registry* r);
absl::Status RegisterFeaturesMetrics(Registry* r);
absl::Status RegisterFeaturesActivityStartRace(Registry* r);
absl::Status RegisterSamplesGoRainbowStatuses(Registry* r);
absl::Status RegisterGoSampleHistory(Registry* r);
absl::Status RegisterGoActivityCancelRepro(Registry* r);
absl::Status RegisterGoAwaitWithTimeoutNoTimerCancel(Registry* r);
absl::Status RegisterGoCancelActivityCompletion(Registry* r);
absl::Status RegisterGoCancelOrder(Registry* r);
absl::Status RegisterGoVersionLoop(Registry* r);
absl::Status RegisterGoUpdateWithProtocolMessage(Registry* r);
absl::Status RegisterGoParallelLocalActivities(Registry* r);
absl::Status RegisterGoTripWorkflow(Registry* r);
absl::Status RegisterGoResetWorkflowWithChild(Registry* r);
absl::Status RegisterGoTimerWf(Registry* r);
absl::Status RegisterGoDuplicateChildWorkflow(Registry* r);
absl::Status RegisterGoMultipleUpdates(Registry* r);
absl::Status RegisterJavaLocalActivitySuccess(Registry* r);
absl::Status RegisterJavaAsyncActivityRetry(Registry* r);
absl::Status RegisterJavaLocalActivityAfterCancel(Registry* r);
absl::Status RegisterJavaMultipleGetVersionInSignals(Registry* r);
absl::Status RegisterJavaAwaitTimerConditionOldBehavior(Registry* r);
absl::Status RegisterJavaLocalActivityRetriesAndFails(Registry* r);
absl::Status RegisterCoreTimerWorkflow(Registry* r);
absl::Status RegisterCoreEndsEmptyWorkflowTask(Registry* r);
absl::Status RegisterCoreFailWorkflowTask(Registry* r);
absl::Status RegisterCoreOldChangeMarker(Registry* r);
absl::Status RegisterCoreLaProblem(Registry* r);
absl::Status RegisterCoreLongLocalActivityWithUpdate0(Registry* r);
absl::Status RegisterCoreLongLocalActivityWithUpdate1(Registry* r);
absl::Status RegisterCoreLongLocalActivityWithUpdate2(Registry* r);
absl::Status RegisterCoreLongLocalActivityWithUpdate3(Registry* r);

}  // namespace lockstep::ports

#endif  // LOCKSTEP_EXAMPLES_TEMPORAL_PORTS_PORT_REGISTRATIONS_H_
