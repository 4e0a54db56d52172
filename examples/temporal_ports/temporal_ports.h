// Ports of recorded Temporal workflows: the logic behind histories in tests/data/temporal
// (recorded by Temporal's Go and Java SDKs and servers; tests/data/temporal/INDEX.tsv names
// their sources), written as Lockstep workflows. Tests run them on the in-process service and
// compare event types with the recordings, and replay the recordings against them; the
// `lockstep` binary replays the recordings with them.
//
// Workflow type names repeat across recordings ("Workflow", "TestWorkflow1"), so each port has
// its own Registry, and a history is matched with its port by workflow type and task queue.
#ifndef LOCKSTEP_EXAMPLES_TEMPORAL_PORTS_TEMPORAL_PORTS_H_
#define LOCKSTEP_EXAMPLES_TEMPORAL_PORTS_TEMPORAL_PORTS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/workflow/registry.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::ports {

struct TemporalPort {
  const char* name;          // e.g. "sdk-go/continue-as-new"
  const char* history_file;  // its recording, in tests/data/temporal
  const char* workflow_type;
  const char* task_queue_prefix;  // the recording's task queue starts with this
  absl::Status (*register_fn)(Registry*);
};

// Every port, in a fixed order.
const std::vector<TemporalPort>& TemporalPorts();

// The port whose workflow type and task queue match the history's first event, or null.
const TemporalPort* FindPort(const temporal::api::history::v1::History& history);

// The port's registry, built on first use (registration errors abort: they are bugs here);
// safe to call from several threads at once, lock-free once built.
const Registry& PortRegistry(const TemporalPort& port);

}  // namespace lockstep::ports

#endif  // LOCKSTEP_EXAMPLES_TEMPORAL_PORTS_TEMPORAL_PORTS_H_
