// The shipment workflow under rapidcheck (Lockstep::sim_rapidcheck): rapidcheck draws
// schedules of the workload, runs each with every checker, and would shrink a failing one to
// the smallest schedule that still fails, with a command that reruns it.
#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"
#include "shipment_simulation.h"
#include "sim/property.h"
#include "sim/simulation.h"

namespace shipping {
namespace {

RC_GTEST_PROP(ShipmentProperty, EveryScheduleKeepsTheInvariants, ()) {
  static const lockstep::sim::Workload* workload =
      new lockstep::sim::Workload(ShipmentWorkload());
  static const lockstep::sim::Simulation* simulation = new lockstep::sim::Simulation(workload);
  const lockstep::sim::SeedResult run = lockstep::sim::CheckSchedules(*simulation);
  RC_ASSERT(run.steps > 0);
}

}  // namespace
}  // namespace shipping
