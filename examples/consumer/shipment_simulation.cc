#include "shipment_simulation.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "shipment_workflow.h"

namespace shipping {

lockstep::sim::Workload ShipmentWorkload() {
  lockstep::sim::Workload w;
  w.name = "shipment";
  w.description = "shipments packed and delivered by signals, a courier booked by activity";
  w.register_types = [](lockstep::Registry* registry) -> absl::Status {
    if (absl::Status s = RegisterShipmentWorkflow(registry); !s.ok()) return s;
    return RegisterCourierActivity(registry);
  };
  w.plan = [](lockstep::sim::Plan& plan) {
    const int64_t shipments = lockstep::sim::UniformInt(plan.rng(), 1, 3);
    for (int64_t i = 1; i <= shipments; ++i) {
      Shipment shipment{.id = absl::StrCat("s", i),
                        .parcels = lockstep::sim::UniformInt(plan.rng(), 1, 4),
                        .pickup_delay_seconds = 3600,
                        .delivery_timeout_seconds = 3 * 24 * 3600};
      const std::string id = absl::StrCat("ship-", i);
      const absl::Duration start = plan.Uniform(absl::ZeroDuration(), absl::Minutes(10));
      plan.StartRaw(start, kShipmentWorkflow, {.id = id}, lockstep::ToPayloads(shipment));
      // Parcels packed one at a time, then a delivery report within two days (or none).
      for (int64_t p = 0; p < shipment.parcels; ++p) {
        plan.SignalRaw(start + plan.LogUniform(absl::Seconds(1), absl::Hours(2)), id,
                       kPackedSignal, lockstep::ToPayloads(int64_t{1}));
      }
      if (!plan.rng().Chance(1, 10)) {
        plan.SignalRaw(start + plan.LogUniform(absl::Hours(1), absl::Hours(48)), id,
                       kDeliveredSignal, lockstep::ToPayloads(std::string("front desk")));
      }
    }
  };
  w.activities[kBookCourierActivity] = {.min_latency = absl::Milliseconds(50),
                                        .max_latency = absl::Seconds(10),
                                        .retryable_failure = {1, 10}};
  w.queries[kShipmentWorkflow] = {kStatusQuery};
  w.invariants.push_back({"a completed shipment carries its own tracking number",
                          [](const lockstep::sim::RunView& run) {
    for (const lockstep::sim::WorkflowResult& wf : run.workflows()) {
      if (!wf.completed()) continue;
      absl::StatusOr<std::string> result = wf.ResultAs<std::string>();
      if (!result.ok()) return result.status();
      // "ship-<i>" books tracking numbers "TRK-s<i>-<parcels>".
      absl::string_view number = wf.workflow_id;
      absl::ConsumePrefix(&number, "ship-");
      const std::string tracking_prefix = absl::StrCat("TRK-s", number, "-");
      if (!absl::StartsWith(*result, tracking_prefix) ||
          !(absl::EndsWith(*result, " delivered to front desk") ||
            absl::EndsWith(*result, " lost"))) {
        return absl::InternalError(
            absl::StrCat(wf.workflow_id, " completed with '", *result, "'"));
      }
    }
    return absl::OkStatus();
  }});
  w.safety_phase = absl::Hours(12);
  w.liveness_bound = absl::Hours(24 * 4);
  return w;
}

}  // namespace shipping
