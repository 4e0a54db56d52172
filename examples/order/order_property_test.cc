// Property tests of the order workflow on generated schedules: rapidcheck draws schedules of
// the order workload (starts, approvals at random times, slow and flaky activities, every
// fault), runs each with every checker and the workload's invariants, and shrinks a failing
// one to the smallest schedule that still fails. See docs/property-testing.md.
//
//   build/tests/order_property_test                        # 100 schedules per property
//   RC_PARAMS="max_success=2000" build/tests/order_property_test
//   RC_PARAMS="seed=42" build/tests/order_property_test   # another draw, reproducibly
#include "absl/time/time.h"
#include "examples/order/order_simulation.h"
#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"
#include "sim/property.h"
#include "sim/simulation.h"

namespace lockstep::examples {
namespace {

const sim::Simulation& OrderSimulation() {
  static const sim::Workload* workload = new sim::Workload(OrderWorkload());
  static const sim::Simulation* simulation = new sim::Simulation(workload);
  return *simulation;
}

// The built-in checkers and the workload's invariants hold on every schedule.
RC_GTEST_PROP(OrderPropertyTest, EveryScheduleKeepsTheInvariants, ()) {
  sim::CheckSchedules(OrderSimulation());
}

// A property of this test's own, on the run CheckSchedules returns: once the faults heal,
// every order closes within two days of virtual time (the longest approval deadline is a day).
RC_GTEST_PROP(OrderPropertyTest, OrdersCloseSoonAfterTheFaultsHeal, ()) {
  const sim::SeedResult run = sim::CheckSchedules(OrderSimulation());
  const sim::Workload& workload = OrderSimulation().workload();
  RC_ASSERT(run.virtual_time <= workload.safety_phase + absl::Hours(48));
}

}  // namespace
}  // namespace lockstep::examples
