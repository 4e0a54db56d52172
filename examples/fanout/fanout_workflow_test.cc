// Unit tests of the fan-out/fan-in workflow on TestEnvironment (testing/test_environment.h):
// N children started and signaled by the parent, each squaring its share and signaling back;
// the parent's result, its fan-in counter and the events of every history; the same histories
// whether or not the worker keeps runs cached; a replay test of what was recorded; and mocked
// children and activities for the cases the real ones never produce.
#include "examples/fanout/fanout_workflow.h"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/history/history_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/replayer.h"
#include "testing/matchers.h"
#include "testing/test_environment.h"

namespace lockstep::examples {
namespace {

using ::lockstep::testing::HasEventTypes;
using ::lockstep::testing::IsOk;
using ::lockstep::testing::IsOkAndHolds;
using ::lockstep::testing::TestEnvironment;
using ::lockstep::testing::WorkflowFailedWithType;
using ::lockstep::testing::WorkflowHandle;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::Matcher;
using ::testing::Not;

constexpr char kParentId[] = "fan";

// 1^2 + 2^2 + ... + m^2.
int64_t SumOfSquares(int64_t m) { return m * (m + 1) * (2 * m + 1) / 6; }

// What child `index` must return: the squares of its share.
int64_t ShareSum(int64_t index, int64_t per_child) {
  return SumOfSquares((index + 1) * per_child) - SumOfSquares(index * per_child);
}

Matcher<FanoutResult> IsFanoutResult(int64_t children, int64_t reported, int64_t sum) {
  return AllOf(Field("children", &FanoutResult::children, children),
               Field("reported", &FanoutResult::reported, reported),
               Field("sum", &FanoutResult::sum, sum));
}

Matcher<FanoutReport> IsReport(int64_t index, int64_t sum) {
  return AllOf(Field("index", &FanoutReport::index, index), Field("sum", &FanoutReport::sum, sum));
}

// Starts the parent (id kParentId) with `n` children of `per_child` numbers each and waits
// until it closes; its handle, or why it could not be had.
absl::StatusOr<WorkflowHandle> RunParent(TestEnvironment& env, int64_t n, int64_t per_child) {
  auto parent =
      env.StartWorkflow(kFanout, {.id = kParentId}, FanoutInput{.n = n, .per_child = per_child});
  if (!parent.ok()) return parent.status();
  if (absl::Status closed = parent->Result().status(); !closed.ok()) return closed;
  return parent;
}

// The parent's workflow id and its children's.
std::vector<std::string> WorkflowIds(int64_t n) {
  std::vector<std::string> ids = {kParentId};
  for (int64_t i = 0; i < n; ++i) ids.push_back(FanoutChildId(kParentId, i));
  return ids;
}

class FanoutSizes : public ::testing::TestWithParam<int64_t> {
 protected:
  static constexpr int64_t kPerChild = 3;
  void SetUp() override { ASSERT_THAT(RegisterFanout(env_.registry()), IsOk()); }
  int64_t n() const { return GetParam(); }
  // For counting matchers.
  size_t count() const { return static_cast<size_t>(GetParam()); }

  TestEnvironment env_;
};

TEST_P(FanoutSizes, ReturnsTheSumOfEveryShareAndCountsEveryReport) {
  EXPECT_THAT(env_.ExecuteWorkflow(kFanout, {}, FanoutInput{.n = n(), .per_child = kPerChild}),
              IsOkAndHolds(IsFanoutResult(n(), n(), SumOfSquares(n() * kPerChild))));
}

TEST_P(FanoutSizes, ParentHistoryHasOneOfEachChildEventPerChild) {
  auto parent = RunParent(env_, n(), kPerChild);
  ASSERT_THAT(parent, IsOk());
  EXPECT_THAT(parent->History(),
              HasEventTypes(AllOf(
                  Contains("StartChildWorkflowExecutionInitiated").Times(count()),
                  Contains("ChildWorkflowExecutionStarted").Times(count()),
                  Contains("ChildWorkflowExecutionCompleted").Times(count()),
                  // `work`, sent to each child.
                  Contains("SignalExternalWorkflowExecutionInitiated").Times(count()),
                  Contains("ExternalWorkflowExecutionSignaled").Times(count()),
                  // `done`, sent back by each child.
                  Contains("WorkflowExecutionSignaled").Times(count()))));
}

TEST_P(FanoutSizes, ChildrenAreStartedAndSentTheirWorkInIndexOrderAndEachReportsOnce) {
  auto parent = RunParent(env_, n(), kPerChild);
  ASSERT_THAT(parent, IsOk());
  std::vector<std::string> started, sent_work;
  std::set<int64_t> reporters;
  for (const auto& event : parent->History().events()) {
    if (event.has_start_child_workflow_execution_initiated_event_attributes()) {
      const auto& start = event.start_child_workflow_execution_initiated_event_attributes();
      EXPECT_EQ(start.workflow_type().name(), kFanoutChild.name());
      started.push_back(start.workflow_id());
    } else if (event.has_signal_external_workflow_execution_initiated_event_attributes()) {
      const auto& signal = event.signal_external_workflow_execution_initiated_event_attributes();
      EXPECT_EQ(signal.signal_name(), kWork.name());
      sent_work.push_back(signal.workflow_execution().workflow_id());
    } else if (event.has_workflow_execution_signaled_event_attributes()) {
      const auto& signal = event.workflow_execution_signaled_event_attributes();
      EXPECT_EQ(signal.signal_name(), kDone.name());
      auto report = FromPayloads<FanoutReport>(signal.input());
      ASSERT_THAT(report, IsOk());
      reporters.insert(std::get<0>(*report).index);
    }
  }
  std::vector<std::string> children = WorkflowIds(n());
  children.erase(children.begin());  // the parent's
  EXPECT_EQ(started, children);
  EXPECT_EQ(sent_work, children);
  EXPECT_EQ(reporters.size(), count());
}

TEST_P(FanoutSizes, EveryChildSquaresItsShareAndReportsToTheParent) {
  ASSERT_THAT(RunParent(env_, n(), kPerChild), IsOk());
  for (int64_t i = 0; i < n(); ++i) {
    auto child = env_.GetHandle(FanoutChildId(kParentId, i));
    ASSERT_THAT(child, IsOk());
    SCOPED_TRACE(child->workflow_id());
    EXPECT_THAT(child->Result<FanoutReport>(), IsOkAndHolds(IsReport(i, ShareSum(i, kPerChild))));
    auto description = child->Describe();
    ASSERT_THAT(description, IsOk());
    ASSERT_TRUE(description->parent_execution.has_value());
    EXPECT_EQ(description->parent_execution->workflow_id(), kParentId);
    EXPECT_THAT(child->History(),
                HasEventTypes(AllOf(
                    // One square per number of its share.
                    Contains("ActivityTaskCompleted").Times(kPerChild),
                    // `work` from the parent, and `done` delivered to it.
                    Contains("WorkflowExecutionSignaled").Times(1),
                    Contains("ExternalWorkflowExecutionSignaled").Times(1))));
  }
}

// The bytes of the parent's history and of every child's, in WorkflowIds order.
std::vector<std::string> HistoriesOfARun(int64_t n, bool evict_after_every_task,
                                         WorkerStats* stats) {
  TestEnvironment env({.evict_after_every_task = evict_after_every_task});
  EXPECT_THAT(RegisterFanout(env.registry()), IsOk());
  EXPECT_THAT(RunParent(env, n, 2), IsOk());
  std::vector<std::string> histories;
  for (const std::string& id : WorkflowIds(n)) {
    auto handle = env.GetHandle(id);
    EXPECT_THAT(handle, IsOk());
    histories.push_back(handle.ok() ? history::SerializeHistoryBinary(handle->History()) : "");
  }
  *stats = env.worker().stats();
  return histories;
}

TEST_P(FanoutSizes, EvictionAtEveryTaskGivesTheSameHistories) {
  WorkerStats cached, evicted;
  const std::vector<std::string> with_cache = HistoriesOfARun(n(), false, &cached);
  const std::vector<std::string> with_eviction = HistoriesOfARun(n(), true, &evicted);
  ASSERT_EQ(with_cache.size(), count() + 1);
  ASSERT_EQ(with_eviction.size(), with_cache.size());
  for (size_t i = 0; i < with_cache.size(); ++i) {
    EXPECT_TRUE(with_cache[i] == with_eviction[i]) << WorkflowIds(n())[i] << " differs";
  }
  // The two runs really took different paths: one replayed a history at every task.
  EXPECT_EQ(cached.full_replays, n() + 1);  // each run built once
  EXPECT_EQ(evicted.full_replays, evicted.workflow_tasks);
  EXPECT_EQ(evicted.workflow_tasks, cached.workflow_tasks);
}

// The replay test a project keeps for its recorded histories (replay/replayer.h), here on
// histories the environment just recorded.
TEST_P(FanoutSizes, RecordedHistoriesReplayCleanly) {
  ASSERT_THAT(RunParent(env_, n(), kPerChild), IsOk());
  Registry registry;
  ASSERT_THAT(RegisterFanout(&registry), IsOk());
  for (const std::string& id : WorkflowIds(n())) {
    auto handle = env_.GetHandle(id);
    ASSERT_THAT(handle, IsOk());
    const replay::ReplayResult replayed = replay::ReplayHistory(registry, handle->History(), id);
    EXPECT_EQ(replayed.outcome, replay::Outcome::kClean) << replay::FormatText(replayed);
  }
}

INSTANTIATE_TEST_SUITE_P(N, FanoutSizes, ::testing::Values(1, 5, 20),
                         [](const ::testing::TestParamInfo<int64_t>& param) {
                           return absl::StrCat("N", param.param);
                         });

TEST(Fanout, ReplayOfCodeThatStartsOneChildFewerReportsTheMissingStart) {
  TestEnvironment env;
  ASSERT_THAT(RegisterFanout(env.registry()), IsOk());
  auto parent = RunParent(env, 5, 1);
  ASSERT_THAT(parent, IsOk());
  // A change that would break the runs in flight: one child fewer for the same input.
  Registry changed;
  ASSERT_THAT(changed.RegisterWorkflow(kFanout,
                                       [](WorkflowContext& ctx, FanoutInput input) {
                                         --input.n;
                                         return FanoutWorkflow(ctx, input);
                                       }),
              IsOk());
  const replay::ReplayResult replayed =
      replay::ReplayHistory(changed, parent->History(), kParentId);
  EXPECT_EQ(replayed.outcome, replay::Outcome::kNondeterministic) << replay::FormatText(replayed);
  ASSERT_TRUE(replayed.nondeterminism.has_value());
  EXPECT_EQ(replayed.nondeterminism->kind, Nondeterminism::Kind::kMissing);
  // Events 5..9 are the five starts; the code stopped after the fourth.
  EXPECT_EQ(replayed.nondeterminism->event_id, 9);
  EXPECT_EQ(replayed.nondeterminism->event_type, "StartChildWorkflowExecutionInitiated");
}

TEST(Fanout, ParentWaitsForEveryReportNotOnlyForEveryResult) {
  TestEnvironment env;
  ASSERT_THAT(RegisterFanout(env.registry()), IsOk());
  // Children that return their result an hour after they start but never signal `done`
  // (the hour lets the parent's `work` signal find them running).
  env.OnWorkflow(kFanoutChild)
      .Call([](const FanoutChildInput& input) {
        return FanoutReport{.index = input.index, .sum = ShareSum(input.index, 2)};
      })
      .Delay(absl::Hours(1));
  auto parent = env.StartWorkflow(kFanout, {.id = kParentId}, FanoutInput{.n = 3, .per_child = 2});
  ASSERT_THAT(parent, IsOk());

  env.AdvanceTime(absl::Hours(2));
  // Every result is in, no report is: the parent is still open.
  EXPECT_THAT(parent->History(),
              HasEventTypes(Contains("ChildWorkflowExecutionCompleted").Times(3)));
  EXPECT_FALSE(parent->IsClosed());
  EXPECT_THAT(parent->Query(kProgress), IsOkAndHolds(0));

  // The reports, sent by the test; a second report from the same child does not count.
  ASSERT_THAT(parent->Signal(kDone, FanoutReport{.index = 0, .sum = 0}), IsOk());
  ASSERT_THAT(parent->Signal(kDone, FanoutReport{.index = 1, .sum = 0}), IsOk());
  ASSERT_THAT(parent->Signal(kDone, FanoutReport{.index = 1, .sum = 0}), IsOk());
  EXPECT_THAT(parent->Query(kProgress), IsOkAndHolds(2));
  EXPECT_FALSE(parent->IsClosed());
  ASSERT_THAT(parent->Signal(kDone, FanoutReport{.index = 2, .sum = 0}), IsOk());
  EXPECT_THAT(parent->Result<FanoutResult>(), IsOkAndHolds(IsFanoutResult(3, 3, SumOfSquares(6))));
}

TEST(Fanout, ProgressCountsChildrenAsTheyReport) {
  TestEnvironment env;
  ASSERT_THAT(RegisterFanout(env.registry()), IsOk());
  // Squares of numbers above 3 fail (and are retried) until the gate opens, so of five
  // children with one number each, children 0..2 report first.
  bool gate_open = false;
  env.OnActivity(kSquare).Call([&gate_open](int64_t x) -> int64_t {
    if (x > 3 && !gate_open) throw ApplicationFailure("gate closed", "GateClosed");
    return x * x;
  });
  auto parent = env.StartWorkflow(kFanout, {.id = kParentId}, FanoutInput{.n = 5, .per_child = 1});
  ASSERT_THAT(parent, IsOk());

  env.AdvanceTime(absl::Minutes(1));
  EXPECT_THAT(parent->Query(kProgress), IsOkAndHolds(3));
  gate_open = true;
  EXPECT_THAT(parent->Result<FanoutResult>(), IsOkAndHolds(IsFanoutResult(5, 5, SumOfSquares(5))));
}

TEST(Fanout, NoChildrenReturnsAtOnce) {
  TestEnvironment env;
  ASSERT_THAT(RegisterFanout(env.registry()), IsOk());
  const absl::Time start = env.Now();
  auto parent = RunParent(env, 0, 3);
  ASSERT_THAT(parent, IsOk());
  EXPECT_THAT(parent->Result<FanoutResult>(), IsOkAndHolds(IsFanoutResult(0, 0, 0)));
  EXPECT_EQ(env.Now(), start);
  EXPECT_THAT(parent->History(),
              HasEventTypes(Not(Contains("StartChildWorkflowExecutionInitiated"))));
}

TEST(Fanout, InvalidInputFailsTheWorkflow) {
  TestEnvironment env;
  ASSERT_THAT(RegisterFanout(env.registry()), IsOk());
  EXPECT_THAT(env.ExecuteWorkflow(kFanout, {}, FanoutInput{.n = -1, .per_child = 3}),
              WorkflowFailedWithType("InvalidInput"));
  EXPECT_THAT(
      env.ExecuteWorkflow(kFanout, {}, FanoutInput{.n = kMaxFanoutChildren + 1, .per_child = 3}),
      WorkflowFailedWithType("InvalidInput"));
  EXPECT_THAT(env.ExecuteWorkflow(kFanout, {}, FanoutInput{.n = 2, .per_child = -1}),
              WorkflowFailedWithType("InvalidInput"));
  // A share of 3e8 numbers once took 52 s and 4.3 GB to build (1e9: bad_alloc).
  EXPECT_THAT(
      env.ExecuteWorkflow(kFanout, {}, FanoutInput{.n = 2, .per_child = kMaxFanoutPerChild + 1}),
      WorkflowFailedWithType("InvalidInput"));
  EXPECT_THAT(env.ExecuteWorkflow(kFanout, {}, FanoutInput{.n = 2, .per_child = 300000000}),
              WorkflowFailedWithType("InvalidInput"));
}

}  // namespace
}  // namespace lockstep::examples
