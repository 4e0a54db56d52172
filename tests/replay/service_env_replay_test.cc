// Workflow code on the service under schedules the service environment chooses: steps due at
// one instant in either order, workers crashing mid-workflow and mid-activity. Every history
// must be valid and replay cleanly, from scratch and with an eviction at every task.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/history/validate.h"
#include "engine/service/virtual_time.h"
#include "engine/service/service_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/replayer.h"
#include "tests/engine/workflow/test_env.h"
#include "tests/testing/function_env.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::history::v1::History;
using testing::EnvFunctions;
using testing::TestEnv;
using ::testing::ElementsAre;

std::string StringResult(const History& h) {
  const auto& e = h.events(h.events_size() - 1);
  EXPECT_EQ(e.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
      << history::EventTypeShortName(e.event_type());
  auto v = FromPayloads<std::string>(e.workflow_execution_completed_event_attributes().result());
  return v.ok() ? std::get<0>(*v) : "<" + std::string(v.status().message()) + ">";
}

void ExpectReplaysCleanly(const Registry& registry, const History& h) {
  EXPECT_TRUE(history::ValidateHistory(h, "run").ok()) << history::ValidateHistory(h, "run");
  replay::ReplayOptions options;
  options.result_check = replay::ReplayOptions::ResultCheck::kFail;
  const replay::ReplayResult once = replay::ReplayHistory(registry, h, "run", options);
  EXPECT_EQ(once.outcome, replay::Outcome::kClean) << replay::FormatText(once);
  const replay::ReplayResult every = replay::ReplayEveryTaskBoundary(registry, h, "run", options);
  EXPECT_EQ(every.outcome, replay::Outcome::kClean) << replay::FormatText(every);
}

// Two activities with the same latency: their results are due at the same instant, and the
// workflow returns whichever it saw first.
void RegisterRace(TestEnv& env) {
  ASSERT_TRUE(env.registry()
                  .RegisterActivity("name", [](ActivityContext&, std::string s) { return s; })
                  .ok());
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow(
                      "race",
                      [](WorkflowContext& ctx) -> Task<std::string> {
                        const ActivityOptions options{.start_to_close_timeout = absl::Minutes(1)};
                        Future<std::string> a =
                            ctx.ExecuteActivity<std::string>("name", options, std::string("a"));
                        Future<std::string> b =
                            ctx.ExecuteActivity<std::string>("name", options, std::string("b"));
                        const size_t first = co_await WhenAny(a, b);
                        // Not `first == 0 ? co_await a : co_await b`: built by g++ 12 at -O3
                        // that aborts with "free(): invalid pointer".
                        std::string winner;
                        if (first == 0) {
                          winner = co_await a;
                        } else {
                          winner = co_await b;
                        }
                        co_return winner;
                      })
                  .ok());
}

// Picks, among the ready steps, the first activity result for the activity whose input is
// `winner` ("a" is scheduled first, so its scheduled event id is the smaller).
EnvFunctions Race(bool b_first, std::vector<size_t>* offered) {
  EnvFunctions f;
  f.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{.latency = absl::Seconds(3)};
  };
  f.pick_next = [b_first, offered](absl::Span<const Step> ready) -> size_t {
    offered->push_back(ready.size());
    if (!b_first) return 0;
    int64_t last_ref = -1;
    size_t pick = 0;
    for (size_t i = 0; i < ready.size(); ++i) {
      if (ready[i].kind == StepKind::kActivityOutcome && ready[i].ref > last_ref) {
        last_ref = ready[i].ref;
        pick = i;
      }
    }
    return pick;
  };
  return f;
}

TEST(ServiceEnvReplay, TwoResultsDueAtOneInstantRunInTheOrderTheEnvironmentChooses) {
  std::vector<std::string> results;
  for (const bool b_first : {false, true}) {
    std::vector<size_t> offered;
    TestEnv env({}, {}, Race(b_first, &offered));
    RegisterRace(env);
    env.Start("race", "r");
    env.RunToEnd();
    const History& h = env.History("r");
    results.push_back(StringResult(h));
    // The two outcomes were offered together.
    EXPECT_NE(std::find(offered.begin(), offered.end(), 2u), offered.end());
    ExpectReplaysCleanly(env.registry(), h);
  }
  EXPECT_THAT(results, ElementsAre("a", "b"));
}

void RegisterSlowStep(TestEnv& env, int* runs) {
  ASSERT_TRUE(env.registry()
                  .RegisterActivity("step",
                                    [runs](ActivityContext& ctx, int n) {
                                      ++*runs;
                                      return n * 10 + ctx.info().attempt;
                                    })
                  .ok());
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow(
                      "steps",
                      [](WorkflowContext& ctx) -> Task<std::string> {
                        const ActivityOptions options{
                            .start_to_close_timeout = absl::Seconds(20)};
                        const int first = co_await ctx.ExecuteActivity<int>("step", options, 1);
                        co_await ctx.Sleep(absl::Seconds(5));
                        const int second = co_await ctx.ExecuteActivity<int>("step", options, 2);
                        co_return absl::StrCat(first, ",", second);
                      })
                  .ok());
}

TEST(ServiceEnvReplay, AWorkflowCompletesAfterItsWorkersCrashMidActivityAndMidTask) {
  // Activities take 10s; workflow tasks after the first take 2s to answer. The workers crash
  // at 4s, while attempt 1 of the first activity runs (lost: it times out at 20s, attempt 2
  // runs 21s-31s), and at 39s, while the task that handles the timer fired at 38s is out
  // (lost: it times out at 48s and is retried); a fresh worker is attached a second after
  // each crash.
  EnvFunctions f;
  f.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{.latency = absl::Seconds(10)};
  };
  f.workflow_task_latency = [](const WorkflowTaskRequest& r) {
    return r.previous_started_event_id == 0 ? absl::ZeroDuration() : absl::Seconds(2);
  };
  TestEnv env({}, {}, f);
  int runs = 0;
  RegisterSlowStep(env, &runs);
  const absl::Time start = env.clock().Now();
  env.Start("steps", "s");

  std::vector<std::unique_ptr<Worker>> workers;
  auto crash_and_restart = [&](absl::Duration at) {
    RunUntil(env.service(), env.clock(), start + at);
    env.clock().AdvanceTo(start + at);
    env.service().CrashWorkers();
    RunUntil(env.service(), env.clock(), start + at + absl::Seconds(1));
    env.clock().AdvanceTo(start + at + absl::Seconds(1));
    workers.push_back(std::make_unique<Worker>(&env.registry()));
    env.service().AttachWorkers(workers.back().get(), workers.back().get());
  };
  crash_and_restart(absl::Seconds(4));
  crash_and_restart(absl::Seconds(39));
  env.RunToEnd();

  const History& h = env.History("s");
  // Attempt 1 of the first activity was lost (start-to-close at 20s); attempt 2 ran.
  EXPECT_EQ(StringResult(h), "12,21");
  int timed_out_tasks = 0;
  for (const auto& e : h.events()) {
    if (e.event_type() == enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) ++timed_out_tasks;
  }
  EXPECT_EQ(timed_out_tasks, 1) << "the task out at the second crash times out";
  // The second worker rebuilt the run from its history: it had never seen it.
  EXPECT_GE(workers[1]->stats().full_replays, 1);
  ExpectReplaysCleanly(env.registry(), h);
}

}  // namespace
}  // namespace lockstep
