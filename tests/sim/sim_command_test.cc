// The simulation command line (RunSimCommand: `lockstep sim` and SimMain binaries): exit
// statuses, the reproduce line, shards, and what a failing seed leaves on disk.
#include "sim/sim_main.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "examples/order/order_simulation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sim/stuck_workload.h"

namespace lockstep::sim {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::vector<Workload> Workloads() {
  return {examples::OrderWorkload(), test::StuckWorkload()};
}

struct Result {
  int status;
  std::string out;
  std::string err;
};

Result Sim(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int status = RunSimCommand(args, nullptr, Workloads(), "simtest", {out, err});
  return {status, out.str(), err.str()};
}

// The seed numbers of "seed N: ..." lines.
std::set<uint64_t> SeedsIn(const std::string& out) {
  std::set<uint64_t> seeds;
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (!absl::ConsumePrefix(&line, "seed ")) continue;
    uint64_t seed = 0;
    if (absl::SimpleAtoi(line.substr(0, line.find(':')), &seed)) seeds.insert(seed);
  }
  return seeds;
}

std::string LineWith(const std::string& out, absl::string_view prefix) {
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (absl::StartsWith(line, prefix)) return std::string(line);
  }
  return "";
}

TEST(SimCommandTest, NoFailureExitsZeroWithASummary) {
  Result r = Sim({"--workflow", "order", "--seeds", "30"});
  EXPECT_EQ(r.status, kSimExitOk) << r.err;
  EXPECT_THAT(r.out, StartsWith("lockstep sim: workload order, seeds 1..30, faults all"));
  EXPECT_THAT(r.out, HasSubstr("summary: 30 seeds run, 0 failed"));
  EXPECT_THAT(r.out, HasSubstr("virtual/wall speedup"));
  EXPECT_THAT(r.out, HasSubstr("coverage: faults injected: "));
}

TEST(SimCommandTest, AFailureExitsOneAndItsReproduceLineReproducesIt) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "sim_command_failure";
  std::filesystem::remove_all(dir);
  Result r = Sim({"--workflow=stuck", "--seeds=40", "--out", dir.string()});
  ASSERT_EQ(r.status, kSimExitFound) << r.out << r.err;
  const std::string reproduce = LineWith(r.out, "reproduce the first: ");
  ASSERT_FALSE(reproduce.empty()) << r.out;
  std::vector<std::string> args = absl::StrSplit(
      reproduce.substr(std::string("reproduce the first: simtest ").size()), ' ');
  ASSERT_THAT(args, ::testing::Contains("--seed"));
  const uint64_t seed = *SeedsIn(r.out).begin();

  // The failing seed's report names the finding; rerunning it alone fails the same way with
  // the same fingerprint and the same history bytes.
  const std::filesystem::path seed_dir = dir / ("stuck-seed-" + std::to_string(seed));
  std::ifstream report(seed_dir / "report.txt");
  std::stringstream report_text;
  report_text << report.rdbuf();
  EXPECT_THAT(report_text.str(), HasSubstr("liveness [stuck]"));
  EXPECT_TRUE(std::filesystem::exists(seed_dir / "trace.json"));
  const std::filesystem::path rerun_dir = dir / "rerun";
  args.push_back("--out");
  args.push_back(rerun_dir.string());
  Result again = Sim(args);
  EXPECT_EQ(again.status, kSimExitFound) << again.out;
  std::ifstream report2(rerun_dir / ("stuck-seed-" + std::to_string(seed)) / "report.txt");
  std::stringstream report2_text;
  report2_text << report2.rdbuf();
  EXPECT_EQ(report_text.str(), report2_text.str());
  int histories = 0;
  for (const auto& entry : std::filesystem::directory_iterator(seed_dir)) {
    if (entry.path().extension() != ".binpb") continue;
    ++histories;
    std::ifstream a(entry.path(), std::ios::binary);
    std::ifstream b(rerun_dir / ("stuck-seed-" + std::to_string(seed)) / entry.path().filename(),
                    std::ios::binary);
    std::stringstream sa;
    std::stringstream sb;
    sa << a.rdbuf();
    sb << b.rdbuf();
    EXPECT_FALSE(sa.str().empty());
    EXPECT_EQ(sa.str(), sb.str()) << entry.path();
  }
  EXPECT_EQ(histories, 1);
}

// The fingerprint of the first "...: FAILED (..., fingerprint F)" or "...: ok (...)" line.
std::string FingerprintIn(const std::string& out) {
  const size_t at = out.find("fingerprint ");
  return at == std::string::npos ? "" : out.substr(at + 12, 16);
}

TEST(SimCommandTest, AFailingSeedsScheduleRerunsTheSameWay) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "sim_command_schedule";
  std::filesystem::remove_all(dir);
  Result r = Sim({"--workflow=stuck", "--seeds=40", "--out", dir.string()});
  ASSERT_EQ(r.status, kSimExitFound) << r.out << r.err;
  const uint64_t seed = *SeedsIn(r.out).begin();
  const std::string seed_line = LineWith(r.out, "seed " + std::to_string(seed) + ": faults");
  const std::filesystem::path schedule =
      dir / ("stuck-seed-" + std::to_string(seed)) / "schedule.txtpb";
  ASSERT_TRUE(std::filesystem::exists(schedule)) << r.out;
  Result again = Sim({"--workflow", "stuck", "--schedule", schedule.string()});
  EXPECT_EQ(again.status, kSimExitFound) << again.out << again.err;
  EXPECT_THAT(again.out, HasSubstr("liveness: stuck"));
  EXPECT_EQ(FingerprintIn(again.out), FingerprintIn(seed_line)) << again.out << seed_line;
  EXPECT_THAT(again.out, HasSubstr("reproduce: simtest --workflow stuck --schedule " +
                                   schedule.string()));
}

TEST(SimCommandTest, ShrinkWritesTheSmallestFailingSchedule) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "sim_command_shrink";
  std::filesystem::remove_all(dir);
  // A failing seed of the stuck workload (its plan sends no `go`), with every fault allowed.
  uint64_t failing = 0;
  for (uint64_t seed = 1; seed <= 40 && failing == 0; ++seed) {
    if (Sim({"--workflow", "stuck", "--seed", std::to_string(seed)}).status == kSimExitFound) {
      failing = seed;
    }
  }
  ASSERT_NE(failing, 0u);
  Result r = Sim({"--workflow", "stuck", "--seed", std::to_string(failing), "--shrink", "--out",
                  dir.string()});
  ASSERT_EQ(r.status, kSimExitFound) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("to 1 calls, 0 faults, 0 other decisions"));
  EXPECT_THAT(r.out, HasSubstr("at 0: start stuck (stuck)"));
  const std::filesystem::path shrunk = dir / "stuck-shrunk" / "schedule.txtpb";
  EXPECT_THAT(r.out, HasSubstr("reproduce: simtest --workflow stuck --schedule " + shrunk.string()));
  Result again = Sim({"--workflow", "stuck", "--schedule", shrunk.string()});
  EXPECT_EQ(again.status, kSimExitFound) << again.out << again.err;
  // A budget of one run stops after the run that confirms the failure: the schedule is still
  // the seed's own, and the output says the budget stopped it.
  Result budget = Sim({"--workflow", "stuck", "--seed", std::to_string(failing), "--shrink",
                       "--shrink-runs", "1", "--out", (dir / "budget").string()});
  ASSERT_EQ(budget.status, kSimExitFound) << budget.out << budget.err;
  EXPECT_THAT(budget.out,
              HasSubstr("shrunk in 0 steps (1 runs, stopped at the --shrink-runs budget)"));
  EXPECT_THAT(r.out, Not(HasSubstr("stopped at the --shrink-runs budget")));
  // A passing seed has nothing to shrink.
  Result passing = Sim({"--workflow", "order", "--seed", "3", "--shrink"});
  EXPECT_EQ(passing.status, kSimExitOk) << passing.out << passing.err;
  EXPECT_THAT(passing.out, HasSubstr("the schedule passes: there is nothing to shrink"));
}

TEST(SimCommandTest, ScheduleUsageErrorsExitTwoNamingTheArgument) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "sim_command_schedule_usage";
  std::filesystem::create_directories(dir);
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::string missing = (dir / "nope.txtpb").string();
  const std::string other = (dir / "other.txtpb").string();
  std::ofstream(other) << "workload: \"stuck\"\n";
  const std::string broken = (dir / "broken.txtpb").string();
  std::ofstream(broken) << "workload: \"order\"\ncalls { kind: KIND_SIGNAL workflow_id: \"x\" at: \"later\" }\n";
  for (const Case& c : std::vector<Case>{
           {{"--workflow", "order", "--schedule", missing, "--seed", "3"}, "give one"},
           {{"--workflow", "order", "--schedule", missing, "--faults", "none"},
            "--faults and --strategy do not apply to --schedule"},
           {{"--workflow", "order", "--shrink"}, "--shrink needs the failing run"},
           {{"--workflow", "order", "--seed", "3", "--shrink-runs", "5"},
            "--shrink-runs applies to --shrink"},
           {{"--workflow", "order", "--seed", "3", "--shrink", "--shrink-runs", "0"},
            "--shrink-runs"},
           {{"--workflow", "order", "--schedule", missing, "--jobs", "2"}, "not to one schedule"},
           {{"--workflow", "order", "--schedule", missing}, "nope.txtpb: cannot open the schedule"},
           {{"--workflow", "order", "--schedule", other},
            "is a schedule of workload 'stuck', not 'order'"},
           {{"--workflow", "order", "--schedule", broken},
            "broken.txtpb: calls[0].at: 'later' is not a duration"},
       }) {
    Result r = Sim(c.args);
    EXPECT_EQ(r.status, kSimExitUsage) << c.error << "\n" << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.error));
  }
}

TEST(SimCommandTest, ASingleSeedPrintsItsOptionsFirst) {
  Result r = Sim({"--workflow", "order", "--seed", "77"});
  EXPECT_EQ(r.status, kSimExitOk);
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n');
  ASSERT_GE(lines.size(), 3u);
  EXPECT_THAT(lines[0], HasSubstr("seed 77"));
  EXPECT_THAT(lines[1], StartsWith("seed 77: faults "));
}

TEST(SimCommandTest, ShardsSplitTheSeedsWithoutOverlap) {
  std::set<uint64_t> all;
  for (int shard = 0; shard < 3; ++shard) {
    Result r = Sim({"--workflow", "order", "--seeds", "20", "--first-seed", "100", "--verbose",
                    "--shard", std::to_string(shard) + "/3"});
    ASSERT_EQ(r.status, kSimExitOk) << r.err;
    for (uint64_t s : SeedsIn(r.out)) EXPECT_TRUE(all.insert(s).second) << "seed " << s << " twice";
  }
  std::set<uint64_t> expected;
  for (uint64_t s = 100; s < 120; ++s) expected.insert(s);
  EXPECT_EQ(all, expected);
}

TEST(SimCommandTest, GoogleTestShardingVariablesSplitTheSeedsToo) {
  const std::filesystem::path status_file =
      std::filesystem::path(::testing::TempDir()) / "sim_shard_status";
  std::filesystem::remove(status_file);
  setenv("GTEST_TOTAL_SHARDS", "2", 1);
  setenv("GTEST_SHARD_INDEX", "1", 1);
  setenv("GTEST_SHARD_STATUS_FILE", status_file.c_str(), 1);
  Result r = Sim({"--workflow", "order", "--seeds", "10", "--verbose"});
  setenv("GTEST_SHARD_INDEX", "5", 1);
  Result bad = Sim({"--workflow", "order", "--seeds", "10"});
  unsetenv("GTEST_TOTAL_SHARDS");
  unsetenv("GTEST_SHARD_INDEX");
  unsetenv("GTEST_SHARD_STATUS_FILE");
  EXPECT_EQ(r.status, kSimExitOk);
  EXPECT_EQ(SeedsIn(r.out), (std::set<uint64_t>{2, 4, 6, 8, 10}));
  EXPECT_TRUE(std::filesystem::exists(status_file));
  EXPECT_EQ(bad.status, kSimExitUsage);
  EXPECT_THAT(bad.err, HasSubstr("GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS (5/2)"));
}

TEST(SimCommandTest, JobsDoNotChangeResults) {
  Result one = Sim({"--workflow", "order", "--seeds", "40", "--verbose"});
  Result four = Sim({"--workflow", "order", "--seeds", "40", "--verbose", "--jobs", "4"});
  ASSERT_EQ(one.status, kSimExitOk);
  ASSERT_EQ(four.status, kSimExitOk);
  // Same seed lines (fault plan, steps, virtual time, fingerprint), whatever the order.
  auto lines = [](const std::string& out) {
    std::set<std::string> s;
    for (absl::string_view line : absl::StrSplit(out, '\n')) {
      if (absl::StartsWith(line, "seed ")) s.insert(std::string(line));
    }
    return s;
  };
  EXPECT_EQ(lines(one.out), lines(four.out));
  EXPECT_EQ(lines(one.out).size(), 40u);
}

TEST(SimCommandTest, UsageErrorsExitTwoNamingTheArgument) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{"--seeds", "5"}, "--workflow NAME is required"},
           {{"--workflow", "nope"}, "no workload named 'nope'"},
           {{"--workflow", "order", "--faults", "cosmic_rays"}, "unknown fault kind 'cosmic_rays'"},
           {{"--workflow", "order", "--strategy", "fifo"}, "--strategy"},
           {{"--workflow", "order", "--seeds", "0"}, "--seeds needs a positive integer"},
           {{"--workflow", "order", "--shard", "3/3"}, "--shard must be I/N"},
           {{"--workflow", "order", "--record"}, "--record needs --out"},
           {{"--workflow", "order", "--frobnicate"}, "unknown flag '--frobnicate'"},
       }) {
    Result r = Sim(c.args);
    EXPECT_EQ(r.status, kSimExitUsage) << c.message;
    EXPECT_THAT(r.err, HasSubstr(c.message));
    EXPECT_THAT(r.err, HasSubstr("run 'simtest --help' for usage"));
  }
}

TEST(SimCommandTest, HelpAndLists) {
  Result help = Sim({"--help"});
  EXPECT_EQ(help.status, kSimExitOk);
  EXPECT_THAT(help.out, HasSubstr("--faults"));
  EXPECT_THAT(help.out, HasSubstr("--shard"));
  Result list = Sim({"--list"});
  EXPECT_EQ(list.status, kSimExitOk);
  EXPECT_THAT(list.out, HasSubstr("order\t"));
  EXPECT_THAT(list.out, HasSubstr("stuck\thalf the seeds"));
  Result faults = Sim({"--list-faults"});
  EXPECT_THAT(faults.out, HasSubstr("signal_duplicate\t"));
}

}  // namespace
}  // namespace lockstep::sim
