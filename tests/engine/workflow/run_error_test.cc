// RunError: every kind a run returns, with the event where it stopped and the message callers
// show; what the worker makes of each kind (its WorkflowTaskFailedCause); the Status a
// boundary API gets; RunResult itself.
#include "engine/workflow/run_error.h"

#include <optional>
#include <stdexcept>
#include <string>

#include "engine/history/history_builder.h"
#include "engine/workflow/workflow_run.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"

namespace lockstep {
namespace run_error_test {
namespace {

namespace enums = temporal::api::enums::v1;
using history::HistoryBuilder;
using temporal::api::history::v1::History;
using ::testing::HasSubstr;
using testing::TestEnv;

Task<int> Sleeper(WorkflowContext& ctx) {
  co_await ctx.Sleep(absl::Seconds(1));
  co_return 1;
}

// What ProcessEvents returns for `history` replayed against `registry` from scratch.
std::optional<RunError> ErrorOf(const Registry& registry, const History& history) {
  WorkflowRun run(&registry, {.workflow_id = "w", .run_id = "r"});
  auto processed = run.ProcessEvents(history, 0);
  if (processed.ok()) return std::nullopt;
  return std::move(processed).error();
}

History RecordSleeper() {
  TestEnv env;
  EXPECT_TRUE(env.registry().RegisterWorkflow("wf", &Sleeper).ok());
  env.Start("wf", "w");
  env.RunToEnd();
  return env.History("w");
}

TEST(RunError, NondeterminismCarriesItsFinding) {
  const History history = RecordSleeper();  // 5 TimerStarted
  Registry registry;
  ASSERT_TRUE(registry
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<int> {
                                      co_await ctx.ExecuteActivity<int>(
                                          "a", {.start_to_close_timeout = absl::Seconds(1)});
                                      co_return 1;
                                    })
                  .ok());
  const auto error = ErrorOf(registry, history);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, RunError::Kind::kNondeterminism);
  EXPECT_EQ(error->event_id, 5);
  ASSERT_TRUE(error->nondeterminism.has_value());
  EXPECT_EQ(error->nondeterminism->kind, Nondeterminism::Kind::kMismatch);
  EXPECT_EQ(error->nondeterminism->event_id, 5);
  EXPECT_EQ(error->nondeterminism->expected, "timer id=1");
  EXPECT_EQ(error->nondeterminism->actual, "activity a id=1");
  EXPECT_THAT(error->message,
              HasSubstr("nondeterminism in wf w: command mismatch: event 5 (TimerStarted): history "
                        "has timer id=1, workflow code issued activity a id=1 at "));
}

TEST(RunError, AnEventReferringToNoOperationIsCorruptHistory) {
  HistoryBuilder b("wf");
  const auto task = b.AddWorkflowTask();  // 2, 3, 4
  b.AddTimerStarted(task.completed, "1", 1.0);
  b.AddTimerFired(/*started=*/99, "1");  // 6
  Registry registry;
  ASSERT_TRUE(registry.RegisterWorkflow("wf", &Sleeper).ok());
  const auto error = ErrorOf(registry, b.history());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, RunError::Kind::kCorruptHistory);
  EXPECT_EQ(error->event_id, 6);
  EXPECT_EQ(error->message,
            "event 6 (TimerFired) refers to started event 99, which is no timer of this run");
  EXPECT_FALSE(error->nondeterminism.has_value());
}

TEST(RunError, AnEventItsMachineCannotTakeIsCorruptHistory) {
  HistoryBuilder b("wf");
  const auto task = b.AddWorkflowTask();
  const int64_t started = b.AddTimerStarted(task.completed, "1", 1.0);  // 5
  b.AddTimerFired(started, "1");                                        // 6
  b.AddTimerFired(started, "1");                                        // 7: fired twice
  Registry registry;
  ASSERT_TRUE(registry.RegisterWorkflow("wf", &Sleeper).ok());
  const auto error = ErrorOf(registry, b.history());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, RunError::Kind::kCorruptHistory);
  EXPECT_EQ(error->event_id, 7);
  EXPECT_THAT(error->message, HasSubstr("event 7: timer id=1 in state "));
}

TEST(RunError, EventsOutOfOrderAreCorruptHistory) {
  HistoryBuilder b("wf");
  b.AddWorkflowTask();
  b.mutable_history()->mutable_events(2)->set_event_id(9);
  Registry registry;
  ASSERT_TRUE(registry.RegisterWorkflow("wf", &Sleeper).ok());
  const auto error = ErrorOf(registry, b.history());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, RunError::Kind::kCorruptHistory);
  EXPECT_EQ(error->event_id, 9);
  EXPECT_EQ(error->message, "event 9 follows event 2; events must be fed in order");
}

TEST(RunError, AnEventOfAFeatureNotRunHereIsUnsupported) {
  HistoryBuilder b("wf");
  const auto task = b.AddWorkflowTask();
  b.AddEvent(enums::EVENT_TYPE_NEXUS_OPERATION_SCHEDULED)
      ->mutable_nexus_operation_scheduled_event_attributes()
      ->set_workflow_task_completed_event_id(task.completed);  // 5
  Registry registry;
  ASSERT_TRUE(registry.RegisterWorkflow("wf", &Sleeper).ok());
  const auto error = ErrorOf(registry, b.history());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, RunError::Kind::kUnsupportedFeature);
  EXPECT_EQ(error->event_id, 5);
  EXPECT_EQ(error->message,
            "event 5 (NexusOperationScheduled) is not supported by this engine yet");
}

TEST(RunError, CodeThatThrowsInATaskTheHistoryShowsCompletedThrewInReplay) {
  const History history = RecordSleeper();
  Registry registry;
  ASSERT_TRUE(registry
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext&) -> Task<int> {
                                      throw std::runtime_error("boom");
                                      co_return 1;
                                    })
                  .ok());
  const auto error = ErrorOf(registry, history);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, RunError::Kind::kWorkflowCodeThrew);
  EXPECT_EQ(error->event_id, 3);
  EXPECT_EQ(error->message,
            "replaying workflow task 3 of wf threw, although the recorded task completed: boom");
}

TEST(RunError, AWorkflowTypeNotRegisteredIsNamed) {
  const History history = RecordSleeper();
  Registry registry;
  const auto error = ErrorOf(registry, history);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, RunError::Kind::kUnknownWorkflowType);
  EXPECT_EQ(error->event_id, 3);
  EXPECT_EQ(error->message, "workflow type \"wf\" is not registered with this worker");
}

TEST(RunError, AnExtraCommandIsNondeterminismAtTheCompletionOfItsTask) {
  // Sleeps, then waits for ever: the history ends with the second task completed (event 9),
  // whose recorded commands (none) end there.
  TestEnv env;
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<int> {
                                      co_await ctx.Sleep(absl::Seconds(1));
                                      co_await ctx.WaitCondition([] { return false; });
                                      co_return 1;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  const History history = env.History("w");
  Registry registry;
  ASSERT_TRUE(registry
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<int> {
                                      co_await ctx.Sleep(absl::Seconds(1));
                                      co_await ctx.Sleep(absl::Seconds(1));
                                      co_return 1;
                                    })
                  .ok());
  WorkflowRun run(&registry, {.workflow_id = "w", .run_id = "r"});
  ASSERT_TRUE(run.ProcessEvents(history, 0).ok());
  RunStatus all = run.CheckAllCommandsRecorded();
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.error().kind, RunError::Kind::kNondeterminism);
  EXPECT_EQ(all.error().event_id, 9);
  ASSERT_TRUE(all.error().nondeterminism.has_value());
  EXPECT_EQ(all.error().nondeterminism->kind, Nondeterminism::Kind::kExtra);
  EXPECT_EQ(all.error().nondeterminism->event_type, "WorkflowTaskCompleted");
  EXPECT_EQ(all.error().nondeterminism->actual, "timer id=2");
}

// The worker fails the task by kind: nondeterminism is NON_DETERMINISTIC_ERROR (covered with
// the engine), everything else WORKFLOW_WORKER_UNHANDLED_FAILURE with the error's message.
TEST(RunError, TheWorkerFailsTheTaskOfAnUnknownTypeAsUnhandled) {
  TestEnv env;
  env.Start("nobody-registered-this", "w");
  env.RunToEnd(absl::Minutes(1));
  bool found = false;
  for (const auto& e : env.History("w").events()) {
    if (e.event_type() != enums::EVENT_TYPE_WORKFLOW_TASK_FAILED) continue;
    found = true;
    const auto& a = e.workflow_task_failed_event_attributes();
    EXPECT_EQ(a.cause(), enums::WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE);
    EXPECT_EQ(a.failure().message(),
              "workflow type \"nobody-registered-this\" is not registered with this worker");
    EXPECT_EQ(a.failure().application_failure_info().type(), "WorkerError");
    break;
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(env.worker().last_nondeterminism(), nullptr);
}

TEST(RunError, ToStatusKeepsTheMessageAndGivesEachKindItsCode) {
  const struct {
    RunError::Kind kind;
    absl::StatusCode code;
    absl::string_view name;
  } kinds[] = {
      {RunError::Kind::kNondeterminism, absl::StatusCode::kFailedPrecondition, "nondeterminism"},
      {RunError::Kind::kCorruptHistory, absl::StatusCode::kInvalidArgument, "corrupt-history"},
      {RunError::Kind::kUnsupportedFeature, absl::StatusCode::kUnimplemented,
       "unsupported-feature"},
      {RunError::Kind::kWorkflowCodeThrew, absl::StatusCode::kInternal, "workflow-code-threw"},
      {RunError::Kind::kUnknownWorkflowType, absl::StatusCode::kNotFound, "unknown-workflow-type"},
  };
  for (const auto& k : kinds) {
    const absl::Status status = ToStatus(RunError::Of(k.kind, "what happened", 4));
    EXPECT_EQ(status.code(), k.code) << k.name;
    EXPECT_EQ(status.message(), "what happened");
    EXPECT_EQ(RunErrorKindName(k.kind), k.name);
  }
}

TEST(RunResult, HoldsAValueOrAnError) {
  RunResult<std::optional<int>> none = std::nullopt;
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  RunResult<std::optional<int>> some = 3;
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(**some, 3);
  RunResult<std::optional<int>> failed = RunError::Of(RunError::Kind::kCorruptHistory, "bad", 2);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().event_id, 2);
  RunError moved = std::move(failed).error();
  EXPECT_EQ(moved.message, "bad");

  RunStatus ok;
  EXPECT_TRUE(ok.ok());
  RunStatus bad = RunError::Of(RunError::Kind::kUnsupportedFeature, "nexus", 5);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, RunError::Kind::kUnsupportedFeature);

  EXPECT_TRUE(RunResult<int>(1).status().ok());
  RunStatus status = RunResult<int>(RunError::Of(RunError::Kind::kCorruptHistory, "x", 7)).status();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().event_id, 7);
}

// A marker replay reads nothing from is named as the likely cause, not the code: an unknown
// marker name, and a known name whose details it cannot read.
std::optional<Nondeterminism> ReplayTimerAgainst(const History& history) {
  Registry registry;
  EXPECT_TRUE(registry
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<void> {
                                      co_await ctx.Sleep(absl::Seconds(1));
                                    })
                  .ok());
  WorkflowRun run(&registry, {.workflow_id = "w", .run_id = "r"});
  auto processed = run.ProcessEvents(history, 0);
  if (processed.ok()) return std::nullopt;
  return processed.error().nondeterminism;
}

TEST(RunError, AMarkerReplayCannotReadIsNamedAsTheLikelyCause) {
  HistoryBuilder unknown("wf");
  unknown.AddMarker(unknown.AddWorkflowTask().completed, "CustomSdkMarker");
  auto n = ReplayTimerAgainst(unknown.history());
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->kind, Nondeterminism::Kind::kMismatch);
  EXPECT_EQ(n->event_id, 5);
  EXPECT_THAT(n->cause, HasSubstr("marker named \"CustomSdkMarker\", which no Lockstep feature"));

  HistoryBuilder damaged("wf");
  damaged.AddMarker(damaged.AddWorkflowTask().completed, "core_patch");  // no details
  n = ReplayTimerAgainst(damaged.history());
  ASSERT_TRUE(n.has_value());
  EXPECT_THAT(n->cause, HasSubstr("core_patch marker whose details Lockstep cannot read"));

  // A marker it reads (a side effect) leaves the kind's usual causes.
  HistoryBuilder side_effect("wf");
  side_effect.AddMarker(side_effect.AddWorkflowTask().completed, "SideEffect");
  n = ReplayTimerAgainst(side_effect.history());
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->cause, "");
}

// In a history of an sdk-core based SDK, what its SDK did that replay does not reproduce is
// named: an older behaviour its missing flags say it had, and flags Lockstep does not know.
TEST(RunError, AnSdkBehaviourReplayDoesNotReproduceIsNamedAsTheLikelyCause) {
  HistoryBuilder b("wf");
  const auto task = b.AddWorkflowTask();
  auto* meta = b.mutable_history()
                   ->mutable_events(static_cast<int>(task.completed) - 1)
                   ->mutable_workflow_task_completed_event_attributes()
                   ->mutable_sdk_metadata();
  meta->set_sdk_name("temporal-python");
  for (uint32_t f : {2, 3, 9}) meta->add_core_used_flags(f);
  meta->add_lang_used_flags(1);
  meta->add_lang_used_flags(5);
  b.AddActivityTaskScheduled(task.completed, "1", "act");
  auto n = ReplayTimerAgainst(b.history());
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->kind, Nondeterminism::Kind::kMismatch);
  EXPECT_THAT(n->cause, HasSubstr("the history's SDK (temporal-python)"));
  EXPECT_THAT(n->cause, HasSubstr("without core flag 1, sdk-core compared no ids or types"));
  EXPECT_THAT(n->cause, HasSubstr("core flag 9, which Lockstep does not know"));
  EXPECT_THAT(n->cause, HasSubstr("temporal-python flag 5, which Lockstep does not know"));
  EXPECT_THAT(n->cause, ::testing::Not(HasSubstr("flag 2")));

  // With every flag it knows, and none it does not, nothing is named.
  meta->clear_core_used_flags();
  for (uint32_t f : {1, 2, 3}) meta->add_core_used_flags(f);
  meta->clear_lang_used_flags();
  meta->add_lang_used_flags(1);
  meta->add_lang_used_flags(2);
  n = ReplayTimerAgainst(b.history());
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->cause, "");

  // Go's histories never get such a cause.
  meta->set_sdk_name("temporal-go");
  meta->clear_core_used_flags();
  meta->add_lang_used_flags(77);
  n = ReplayTimerAgainst(b.history());
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->cause, "");
}

}  // namespace
}  // namespace run_error_test
}  // namespace lockstep
