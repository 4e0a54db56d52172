#include "sim/gtest.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace lockstep::sim {

::testing::AssertionResult PassesSeeds(const Workload& workload, const SeedsOptions& options) {
  Simulation simulation(&workload, options.sim, options.registry);
  uint64_t first = options.first_seed;
  int64_t count = options.seeds;
  if (const char* only = std::getenv("LOCKSTEP_SIM_SEED"); only != nullptr && *only != '\0') {
    if (!absl::SimpleAtoi(only, &first)) {
      return ::testing::AssertionFailure()
             << "LOCKSTEP_SIM_SEED='" << only << "' is not a seed (a whole number)";
    }
    count = 1;
  }
  for (int64_t i = 0; i < count; ++i) {
    const uint64_t seed = first + static_cast<uint64_t>(i);
    SeedResult r = simulation.Run(seed);
    if (!r.failed()) continue;
    ::testing::AssertionResult failure = ::testing::AssertionFailure();
    failure << "workload '" << workload.name << "': seed " << seed << " failed (seed " << i + 1
            << " of " << count << ")\n  faults: " << r.fault_plan << "\n";
    for (const Finding& f : r.findings) failure << "  " << f.Headline() << "\n";
    failure << "  rerun this seed alone: LOCKSTEP_SIM_SEED=" << seed << " <this test binary> "
            << "--gtest_filter=" << ::testing::UnitTest::GetInstance()->current_test_suite()->name()
            << "." << ::testing::UnitTest::GetInstance()->current_test_info()->name() << "\n"
            << "  or: " << simulation.ReproduceCommand(options.program, seed) << "\n";
    return failure;
  }
  return ::testing::AssertionSuccess() << count << " seeds of '" << workload.name << "' passed";
}

}  // namespace lockstep::sim
