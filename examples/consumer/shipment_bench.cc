// This project's signal-load benchmark: `shipment_bench --workflow packing --workflows 100
// --signals 1000000` takes every option `lockstep bench signals` takes (Lockstep's
// benchmarks/load/bench_main.h) and prints signals/s, per-signal cost and memory per event.
#include <cstdint>

#include "benchmarks/load/bench_main.h"
#include "engine/payload/payload.h"
#include "shipment_workflow.h"

namespace {

// packed(1) signals until every parcel of the shipment is packed. Nothing delivers it, so
// with no pickup delay and a one-second delivery timeout each shipment completes ("lost")
// within the load's one minute of settling after its last signal.
lockstep::bench::SignalLoad PackingLoad() {
  return {
      .name = "packing",
      .workflow_type = shipping::kShipmentWorkflow,
      .description = "packed(1) signals until all parcels are packed",
      .start_input =
          [](int64_t share) {
            return lockstep::ToPayloads(shipping::Shipment{.id = "bench",
                                                           .parcels = share,
                                                           .pickup_delay_seconds = 0,
                                                           .delivery_timeout_seconds = 1});
          },
      .signal_name = shipping::kPackedSignal,
      .signal_input = [](int64_t) { return lockstep::ToPayloads(int64_t{1}); },
  };
}

}  // namespace

int main(int argc, char** argv) {
  lockstep::Registry registry;
  if (!shipping::RegisterShipmentWorkflow(&registry).ok() ||
      !shipping::RegisterCourierActivity(&registry).ok()) {
    return 2;
  }
  return lockstep::bench::BenchMain(registry, {PackingLoad()}, argc, argv);
}
