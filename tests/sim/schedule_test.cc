// Schedules: a seed's recorded schedule runs as the seed did; schedules survive their text
// form; bad schedules are refused with the entry named.

#include "sim/schedule.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/util/prng.h"
#include "examples/buggy/buggy_examples.h"
#include "examples/order/order_simulation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sim/schedule_script.h"
#include "sim/simulation.h"

namespace lockstep::sim {
namespace {

using ::testing::HasSubstr;

std::string Findings(const SeedResult& r) {
  std::string out;
  for (const Finding& f : r.findings) absl::StrAppend(&out, f.Headline(), " | ", f.message, "\n");
  return out;
}

std::vector<Workload> AllWorkloads() {
  std::vector<Workload> all = examples::BuggyExampleWorkloads();
  all.push_back(examples::OrderWorkload());
  return all;
}

// The heart of it: a seed is one way to make a schedule. Its recorded schedule, run, takes the
// same steps (fingerprint), makes the same findings and writes the same history bytes; and
// recording that run gives the same schedule back.
TEST(ScheduleTest, ASeedsScheduleRunsAsTheSeedDid) {
  int with_faults = 0;
  int failing = 0;
  for (const Workload& workload : AllWorkloads()) {
    Simulation sim(&workload);
    for (uint64_t seed = 1; seed <= 40; ++seed) {
      SeedResult by_seed = sim.Run(seed, {.record = true, .record_schedule = true});
      ASSERT_TRUE(by_seed.schedule.has_value());
      const Schedule& schedule = *by_seed.schedule;
      EXPECT_EQ(schedule.workload(), workload.name);
      EXPECT_EQ(schedule.seed(), seed);
      absl::StatusOr<SeedResult> by_schedule =
          sim.RunSchedule(schedule, {.record = true, .record_schedule = true});
      ASSERT_TRUE(by_schedule.ok()) << by_schedule.status();
      const std::string where = absl::StrCat(workload.name, " seed ", seed);
      EXPECT_EQ(by_schedule->fingerprint, by_seed.fingerprint) << where;
      EXPECT_EQ(by_schedule->steps, by_seed.steps) << where;
      EXPECT_EQ(by_schedule->virtual_time, by_seed.virtual_time) << where;
      EXPECT_EQ(Findings(*by_schedule), Findings(by_seed)) << where;
      EXPECT_EQ(by_schedule->coverage.steps, by_seed.coverage.steps) << where;
      ASSERT_EQ(by_schedule->histories.size(), by_seed.histories.size()) << where;
      for (size_t i = 0; i < by_seed.histories.size(); ++i) {
        EXPECT_EQ(by_schedule->histories[i].history.SerializeAsString(),
                  by_seed.histories[i].history.SerializeAsString())
            << where << " history " << i;
      }
      ASSERT_TRUE(by_schedule->schedule.has_value());
      EXPECT_EQ(by_schedule->schedule->SerializeAsString(), schedule.SerializeAsString()) << where;
      if (SizeOf(schedule).faults > 0) ++with_faults;
      if (by_seed.failed()) ++failing;
    }
  }
  // The comparison covered faulty and failing runs, not only quiet ones.
  EXPECT_GT(with_faults, 300);
  EXPECT_GT(failing, 10);
}

TEST(ScheduleTest, TextRoundTripsExactly) {
  const Workload workload = examples::OrderWorkload();
  Simulation sim(&workload);
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    SeedResult r = sim.Run(seed, {.record = false, .record_schedule = true});
    const std::string text = ScheduleToText(*r.schedule);
    absl::StatusOr<Schedule> back = ParseSchedule(text, "order.schedule");
    ASSERT_TRUE(back.ok()) << back.status() << "\n" << text;
    EXPECT_EQ(back->SerializeAsString(), r.schedule->SerializeAsString()) << text;
  }
}

TEST(ScheduleTest, TimelineNamesCallsAndFaults) {
  Schedule s;
  s.set_workload("order");
  s.set_seed(7);
  v1::Call* start = s.add_calls();
  start->set_kind(v1::Call::KIND_START);
  start->set_workflow_id("order-1");
  start->set_workflow_type("order");
  v1::Call* signal = s.add_calls();
  signal->set_kind(v1::Call::KIND_SIGNAL);
  signal->set_at("1m30s");
  signal->set_request(1);
  signal->set_workflow_id("order-1");
  signal->set_name("approve");
  v1::ActivityAttempt* a = s.add_activity_attempts();
  a->set_workflow_id("order-1");
  a->set_activity_id("3");
  a->set_attempt(1);
  a->set_occurrence(1);
  a->set_late_by("30s");
  const std::string timeline = ScheduleTimeline(s);
  EXPECT_THAT(timeline, HasSubstr("2 calls, 1 faults"));
  EXPECT_THAT(timeline, HasSubstr("at 1m30s: signal order-1 'approve'"));
  EXPECT_THAT(timeline,
              HasSubstr("activity order-1/3 attempt 1: fault: times out, its answer 30s late"));
}

TEST(ScheduleTest, BadSchedulesAreRefusedWithTheEntryNamed) {
  auto error = [](absl::string_view text) {
    absl::StatusOr<Schedule> s = ParseSchedule(text, "my.schedule");
    EXPECT_FALSE(s.ok()) << text;
    return s.ok() ? std::string() : std::string(s.status().message());
  };
  EXPECT_THAT(
      error("workload: \"order\" calls { kind: KIND_SIGNAL workflow_id: \"a\" at: \"soon\" }"),
      HasSubstr("my.schedule: calls[0].at: 'soon' is not a duration"));
  EXPECT_THAT(
      error("workload: \"order\" delays { kind: KIND_TIMER workflow_id: \"a\" occurrence: 1 "
            "delay: \"-3s\" }"),
      HasSubstr("delays[0].delay: '-3s' is negative"));
  EXPECT_THAT(error("workload: \"order\" calls { workflow_id: \"a\" }"),
              HasSubstr("calls[0].kind: missing or unknown"));
  EXPECT_THAT(error("workload: \"order\" nonsense: 3"),
              HasSubstr("my.schedule: not a lockstep.sim.v1.Schedule"));
  EXPECT_THAT(error("workload: \"order\" nonsense: 3"), HasSubstr("line 1"));
  EXPECT_THAT(error("calls { kind: KIND_CANCEL workflow_id: \"a\" }"),
              HasSubstr("workload: missing"));
  EXPECT_THAT(
      error("workload: \"order\" workflow_tasks { workflow_id: \"a\" number: 2 lost: true } "
            "workflow_tasks { workflow_id: \"a\" number: 2 failed: true }"),
      HasSubstr("workflow_tasks[1]: a second entry for the same workflow task"));
  EXPECT_THAT(
      error(
          "workload: \"order\" activity_attempts { workflow_id: \"a\" attempt: 0 occurrence: 1 }"),
      HasSubstr("activity_attempts[0].attempt: 0 is not a count from 1"));
  EXPECT_THAT(
      error(
          "workload: \"order\" step_faults { after_step: 3 kind: KIND_QUERY workflow_id: \"a\" }"),
      HasSubstr("step_faults[0].name: missing"));

  const Workload workload = examples::OrderWorkload();
  Simulation sim(&workload);
  Schedule other;
  other.set_workload("charge");
  absl::StatusOr<SeedResult> r = sim.RunSchedule(other);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("for workload 'charge', not 'order'"));
}

TEST(ScheduleTest, FilesRoundTripAndMissingFilesAreNamed) {
  const Workload workload = examples::OrderWorkload();
  Simulation sim(&workload);
  SeedResult r = sim.Run(5, {.record = false, .record_schedule = true});
  const std::string path = ::testing::TempDir() + "/order-5.schedule";
  ASSERT_TRUE(WriteScheduleFile(*r.schedule, path).ok());
  absl::StatusOr<Schedule> back = ReadScheduleFile(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->SerializeAsString(), r.schedule->SerializeAsString());
  absl::StatusOr<Schedule> missing = ReadScheduleFile(path + ".nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("order-5.schedule.nope: cannot open"));
}

// A schedule written by hand decides what it says: a start-to-close timeout on the first charge
// attempt of the buggy charge workflow makes the retry charge twice.
TEST(ScheduleTest, AHandWrittenFaultIsApplied) {
  std::vector<Workload> all = examples::BuggyExampleWorkloads();
  const Workload* charge = nullptr;
  for (const Workload& w : all) {
    if (w.name == "charge_buggy") charge = &w;
  }
  ASSERT_NE(charge, nullptr);
  Simulation sim(charge);
  // The calls of seed 1 and no decision at all: passes.
  SeedResult seeded = sim.Run(1, {.record = false, .record_schedule = true});
  Schedule quiet;
  quiet.set_workload(charge->name);
  quiet.set_seed(1);
  *quiet.mutable_calls() = seeded.schedule->calls();
  absl::StatusOr<SeedResult> calm =
      sim.RunSchedule(quiet, {.record = false, .record_schedule = true});
  ASSERT_TRUE(calm.ok()) << calm.status();
  EXPECT_FALSE(calm->failed()) << Findings(*calm);
  // A timeout on the first attempt of each activity id in turn: one of them is the charge.
  bool found = false;
  for (const v1::Call& c : quiet.calls()) {
    if (c.kind() != v1::Call::KIND_START) continue;
    for (int id = 1; id <= 20 && !found; ++id) {
      Schedule faulty = quiet;
      v1::ActivityAttempt* a = faulty.add_activity_attempts();
      a->set_workflow_id(c.workflow_id());
      a->set_activity_id(absl::StrCat(id));
      a->set_attempt(1);
      a->set_occurrence(1);
      a->set_late_by("1s");
      absl::StatusOr<SeedResult> r = sim.RunSchedule(faulty);
      ASSERT_TRUE(r.ok()) << r.status();
      if (r->failed()) {
        found = true;
        EXPECT_THAT(Findings(*r), HasSubstr("invariant"));
        EXPECT_EQ(r->coverage.faults[static_cast<size_t>(Fault::kActivityStartToCloseTimeout)], 1);
      }
    }
  }
  EXPECT_TRUE(found) << "no single start-to-close timeout made charge_buggy charge twice";
}

}  // namespace
}  // namespace lockstep::sim

namespace lockstep::sim {
namespace {

// Whatever the bytes, a schedule file is refused with an error or runs: never a crash. Each
// case flips, drops or duplicates a few bytes of a real schedule's text (a seeded PRNG, so the
// cases are the same on every run).
TEST(ScheduleTest, CorruptedSchedulesAreRefusedOrRunNeverCrash) {
  const Workload workload = examples::OrderWorkload();
  Simulation sim(&workload);
  const std::string text =
      ScheduleToText(*sim.Run(11, {.record = false, .record_schedule = true}).schedule);
  Prng rng(20261206);
  int refused = 0;
  int ran = 0;
  for (int i = 0; i < 400; ++i) {
    std::string bad = text;
    const int edits = 1 + static_cast<int>(rng.Below(4));
    for (int e = 0; e < edits && !bad.empty(); ++e) {
      const size_t at = rng.Below(bad.size());
      switch (rng.Below(3)) {
        case 0:
          bad[at] = static_cast<char>(rng.Below(256));
          break;
        case 1:
          bad.erase(at, 1 + rng.Below(8));
          break;
        default:
          bad.insert(at, bad.substr(at, 1 + rng.Below(8)));
          break;
      }
    }
    absl::StatusOr<Schedule> parsed = ParseSchedule(bad, "bad.schedule");
    if (!parsed.ok()) {
      EXPECT_THAT(parsed.status().message(), HasSubstr("bad.schedule"));
      ++refused;
      continue;
    }
    absl::StatusOr<SeedResult> r = sim.RunSchedule(*parsed);
    if (r.ok()) ++ran;
  }
  // Both paths were taken.
  EXPECT_GT(refused, 50);
  EXPECT_GT(ran, 50);
}

}  // namespace
}  // namespace lockstep::sim
