// `lockstep bench signals` and BenchMain's command (benchmarks/load/bench_main.h): the output
// format, the figures' consistency with the load that ran, and the exit statuses.
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "benchmarks/load/bench_main.h"
#include "engine/payload/payload.h"
#include "examples/counter/counter_workflow.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/run_command.h"
#include "tools/lockstep/command.h"

namespace lockstep::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// The "name: value" lines after the first, as numbers; fails the test on any other line.
std::map<std::string, double> Figures(const std::string& out) {
  std::map<std::string, double> figures;
  std::vector<std::string> lines = absl::StrSplit(out, '\n', absl::SkipEmpty());
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> parts = absl::StrSplit(lines[i], ": ");
    double value = 0;
    EXPECT_TRUE(parts.size() == 2 && absl::SimpleAtod(parts[1], &value)) << lines[i];
    if (parts.size() == 2) figures[parts[0]] = value;
  }
  return figures;
}

const std::vector<std::string> kFigureNames = {
    "signals",           "workflows_started",  "workflows_completed",      "histories_released",
    "timed_seconds",
    "total_seconds",     "signals_per_second", "per_signal_p50_us",        "per_signal_p99_us",
    "events_per_signal", "retained_bytes_per_event", "peak_rss_mb",        "rss_mb"};

TEST(BenchSignals, PrintsTheOptionsThenEveryFigure) {
  auto r = testing::RunCommand(RunLockstep, {"bench", "signals", "--workflow", "counter",
                                             "--workflows", "10", "--signals", "2000",
                                             "--per-task", "10"});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, StartsWith("bench signals: workflow=counter type=counterWorkflow "
                                "workflows=10 signals=2000 per_task=10 per_workflow=200 "
                                "retain_closed_bytes=all\n"));
  const std::map<std::string, double> figures = Figures(r.out);
  std::vector<std::string> names;
  for (const auto& [name, value] : figures) names.push_back(name);
  EXPECT_THAT(names, ::testing::UnorderedElementsAreArray(kFigureNames));
  EXPECT_EQ(figures.at("signals"), 2000);
  EXPECT_EQ(figures.at("workflows_started"), 10);
  EXPECT_EQ(figures.at("workflows_completed"), 10);
  EXPECT_EQ(figures.at("histories_released"), 0);
  // Each batch of 10 signals adds a workflow task's three events; each workflow's start, its
  // activity, timer and completion add a few more over its 200 signals.
  EXPECT_GT(figures.at("events_per_signal"), 1.3);
  EXPECT_LT(figures.at("events_per_signal"), 1.45);
  EXPECT_GT(figures.at("signals_per_second"), 0);
  EXPECT_GT(figures.at("timed_seconds"), 0);
  EXPECT_GE(figures.at("total_seconds"), figures.at("timed_seconds"));
  EXPECT_GT(figures.at("per_signal_p50_us"), 0);
  EXPECT_LE(figures.at("per_signal_p50_us"), figures.at("per_signal_p99_us"));
  EXPECT_GT(figures.at("retained_bytes_per_event"), 0);
  EXPECT_GT(figures.at("peak_rss_mb"), 0);
  EXPECT_GT(figures.at("rss_mb"), 0);
  EXPECT_EQ(r.err, "");  // no terminal: no progress line
}

TEST(BenchSignals, WorkflowsThatHadTheirShareAreReplaced) {
  auto r = testing::RunCommand(RunLockstep, {"bench", "signals", "--workflow=counter",
                                             "--workflows=2", "--signals=95", "--per-task=5",
                                             "--per-workflow=10"});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  const std::map<std::string, double> figures = Figures(r.out);
  EXPECT_EQ(figures.at("signals"), 95);
  // Nine workflows of 10 and a last one of 5, each completed.
  EXPECT_EQ(figures.at("workflows_started"), 10);
  EXPECT_EQ(figures.at("workflows_completed"), 10);
  EXPECT_EQ(figures.at("histories_released"), 0);
}

TEST(BenchSignals, RetentionReleasesCompletedWorkflowsHistories) {
  auto r = testing::RunCommand(RunLockstep, {"bench", "signals", "--workflow=counter",
                                             "--workflows=2", "--signals=100", "--per-task=5",
                                             "--per-workflow=10", "--retain-closed-bytes=0"});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr(" retain_closed_bytes=0\n"));
  const std::map<std::string, double> figures = Figures(r.out);
  EXPECT_EQ(figures.at("workflows_completed"), 10);
  EXPECT_EQ(figures.at("histories_released"), 10);
  // Released histories' events still count as recorded (a share of 10 signals carries a
  // workflow's start and close, 3.2 events a signal); none is held to weigh.
  EXPECT_GT(figures.at("events_per_signal"), 1.6);
  EXPECT_LT(figures.at("events_per_signal"), 4.0);
  EXPECT_EQ(figures.at("retained_bytes_per_event"), 0);
}

TEST(BenchSignals, ListNamesTheLoads) {
  auto r = testing::RunCommand(RunLockstep, {"bench", "signals", "--list"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, StartsWith("counter\t"));
}

TEST(BenchSignals, UsageErrorsNameTheArgument) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"bench"}, "lockstep bench: name a load: signals"},
      {{"bench", "queries"}, "lockstep bench: no load named 'queries' (the loads: signals)"},
      {{"bench", "signals"}, "lockstep bench signals: --workflow NAME is required"},
      {{"bench", "signals", "--workflow", "nope"},
       "lockstep bench signals: --workflow: no load named 'nope'"},
      {{"bench", "signals", "--workflow", "counter", "--signals", "0"},
       "lockstep bench signals: --signals needs a positive integer, got '0'"},
      {{"bench", "signals", "--workflow", "counter", "--per-task", "-3"},
       "--per-task needs a positive integer"},
      {{"bench", "signals", "--workflow", "counter", "--workflows", "1", "--signals",
        "3000000000"},
       "lockstep bench signals: --per-workflow: each workflow would get 3000000000 signals; "
       "the counter load takes at most 2147483647"},
      {{"bench", "signals", "--bogus"}, "unknown flag '--bogus'"},
      {{"bench", "signals", "--workflow", "counter", "--retain-closed-bytes", "-2"},
       "--retain-closed-bytes"},
  };
  for (const Case& c : cases) {
    auto r = testing::RunCommand(RunLockstep, c.args);
    EXPECT_EQ(r.status, kExitUsage) << absl::StrJoin(c.args, " ");
    EXPECT_THAT(r.err, HasSubstr(c.message)) << absl::StrJoin(c.args, " ");
    EXPECT_EQ(r.out, "") << absl::StrJoin(c.args, " ");
  }
}

TEST(BenchSignals, HelpListsTheOptions) {
  auto r = testing::RunCommand(RunLockstep, {"bench", "signals", "--help"});
  EXPECT_EQ(r.status, kExitOk);
  for (const char* option : {"--workflow", "--workflows", "--signals", "--per-task",
                             "--per-workflow", "--retain-closed-bytes", "--list"}) {
    EXPECT_THAT(r.out, HasSubstr(option));
  }
  auto top = testing::RunCommand(RunLockstep, {"bench", "--help"});
  EXPECT_EQ(top.status, kExitOk);
  EXPECT_THAT(top.out, HasSubstr("signals"));
}

// A load whose start input does not make the workflow complete after its share: the command
// fails (exit 1) and names the workflow and its status.
TEST(BenchSignals, AWorkflowNotCompletedAfterItsShareFailsTheLoad) {
  Registry registry;
  ASSERT_TRUE(examples::RegisterCounter(&registry).ok());
  bench::SignalLoad load{
      .name = "short",
      .workflow_type = examples::kCounterWorkflow,
      .description = "counts one past its share",
      .start_input = [](int64_t share) { return ToPayloads(static_cast<int>(share) + 1); },
      .signal_name = examples::kIncSignal,
      .signal_input = [](int64_t) { return ToPayloads(1); },
  };
  std::ostringstream out, err;
  const int status = bench::RunBenchSignalsCommand(
      {"--workflow", "short", "--workflows", "2", "--signals", "20", "--per-task", "5"},
      registry, {load}, "my_bench", {out, err});
  EXPECT_EQ(status, bench::kBenchExitFailed);
  EXPECT_THAT(err.str(), HasSubstr("my_bench: workflow short-1 (counterWorkflow) is "
                                   "WORKFLOW_EXECUTION_STATUS_RUNNING after its 10 signals"));
}

}  // namespace
}  // namespace lockstep::cli
