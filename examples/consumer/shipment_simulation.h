// The shipment workflow under Lockstep's simulator (Lockstep::sim): a few shipments whose
// parcels are packed and delivered by signals at random times, with every fault the simulator
// injects. Used by shipment_sim (a SimMain binary) and shipment_simulation_test (PassesSeeds).
#ifndef SHIPMENT_SIMULATION_H_
#define SHIPMENT_SIMULATION_H_

#include "sim/workload.h"

namespace shipping {

// Invariants: every shipment closes (the liveness checker); a completed one returns its own
// tracking number, delivered to the first recipient reported, or "lost".
lockstep::sim::Workload ShipmentWorkload();

}  // namespace shipping

#endif  // SHIPMENT_SIMULATION_H_
