// PassesSeeds: a project's test suite runs simulation seeds and gets the failing seed with a
// way to rerun it alone.
#include "sim/gtest.h"

#include <cstdlib>

#include "examples/order/order_simulation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sim/stuck_workload.h"

namespace lockstep::sim {
namespace {

using ::testing::HasSubstr;

using test::StuckWorkload;

TEST(PassesSeedsTest, ACleanWorkloadPasses) {
  EXPECT_TRUE(PassesSeeds(examples::OrderWorkload(), {.seeds = 50}));
}

TEST(PassesSeedsTest, AFailingSeedIsReportedWithWaysToRerunIt) {
  const Workload w = StuckWorkload();
  ::testing::AssertionResult result = PassesSeeds(w, {.seeds = 50});
  ASSERT_FALSE(result);
  const std::string message = result.message();
  EXPECT_THAT(message, HasSubstr("workload 'stuck': seed "));
  EXPECT_THAT(message, HasSubstr("liveness: stuck:"));
  EXPECT_THAT(message, HasSubstr("LOCKSTEP_SIM_SEED="));
  EXPECT_THAT(message,
              HasSubstr("--gtest_filter=PassesSeedsTest.AFailingSeedIsReportedWithWaysToRerunIt"));
  EXPECT_THAT(message, HasSubstr("lockstep sim --workflow stuck --seed "));
}

TEST(PassesSeedsTest, LockstepSimSeedRunsThatSeedAlone) {
  const Workload w = StuckWorkload();
  // Find one passing and one failing seed, then rerun each alone through the variable.
  uint64_t passing = 0;
  uint64_t failing = 0;
  Simulation sim(&w);
  for (uint64_t seed = 1; seed <= 50 && (passing == 0 || failing == 0); ++seed) {
    (sim.Run(seed).failed() ? failing : passing) = seed;
  }
  ASSERT_NE(passing, 0u);
  ASSERT_NE(failing, 0u);
  setenv("LOCKSTEP_SIM_SEED", std::to_string(failing).c_str(), 1);
  ::testing::AssertionResult alone = PassesSeeds(w, {.seeds = 1000});
  setenv("LOCKSTEP_SIM_SEED", std::to_string(passing).c_str(), 1);
  ::testing::AssertionResult other = PassesSeeds(w, {.seeds = 1000});
  setenv("LOCKSTEP_SIM_SEED", "x", 1);
  ::testing::AssertionResult bad = PassesSeeds(w);
  unsetenv("LOCKSTEP_SIM_SEED");
  ASSERT_FALSE(alone);
  EXPECT_THAT(std::string(alone.message()), HasSubstr("seed 1 of 1"));
  EXPECT_TRUE(other);
  ASSERT_FALSE(bad);
  EXPECT_THAT(std::string(bad.message()), HasSubstr("LOCKSTEP_SIM_SEED='x'"));
}

}  // namespace
}  // namespace lockstep::sim
