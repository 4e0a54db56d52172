#include "sim/faults.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockstep::sim {
namespace {

using ::testing::HasSubstr;

TEST(FaultsTest, EveryKindHasAUniqueNameThatParsesBack) {
  for (size_t i = 0; i < kFaultCount; ++i) {
    const Fault f = static_cast<Fault>(i);
    ASSERT_FALSE(FaultName(f).empty());
    EXPECT_FALSE(FaultDescription(f).empty());
    EXPECT_EQ(FaultByName(FaultName(f)), f);
  }
  EXPECT_EQ(FaultByName("no_such_fault"), std::nullopt);
}

TEST(FaultsTest, ParseSelections) {
  auto all = FaultSelection::Parse("all");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->allowed.all());
  EXPECT_EQ(all->ToString(), "all");

  auto none = FaultSelection::Parse("none");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->allowed.none());
  EXPECT_EQ(none->ToString(), "none");

  auto some = FaultSelection::Parse("all,-worker_crash,activity_latency=1/4");
  ASSERT_TRUE(some.ok());
  EXPECT_FALSE(some->allowed.test(static_cast<size_t>(Fault::kWorkerCrash)));
  EXPECT_EQ(some->fixed[static_cast<size_t>(Fault::kActivityLatency)], (Ratio{1, 4}));
  // The canonical form reads back to the same selection.
  auto again = FaultSelection::Parse(some->ToString());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->allowed, some->allowed);
  EXPECT_EQ(again->fixed, some->fixed);
}

TEST(FaultsTest, ParseErrorsNameTheItem) {
  auto unknown = FaultSelection::Parse("signal_delay,cosmic_rays");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("'cosmic_rays'"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("signal_delay"));  // lists the known ones

  auto bad_rate = FaultSelection::Parse("query=3/2");
  ASSERT_FALSE(bad_rate.ok());
  EXPECT_THAT(bad_rate.status().message(), HasSubstr("query=3/2"));
  EXPECT_FALSE(FaultSelection::Parse("query=1/0").ok());
  EXPECT_FALSE(FaultSelection::Parse("query=x").ok());
  EXPECT_FALSE(FaultSelection::Parse("-query=1/2").ok());
}

TEST(FaultsTest, SwarmTurnsKindsOnAndOffPerSeed) {
  const FaultSelection all = FaultSelection::All();
  int on_total = 0;
  std::bitset<kFaultCount> ever_on;
  std::bitset<kFaultCount> ever_off;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Prng swarm(seed);
    FaultPlan plan = FaultPlan::Swarm(all, swarm);
    for (size_t i = 0; i < kFaultCount; ++i) {
      const bool on = plan.on(static_cast<Fault>(i));
      on_total += on ? 1 : 0;
      (on ? ever_on : ever_off).set(i);
    }
  }
  // About half of all kinds are on across seeds, and every kind is sometimes on, sometimes off.
  EXPECT_GT(on_total, 200 * static_cast<int>(kFaultCount) * 4 / 10);
  EXPECT_LT(on_total, 200 * static_cast<int>(kFaultCount) * 6 / 10);
  EXPECT_TRUE(ever_on.all());
  EXPECT_TRUE(ever_off.all());
}

TEST(FaultsTest, SwarmRespectsTheSelectionAndFixedRates) {
  auto selection = FaultSelection::Parse("signal_delay,query=1/7");
  ASSERT_TRUE(selection.ok());
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    Prng swarm(seed);
    FaultPlan plan = FaultPlan::Swarm(*selection, swarm);
    EXPECT_EQ(plan.rate(Fault::kQuery), (Ratio{1, 7}));
    for (size_t i = 0; i < kFaultCount; ++i) {
      const Fault f = static_cast<Fault>(i);
      if (f != Fault::kQuery && f != Fault::kSignalDelay) {
        EXPECT_FALSE(plan.on(f));
      }
    }
  }
}

TEST(FaultsTest, AllowingOneMoreKindKeepsTheOthersChoices) {
  auto narrow = FaultSelection::Parse("signal_delay,timer_delay");
  auto wide = FaultSelection::Parse("signal_delay,timer_delay,query");
  ASSERT_TRUE(narrow.ok() && wide.ok());
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    Prng a(seed);
    Prng b(seed);
    FaultPlan p = FaultPlan::Swarm(*narrow, a);
    FaultPlan q = FaultPlan::Swarm(*wide, b);
    EXPECT_EQ(p.rate(Fault::kSignalDelay), q.rate(Fault::kSignalDelay));
    EXPECT_EQ(p.rate(Fault::kTimerDelay), q.rate(Fault::kTimerDelay));
  }
}

TEST(FaultsTest, PlanToString) {
  FaultPlan plan;
  EXPECT_EQ(plan.ToString(), "none");
  EXPECT_FALSE(plan.any());
  plan.set_rate(Fault::kQuery, {1, 3});
  plan.set_rate(Fault::kSignalDelay, {1, 10});
  EXPECT_EQ(plan.ToString(), "signal_delay=1/10 query=1/3");
}

}  // namespace
}  // namespace lockstep::sim
