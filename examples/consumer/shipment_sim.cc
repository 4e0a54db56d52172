// This project's simulation binary: `shipment_sim --workflow shipment --seeds 10000 --jobs 2`
// takes every option `lockstep sim` takes (Lockstep's sim/sim_main.h).
#include "shipment_simulation.h"
#include "shipment_workflow.h"
#include "sim/sim_main.h"

int main(int argc, char** argv) {
  lockstep::Registry registry;
  if (!shipping::RegisterShipmentWorkflow(&registry).ok() ||
      !shipping::RegisterCourierActivity(&registry).ok()) {
    return 2;
  }
  return lockstep::sim::SimMain(registry, {shipping::ShipmentWorkload()}, argc, argv);
}
