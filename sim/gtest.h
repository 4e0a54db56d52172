// GoogleTest helper: run seeds of a workload inside a project's test suite.
//
//   TEST(OrderSimulation, SurvivesEveryFault) {
//     EXPECT_TRUE(lockstep::sim::PassesSeeds(OrderWorkload(), {.seeds = 500}));
//   }
//
// On failure the assertion's message has the first failing seed, its fault plan, every
// finding and two ways to run that seed alone: the test itself with LOCKSTEP_SIM_SEED=S in
// the environment (PassesSeeds then runs only that seed), or a SimMain binary's command line.
// Seeds run one after another on the test's thread, so a test's time grows with `seeds`.
#ifndef LOCKSTEP_SIM_GTEST_H_
#define LOCKSTEP_SIM_GTEST_H_

#include <cstdint>
#include <string>

#include "engine/workflow/registry.h"
#include "gtest/gtest.h"
#include "sim/simulation.h"
#include "sim/workload.h"

namespace lockstep::sim {

struct SeedsOptions {
  uint64_t first_seed = 1;
  int64_t seeds = 100;
  SimOptions sim = {};
  // With a registry the workload's register_types is not used (as in SimMain).
  const Registry* registry = nullptr;
  // What the SimMain reproduce line starts with.
  std::string program = "lockstep sim";
};

::testing::AssertionResult PassesSeeds(const Workload& workload, const SeedsOptions& options = {});

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_GTEST_H_
