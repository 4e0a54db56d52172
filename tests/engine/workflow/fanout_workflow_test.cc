// The fan-out/fan-in example end to end: N children started and signaled by the parent, each
// running activities and signaling back; the parent's result, its fan-in counter and the
// events of every history; byte-identical histories when the worker cache is evicted at every
// workflow task; and a clean replay of what was recorded.
#include "examples/fanout/fanout_workflow.h"

#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/history/history_file.h"
#include "engine/workflow/workflow_run.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using examples::FanoutChildId;
using examples::FanoutChildInput;
using examples::FanoutInput;
using examples::FanoutReport;
using examples::FanoutResult;
using temporal::api::history::v1::History;
using testing::TestEnv;

constexpr char kParentId[] = "fan";

// 1^2 + 2^2 + ... + m^2.
int64_t SumOfSquares(int64_t m) { return m * (m + 1) * (2 * m + 1) / 6; }

// What child `index` must return: the squares of its share.
int64_t ShareSum(int64_t index, int64_t per_child) {
  return SumOfSquares((index + 1) * per_child) - SumOfSquares(index * per_child);
}

template <typename T>
T Decode(const Payloads& payloads) {
  auto value = FromPayloads<T>(payloads);
  EXPECT_TRUE(value.ok()) << value.status();
  return value.ok() ? std::get<0>(*std::move(value)) : T();
}

template <typename T>
T CompletedResult(TestEnv& env, const std::string& id) {
  const auto& last = env.Last(id);
  EXPECT_EQ(last.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
      << id << " ends with " << history::EventTypeShortName(last.event_type());
  return Decode<T>(last.workflow_execution_completed_event_attributes().result());
}

std::string RunIdOf(const History& history) {
  return history.events(0)
      .workflow_execution_started_event_attributes()
      .original_execution_run_id();
}

// Starts the parent with `n` children of `per_child` numbers each and runs until nothing is
// pending (the example must be registered already).
void RunFanout(TestEnv& env, int64_t n, int64_t per_child) {
  env.Start(examples::kFanoutWorkflow, kParentId,
            ToPayloads(FanoutInput{.n = n, .per_child = per_child}));
  env.RunToEnd();
}

// Replays `history` of workflow `workflow_id` from scratch against `registry`. The id matters:
// the parent derives its children's ids from its own, and child ids are part of a command's
// identity.
absl::Status Replay(const Registry& registry, const History& history,
                    const std::string& workflow_id,
                    std::optional<Nondeterminism>* found = nullptr) {
  WorkflowRun run(&registry, {.workflow_id = workflow_id, .run_id = RunIdOf(history)});
  auto processed = run.ProcessEvents(history, 0);
  if (!processed.ok()) {
    if (found != nullptr) *found = processed.error().nondeterminism;
    return ToStatus(processed.error());
  }
  if (!run.closed()) return absl::FailedPreconditionError("the replayed run did not close");
  if (run.result_mismatch().has_value()) {
    return absl::FailedPreconditionError(run.result_mismatch()->message);
  }
  RunStatus all = run.CheckAllCommandsRecorded();
  if (all.ok()) return absl::OkStatus();
  if (found != nullptr) *found = all.error().nondeterminism;
  return ToStatus(all.error());
}

class FanoutSizes : public ::testing::TestWithParam<int64_t> {
 protected:
  static constexpr int64_t kPerChild = 3;
  int64_t n() const { return GetParam(); }
};

TEST_P(FanoutSizes, ReturnsTheSumOfEveryShareAndCountsEveryReport) {
  TestEnv env;
  ASSERT_TRUE(examples::RegisterFanout(&env.registry()).ok());
  RunFanout(env, n(), kPerChild);
  const FanoutResult result = CompletedResult<FanoutResult>(env, kParentId);
  EXPECT_EQ(result.sum, SumOfSquares(n() * kPerChild));
  EXPECT_EQ(result.children, n());
  // The fan-in counter: every child reported exactly once.
  EXPECT_EQ(result.reported, n());
}

TEST_P(FanoutSizes, ParentHistoryHasOneOfEachChildEventPerChild) {
  TestEnv env;
  ASSERT_TRUE(examples::RegisterFanout(&env.registry()).ok());
  RunFanout(env, n(), kPerChild);
  for (const auto type : {enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
                          enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
                          enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
                          enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
                          enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
                          enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED}) {
    EXPECT_EQ(env.Count(kParentId, type), n()) << history::EventTypeShortName(type);
  }
  // Children started and sent their work in index order; every child reported "done" once.
  std::vector<std::string> started, signaled;
  std::set<int64_t> reporters;
  for (const auto& e : env.History(kParentId).events()) {
    if (e.has_start_child_workflow_execution_initiated_event_attributes()) {
      const auto& a = e.start_child_workflow_execution_initiated_event_attributes();
      EXPECT_EQ(a.workflow_type().name(), examples::kFanoutChildWorkflow);
      started.push_back(a.workflow_id());
    } else if (e.has_signal_external_workflow_execution_initiated_event_attributes()) {
      const auto& a = e.signal_external_workflow_execution_initiated_event_attributes();
      EXPECT_EQ(a.signal_name(), examples::kWorkSignal);
      signaled.push_back(a.workflow_execution().workflow_id());
    } else if (e.has_workflow_execution_signaled_event_attributes()) {
      const auto& a = e.workflow_execution_signaled_event_attributes();
      EXPECT_EQ(a.signal_name(), examples::kDoneSignal);
      reporters.insert(Decode<FanoutReport>(a.input()).index);
    }
  }
  std::vector<std::string> expected_ids;
  for (int64_t i = 0; i < n(); ++i) expected_ids.push_back(FanoutChildId(kParentId, i));
  EXPECT_EQ(started, expected_ids);
  EXPECT_EQ(signaled, expected_ids);
  EXPECT_EQ(static_cast<int64_t>(reporters.size()), n());
}

TEST_P(FanoutSizes, EveryChildCompletesItsShareAndReportsToTheParent) {
  TestEnv env;
  ASSERT_TRUE(examples::RegisterFanout(&env.registry()).ok());
  RunFanout(env, n(), kPerChild);
  for (int64_t i = 0; i < n(); ++i) {
    const std::string id = FanoutChildId(kParentId, i);
    SCOPED_TRACE(id);
    const FanoutReport report = CompletedResult<FanoutReport>(env, id);
    EXPECT_EQ(report.index, i);
    EXPECT_EQ(report.sum, ShareSum(i, kPerChild));
    const auto& start = env.History(id).events(0).workflow_execution_started_event_attributes();
    EXPECT_EQ(start.parent_workflow_execution().workflow_id(), kParentId);
    EXPECT_EQ(env.Count(id, enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED), kPerChild);
    EXPECT_EQ(env.Count(id, enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 1);
    EXPECT_EQ(env.Count(id, enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED), 1);
  }
}

// The binary histories of the parent and of every child, by workflow id.
std::map<std::string, std::string> HistoriesOfARun(int64_t n, bool evict_after_every_task,
                                                   WorkerStats* stats) {
  WorkerOptions options;
  options.evict_after_every_task = evict_after_every_task;
  TestEnv env(options);
  EXPECT_TRUE(examples::RegisterFanout(&env.registry()).ok());
  RunFanout(env, n, 2);
  std::map<std::string, std::string> histories;
  histories[kParentId] = history::SerializeHistoryBinary(env.History(kParentId));
  for (int64_t i = 0; i < n; ++i) {
    const std::string id = FanoutChildId(kParentId, i);
    histories[id] = history::SerializeHistoryBinary(env.History(id));
  }
  *stats = env.worker().stats();
  return histories;
}

TEST_P(FanoutSizes, EvictionAtEveryTaskGivesTheSameHistories) {
  WorkerStats cached, evicted;
  const auto with_cache = HistoriesOfARun(n(), false, &cached);
  const auto with_eviction = HistoriesOfARun(n(), true, &evicted);
  ASSERT_EQ(with_cache.size(), static_cast<size_t>(n() + 1));
  for (const auto& [id, bytes] : with_cache) {
    EXPECT_TRUE(bytes == with_eviction.at(id)) << id << " differs under eviction";
  }
  // The two runs really took different paths: one replayed a history at every task.
  EXPECT_EQ(cached.full_replays, n() + 1);  // each run built once
  EXPECT_EQ(evicted.full_replays, evicted.workflow_tasks);
  EXPECT_EQ(evicted.workflow_tasks, cached.workflow_tasks);
}

TEST_P(FanoutSizes, RecordedHistoriesReplayCleanly) {
  TestEnv env;
  ASSERT_TRUE(examples::RegisterFanout(&env.registry()).ok());
  RunFanout(env, n(), kPerChild);
  Registry registry;
  ASSERT_TRUE(examples::RegisterFanout(&registry).ok());
  const History& parent = env.History(kParentId);
  EXPECT_TRUE(Replay(registry, parent, kParentId).ok()) << Replay(registry, parent, kParentId);
  for (int64_t i = 0; i < n(); ++i) {
    const std::string id = FanoutChildId(kParentId, i);
    const History& child = env.History(id);
    EXPECT_TRUE(Replay(registry, child, id).ok()) << id << ": " << Replay(registry, child, id);
  }
}

INSTANTIATE_TEST_SUITE_P(N, FanoutSizes, ::testing::Values(1, 5, 20),
                         [](const ::testing::TestParamInfo<int64_t>& param) {
                           return absl::StrCat("N", param.param);
                         });

TEST(Fanout, ReplayOfCodeThatStartsOneChildFewerReportsTheMissingStart) {
  TestEnv env;
  ASSERT_TRUE(examples::RegisterFanout(&env.registry()).ok());
  RunFanout(env, 5, 1);
  Registry registry;
  ASSERT_TRUE(registry
                  .RegisterWorkflow(examples::kFanoutWorkflow,
                                    [](WorkflowContext& ctx, FanoutInput input) {
                                      --input.n;
                                      return examples::FanoutWorkflow(ctx, input);
                                    })
                  .ok());
  std::optional<Nondeterminism> found;
  EXPECT_FALSE(Replay(registry, env.History(kParentId), kParentId, &found).ok());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->kind, Nondeterminism::Kind::kMissing);
  // Events 5..9 are the five starts; the code stopped after the fourth.
  EXPECT_EQ(found->event_id, 9);
  EXPECT_EQ(found->event_type, "StartChildWorkflowExecutionInitiated");
}

// A child that does the work but never reports: the parent holds all results and must still
// wait for the report.
Task<FanoutReport> SilentChild(WorkflowContext& ctx, FanoutChildInput input) {
  std::optional<examples::FanoutShare> share;
  ctx.SetSignalHandler<examples::FanoutShare>(
      examples::kWorkSignal, [&share](examples::FanoutShare s) { share = std::move(s); });
  co_await ctx.WaitCondition([&share] { return share.has_value(); });
  FanoutReport report{.index = input.index, .sum = 0};
  for (int64_t x : share->numbers) report.sum += x * x;
  co_return report;
}

int64_t Progress(TestEnv& env) {
  auto answer = env.service().QueryWorkflow(kParentId, "", examples::kProgressQuery, {});
  EXPECT_TRUE(answer.ok()) << answer.status();
  return answer.ok() ? Decode<int64_t>(*answer) : -1;
}

TEST(Fanout, ParentWaitsForEveryReportNotOnlyForEveryResult) {
  TestEnv env;
  Registry& registry = env.registry();
  ASSERT_TRUE(registry.RegisterWorkflow(examples::kFanoutWorkflow, &examples::FanoutWorkflow).ok());
  ASSERT_TRUE(
      registry
          .RegisterWorkflow(examples::kFanoutChildWorkflow,
                            [](WorkflowContext& ctx, FanoutChildInput input) -> Task<FanoutReport> {
                              if (input.index == 2) return SilentChild(ctx, input);
                              return examples::FanoutChild(ctx, input);
                            })
          .ok());
  ASSERT_TRUE(registry
                  .RegisterActivity(examples::kSquareActivity,
                                    [](ActivityContext&, int64_t x) -> int64_t { return x * x; })
                  .ok());
  RunFanout(env, 4, 2);
  // Every child completed, yet child 2 never reported: the parent is still open.
  EXPECT_EQ(env.Count(kParentId, enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED), 4);
  EXPECT_EQ(env.Last(kParentId).event_type(), enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  EXPECT_EQ(Progress(env), 3);
  // A second report from a child that already reported does not count.
  env.Signal(kParentId, examples::kDoneSignal, ToPayloads(FanoutReport{.index = 1, .sum = 0}));
  env.RunToEnd();
  EXPECT_EQ(env.Last(kParentId).event_type(), enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  EXPECT_EQ(Progress(env), 3);
  // The same answer from a worker that rebuilds the parent from its history.
  env.worker().Evict(kParentId, RunIdOf(env.History(kParentId)));
  EXPECT_EQ(Progress(env), 3);
  // The missing report, sent from outside, lets the parent finish.
  env.Signal(kParentId, examples::kDoneSignal, ToPayloads(FanoutReport{.index = 2, .sum = 0}));
  env.RunToEnd();
  const FanoutResult result = CompletedResult<FanoutResult>(env, kParentId);
  EXPECT_EQ(result.reported, 4);
  EXPECT_EQ(result.children, 4);
  EXPECT_EQ(result.sum, SumOfSquares(8));
}

TEST(Fanout, ProgressCountsChildrenAsTheyReport) {
  TestEnv env;
  Registry& registry = env.registry();
  ASSERT_TRUE(registry.RegisterWorkflow(examples::kFanoutWorkflow, &examples::FanoutWorkflow).ok());
  ASSERT_TRUE(
      registry.RegisterWorkflow(examples::kFanoutChildWorkflow, &examples::FanoutChild).ok());
  // Squares of numbers above 3 fail (and are retried by the service) until the gate opens, so
  // children 0..2 of five (one number each) finish first.
  bool gate_open = false;
  ASSERT_TRUE(registry
                  .RegisterActivity(examples::kSquareActivity,
                                    [&gate_open](ActivityContext&, int64_t x) -> int64_t {
                                      if (x > 3 && !gate_open) throw ApplicationFailure("closed");
                                      return x * x;
                                    })
                  .ok());
  env.Start(examples::kFanoutWorkflow, kParentId, ToPayloads(FanoutInput{.n = 5, .per_child = 1}));
  env.RunToEnd(absl::Minutes(1));
  EXPECT_EQ(Progress(env), 3);
  gate_open = true;
  env.RunToEnd();
  const FanoutResult result = CompletedResult<FanoutResult>(env, kParentId);
  EXPECT_EQ(result.reported, 5);
  EXPECT_EQ(result.sum, SumOfSquares(5));
}

TEST(Fanout, NoChildrenReturnsAtOnce) {
  TestEnv env;
  ASSERT_TRUE(examples::RegisterFanout(&env.registry()).ok());
  RunFanout(env, 0, 3);
  const FanoutResult result = CompletedResult<FanoutResult>(env, kParentId);
  EXPECT_EQ(result.children, 0);
  EXPECT_EQ(result.reported, 0);
  EXPECT_EQ(result.sum, 0);
  EXPECT_EQ(env.Count(kParentId, enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED), 0);
}

TEST(Fanout, InvalidInputFailsTheWorkflow) {
  TestEnv env;
  ASSERT_TRUE(examples::RegisterFanout(&env.registry()).ok());
  RunFanout(env, -1, 3);
  const auto& last = env.Last(kParentId);
  ASSERT_EQ(last.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
  EXPECT_EQ(
      last.workflow_execution_failed_event_attributes().failure().application_failure_info().type(),
      "InvalidInput");
}

}  // namespace
}  // namespace lockstep
