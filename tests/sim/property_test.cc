// Property testing (sim/property.h): rapidcheck finds each planted bug of examples/buggy/ and
// shrinks its schedule to a few entries; the fixed twins pass generated schedules; shrinking is
// deterministic; the schedule written out reruns to the same history bytes.

#include "sim/property.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "examples/buggy/buggy_examples.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"
#include "sim/schedule.h"
#include "sim/shrink.h"
#include "tests/testing/sanitizer.h"

namespace lockstep::sim {
namespace {

using ::testing::HasSubstr;

const Workload& Find(absl::string_view name) {
  static const std::vector<Workload>* all =
      new std::vector<Workload>(examples::BuggyExampleWorkloads());
  for (const Workload& w : *all) {
    if (w.name == name) return w;
  }
  ADD_FAILURE() << "no workload " << name;
  return all->front();
}

// The fixed twin's workflow type: the buggy one's without "Buggy".
std::string FixedType(const std::string& type) {
  const size_t at = type.rfind("Buggy");
  return at == std::string::npos ? type : type.substr(0, at) + type.substr(at + 5);
}

struct Outcome {
  bool failed = false;
  std::string description;  // rapidcheck's report
  ScheduleCase minimal;     // the last case that failed: the minimal one
  int generated_cases = 0;
};

// Runs the property "CheckSchedules passes" with rapidcheck's seed `seed` and at most `cases`
// generated cases, as RC_GTEST_PROP would, and keeps the minimal failing case.
Outcome CheckWithRapidcheck(const Simulation& sim, uint64_t seed, int cases,
                            const std::string& out_dir) {
  Outcome outcome;
  const PropertyOptions options{.out_dir = out_dir, .program = "lockstep sim"};
  auto property = [&] {
    const ScheduleCase c = *GenScheduleCase(sim);
    ++outcome.generated_cases;
    try {
      CheckScheduleCase(sim, c, options);
    } catch (...) {
      outcome.minimal = c;
      throw;
    }
  };
  rc::detail::TestParams params;
  params.seed = seed;
  params.maxSuccess = cases;
  const rc::detail::TestResult result =
      rc::detail::checkTestable(property, rc::detail::TestMetadata(), params);
  rc::detail::FailureResult failure;
  if (result.match(failure)) {
    outcome.failed = true;
    outcome.description = failure.description;
  }
  return outcome;
}

std::string OutDir(absl::string_view name) {
  return absl::StrCat(::testing::TempDir(), "/property-", name);
}

// How many generated schedules each fixed twin must pass: 1,000 (the acceptance figure), 200
// under AddressSanitizer, or LOCKSTEP_PROPERTY_FIXED_CASES.
int FixedCases() {
  if (const char* env = std::getenv("LOCKSTEP_PROPERTY_FIXED_CASES")) return std::atoi(env);
  return lockstep::testing::kUnderAddressSanitizer ? 200 : 1000;
}

struct BugCase {
  const char* buggy;
  const char* fixed;
  int max_calls;   // the shrunk schedule's calls at most
  int max_faults;  // and fault entries at most
  int max_other;   // and other entries (the workload's own latencies, orderings) at most
};

class PropertyTest : public ::testing::TestWithParam<BugCase> {};

TEST_P(PropertyTest, FindsTheBugAndShrinksItsSchedule) {
  const BugCase& bug = GetParam();
  const Simulation sim(&Find(bug.buggy));
  const std::string dir = OutDir(bug.buggy);
  std::filesystem::remove_all(dir);
  const Outcome outcome = CheckWithRapidcheck(sim, /*seed=*/20261206, /*cases=*/300, dir);
  ASSERT_TRUE(outcome.failed) << bug.buggy << ": no failing schedule in 300 cases";
  const ScheduleSize size = SizeOf(outcome.minimal.schedule);
  EXPECT_LE(size.calls, bug.max_calls) << ScheduleTimeline(outcome.minimal.schedule);
  EXPECT_LE(size.faults, bug.max_faults) << ScheduleTimeline(outcome.minimal.schedule);
  EXPECT_LE(size.other, bug.max_other) << ScheduleTimeline(outcome.minimal.schedule);
  // rapidcheck's report carries the failure, the timeline and the rerun command.
  EXPECT_THAT(outcome.description, HasSubstr(absl::StrCat(bug.buggy, ": the schedule fails")));
  EXPECT_THAT(outcome.description,
              HasSubstr(absl::StrCat("lockstep sim --workflow ", bug.buggy, " --schedule ", dir)));
  // It fails the way the generated case did.
  absl::StatusOr<SeedResult> again = sim.RunSchedule(outcome.minimal.schedule);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_TRUE(again->failed());
  bool same = false;
  for (const Finding& f : again->findings) {
    const std::string signature =
        f.invariant.empty() ? f.checker : absl::StrCat(f.checker, " '", f.invariant, "'");
    for (const std::string& s : outcome.minimal.failure) same = same || s == signature;
  }
  EXPECT_TRUE(same) << outcome.description;
  // And it is the bug's counterexample, not the workload's: the fixed twin passes it.
  const Simulation fixed(&Find(bug.fixed));
  Schedule for_fixed = outcome.minimal.schedule;
  for_fixed.set_workload(bug.fixed);
  for (v1::Call& call : *for_fixed.mutable_calls()) {
    if (!call.workflow_type().empty()) call.set_workflow_type(FixedType(call.workflow_type()));
  }
  absl::StatusOr<SeedResult> twin = fixed.RunSchedule(for_fixed);
  ASSERT_TRUE(twin.ok()) << twin.status();
  std::string twin_findings;
  for (const Finding& f : twin->findings)
    absl::StrAppend(&twin_findings, f.Headline(), ": ", f.message, "\n");
  EXPECT_FALSE(twin->failed()) << twin_findings << outcome.description;
  std::cout << bug.buggy << ": " << outcome.generated_cases << " property runs\n"
            << ScheduleTimeline(outcome.minimal.schedule);
}

TEST_P(PropertyTest, TheWrittenScheduleRerunsToTheSameHistoryBytes) {
  const BugCase& bug = GetParam();
  const Simulation sim(&Find(bug.buggy));
  const std::string dir = OutDir(absl::StrCat(bug.buggy, "-rerun"));
  std::filesystem::remove_all(dir);
  const Outcome outcome = CheckWithRapidcheck(sim, /*seed=*/7, /*cases=*/300, dir);
  ASSERT_TRUE(outcome.failed);
  const std::string written = absl::StrCat(dir, "/", bug.buggy, "-schedule");
  absl::StatusOr<Schedule> schedule = ReadScheduleFile(written + "/schedule.txtpb");
  ASSERT_TRUE(schedule.ok()) << schedule.status();
  EXPECT_EQ(schedule->SerializeAsString(), outcome.minimal.schedule.SerializeAsString());
  absl::StatusOr<SeedResult> rerun = sim.RunSchedule(*schedule, {.record = true});
  ASSERT_TRUE(rerun.ok()) << rerun.status();
  ASSERT_FALSE(rerun->histories.empty());
  for (const RecordedHistory& h : rerun->histories) {
    std::ifstream in(absl::StrCat(written, "/history-", h.workflow_id, "-", h.run_id, ".binpb"),
                     std::ios::binary);
    ASSERT_TRUE(in) << h.workflow_id << " " << h.run_id;
    std::stringstream bytes;
    bytes << in.rdbuf();
    EXPECT_EQ(bytes.str(), h.history.SerializeAsString()) << h.workflow_id;
  }
}

TEST_P(PropertyTest, ShrinkingIsDeterministic) {
  const BugCase& bug = GetParam();
  const Simulation sim(&Find(bug.buggy));
  const Outcome a = CheckWithRapidcheck(sim, 99, 300, OutDir(absl::StrCat(bug.buggy, "-a")));
  const Outcome b = CheckWithRapidcheck(sim, 99, 300, OutDir(absl::StrCat(bug.buggy, "-b")));
  ASSERT_TRUE(a.failed);
  ASSERT_TRUE(b.failed);
  EXPECT_EQ(a.minimal.schedule.SerializeAsString(), b.minimal.schedule.SerializeAsString());
  EXPECT_EQ(a.generated_cases, b.generated_cases);
}

TEST_P(PropertyTest, TheFixedTwinPassesGeneratedSchedules) {
  const BugCase& bug = GetParam();
  const Simulation sim(&Find(bug.fixed));
  const int cases = FixedCases();
  const Outcome outcome = CheckWithRapidcheck(sim, 20261206, cases, OutDir(bug.fixed));
  EXPECT_FALSE(outcome.failed) << outcome.description;
  EXPECT_EQ(outcome.generated_cases, cases);
}

INSTANTIATE_TEST_SUITE_P(
    Examples, PropertyTest,
    // The bounds hold the minimal schedules found today with a margin of about one entry:
    // the child started late (and a parent task failed) against the parent's own signal; one
    // start-to-close timeout whose retry charges again; one reminder failing for good; the
    // five signals that overflow a run of four; a ready signal after the deadline.
    ::testing::Values(BugCase{"child_signal_buggy", "child_signal", 2, 2, 1},
                      BugCase{"charge_buggy", "charge", 1, 1, 0},
                      BugCase{"eviction_buggy", "eviction", 1, 2, 1},
                      BugCase{"continue_as_new_buggy", "continue_as_new", 6, 1, 1},
                      BugCase{"timer_race_buggy", "timer_race", 2, 1, 1}),
    [](const ::testing::TestParamInfo<BugCase>& param) { return std::string(param.param.fixed); });

// A property of the caller's own: the shrunk counterexample is rapidcheck's to report.
RC_GTEST_PROP(PropertyHelperTest, ReturnsTheRunForPropertiesOfTheCallersOwn, ()) {
  static const Simulation* sim = new Simulation(&Find("charge"));
  const SeedResult run = CheckSchedules(*sim);
  RC_ASSERT(run.steps > 0);
  RC_ASSERT(!run.failed());
}

TEST(ShrinkTest, CandidatesRemoveSimplifyAndShorten) {
  Schedule s;
  s.set_workload("w");
  v1::Call* c = s.add_calls();
  c->set_kind(v1::Call::KIND_START);
  c->set_workflow_id("a");
  c->set_workflow_type("t");
  c->set_at("8s");
  auto* p = c->mutable_input()->add_payloads();
  (*p->mutable_metadata())["encoding"] = "json/plain";
  p->set_data(R"({"n":10,"s":"abcd","l":[1,2]})");
  v1::ActivityAttempt* a = s.add_activity_attempts();
  a->set_workflow_id("a");
  a->set_activity_id("1");
  a->set_attempt(1);
  a->set_occurrence(1);
  a->set_late_by("2s");
  a->set_latency("1s");
  const ScheduleShrinker shrinker(s);
  std::vector<std::string> texts;
  for (size_t i = 0; i < shrinker.size(); ++i) {
    const Schedule candidate = shrinker.Candidate(i);
    EXPECT_NE(candidate.SerializeAsString(), s.SerializeAsString()) << "candidate " << i;
    EXPECT_TRUE(ValidateSchedule(candidate, "candidate").ok()) << i;
    texts.push_back(candidate.ShortDebugString());
  }
  // The first removes everything; then halves; then single entries.
  EXPECT_EQ(shrinker.Candidate(0).calls_size() + shrinker.Candidate(0).activity_attempts_size(), 0);
  auto any = [&](const std::string& needle) {
    for (const std::string& t : texts) {
      if (t.find(needle) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(any(R"(at: "4s")"));
  EXPECT_TRUE(any(R"(late_by: "1ns")"));
  EXPECT_TRUE(any(R"(late_by: "1s")"));
  EXPECT_TRUE(any(R"(\"n\":5)"));
  EXPECT_TRUE(any(R"(\"s\":\"ab\")"));
  EXPECT_TRUE(any(R"(\"l\":[2])"));
}

TEST(ShrinkTest, JsonShrinksOneThingAtATime) {
  EXPECT_THAT(ShrinkJson("7"), ::testing::ElementsAre("0", "3"));
  EXPECT_THAT(ShrinkJson("true"), ::testing::ElementsAre("false"));
  EXPECT_THAT(ShrinkJson("\"a\\\"bc\""), ::testing::ElementsAre("\"\"", "\"a\\\"\""));
  EXPECT_THAT(ShrinkJson("[1,0]"), ::testing::ElementsAre("[0]", "[1]", "[0,0]"));
  EXPECT_THAT(ShrinkJson("{\"k\":false}"), ::testing::ElementsAre());
  EXPECT_THAT(ShrinkJson("not json"), ::testing::ElementsAre());
  EXPECT_THAT(ShrinkJson("0"), ::testing::ElementsAre());
}

}  // namespace
}  // namespace lockstep::sim

namespace lockstep::sim {
namespace {

// A workflow whose own check fails: an exception from workflow code (here a signal handler)
// with a message of its own. The message must reach the report and survive shrinking.
inline constexpr WorkflowDef<int64_t()> kCounter{"assertingCounter"};
inline constexpr SignalDef<void(int64_t)> kAdd{"add"};

Task<int64_t> AssertingCounter(WorkflowContext& ctx) {
  int64_t total = 0;
  int64_t signals = 0;
  ctx.SetSignalHandler(kAdd, [&](int64_t n) {
    total += n;
    ++signals;
    if (total > 100) throw std::logic_error(absl::StrCat("the total went over 100: ", total));
  });
  co_await ctx.WaitCondition([&] { return signals == 3; });
  co_return total;
}

Workload AssertingWorkload() {
  Workload w;
  w.name = "asserting";
  w.register_types = [](Registry* r) { return r->RegisterWorkflow(kCounter, &AssertingCounter); };
  w.plan = [](Plan& plan) {
    plan.Start(absl::ZeroDuration(), kCounter, {.id = "counter"});
    for (int i = 0; i < 3; ++i) {
      // Two draws, sequenced: as arguments of one call their order would follow the compiler.
      const absl::Duration at = plan.Uniform(absl::Seconds(1), absl::Hours(1));
      const int64_t n = UniformInt(plan.rng(), 1, 60);
      plan.Signal(at, "counter", kAdd, n);
    }
  };
  return w;
}

TEST(PropertyMessageTest, AnExceptionInWorkflowCodeKeepsItsMessageThroughShrinking) {
  const Workload workload = AssertingWorkload();
  const Simulation sim(&workload);
  const Outcome outcome = CheckWithRapidcheck(sim, 5, 300, OutDir("asserting"));
  ASSERT_TRUE(outcome.failed);
  // The workflow's own message, from the shrunk run: two signals whose sum passes 100 (a JSON
  // integer shrinks to 0 or to half, so 59 + 43 is as tight as the payloads get).
  EXPECT_THAT(outcome.description, HasSubstr("failing: the total went over 100: 102"))
      << outcome.description;
  // One start and the two signals that pass the limit: without the message in the failure's
  // identity, shrinking slips to a start alone (which never closes either).
  const ScheduleSize size = SizeOf(outcome.minimal.schedule);
  EXPECT_EQ(size.calls, 3) << ScheduleTimeline(outcome.minimal.schedule);
  EXPECT_EQ(size.faults, 0) << ScheduleTimeline(outcome.minimal.schedule);
}

}  // namespace
}  // namespace lockstep::sim
