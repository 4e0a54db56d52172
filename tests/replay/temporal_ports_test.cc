// The ports of recorded Temporal workflows (examples/temporal_ports):
//   - run on the in-process service, each records the same event types, in the same order,
//     as its recording;
//   - the recording replays cleanly against the port (and at every task boundary), with the
//     id rule for histories of other SDKs;
//   - a changed port (activity renamed, timer added, order swapped, version branch removed)
//     is caught with the right kind at the right event.
#include "examples/temporal_ports/temporal_ports.h"

#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "engine/history/event_types.h"
#include "engine/history/history_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/replayer.h"
#include "tests/engine/workflow/test_env.h"
#include "tests/testing/test_data.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using ports::TemporalPort;
using temporal::api::history::v1::History;
using testing::TestEnv;

History Recording(const TemporalPort& port) {
  auto loaded =
      history::LoadHistoryFile(testing::TestDataPath(std::string("temporal/") + port.history_file));
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return loaded.ok() ? loaded->histories[0] : History();
}

std::vector<std::string> Types(const History& h) {
  std::vector<std::string> types;
  for (const auto& e : h.events()) types.push_back(history::EventTypeShortName(e.event_type()));
  return types;
}

// How to reproduce a recording on the service: the client's side of it.
struct Scenario {
  Payloads input;
  std::function<void(TestEnv&, const std::string& id)> drive;  // default: run to the end
  ServiceOptions service;
};

std::map<std::string, Scenario> Scenarios() {
  std::map<std::string, Scenario> s;
  auto str = [](const char* v) { return ToPayloads(std::string(v)); };
  s["sdk-go/continue-as-new"] = {ToPayloads(true), nullptr, {}};
  s["sdk-go/side-effect"] = {str("test"), nullptr, {}};
  s["sdk-go/workflow1"] = {str("Workflow1"), nullptr, {}};
  s["sdk-go/workflow2"] = {str("Workflow2"), nullptr, {}};
  s["sdk-go/upsert-memo"] = {str("test"), nullptr, {}};
  s["sdk-go/search-attribute"] = {str("test"), nullptr, {}};
  s["sdk-go/local-activity"] = {str("Workflow3"), nullptr, {}};
  s["sdk-go/activity-same-time-as-cancel"] = {{},
                                              [](TestEnv& env, const std::string& id) {
                                                env.RunUntilIdle();
                                                env.Signal(id, "signal", ToPayloads(std::string()));
                                                env.RunToEnd();
                                              },
                                              {}};
  s["sdk-go/update_complete_and_exit"] = {{},
                                          [](TestEnv& env, const std::string& id) {
                                            UpdateWorkflowRequest request;
                                            request.workflow_id = id;
                                            request.update_id = "u";
                                            request.name = "update";
                                            request.args = ToPayloads(int64_t{3000000000});
                                            ASSERT_TRUE(env.service().UpdateWorkflow(request).ok());
                                            env.RunToEnd();
                                          },
                                          {}};
  s["sdk-go/parentWF"] = {{}, nullptr, {}};
  // The activity was running (started, not yet recorded) when the cancellation came.
  ServiceOptions slow_activity;
  slow_activity.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{.latency = absl::Minutes(1)};
  };
  s["sdk-java/cancellationScopeDeterminism"] = {
      {},
      [](TestEnv& env, const std::string& id) {
        env.RunUntilIdle();
        CancelWorkflowRequest request;
        request.workflow_id = id;
        ASSERT_TRUE(env.service().RequestCancelWorkflow(request).ok());
        env.RunUntilIdle();
      },
      slow_activity};
  s["sdk-java/testChildWorkflowRetryHistory"] = {str("tq"), nullptr, {}};
  s["sdk-java/testGetVersionHistory"] = {str("tq"), nullptr, {}};
  s["sdk-java/testGetVersionInSignalHistory"] = {{},
                                                 [](TestEnv& env, const std::string& id) {
                                                   env.RunUntilIdle();
                                                   env.Signal(id, "testSignal",
                                                              ToPayloads(std::string("done")));
                                                   env.RunToEnd();
                                                 },
                                                 {}};
  s["samples-go/helloworld"] = {str("Temporal"), nullptr, {}};
  s["features/activity/retry_on_error (go)"] = {{}, nullptr, {}};
  return s;
}

class TemporalPortTest : public ::testing::TestWithParam<TemporalPort> {};

TEST_P(TemporalPortTest, RunningThePortRecordsTheSameEventTypes) {
  const TemporalPort& port = GetParam();
  const History recording = Recording(port);
  const auto scenarios = Scenarios();
  auto it = scenarios.find(port.name);
  ASSERT_NE(it, scenarios.end()) << "no scenario for " << port.name;
  const Scenario& scenario = it->second;

  TestEnv env({}, scenario.service);
  ASSERT_TRUE(port.register_fn(&env.registry()).ok());
  const auto& started = recording.events(0).workflow_execution_started_event_attributes();
  const std::string id = "port";
  StartWorkflowRequest request;
  request.workflow_id = id;
  request.workflow_type = port.workflow_type;
  request.task_queue = started.task_queue().name();
  request.input = scenario.input;
  ASSERT_TRUE(env.service().StartWorkflow(request).ok());
  if (scenario.drive) {
    scenario.drive(env, id);
  } else {
    env.RunToEnd();
  }
  // The first run (a continued-as-new recording is the first run of its chain).
  const auto runs = env.service().ListRuns();
  ASSERT_FALSE(runs.empty());
  EXPECT_EQ(Types(env.History(id, runs[0].run_id())), Types(recording));
}

TEST_P(TemporalPortTest, RecordingReplaysCleanly) {
  const TemporalPort& port = GetParam();
  const History recording = Recording(port);
  const TemporalPort* found = ports::FindPort(recording);
  ASSERT_NE(found, nullptr);
  ASSERT_STREQ(found->name, port.name);
  const Registry& registry = ports::PortRegistry(*found);
  replay::ReplayResult result = replay::ReplayHistory(registry, recording, port.history_file);
  EXPECT_EQ(result.outcome, replay::Outcome::kClean) << replay::FormatText(result);
  replay::ReplayResult evicted =
      replay::ReplayEveryTaskBoundary(registry, recording, port.history_file);
  EXPECT_EQ(evicted.outcome, replay::Outcome::kClean) << replay::FormatText(evicted);
}

INSTANTIATE_TEST_SUITE_P(Each, TemporalPortTest, ::testing::ValuesIn(ports::TemporalPorts()),
                         [](const ::testing::TestParamInfo<TemporalPort>& param) {
                           std::string name = param.param.name;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// Changed versions of ports: each replays its recording and must be caught, with the kind
// and event id a user would need to find the change.
struct ChangedPort {
  const char* name;
  const char* port;
  std::function<absl::Status(Registry*)> register_changed;
  Nondeterminism::Kind kind;
  int64_t event_id;
  bool names_a_line = true;  // false where no statement issued anything to point at
};

std::vector<ChangedPort> ChangedPorts() {
  using K = Nondeterminism::Kind;
  const ActivityOptions opts{.start_to_close_timeout = absl::Minutes(1)};
  std::vector<ChangedPort> c;
  c.push_back(
      {"ActivityRenamed", "samples-go/helloworld",
       [opts](Registry* r) {
         return r->RegisterWorkflow(
             "Workflow", [opts](WorkflowContext& ctx, std::string name) -> Task<std::string> {
               co_return co_await ctx.ExecuteActivity<std::string>("ActivityV2", opts, name);
             });
       },
       K::kMismatch, 5});
  c.push_back({"TimerAddedBeforeTheActivity", "sdk-go/activity-same-time-as-cancel",
               [opts](Registry* r) {
                 return r->RegisterWorkflow(
                     "WorkflowWithLocalActivityStartWhenTimerCancel",
                     [opts](WorkflowContext& ctx) -> Task<bool> {
                       Future<void> timer = ctx.Sleep(absl::Seconds(3));
                       bool signaled = false;
                       ctx.SetSignalHandler<std::string>(
                           "signal", [&signaled](const std::string&) { signaled = true; });
                       co_await ctx.WaitCondition([&signaled] { return signaled; });
                       co_await ctx.Sleep(absl::Seconds(1));  // the added timer
                       timer.Cancel();
                       co_return co_await ctx.ExecuteActivity<int>("Echo", opts, 0, 0) == 0;
                     });
               },
               K::kMismatch, 10});
  c.push_back({"OrderSwapped", "sdk-go/side-effect",
               [opts](Registry* r) {
                 return r->RegisterWorkflow(
                     "SideEffectWorkflow",
                     [opts](WorkflowContext& ctx, std::string name) -> Task<void> {
                       co_await ctx.ExecuteActivity<std::string>("helloworldActivity", opts, name);
                       ctx.SideEffect<int>([] { return 1; });
                     });
               },
               K::kMismatch, 5});
  c.push_back({"VersionBranchRemoved", "sdk-go/workflow1",
               [opts](Registry* r) {
                 return r->RegisterWorkflow(
                     "Workflow1", [opts](WorkflowContext& ctx, std::string name) -> Task<void> {
                       co_await ctx.ExecuteActivity<std::string>("helloworldActivity", opts, name);
                     });
               },
               K::kMismatch, 5});
  c.push_back({"ChildTypeRenamed", "sdk-go/parentWF",
               [](Registry* r) {
                 return r->RegisterWorkflow(
                     "testReplayWorkflowFromFileParent", [](WorkflowContext& ctx) -> Task<void> {
                       const std::string id = "child_workflow:" + ctx.info().run_id;
                       co_await ctx.ExecuteChildWorkflow<void>("otherChild", {.workflow_id = id});
                     });
               },
               K::kMismatch, 5});
  c.push_back(
      {"UpdateHandlerRenamed", "sdk-go/update_complete_and_exit",
       [](Registry* r) {
         return r->RegisterWorkflow("UpdateAndExit", [](WorkflowContext& ctx) -> Task<void> {
           bool done = false;
           ctx.SetUpdateHandler<int64_t>("update-v2", [&done](int64_t) { done = true; });
           co_await ctx.WaitCondition([&done] { return done; });
         });
       },
       K::kMissing, 5, /*names_a_line=*/false});
  c.push_back({"ScopeOrderSwapped", "sdk-java/cancellationScopeDeterminism",
               [](Registry* r) {
                 return r->RegisterWorkflow("TestWorkflow", [](WorkflowContext& ctx) -> Task<void> {
                   Future<void> sleep = ctx.Sleep(absl::Minutes(5));
                   co_await ctx.ExecuteActivity<void>(
                       "DoActivity", {.schedule_to_close_timeout = absl::Seconds(60)});
                   co_await sleep;
                 });
               },
               K::kMismatch, 5});
  c.push_back(
      {"LocalActivityRenamed", "sdk-go/local-activity",
       [](Registry* r) {
         return r->RegisterWorkflow(
             "LocalActivityWorkflow", [](WorkflowContext& ctx, std::string name) -> Task<void> {
               co_await ctx.ExecuteLocalActivity<std::string>(
                   "helloActivityV2", {.schedule_to_close_timeout = absl::Minutes(1)}, name);
             });
       },
       K::kMismatch, 5});
  c.push_back({"JavaVersionBranchRemoved", "sdk-java/testGetVersionHistory",
               [opts](Registry* r) {
                 return r->RegisterWorkflow(
                     "TestWorkflow1",
                     [opts](WorkflowContext& ctx, std::string) -> Task<std::string> {
                       co_return absl::StrCat(
                           co_await ctx.ExecuteActivity<int>("customActivity1", opts, 1));
                     });
               },
               K::kMismatch, 5});
  c.push_back({"ContinuedAsAnotherType", "sdk-go/continue-as-new",
               [](Registry* r) {
                 return r->RegisterWorkflow("ContinueAsNewWorkflow",
                                            [](WorkflowContext& ctx, bool) -> Task<void> {
                                              ctx.ContinueAsNew({.workflow_type = "Other"}, false);
                                              co_return;
                                            });
               },
               K::kMismatch, 5, /*names_a_line=*/false});
  return c;
}

class ChangedPortTest : public ::testing::TestWithParam<ChangedPort> {};

TEST_P(ChangedPortTest, IsCaughtWithKindAndEvent) {
  const ChangedPort& c = GetParam();
  const TemporalPort* port = nullptr;
  for (const TemporalPort& p : ports::TemporalPorts()) {
    if (std::string(p.name) == c.port) port = &p;
  }
  ASSERT_NE(port, nullptr);
  Registry changed;
  ASSERT_TRUE(c.register_changed(&changed).ok());
  replay::ReplayResult result =
      replay::ReplayHistory(changed, Recording(*port), port->history_file);
  ASSERT_EQ(result.outcome, replay::Outcome::kNondeterministic) << replay::FormatText(result);
  ASSERT_TRUE(result.nondeterminism.has_value());
  EXPECT_EQ(result.nondeterminism->kind, c.kind) << replay::FormatText(result);
  EXPECT_EQ(result.nondeterminism->event_id, c.event_id) << replay::FormatText(result);
  // The report points into the changed code.
  if (c.names_a_line) {
    EXPECT_THAT(result.nondeterminism->where.file_name(),
                ::testing::HasSubstr("temporal_ports_test"))
        << replay::FormatText(result);
  }
}

INSTANTIATE_TEST_SUITE_P(Each, ChangedPortTest, ::testing::ValuesIn(ChangedPorts()),
                         [](const ::testing::TestParamInfo<ChangedPort>& param) {
                           return std::string(param.param.name);
                         });

}  // namespace
}  // namespace lockstep
