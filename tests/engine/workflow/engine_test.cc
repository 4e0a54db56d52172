// The workflow engine's features, each against the in-process service: activities and their
// retries and timeouts, timers and races, signals while activities run, side effects,
// deterministic randomness, failures, queries and cancellation.
#include <atomic>

#include "absl/strings/str_join.h"
#include "engine/history/history_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"
#include "tests/testing/function_env.h"

namespace lockstep {
namespace engine_test {
namespace {

using ::lockstep::testing::FunctionEnv;

namespace enums = temporal::api::enums::v1;
using ::testing::HasSubstr;
using testing::TestEnv;

ActivityOptions Quick() { return {.start_to_close_timeout = absl::Seconds(10)}; }

std::string StringResult(const temporal::api::history::v1::HistoryEvent& e) {
  EXPECT_EQ(e.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
      << history::EventTypeShortName(e.event_type());
  auto v = FromPayloads<std::string>(e.workflow_execution_completed_event_attributes().result());
  return v.ok() ? std::get<0>(*v) : "<" + std::string(v.status().message()) + ">";
}

TEST(Engine, ActivityResultReachesTheWorkflow) {
  TestEnv env;
  ASSERT_TRUE(env.registry()
                  .RegisterActivity("upper",
                                    [](ActivityContext&, std::string s) {
                                      for (char& c : s) c = static_cast<char>(std::toupper(c));
                                      return s;
                                    })
                  .ok());
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx, std::string s) -> Task<std::string> {
                                      std::string up = co_await ctx.ExecuteActivity<std::string>(
                                          "upper", Quick(), s);
                                      co_return up + "!";
                                    })
                  .ok());
  env.Start("wf", "w", ToPayloads(std::string("hi")));
  env.RunToEnd();
  EXPECT_EQ(StringResult(env.Last("w")), "HI!");
}

TEST(Engine, ActivityRetriesUpToMaximumAttemptsThenFails) {
  TestEnv env;
  int attempts = 0;
  ASSERT_TRUE(env.registry()
                  .RegisterActivity("flaky",
                                    [&attempts](ActivityContext& ctx) -> std::string {
                                      ++attempts;
                                      throw ApplicationFailure(
                                          absl::StrCat("attempt ", ctx.attempt(), " failed"),
                                          "Flaky");
                                    })
                  .ok());
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      ActivityOptions options = Quick();
                                      options.has_retry_policy = true;
                                      options.retry_policy = {.initial_interval = absl::Seconds(1),
                                                              .backoff_coefficient = 2,
                                                              .maximum_attempts = 4};
                                      try {
                                        co_await ctx.ExecuteActivity<std::string>("flaky", options);
                                      } catch (const ActivityFailure& failure) {
                                        co_return absl::StrCat(failure.what(), ": ",
                                                               failure.failure().cause().message());
                                      }
                                      co_return "no failure";
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_EQ(attempts, 4);
  EXPECT_EQ(StringResult(env.Last("w")), "activity error: attempt 4 failed");
  // One Scheduled, one Started (the last attempt), one Failed.
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_ACTIVITY_TASK_STARTED), 1);
  const auto* failed = [&]() -> const temporal::api::history::v1::HistoryEvent* {
    for (const auto& e : env.History("w").events()) {
      if (e.event_type() == enums::EVENT_TYPE_ACTIVITY_TASK_FAILED) return &e;
    }
    return nullptr;
  }();
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->activity_task_failed_event_attributes().retry_state(),
            enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  // Backoff 1s, 2s, 4s between the four attempts.
  EXPECT_EQ(absl::FromUnixSeconds(failed->event_time().seconds()) -
                absl::FromUnixSeconds(env.History("w").events(0).event_time().seconds()),
            absl::Seconds(7));
}

TEST(Engine, UncaughtActivityFailureFailsTheWorkflow) {
  TestEnv env;
  ASSERT_TRUE(env.registry()
                  .RegisterActivity("boom",
                                    [](ActivityContext&) -> int {
                                      throw ApplicationFailure("no", "Fatal",
                                                               /*non_retryable=*/true);
                                    })
                  .ok());
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<int> {
                                      co_return co_await ctx.ExecuteActivity<int>("boom", Quick());
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  const auto& last = env.Last("w");
  ASSERT_EQ(last.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
  const auto& failure = last.workflow_execution_failed_event_attributes().failure();
  EXPECT_EQ(failure.message(), "activity error");
  EXPECT_EQ(failure.cause().message(), "no");
  EXPECT_EQ(failure.activity_failure_info().retry_state(),
            enums::RETRY_STATE_NON_RETRYABLE_FAILURE);
}

// One workflow per timeout kind; the activity takes 20s of virtual time.
struct TimeoutCase {
  std::string name;
  ActivityOptions options;
  bool pause_workers;
  enums::TimeoutType expected;
};

class ActivityTimeoutTest : public ::testing::TestWithParam<TimeoutCase> {};

TEST_P(ActivityTimeoutTest, WorkflowSeesTheTimeout) {
  const TimeoutCase& c = GetParam();
  ServiceOptions service_options;
  FunctionEnv service_options_env;
  service_options.env = &service_options_env;
  service_options_env.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{.latency = absl::Seconds(20)};
  };
  TestEnv env({}, service_options);
  ASSERT_TRUE(env.registry().RegisterActivity("slow", [](ActivityContext&) { return 1; }).ok());
  ActivityOptions options = c.options;
  ASSERT_TRUE(
      env.registry()
          .RegisterWorkflow("wf",
                            [options](WorkflowContext& ctx) -> Task<std::string> {
                              try {
                                co_await ctx.ExecuteActivity<int>("slow", options);
                              } catch (const ActivityFailure& f) {
                                co_return enums::TimeoutType_Name(
                                    f.failure().cause().timeout_failure_info().timeout_type());
                              }
                              co_return "completed";
                            })
          .ok());
  if (c.pause_workers) env.service().SetActivityWorkersPolling(false);
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_EQ(StringResult(env.Last("w")), enums::TimeoutType_Name(c.expected));
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT), 1);
}

ActivityOptions NoRetry(ActivityOptions o) {
  o.has_retry_policy = true;
  o.retry_policy.maximum_attempts = 1;
  return o;
}

INSTANTIATE_TEST_SUITE_P(
    EachKind, ActivityTimeoutTest,
    ::testing::Values(TimeoutCase{"StartToClose",
                                  NoRetry({.start_to_close_timeout = absl::Seconds(5)}), false,
                                  enums::TIMEOUT_TYPE_START_TO_CLOSE},
                      TimeoutCase{"ScheduleToStart",
                                  {.schedule_to_start_timeout = absl::Seconds(5),
                                   .start_to_close_timeout = absl::Seconds(60)},
                                  true,
                                  enums::TIMEOUT_TYPE_SCHEDULE_TO_START},
                      TimeoutCase{"ScheduleToClose",
                                  {.schedule_to_close_timeout = absl::Seconds(15)},
                                  false,
                                  enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE},
                      TimeoutCase{"Heartbeat",
                                  NoRetry({.start_to_close_timeout = absl::Seconds(60),
                                           .heartbeat_timeout = absl::Seconds(3)}),
                                  false, enums::TIMEOUT_TYPE_HEARTBEAT}),
    [](const ::testing::TestParamInfo<TimeoutCase>& param) { return param.param.name; });

TEST(Engine, SignalArrivesWhileActivityRuns) {
  ServiceOptions service_options;
  FunctionEnv service_options_env;
  service_options.env = &service_options_env;
  service_options_env.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{.latency = absl::Seconds(6)};
  };
  TestEnv env({}, service_options);
  ASSERT_TRUE(env.registry().RegisterActivity("work", [](ActivityContext&) { return 7; }).ok());
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      std::vector<std::string> seen;
                                      ctx.SetSignalHandler<std::string>(
                                          "note", [&seen](std::string s) { seen.push_back(s); });
                                      Future<int> work = ctx.ExecuteActivity<int>("work", Quick());
                                      co_await ctx.WaitCondition([&seen] { return !seen.empty(); });
                                      // The signal was handled while the activity was still
                                      // running.
                                      std::string order = absl::StrCat(
                                          seen[0], work.ready() ? " after" : " before");
                                      int result = co_await work;
                                      co_return absl::StrCat(order, " ", result);
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunUntilIdle();
  env.clock().Advance(absl::Seconds(4));
  env.Signal("w", "note", ToPayloads(std::string("hello")));
  env.RunToEnd();
  EXPECT_EQ(StringResult(env.Last("w")), "hello before 7");
}

// A timer racing an activity: whichever resolves first wins, and the loser is canceled.
std::string Race(absl::Duration activity_latency) {
  ServiceOptions service_options;
  FunctionEnv service_options_env;
  service_options.env = &service_options_env;
  service_options_env.activity_timing = [activity_latency](const ActivityTask&) {
    return ActivityTiming{.latency = activity_latency};
  };
  TestEnv env({}, service_options);
  EXPECT_TRUE(env.registry().RegisterActivity("work", [](ActivityContext&) { return 1; }).ok());
  EXPECT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      Future<int> work = ctx.ExecuteActivity<int>("work", Quick());
                                      Future<void> timer = ctx.Sleep(absl::Seconds(5));
                                      size_t first = co_await WhenAny(work, timer);
                                      if (first == 0) {
                                        timer.Cancel();
                                        co_return "activity";
                                      }
                                      work.Cancel();
                                      co_return "timer";
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  std::string winner = StringResult(env.Last("w"));
  if (winner == "activity") {
    EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_TIMER_CANCELED), 1);
  } else {
    EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED), 1);
  }
  return winner;
}

TEST(Engine, TimerRacingActivity) {
  EXPECT_EQ(Race(absl::Seconds(2)), "activity");
  EXPECT_EQ(Race(absl::Seconds(8)), "timer");
}

TEST(Engine, TimerCanceledInTheSameTaskLeavesNoTrace) {
  TestEnv env;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      Future<void> timer = ctx.Sleep(absl::Seconds(5));
                                      timer.Cancel();
                                      try {
                                        co_await timer;
                                      } catch (const CanceledFailure&) {
                                        co_return "canceled";
                                      }
                                      co_return "fired";
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_EQ(StringResult(env.Last("w")), "canceled");
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_TIMER_STARTED), 0);
}

TEST(Engine, WaitConditionWithTimeout) {
  TestEnv env;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      bool go = false;
                                      ctx.SetSignalHandler<>("go", [&go] { go = true; });
                                      bool first = co_await ctx.WaitCondition([&go] { return go; },
                                                                              absl::Seconds(30));
                                      go = false;
                                      bool second = co_await ctx.WaitCondition([&go] { return go; },
                                                                               absl::Seconds(30));
                                      co_return absl::StrCat(first, second);
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunUntilIdle();
  env.clock().Advance(absl::Seconds(10));
  env.Signal("w", "go");
  env.RunToEnd();
  // The signal met the first wait (its timer canceled); the second timed out.
  EXPECT_EQ(StringResult(env.Last("w")), "10");
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_TIMER_CANCELED), 1);
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_TIMER_FIRED), 1);
}

TEST(Engine, SideEffectRunsOnceAndReplaysFromTheMarker) {
  WorkerOptions options;
  options.evict_after_every_task = true;  // every task replays the whole history
  TestEnv env(options);
  int calls = 0;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [&calls](WorkflowContext& ctx) -> Task<int> {
                                      int value =
                                          ctx.SideEffect<int>([&calls] { return 40 + ++calls; });
                                      co_await ctx.Sleep(absl::Seconds(1));
                                      co_await ctx.Sleep(absl::Seconds(1));
                                      co_return value;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_EQ(calls, 1);  // three tasks, two of them replays: the function ran once
  auto result =
      FromPayloads<int>(env.Last("w").workflow_execution_completed_event_attributes().result());
  EXPECT_EQ(std::get<0>(*result), 41);
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_MARKER_RECORDED), 1);
}

TEST(Engine, RandomUuidAndNowAreDeterministic) {
  auto run = [](bool evict) {
    WorkerOptions options;
    options.evict_after_every_task = evict;
    TestEnv env(options);
    EXPECT_TRUE(env.registry()
                    .RegisterWorkflow("wf",
                                      [](WorkflowContext& ctx) -> Task<std::string> {
                                        std::string first =
                                            absl::StrCat(ctx.Random(), " ", ctx.NewUuid(), " ",
                                                         absl::FormatTime(ctx.Now()));
                                        co_await ctx.Sleep(absl::Seconds(3));
                                        co_return absl::StrCat(first, " | ", ctx.Random(), " ",
                                                               absl::FormatTime(ctx.Now()));
                                      })
                    .ok());
    env.Start("wf", "w");
    env.RunToEnd();
    return StringResult(env.Last("w"));
  };
  const std::string once = run(false);
  EXPECT_EQ(once, run(true));
  EXPECT_THAT(once, HasSubstr("2024-01-01T00:00:03"));  // Now() after the 3s sleep
  EXPECT_THAT(once,
              ::testing::MatchesRegex(
                  ".* [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12} .*"));
}

TEST(Engine, ExceptionFailsTheTaskWhichIsRetried) {
  TestEnv env;
  std::atomic<int> tries = 0;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [&tries](WorkflowContext& ctx) -> Task<int> {
                                      co_await ctx.Sleep(absl::Seconds(1));
                                      if (++tries < 3)
                                        throw std::runtime_error("bug in workflow code");
                                      co_return 5;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_EQ(env.Last("w").event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  EXPECT_EQ(tries.load(), 3);
  bool saw_failure = false;
  for (const auto& e : env.History("w").events()) {
    if (e.event_type() != enums::EVENT_TYPE_WORKFLOW_TASK_FAILED) continue;
    saw_failure = true;
    EXPECT_EQ(e.workflow_task_failed_event_attributes().failure().message(),
              "bug in workflow code");
    EXPECT_EQ(e.workflow_task_failed_event_attributes().cause(),
              enums::WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE);
  }
  EXPECT_TRUE(saw_failure);
}

TEST(Engine, ApplicationFailureFailsTheWorkflow) {
  TestEnv env;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext&) -> Task<int> {
                                      throw ApplicationFailure("order rejected", "Rejected");
                                      co_return 0;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  ASSERT_EQ(env.Last("w").event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
  const auto& f = env.Last("w").workflow_execution_failed_event_attributes().failure();
  EXPECT_EQ(f.message(), "order rejected");
  EXPECT_EQ(f.application_failure_info().type(), "Rejected");
}

TEST(Engine, QueryThatIssuesACommandOrChangesStateIsReported) {
  TestEnv env;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<int> {
                                      int reads = 0;
                                      ctx.SetQueryHandler<>("pure", [&reads] { return reads; });
                                      ctx.SetQueryHandler<>("counting",
                                                            [&reads] { return ++reads; });
                                      ctx.SetQueryHandler<>("sleepy", [&ctx] {
                                        (void)ctx.Sleep(absl::Seconds(1));
                                        return 0;
                                      });
                                      co_await ctx.WaitCondition([] { return false; });
                                      co_return 0;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_TRUE(env.service().QueryWorkflow("w", "", "pure", {}).ok());
  auto counting = env.service().QueryWorkflow("w", "", "counting", {});
  ASSERT_FALSE(counting.ok());
  EXPECT_THAT(counting.status().message(), HasSubstr("changed workflow state"));
  auto sleepy = env.service().QueryWorkflow("w", "", "sleepy", {});
  ASSERT_FALSE(sleepy.ok());
  EXPECT_THAT(sleepy.status().message(), HasSubstr("a query handler called Sleep/StartTimer at"));
  EXPECT_THAT(sleepy.status().message(), HasSubstr("engine_test.cc"));
  auto unknown = env.service().QueryWorkflow("w", "", "nope", {});
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("registered: counting, pure, sleepy"));
  // The failed queries recorded nothing.
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_TIMER_STARTED), 0);
}

TEST(Engine, CodeChangeBetweenTasksIsNondeterminism) {
  WorkerOptions options;
  options.evict_after_every_task = true;
  TestEnv env(options);
  static std::string activity_type = "a";
  activity_type = "a";
  ASSERT_TRUE(env.registry().RegisterActivity("a", [](ActivityContext&) { return 1; }).ok());
  ASSERT_TRUE(env.registry().RegisterActivity("b", [](ActivityContext&) { return 1; }).ok());
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<int> {
                                      co_await ctx.ExecuteActivity<int>(activity_type, Quick());
                                      co_await ctx.Sleep(absl::Seconds(10));
                                      co_return 1;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunUntilIdle();            // the activity ran; the timer was started
  activity_type = "b";           // "deploy" a change
  env.RunToEnd(absl::Hours(1));  // the task keeps failing; an hour of retries is plenty
  bool found = false;
  for (const auto& e : env.History("w").events()) {
    if (e.event_type() != enums::EVENT_TYPE_WORKFLOW_TASK_FAILED) continue;
    found = true;
    const auto& a = e.workflow_task_failed_event_attributes();
    EXPECT_EQ(a.cause(), enums::WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR);
    EXPECT_THAT(a.failure().message(), HasSubstr("event 5 (ActivityTaskScheduled)"));
    EXPECT_THAT(a.failure().message(), HasSubstr("history has activity a id=1"));
    EXPECT_THAT(a.failure().message(), HasSubstr("workflow code issued activity b id=1"));
    EXPECT_THAT(a.failure().message(), HasSubstr("engine_test.cc"));
    break;
  }
  EXPECT_TRUE(found);
  ASSERT_NE(env.worker().last_nondeterminism(), nullptr);
  EXPECT_EQ(env.worker().last_nondeterminism()->event_id, 5);
  activity_type = "a";
}

TEST(Engine, WhenAllWaitsForEveryActivityInOrder) {
  ServiceOptions service_options;
  FunctionEnv service_options_env;
  service_options.env = &service_options_env;
  // Later activities finish first: results still come back in call order.
  service_options_env.activity_timing = [](const ActivityTask& task) {
    return ActivityTiming{.latency = absl::Seconds(10 - std::stoi(task.activity_id))};
  };
  TestEnv env({}, service_options);
  ASSERT_TRUE(env.registry()
                  .RegisterActivity("square", [](ActivityContext&, int x) { return x * x; })
                  .ok());
  ASSERT_TRUE(
      env.registry()
          .RegisterWorkflow("wf",
                            [](WorkflowContext& ctx) -> Task<std::string> {
                              std::vector<Future<int>> futures;
                              for (int i = 1; i <= 4; ++i) {
                                futures.push_back(ctx.ExecuteActivity<int>("square", Quick(), i));
                              }
                              std::vector<int> squares = co_await WhenAll(std::move(futures));
                              co_return absl::StrJoin(squares, ",");
                            })
          .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_EQ(StringResult(env.Last("w")), "1,4,9,16");
  // All four were scheduled by the first workflow task.
  EXPECT_EQ(env.History("w").events(4).event_type(), enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
  EXPECT_EQ(env.History("w").events(7).event_type(), enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
}

TEST(Engine, HeartbeatDetailsReachTheNextAttempt) {
  ServiceOptions service_options;
  FunctionEnv service_options_env;
  service_options.env = &service_options_env;
  service_options_env.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{.latency = absl::Seconds(1),
                          .heartbeat_interval = absl::Milliseconds(100)};
  };
  TestEnv env({}, service_options);
  std::vector<int> resumed_from;
  ASSERT_TRUE(env.registry()
                  .RegisterActivity("progress",
                                    [&resumed_from](ActivityContext& ctx) -> int {
                                      int start = 0;
                                      if (ctx.last_heartbeat_details().payloads_size() > 0) {
                                        start = std::get<0>(
                                            *FromPayloads<int>(ctx.last_heartbeat_details()));
                                      }
                                      resumed_from.push_back(start);
                                      ctx.Heartbeat(start + 10);
                                      if (ctx.attempt() < 3)
                                        throw std::runtime_error("crashed midway");
                                      return start + 10;
                                    })
                  .ok());
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<int> {
                                      ActivityOptions options = Quick();
                                      options.heartbeat_timeout = absl::Seconds(5);
                                      co_return co_await ctx.ExecuteActivity<int>("progress",
                                                                                  options);
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_THAT(resumed_from, ::testing::ElementsAre(0, 10, 20));
  auto result =
      FromPayloads<int>(env.Last("w").workflow_execution_completed_event_attributes().result());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(std::get<0>(*result), 30);
}

TEST(Engine, LogIsSilentDuringReplay) {
  std::vector<std::string> lines;
  WorkerOptions options;
  options.evict_after_every_task = true;
  options.log_sink = [&lines](const std::string& line) { lines.push_back(line); };
  TestEnv env(options);
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<int> {
                                      ctx.Log("start");
                                      co_await ctx.Sleep(absl::Seconds(1));
                                      ctx.Log("after sleep");
                                      co_return 0;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_THAT(lines, ::testing::ElementsAre("start", "after sleep"));
}

// co_await ctx.Yield() lets a coroutine that became ready run before the rest of this one;
// without it, this one runs on until it awaits something unresolved. Replayed after an
// eviction at every task, the order is the same.
Task<std::string> YieldOrNot(WorkflowContext& ctx, bool yield) {
  std::vector<std::string> order;
  auto other = [&order]() -> Task<void> {
    order.push_back("other");
    co_return;
  };
  Future<void> done = ctx.NewCancellationScope().Run(other);
  order.push_back("a1");
  if (yield) co_await ctx.Yield();
  order.push_back("a2");
  co_await done;
  co_await ctx.Sleep(absl::Seconds(1));  // a second task, replayed after an eviction
  co_return absl::StrJoin(order, " ");
}

TEST(Engine, YieldLetsReadyCoroutinesRunFirst) {
  for (const bool yield : {false, true}) {
    WorkerOptions evicting;
    evicting.evict_after_every_task = true;
    TestEnv env(evicting);
    ASSERT_TRUE(env.registry().RegisterWorkflow("wf", YieldOrNot).ok());
    env.Start("wf", "w", ToPayloads(yield));
    env.RunToEnd();
    const auto& last = env.Last("w");
    ASSERT_EQ(last.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    EXPECT_EQ(std::get<0>(*FromPayloads<std::string>(
                  last.workflow_execution_completed_event_attributes().result())),
              yield ? "a1 other a2" : "a1 a2 other");
  }
}

// Signals that arrive before their handler exists are delivered when it is registered, in
// arrival order: a handler returning void runs inside SetSignalHandler (as TypeScript runs the
// handlers of buffered signals when setHandler is called); one returning Task<void> is started
// there and takes its first step once the registering coroutine waits or yields.
Task<std::string> LateHandlers(WorkflowContext& ctx) {
  std::vector<std::string> order;
  co_await ctx.Sleep(absl::Seconds(1));  // "v" and "t" arrive meanwhile, with no handler
  ctx.SetSignalHandler<>("v", [&order] { order.push_back("v"); });
  order.push_back("v registered");
  ctx.SetSignalHandler<>("t", [&order]() -> Task<void> {
    order.push_back("t");
    co_return;
  });
  order.push_back("t registered");
  co_await ctx.Yield();
  order.push_back("yielded");
  co_return absl::StrJoin(order, ", ");
}

TEST(Engine, BufferedSignalsReachTheirHandlerWhenItIsRegistered) {
  TestEnv env;
  ASSERT_TRUE(env.registry().RegisterWorkflow("wf", LateHandlers).ok());
  env.Start("wf", "w");
  env.RunToEnd(absl::Milliseconds(500));
  env.Signal("w", "v");
  env.Signal("w", "t");
  env.RunToEnd();
  const auto& last = env.Last("w");
  ASSERT_EQ(last.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  EXPECT_EQ(std::get<0>(*FromPayloads<std::string>(
                last.workflow_execution_completed_event_attributes().result())),
            "v, v registered, t registered, t, yielded");
}

}  // namespace
}  // namespace engine_test
}  // namespace lockstep
