// Local activities: run in the worker within the workflow task, retried there, recorded as
// markers, and read back (not run again) on replay.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/payload/struct_mapping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"
#include "tests/testing/function_env.h"

namespace lockstep {
namespace {

using ::lockstep::testing::FunctionEnv;

namespace enums = temporal::api::enums::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TestEnv;

TEST(LocalActivity, RunsInTheTaskAndIsRecordedAsAMarker) {
  WorkerOptions evicting;
  evicting.evict_after_every_task = true;
  TestEnv env(evicting);
  int runs = 0;
  ASSERT_TRUE(env.registry()
                  .RegisterActivity("hello",
                                    [&runs](ActivityContext&, std::string name) {
                                      ++runs;
                                      return "Hello " + name + "!";
                                    })
                  .ok());
  ASSERT_TRUE(
      env.registry()
          .RegisterWorkflow("wf",
                            [](WorkflowContext& ctx, std::string name) -> Task<std::string> {
                              std::string a = co_await ctx.ExecuteLocalActivity<std::string>(
                                  "hello", {.schedule_to_close_timeout = absl::Minutes(1)}, name);
                              co_await ctx.Sleep(absl::Seconds(1));
                              std::string b = co_await ctx.ExecuteLocalActivity<std::string>(
                                  "hello", {.schedule_to_close_timeout = absl::Minutes(1)}, a);
                              co_return b;
                            })
          .ok());
  env.Start("wf", "w", ToPayloads(std::string("x")));
  env.RunToEnd();
  EXPECT_THAT(
      env.EventTypes("w"),
      ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
                  "WorkflowTaskCompleted", "MarkerRecorded", "TimerStarted", "TimerFired",
                  "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted",
                  "MarkerRecorded", "WorkflowExecutionCompleted"));
  // Two executions, although the second task replayed the first from the marker.
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(std::get<0>(*FromPayloads<std::string>(
                env.Last("w").workflow_execution_completed_event_attributes().result())),
            "Hello Hello x!!");
  auto marker = machines::ReadLocalActivityMarker(env.History("w").events(4));
  ASSERT_TRUE(marker.has_value());
  EXPECT_EQ(marker->activity_type, "hello");
  EXPECT_EQ(marker->activity_id, "1");
}

TEST(LocalActivity, RetriesInsideTheWorkerThenRecordsTheFailure) {
  TestEnv env;
  int attempts = 0;
  ASSERT_TRUE(env.registry()
                  .RegisterActivity("flaky",
                                    [&attempts](ActivityContext& ctx) -> int {
                                      ++attempts;
                                      if (ctx.attempt() < 3) throw std::runtime_error("not yet");
                                      return ctx.attempt();
                                    })
                  .ok());
  ASSERT_TRUE(env.registry()
                  .RegisterActivity(
                      "broken",
                      [](ActivityContext&) -> int { throw ApplicationFailure("always", "Broken"); })
                  .ok());
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow(
                      "wf",
                      [](WorkflowContext& ctx) -> Task<std::string> {
                        LocalActivityOptions options{.start_to_close_timeout = absl::Seconds(1)};
                        options.has_retry_policy = true;
                        options.retry_policy = {.initial_interval = absl::Seconds(1),
                                                .maximum_attempts = 4};
                        int ok = co_await ctx.ExecuteLocalActivity<int>("flaky", options);
                        std::string failure;
                        try {
                          co_await ctx.ExecuteLocalActivity<int>("broken", options);
                        } catch (const ActivityFailure& f) {
                          failure = f.failure().cause().message();
                        }
                        co_return absl::StrCat(ok, " ", failure);
                      })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(std::get<0>(*FromPayloads<std::string>(
                env.Last("w").workflow_execution_completed_event_attributes().result())),
            "3 always");
  const auto& h = env.History("w");
  auto failed = machines::ReadLocalActivityMarker(h.events(5));
  ASSERT_TRUE(failed.has_value());
  EXPECT_TRUE(failed->failed);
  EXPECT_EQ(failed->failure.activity_failure_info().retry_state(),
            enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
}

TEST(LocalActivity, ReplayReadsTheMarkerAndDetectsARenamedActivity) {
  TestEnv env;
  ASSERT_TRUE(env.registry().RegisterActivity("a", [](ActivityContext&) { return 7; }).ok());
  ASSERT_TRUE(env.registry().RegisterActivity("b", [](ActivityContext&) { return 8; }).ok());
  auto code = [](const char* type) {
    return [type](WorkflowContext& ctx) -> Task<int> {
      co_return co_await ctx.ExecuteLocalActivity<int>(
          type, {.schedule_to_close_timeout = absl::Seconds(5)});
    };
  };
  ASSERT_TRUE(env.registry().RegisterWorkflow("wf", code("a")).ok());
  env.Start("wf", "w");
  env.RunToEnd();
  const auto history = env.History("w");

  Registry same, renamed;
  int executed = 0;
  ASSERT_TRUE(
      same.RegisterActivity("a", [&executed](ActivityContext&) { return ++executed; }).ok());
  ASSERT_TRUE(same.RegisterWorkflow("wf", code("a")).ok());
  ASSERT_TRUE(renamed.RegisterActivity("b", [](ActivityContext&) { return 0; }).ok());
  ASSERT_TRUE(renamed.RegisterWorkflow("wf", code("b")).ok());
  {
    WorkflowRun run(&same, {.workflow_id = "w", .run_id = "r"});
    ASSERT_TRUE(run.ProcessEvents(history, 0).ok());
    EXPECT_EQ(executed, 0);  // read back, not run
    EXPECT_FALSE(run.result_mismatch().has_value());
  }
  {
    WorkflowRun run(&renamed, {.workflow_id = "w", .run_id = "r"});
    auto processed = run.ProcessEvents(history, 0);
    ASSERT_FALSE(processed.ok());
    ASSERT_EQ(processed.error().kind, RunError::Kind::kNondeterminism);
    const std::optional<Nondeterminism>& found = processed.error().nondeterminism;
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->event_id, 5);
    EXPECT_EQ(processed.error().event_id, 5);
    EXPECT_THAT(found->expected, HasSubstr("local activity a id=1"));
    EXPECT_THAT(found->actual, HasSubstr("local activity b id=1"));
  }
}

// Two local activities, "twice" of 1 and of 10, awaited in order (2 * 100 + 20 = 220); with
// `activity_first`, an activity "act" before them.
Task<int> TwoLocalActivities(WorkflowContext& ctx, bool activity_first) {
  if (activity_first) {
    co_await ctx.ExecuteActivity<int>("act", {.start_to_close_timeout = absl::Seconds(5)});
  }
  const LocalActivityOptions options{.schedule_to_close_timeout = absl::Seconds(5)};
  Future<int> a = ctx.ExecuteLocalActivity<int>("twice", options, 1);
  Future<int> b = ctx.ExecuteLocalActivity<int>("twice", options, 10);
  const int first = co_await a;
  co_return first * 100 + co_await b;
}

// Its history as Lockstep records it, with the SDK name taken out (so that ids are not
// compared, as for another SDK's history), and the indexes of its two markers.
temporal::api::history::v1::History RecordTwoLocalActivities(bool activity_first,
                                                             std::vector<int>* markers) {
  TestEnv env;
  EXPECT_TRUE(
      env.registry().RegisterActivity("twice", [](ActivityContext&, int x) { return 2 * x; }).ok());
  EXPECT_TRUE(env.registry().RegisterActivity("act", [](ActivityContext&) { return 0; }).ok());
  EXPECT_TRUE(env.registry().RegisterWorkflow("wf", TwoLocalActivities).ok());
  env.Start("wf", "w", ToPayloads(activity_first));
  env.RunToEnd();
  auto history = env.History("w");
  for (int i = 0; i < history.events_size(); ++i) {
    auto& e = *history.mutable_events(i);
    if (e.event_type() == enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
      e.mutable_workflow_task_completed_event_attributes()->clear_sdk_metadata();
    }
    if (e.event_type() == enums::EVENT_TYPE_MARKER_RECORDED) markers->push_back(i);
  }
  EXPECT_EQ(markers->size(), 2u);
  return history;
}

// Replays `history` with activities that count their runs (replay must run none), and with
// ids compared only if `id_rule` says so. True if it replayed cleanly to the recorded result.
bool ReplaysFromMarkers(const temporal::api::history::v1::History& history,
                        IdRule id_rule = IdRule::kAuto) {
  Registry registry;
  int executed = 0;
  for (const char* name : {"twice", "act"}) {
    EXPECT_TRUE(registry
                    .RegisterActivity(name,
                                      [&executed](ActivityContext&, int) {
                                        ++executed;
                                        return 0;
                                      })
                    .ok());
  }
  EXPECT_TRUE(registry.RegisterWorkflow("wf", TwoLocalActivities).ok());
  RunOptions options;
  options.id_rule = id_rule;
  WorkflowRun run(&registry, {.workflow_id = "w", .run_id = "r"}, options);
  const bool clean = run.ProcessEvents(history, 0).ok() && run.CheckAllCommandsRecorded().ok() &&
                     !run.result_mismatch().has_value();
  EXPECT_EQ(executed, 0);
  return clean;
}

// Java's SDK records local activities with UUIDs for ids ("activityId", "type" details). Its
// histories are matched without ids, so the code's local activities take the task's markers
// in order; with strict ids they are not found.
TEST(LocalActivity, ReplayReadsMarkersWithJavaIdsInOrder) {
  std::vector<int> markers;
  auto history = RecordTwoLocalActivities(false, &markers);
  int uuid = 0;
  for (int i : markers) {
    auto* details =
        history.mutable_events(i)->mutable_marker_recorded_event_attributes()->mutable_details();
    details->erase("data");
    (*details)["activityId"] = ToPayloads(absl::StrCat("0f9e-uuid-", ++uuid));
    (*details)["type"] = ToPayloads(std::string("twice"));
  }
  EXPECT_TRUE(ReplaysFromMarkers(history));  // 2 * 100 + 20, read back in order
  EXPECT_FALSE(ReplaysFromMarkers(history, IdRule::kStrict));
}

// sdk-core (under the Python, TypeScript, .NET and Ruby SDKs) records "core_local_activity"
// markers whose "data" numbers each local activity in one sequence with the activities. Here
// an activity takes 1 and the two local activities 2 and 3, and their markers are recorded
// in completion order, the second first: they must be paired by that number, not by
// Lockstep's own local activity ids (1 and 2) nor by their order.
struct CoreMarkerData {
  int64_t seq = 0;
  int32_t attempt = 1;
  std::string activity_id;
  std::string activity_type;
  std::optional<int64_t> backoff;
};
LOCKSTEP_JSON_FIELDS(CoreMarkerData, seq, attempt, activity_id, activity_type, backoff)

TEST(LocalActivity, ReplayPairsSdkCoreMarkersBySharedSequenceNumber) {
  std::vector<int> markers;
  auto history = RecordTwoLocalActivities(true, &markers);
  ASSERT_EQ(markers.size(), 2u);
  ASSERT_EQ(markers[1], markers[0] + 1);
  for (int64_t k = 0; k < 2; ++k) {
    auto* a = history.mutable_events(markers[k])->mutable_marker_recorded_event_attributes();
    const int64_t seq = 2 + k;
    a->set_marker_name("core_local_activity");
    (*a->mutable_details())["data"] =
        ToPayloads(CoreMarkerData{seq, 1, absl::StrCat(seq), "twice", std::nullopt});
  }
  // Completion order: the second local activity's marker first.
  history.mutable_events(markers[0])
      ->mutable_marker_recorded_event_attributes()
      ->Swap(history.mutable_events(markers[1])->mutable_marker_recorded_event_attributes());
  auto read = machines::ReadLocalActivityMarker(history.events(markers[0]));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->core_seq, 3);
  EXPECT_EQ(read->activity_id, "3");
  EXPECT_EQ(read->activity_type, "twice");
  EXPECT_TRUE(ReplaysFromMarkers(history));  // 2 * 100 + 20, each from its own marker
}

// Each round sleeps, then ends if it was signaled and continues as new otherwise.
void RegisterRounds(TestEnv& env) {
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx, int round) -> Task<std::string> {
                                      std::string got;
                                      ctx.SetSignalHandler<std::string>(
                                          "s", [&got](const std::string& v) { got += v; });
                                      co_await ctx.Sleep(absl::Seconds(10));
                                      if (got.empty()) ctx.ContinueAsNew({}, round + 1);
                                      co_return absl::StrCat("round ", round, " got ", got);
                                    })
                  .ok());
}

TEST(ContinueAsNew, ChainsRunsWithTheNewInput) {
  TestEnv env;
  RegisterRounds(env);
  env.Start("wf", "w", ToPayloads(0));
  env.RunToEnd(absl::Seconds(25));  // rounds 0 and 1 continued as new; round 2 sleeps
  env.Signal("w", "s", ToPayloads(std::string("!")));
  env.RunToEnd();
  const auto runs = env.service().ListRuns();
  ASSERT_EQ(runs.size(), 3u);
  const auto& first = env.History("w", runs[0].run_id());
  const auto& closing = first.events(first.events_size() - 1);
  ASSERT_EQ(closing.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
  const auto& a = closing.workflow_execution_continued_as_new_event_attributes();
  EXPECT_EQ(a.new_execution_run_id(), runs[1].run_id());
  EXPECT_EQ(a.workflow_type().name(), "wf");
  EXPECT_EQ(std::get<0>(*FromPayloads<int>(a.input())), 1);
  const auto& last = env.History("w", runs[2].run_id());
  EXPECT_EQ(
      last.events(0).workflow_execution_started_event_attributes().continued_execution_run_id(),
      runs[1].run_id());
  EXPECT_EQ(std::get<0>(*FromPayloads<std::string>(
                env.Last("w").workflow_execution_completed_event_attributes().result())),
            "round 2 got !");
}

TEST(ContinueAsNew, SignalArrivingDuringTheClosingTaskIsNotLost) {
  // Round 0's closing task (after its timer) takes 1 s; a signal arrives meanwhile. The
  // service refuses the continue-as-new (UnhandledCommand), the task runs again with the
  // signal, and round 0 sees it, as in Temporal.
  ServiceOptions options;
  FunctionEnv options_env;
  options.env = &options_env;
  options_env.workflow_task_latency = [](const WorkflowTaskRequest& request) {
    for (const auto& e : request.history->events()) {
      if (e.event_type() == enums::EVENT_TYPE_TIMER_FIRED) return absl::Seconds(1);
    }
    return absl::ZeroDuration();
  };
  TestEnv env({}, options);
  RegisterRounds(env);
  env.Start("wf", "w", ToPayloads(0));
  env.RunUntilIdle();
  env.clock().Advance(absl::Seconds(10));
  env.RunUntilIdle();  // the timer fired; the closing task is out for 1 s
  env.Signal("w", "s", ToPayloads(std::string("!")));
  env.RunToEnd();
  EXPECT_EQ(env.service().ListRuns().size(), 1u);
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_WORKFLOW_TASK_FAILED), 1);
  EXPECT_EQ(std::get<0>(*FromPayloads<std::string>(
                env.Last("w").workflow_execution_completed_event_attributes().result())),
            "round 0 got !");
}

}  // namespace
}  // namespace lockstep
