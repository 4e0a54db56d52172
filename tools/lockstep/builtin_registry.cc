#include "tools/lockstep/builtin_registry.h"

#include <cstdio>
#include <cstdlib>

#include "examples/buggy/buggy_examples.h"
#include "examples/counter/counter_workflow.h"
#include "examples/fanout/fanout_workflow.h"
#include "examples/order/order_workflow.h"
#include "examples/temporal_ports/temporal_ports.h"

namespace lockstep::cli {

const Registry& BuiltinRegistry() {
  static const Registry* registry = [] {
    auto* r = new Registry();
    for (const absl::Status& s :
         {examples::RegisterCounter(r), examples::RegisterOrder(r), examples::RegisterFanout(r),
          examples::RegisterBuggyExamples(r)}) {
      if (!s.ok()) {
        std::fprintf(stderr, "lockstep: built-in registry: %s\n", std::string(s.message()).c_str());
        std::abort();
      }
    }
    return r;
  }();
  return *registry;
}

const Registry& RegistryFor(const temporal::api::history::v1::History& history) {
  const Registry& builtin = BuiltinRegistry();
  if (history.events_size() == 0) return builtin;
  const std::string& type =
      history.events(0).workflow_execution_started_event_attributes().workflow_type().name();
  if (builtin.FindWorkflow(type) != nullptr) return builtin;
  if (const ports::TemporalPort* port = ports::FindPort(history)) {
    return ports::PortRegistry(*port);
  }
  return builtin;
}

}  // namespace lockstep::cli
