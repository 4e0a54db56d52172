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

}  // namespace lockstep::ports

#endif  // LOCKSTEP_EXAMPLES_TEMPORAL_PORTS_PORT_REGISTRATIONS_H_
