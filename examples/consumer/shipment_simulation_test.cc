// The shipment workflow through Lockstep's simulator, in this project's test suite
// (Lockstep::sim_gtest): a failure names the seed and how to rerun it alone.
#include "gtest/gtest.h"
#include "shipment_simulation.h"
#include "sim/gtest.h"

namespace shipping {
namespace {

TEST(ShipmentSimulation, SurvivesEveryFault) {
  EXPECT_TRUE(lockstep::sim::PassesSeeds(ShipmentWorkload(), {.seeds = 300}));
}

}  // namespace
}  // namespace shipping
