// The registration function of each port (one file each); the catalog is temporal_ports.cc.
#ifndef LOCKSTEP_EXAMPLES_TEMPORAL_PORTS_PORT_REGISTRATIONS_H_
#define LOCKSTEP_EXAMPLES_TEMPORAL_PORTS_PORT_REGISTRATIONS_H_

#include "absl/status/status.h"
#include "engine/workflow/registry.h"

namespace lockstep::ports {

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

}  // namespace lockstep::ports

#endif  // LOCKSTEP_EXAMPLES_TEMPORAL_PORTS_PORT_REGISTRATIONS_H_
