// Local activities through the activity execution seam: every attempt goes through the worker's
// ActivityExecutionEnv, which may inject failures, latency or a refused cancellation, and the
// retries follow Temporal's rules (lockstep::retry). Also: what an activity throws that is not
// a std::exception fails it, locally and remotely, and leaves the worker usable.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/core/activity_execution.h"
#include "engine/core/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::failure::v1::Failure;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TestEnv;

// Decides each attempt from a script and records every task it is given.
class ScriptedEnv : public ActivityExecutionEnv {
 public:
  struct Step {
    std::optional<Failure> inject = std::nullopt;  // reported instead of running the activity
    absl::Duration latency = absl::ZeroDuration();
    bool report_canceled = false;  // report kCanceled (nobody asked) instead of running
  };
  using Script = std::function<Step(const ActivityTask&)>;

  explicit ScriptedEnv(Script script) : script_(std::move(script)) {}

  ActivityAttempt RunActivityAttempt(const ActivityTask& task,
                                     absl::FunctionRef<ActivityOutcome()> run) override {
    tasks_.push_back(task);
    const Step step = script_(task);
    ActivityAttempt attempt;
    attempt.timing.latency = step.latency;
    if (step.inject.has_value()) {
      attempt.outcome.kind = ActivityOutcome::Kind::kFailed;
      attempt.outcome.failure = *step.inject;
    } else if (step.report_canceled) {
      attempt.outcome.kind = ActivityOutcome::Kind::kCanceled;
    } else {
      attempt.outcome = run();
    }
    return attempt;
  }

  const std::vector<ActivityTask>& tasks() const { return tasks_; }

 private:
  Script script_;
  std::vector<ActivityTask> tasks_;
};

Failure Retryable(const std::string& message) {
  return ApplicationFailure(message, "Injected").failure();
}

// What one local activity did, seen from the seam, the activity and the history.
struct LocalRun {
  std::vector<ActivityTask> tasks;  // every attempt the env was asked to decide
  std::vector<int> ran;             // ctx.attempt() of each run of the registered activity
  machines::LocalActivityMarker marker;
  std::string marker_data;  // the marker's Go-shaped "data" detail, as JSON
  std::string result;       // the workflow's: "ok <value>" or "failed <retry state>: <cause>"
  absl::Time task_time;     // of the workflow task that ran the local activity
};

std::string Describe(const Failure& f) {
  return absl::StrCat("failed ", enums::RetryState_Name(f.activity_failure_info().retry_state()),
                      ": ", f.cause().message());
}

// Runs workflow "wf", which executes local activity "act" (returns 10 * input + attempt) once
// with `options`, with `script` deciding its attempts.
LocalRun RunLocal(const LocalActivityOptions& options, ScriptedEnv::Script script,
                  const char* activity_type = "act") {
  LocalRun out;
  ScriptedEnv seam(std::move(script));
  WorkerOptions worker_options;
  worker_options.activity_env = &seam;
  TestEnv env(worker_options);
  EXPECT_TRUE(env.registry()
                  .RegisterActivity("act",
                                    [&out](ActivityContext& ctx, int x) {
                                      out.ran.push_back(ctx.attempt());
                                      return 10 * x + ctx.attempt();
                                    })
                  .ok());
  EXPECT_TRUE(env.registry()
                  .RegisterWorkflow(
                      "wf",
                      [options, activity_type](WorkflowContext& ctx) -> Task<std::string> {
                        std::string result;
                        try {
                          const int v =
                              co_await ctx.ExecuteLocalActivity<int>(activity_type, options, 4);
                          result = absl::StrCat("ok ", v);
                        } catch (const ActivityFailure& f) {
                          result = Describe(f.failure());
                        }
                        co_return result;
                      })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  out.tasks = seam.tasks();
  bool first_task = true;
  for (const auto& e : env.History("w").events()) {
    if (e.event_type() == enums::EVENT_TYPE_WORKFLOW_TASK_STARTED && first_task) {
      out.task_time = FromProtoTime(e.event_time());
      first_task = false;
    }
    if (auto marker = machines::ReadLocalActivityMarker(e)) {
      out.marker = *std::move(marker);
      out.marker_data =
          e.marker_recorded_event_attributes().details().at("data").payloads(0).data();
    }
  }
  const auto& last = env.Last("w");
  EXPECT_EQ(last.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  auto result =
      FromPayloads<std::string>(last.workflow_execution_completed_event_attributes().result());
  if (result.ok()) out.result = std::get<0>(*result);
  return out;
}

std::vector<int> Attempts(const std::vector<ActivityTask>& tasks) {
  std::vector<int> attempts;
  for (const ActivityTask& t : tasks) attempts.push_back(t.attempt);
  return attempts;
}

// When each attempt starts on the local activity's own clock, relative to the first.
std::vector<absl::Duration> Starts(const LocalRun& run) {
  std::vector<absl::Duration> starts;
  for (const ActivityTask& t : run.tasks) {
    starts.push_back(t.current_attempt_scheduled_time - run.task_time);
  }
  return starts;
}

// The marker's replay time is the workflow task's: workflow time does not move while the
// local activity retries.
std::string ReplayTimeJson(const LocalRun& run) {
  return absl::StrCat("\"ReplayTime\":\"",
                      absl::FormatTime(absl::RFC3339_full, run.task_time, absl::UTCTimeZone()),
                      "\"");
}

LocalActivityOptions WithPolicy(LocalActivityOptions options, RetryPolicy policy) {
  options.has_retry_policy = true;
  options.retry_policy = policy;
  return options;
}

TEST(LocalActivitySeam, InjectedRetryableFailuresAreRetriedWithoutRunningTheActivity) {
  const LocalRun run =
      RunLocal(WithPolicy({.start_to_close_timeout = absl::Seconds(10)},
                          {.initial_interval = absl::Seconds(1), .maximum_attempts = 5}),
               [](const ActivityTask& task) {
                 ScriptedEnv::Step step;
                 if (task.attempt <= 2)
                   step.inject = Retryable(absl::StrCat("injected ", task.attempt));
                 return step;
               });
  ASSERT_THAT(Attempts(run.tasks), ElementsAre(1, 2, 3));
  EXPECT_THAT(run.ran, ElementsAre(3));  // attempts 1 and 2 were decided without running it
  EXPECT_EQ(run.result, "ok 43");
  EXPECT_FALSE(run.marker.failed);
  EXPECT_EQ(run.marker.attempt, 3);
  EXPECT_EQ(std::get<0>(*FromPayloads<int>(run.marker.result)), 43);
  EXPECT_THAT(run.marker_data, HasSubstr(ReplayTimeJson(run)));  // workflow time did not move
  // Backoffs 1s and 2s (initial 1s, coefficient 2) on the local activity's clock.
  EXPECT_THAT(Starts(run), ElementsAre(absl::ZeroDuration(), absl::Seconds(1), absl::Seconds(3)));
  // What the seam is told about a local attempt.
  const ActivityTask& task = run.tasks.back();
  EXPECT_TRUE(task.local);
  EXPECT_EQ(task.workflow_id, "w");
  EXPECT_FALSE(task.run_id.empty());
  EXPECT_EQ(task.workflow_type, "wf");
  EXPECT_EQ(task.activity_id, "1");
  EXPECT_EQ(task.activity_type, "act");
  EXPECT_EQ(task.task_queue, "q");
  EXPECT_EQ(std::get<0>(*FromPayloads<int>(task.input)), 4);
  EXPECT_EQ(task.scheduled_event_id, 0);
  EXPECT_EQ(task.scheduled_time, run.task_time);
  EXPECT_EQ(task.start_to_close_timeout, absl::Seconds(10));
  EXPECT_EQ(task.schedule_to_close_timeout, absl::ZeroDuration());
}

TEST(LocalActivitySeam, InjectedNonRetryableFailureStopsAtOnce) {
  const LocalActivityOptions options =
      WithPolicy({.start_to_close_timeout = absl::Seconds(10)},
                 {.maximum_attempts = 5, .non_retryable_error_types = {"Listed"}});
  const LocalRun flagged = RunLocal(options, [](const ActivityTask&) {
    ScriptedEnv::Step step;
    step.inject = ApplicationFailure("flagged", "Injected", /*non_retryable=*/true).failure();
    return step;
  });
  EXPECT_EQ(flagged.tasks.size(), 1u);
  EXPECT_TRUE(flagged.ran.empty());
  EXPECT_TRUE(flagged.marker.failed);
  EXPECT_EQ(flagged.marker.attempt, 1);
  EXPECT_EQ(flagged.result, "failed RETRY_STATE_NON_RETRYABLE_FAILURE: flagged");

  const LocalRun listed = RunLocal(options, [](const ActivityTask&) {
    ScriptedEnv::Step step;
    step.inject = ApplicationFailure("listed", "Listed").failure();
    return step;
  });
  EXPECT_EQ(listed.tasks.size(), 1u);
  EXPECT_EQ(listed.result, "failed RETRY_STATE_NON_RETRYABLE_FAILURE: listed");
}

TEST(LocalActivitySeam, MaximumAttemptsReachedAfterExactlyThatManyAttempts) {
  const LocalRun run =
      RunLocal(WithPolicy({.start_to_close_timeout = absl::Seconds(10)}, {.maximum_attempts = 3}),
               [](const ActivityTask& task) {
                 ScriptedEnv::Step step;
                 step.inject = Retryable(absl::StrCat("injected ", task.attempt));
                 return step;
               });
  EXPECT_THAT(Attempts(run.tasks), ElementsAre(1, 2, 3));
  EXPECT_TRUE(run.ran.empty());
  EXPECT_EQ(run.marker.attempt, 3);
  ASSERT_TRUE(run.marker.failed);
  const Failure& f = run.marker.failure;
  EXPECT_EQ(f.message(), "local activity error");
  EXPECT_EQ(f.activity_failure_info().activity_type().name(), "act");
  EXPECT_EQ(f.activity_failure_info().activity_id(), "1");
  EXPECT_EQ(f.activity_failure_info().retry_state(), enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  EXPECT_EQ(f.cause().application_failure_info().type(), "Injected");
  EXPECT_EQ(run.result, "failed RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED: injected 3");
}

TEST(LocalActivitySeam, LatencyAboveStartToCloseTimesTheAttemptOutAndItIsRetried) {
  const LocalActivityOptions options = WithPolicy({.start_to_close_timeout = absl::Seconds(2)},
                                                  {.initial_interval = absl::Seconds(1)});
  const LocalRun run = RunLocal(options, [](const ActivityTask& task) {
    return ScriptedEnv::Step{.latency =
                                 task.attempt == 1 ? absl::Seconds(3) : absl::Milliseconds(500)};
  });
  EXPECT_THAT(Attempts(run.tasks), ElementsAre(1, 2));
  EXPECT_THAT(run.ran, ElementsAre(1, 2));  // attempt 1 ran, but its result came too late
  EXPECT_EQ(run.result, "ok 42");
  EXPECT_EQ(run.marker.attempt, 2);
  // Attempt 1 ends at its deadline (2s), then backs off 1s.
  EXPECT_THAT(Starts(run), ElementsAre(absl::ZeroDuration(), absl::Seconds(3)));

  // The last attempt's timeout is the cause of the final failure; a result due at the very
  // deadline is late, as in the service.
  const LocalRun late =
      RunLocal(WithPolicy({.start_to_close_timeout = absl::Seconds(2)}, {.maximum_attempts = 2}),
               [](const ActivityTask&) { return ScriptedEnv::Step{.latency = absl::Seconds(2)}; });
  EXPECT_THAT(late.ran, ElementsAre(1, 2));
  ASSERT_TRUE(late.marker.failed);
  EXPECT_EQ(late.marker.failure.activity_failure_info().retry_state(),
            enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  EXPECT_EQ(late.marker.failure.cause().timeout_failure_info().timeout_type(),
            enums::TIMEOUT_TYPE_START_TO_CLOSE);
  EXPECT_EQ(late.result,
            "failed RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED: activity StartToClose timeout");

  // Listing the timeout as non-retryable stops at the first one (IsRetryableFailure).
  const LocalRun listed =
      RunLocal(WithPolicy({.start_to_close_timeout = absl::Seconds(2)},
                          {.non_retryable_error_types = {"TemporalTimeout:StartToClose"}}),
               [](const ActivityTask&) { return ScriptedEnv::Step{.latency = absl::Seconds(5)}; });
  EXPECT_EQ(listed.tasks.size(), 1u);
  EXPECT_EQ(listed.result,
            "failed RETRY_STATE_NON_RETRYABLE_FAILURE: activity StartToClose timeout");
}

TEST(LocalActivitySeam, UnlimitedAttemptsStopAtTheWorkersCap) {
  // No maximum attempts and no schedule-to-close: the policy would retry for ever; the worker
  // stops at kMaxLocalActivityAttempts.
  const LocalRun run =
      RunLocal({.start_to_close_timeout = absl::Seconds(1)},
               [](const ActivityTask&) { return ScriptedEnv::Step{.inject = Retryable("again")}; });
  EXPECT_EQ(run.tasks.size(), static_cast<size_t>(kMaxLocalActivityAttempts));
  EXPECT_EQ(run.marker.attempt, kMaxLocalActivityAttempts);
  EXPECT_EQ(run.result, "failed RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED: again");
}

TEST(LocalActivitySeam, ScheduleToCloseReachedThroughLatencyAndExactBackoff) {
  // Every attempt fails after 1s; initial interval 1s, coefficient 1.5, schedule-to-close 10s.
  // Temporal's retry.go retries while (failure time + next interval) <= expiration (10s):
  //   attempt 1 runs [0, 1];        1 + 1     = 2     <= 10: retry at 2
  //   attempt 2 runs [2, 3];        3 + 1.5   = 4.5   <= 10: retry at 4.5
  //   attempt 3 runs [4.5, 5.5];  5.5 + 2.25  = 7.75  <= 10: retry at 7.75
  //   attempt 4 runs [7.75, 8.75]; 8.75 + 3.375 = 12.125 > 10: TIMEOUT after 4 attempts.
  // (Counting backoffs only, as the worker once did, would have made a fifth attempt.)
  const LocalRun run = RunLocal(
      WithPolicy({.schedule_to_close_timeout = absl::Seconds(10),
                  .start_to_close_timeout = absl::Seconds(5)},
                 {.initial_interval = absl::Seconds(1), .backoff_coefficient = 1.5}),
      [](const ActivityTask& task) {
        return ScriptedEnv::Step{.inject = Retryable(absl::StrCat("injected ", task.attempt)),
                                 .latency = absl::Seconds(1)};
      });
  EXPECT_THAT(Attempts(run.tasks), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(Starts(run), ElementsAre(absl::ZeroDuration(), absl::Seconds(2),
                                       absl::Milliseconds(4500), absl::Milliseconds(7750)));
  EXPECT_TRUE(run.ran.empty());
  ASSERT_TRUE(run.marker.failed);
  EXPECT_EQ(run.marker.attempt, 4);
  EXPECT_EQ(run.result, "failed RETRY_STATE_TIMEOUT: injected 4");
  EXPECT_THAT(run.marker_data, HasSubstr(ReplayTimeJson(run)));
}

TEST(LocalActivitySeam, AnAttemptStartingAtTheExpirationIsMadeAndTimesOut) {
  // No env: the worker runs each attempt at once. The activity always fails; defaults
  // (initial 1s, coefficient 2), schedule-to-close 3s. After attempt 2 fails at 1s the next
  // attempt would start at 1 + 2 = 3s, the expiration itself: retry.go retries unless it is
  // after the expiration, so attempt 3 is made, and its deadline has already come.
  TestEnv env;
  int runs = 0;
  ASSERT_TRUE(env.registry()
                  .RegisterActivity("fails",
                                    [&runs](ActivityContext&) -> int {
                                      ++runs;
                                      throw std::runtime_error("no");
                                    })
                  .ok());
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      std::string result;
                                      try {
                                        co_await ctx.ExecuteLocalActivity<int>(
                                            "fails",
                                            {.schedule_to_close_timeout = absl::Seconds(3)});
                                      } catch (const ActivityFailure& f) {
                                        result = Describe(f.failure());
                                      }
                                      co_return result;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(std::get<0>(*FromPayloads<std::string>(
                env.Last("w").workflow_execution_completed_event_attributes().result())),
            "failed RETRY_STATE_TIMEOUT: activity ScheduleToClose timeout");
}

TEST(LocalActivitySeam, NextRetryDelayOfTheFailureReplacesTheBackoff) {
  const LocalRun run = RunLocal(
      WithPolicy({.start_to_close_timeout = absl::Seconds(10)},
                 {.initial_interval = absl::Seconds(1), .maximum_interval = absl::Seconds(2)}),
      [](const ActivityTask& task) {
        ScriptedEnv::Step step;
        if (task.attempt == 1) {
          Failure f = Retryable("later");
          f.mutable_application_failure_info()->mutable_next_retry_delay()->set_seconds(7);
          step.inject = f;
        }
        return step;
      });
  // 7s, above the maximum interval: for activities the delay replaces the cap too.
  EXPECT_THAT(Starts(run), ElementsAre(absl::ZeroDuration(), absl::Seconds(7)));
  EXPECT_EQ(run.result, "ok 42");
}

TEST(LocalActivitySeam, ACanceledOutcomeNobodyAskedForIsLostAndTimesOut) {
  const LocalRun run = RunLocal(WithPolicy({.start_to_close_timeout = absl::Seconds(2)},
                                           {.initial_interval = absl::Seconds(1)}),
                                [](const ActivityTask& task) {
                                  return ScriptedEnv::Step{.report_canceled = task.attempt == 1};
                                });
  EXPECT_THAT(Attempts(run.tasks), ElementsAre(1, 2));
  EXPECT_THAT(Starts(run), ElementsAre(absl::ZeroDuration(), absl::Seconds(3)));
  EXPECT_EQ(run.result, "ok 42");
}

TEST(LocalActivitySeam, UnregisteredTypeIsNotRetriedLocallyButIsRemotely) {
  const LocalRun local = RunLocal(
      WithPolicy({.start_to_close_timeout = absl::Seconds(10)}, {.maximum_attempts = 5}),
      [](const ActivityTask&) { return ScriptedEnv::Step{}; }, "missing");
  EXPECT_EQ(local.tasks.size(), 1u);
  EXPECT_EQ(local.marker.failure.cause().application_failure_info().type(),
            "ActivityNotRegistered");
  EXPECT_THAT(local.result, HasSubstr("RETRY_STATE_NON_RETRYABLE_FAILURE"));

  TestEnv env;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      std::string result;
                                      try {
                                        co_await ctx.ExecuteActivity<int>(
                                            "missing", {.start_to_close_timeout = absl::Seconds(10),
                                                        .has_retry_policy = true,
                                                        .retry_policy = {.maximum_attempts = 2}});
                                      } catch (const ActivityFailure& f) {
                                        result = Describe(f.failure());
                                      }
                                      co_return result;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_EQ(env.worker().stats().activity_tasks, 2);  // another worker might have had it
  EXPECT_THAT(std::get<0>(*FromPayloads<std::string>(
                  env.Last("w").workflow_execution_completed_event_attributes().result())),
              HasSubstr("RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED"));
}

struct NotAnException {
  int code;
};

TEST(ActivityRunner, NonStdExceptionsFailTheActivityAndTheWorkerStaysUsable) {
  TestEnv env;
  int runs = 0;
  ASSERT_TRUE(env.registry()
                  .RegisterActivity("throws_int",
                                    [&runs](ActivityContext&) -> int {
                                      ++runs;
                                      throw 42;
                                    })
                  .ok());
  ASSERT_TRUE(env.registry()
                  .RegisterActivity("throws_struct",
                                    [&runs](ActivityContext&) -> int {
                                      ++runs;
                                      throw NotAnException{7};
                                    })
                  .ok());
  ASSERT_TRUE(env.registry().RegisterActivity("fine", [](ActivityContext&) { return 5; }).ok());
  // Each failure as "<cause type> <retry state>"; two attempts each: the failure is retryable.
  ASSERT_TRUE(
      env.registry()
          .RegisterWorkflow(
              "wf",
              [](WorkflowContext& ctx) -> Task<std::string> {
                LocalActivityOptions local{.start_to_close_timeout = absl::Seconds(10)};
                local.has_retry_policy = true;
                local.retry_policy.maximum_attempts = 2;
                ActivityOptions remote{.start_to_close_timeout = absl::Seconds(10)};
                remote.has_retry_policy = true;
                remote.retry_policy.maximum_attempts = 2;
                std::vector<std::string> seen;
                auto describe = [&seen](const ActivityFailure& f) {
                  seen.push_back(absl::StrCat(
                      f.failure().cause().application_failure_info().type(), " ",
                      enums::RetryState_Name(f.failure().activity_failure_info().retry_state()),
                      " ", f.failure().cause().message()));
                };
                try {
                  co_await ctx.ExecuteLocalActivity<int>("throws_int", local);
                } catch (const ActivityFailure& f) {
                  describe(f);
                }
                try {
                  co_await ctx.ExecuteLocalActivity<int>("throws_struct", local);
                } catch (const ActivityFailure& f) {
                  describe(f);
                }
                try {
                  co_await ctx.ExecuteActivity<int>("throws_int", remote);
                } catch (const ActivityFailure& f) {
                  describe(f);
                }
                try {
                  co_await ctx.ExecuteActivity<int>("throws_struct", remote);
                } catch (const ActivityFailure& f) {
                  describe(f);
                }
                std::string out;
                for (const std::string& s : seen) absl::StrAppend(&out, s, "\n");
                co_return out;
              })
          .ok());
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("after",
                                    [](WorkflowContext& ctx) -> Task<int> {
                                      const int a = co_await ctx.ExecuteLocalActivity<int>(
                                          "fine", {.start_to_close_timeout = absl::Seconds(1)});
                                      const int b = co_await ctx.ExecuteActivity<int>(
                                          "fine", {.start_to_close_timeout = absl::Seconds(1)});
                                      co_return a + b;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_EQ(runs, 8);
  const std::string local_int =
      "UnknownException RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED activity throws_int threw a value "
      "that is not a std::exception";
  const std::string local_struct =
      "UnknownException RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED activity throws_struct threw a "
      "value that is not a std::exception";
  EXPECT_EQ(std::get<0>(*FromPayloads<std::string>(
                env.Last("w").workflow_execution_completed_event_attributes().result())),
            absl::StrCat(local_int, "\n", local_struct, "\n", local_int, "\n", local_struct, "\n"));

  env.Start("after", "w2");
  env.RunToEnd();
  ASSERT_EQ(env.Last("w2").event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  EXPECT_EQ(std::get<0>(*FromPayloads<int>(
                env.Last("w2").workflow_execution_completed_event_attributes().result())),
            10);
}

}  // namespace
}  // namespace lockstep
