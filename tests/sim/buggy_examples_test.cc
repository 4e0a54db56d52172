// The buggy examples (examples/buggy/): each planted bug is found by the checker meant for it
// within 2000 seeds of the default fault selection, the failing seed reproduces exactly, and
// each fixed twin passes.
//
// LOCKSTEP_BUGGY_FIXED_SEEDS=N runs N seeds of every fixed twin instead of the default 2000
// (the examples were measured on 20,000) and prints the rate.
#include "examples/buggy/buggy_examples.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sim/simulation.h"
#include "tests/testing/sanitizer.h"

namespace lockstep::sim {
namespace {

constexpr uint64_t kBuggySeeds = 2000;
constexpr uint64_t kDefaultFixedSeeds = 2000;
constexpr uint64_t kSanitizerFixedSeeds = 400;

struct Pair {
  std::string name;     // the fixed workload; the buggy one is name + "_buggy"
  std::string checker;  // the checker that must report the bug
};

// What GoogleTest (and ctest's test names) show for a parameter.
void PrintTo(const Pair& pair, std::ostream* os) { *os << pair.name; }

const std::vector<Pair>& Pairs() {
  static const auto* pairs = new std::vector<Pair>{
      {"child_signal", "liveness"},         {"charge", "invariant"},    {"eviction", "replay"},
      {"continue_as_new", "signal_ledger"}, {"timer_race", "liveness"},
  };
  return *pairs;
}

const Workload& WorkloadNamed(const std::string& name) {
  static const auto* workloads = new std::vector<Workload>(examples::BuggyExampleWorkloads());
  for (const Workload& w : *workloads) {
    if (w.name == name) return w;
  }
  ADD_FAILURE() << "no workload " << name;
  return workloads->front();
}

std::string Describe(const SeedResult& r) {
  std::string out = absl::StrCat("seed ", r.seed, " faults ", r.fault_plan, ":");
  for (const Finding& f : r.findings) absl::StrAppend(&out, "\n  ", f.Headline());
  return out;
}

std::vector<std::string> Summaries(const SeedResult& r) {
  std::vector<std::string> out;
  for (const Finding& f : r.findings) {
    out.push_back(absl::StrCat(f.checker, " ", f.workflow_id, " ", f.invariant, " ", f.message));
  }
  return out;
}

// Seeds each fixed variant must pass: 2,000, or 400 under AddressSanitizer (about twenty times
// slower; the release build covers the 2,000 and lockstep_sim_acceptance 20,000), or
// LOCKSTEP_BUGGY_FIXED_SEEDS.
uint64_t FixedSeeds() {
  uint64_t n =
      lockstep::testing::kUnderAddressSanitizer ? kSanitizerFixedSeeds : kDefaultFixedSeeds;
  if (const char* env = std::getenv("LOCKSTEP_BUGGY_FIXED_SEEDS")) {
    if (!absl::SimpleAtoi(env, &n) || n == 0) n = kDefaultFixedSeeds;
  }
  return n;
}

TEST(BuggyExamplesTest, TenWorkloadsBuggyFirst) {
  const std::vector<Workload> workloads = examples::BuggyExampleWorkloads();
  ASSERT_EQ(workloads.size(), 2 * Pairs().size());
  for (size_t i = 0; i < Pairs().size(); ++i) {
    EXPECT_EQ(workloads[2 * i].name, Pairs()[i].name + "_buggy");
    EXPECT_EQ(workloads[2 * i + 1].name, Pairs()[i].name);
  }
  // One registry can hold every workload's types at once.
  Registry registry;
  EXPECT_TRUE(examples::RegisterBuggyExamples(&registry).ok());
}

class BuggyPairTest : public ::testing::TestWithParam<Pair> {};

TEST_P(BuggyPairTest, BuggyVariantIsFoundByItsChecker) {
  const Pair& pair = GetParam();
  const Workload& workload = WorkloadNamed(pair.name + "_buggy");
  Simulation sim(&workload);
  SeedResult failed;
  for (uint64_t seed = 1; seed <= kBuggySeeds && !failed.failed(); ++seed) {
    failed = sim.Run(seed);
  }
  ASSERT_TRUE(failed.failed()) << workload.name << " passed " << kBuggySeeds << " seeds";
  std::cout << workload.name << ": first failing seed " << failed.seed << "\n  " << Describe(failed)
            << "\n";

  bool expected = false;
  for (const Finding& f : failed.findings) {
    expected |= f.checker == pair.checker;
    EXPECT_NE(f.checker, "harness") << Describe(failed);
  }
  EXPECT_TRUE(expected) << "no " << pair.checker << " finding: " << Describe(failed);

  // The seed is the whole reproduction.
  const SeedResult again = sim.Run(failed.seed);
  EXPECT_EQ(Summaries(again), Summaries(failed));
  EXPECT_EQ(again.fingerprint, failed.fingerprint);
  EXPECT_EQ(again.steps, failed.steps);
}

TEST_P(BuggyPairTest, FixedVariantPasses) {
  const Workload& workload = WorkloadNamed(GetParam().name);
  Simulation sim(&workload);
  const uint64_t seeds = FixedSeeds();
  const auto start = std::chrono::steady_clock::now();
  int failures = 0;
  for (uint64_t seed = 1; seed <= seeds && failures < 3; ++seed) {
    const SeedResult r = sim.Run(seed);
    if (r.failed()) {
      ++failures;
      ADD_FAILURE() << workload.name << ": " << Describe(r);
    }
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << workload.name << ": " << seeds << " seeds in " << elapsed << " s ("
            << static_cast<double>(seeds) / elapsed << " seeds/s)\n";
}

INSTANTIATE_TEST_SUITE_P(Examples, BuggyPairTest, ::testing::ValuesIn(Pairs()),
                         [](const ::testing::TestParamInfo<Pair>& p) { return p.param.name; });

}  // namespace
}  // namespace lockstep::sim
