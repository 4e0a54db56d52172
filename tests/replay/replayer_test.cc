// Replaying recorded histories: clean replays, each kind of nondeterminism with its event id
// and source line, hand-edited histories, partial replay, and histories this engine cannot
// replay.
#include "replay/replayer.h"

#include <map>
#include <new>
#include <vector>

#include "absl/strings/match.h"
#include "engine/history/history_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"
#include "tests/testing/test_data.h"

namespace lockstep::replay {
namespace {

namespace enums = temporal::api::enums::v1;
using ::testing::HasSubstr;
using testing::TestEnv;

ActivityOptions Quick() { return {.start_to_close_timeout = absl::Seconds(10)}; }

// Version 1, which records the histories: activity "a", then a 5s timer; in the second
// task, activity "b" and activity "c" together.
Task<int> V1(WorkflowContext& ctx) {
  co_await ctx.ExecuteActivity<int>("a", Quick());
  co_await ctx.Sleep(absl::Seconds(5));
  Future<int> b = ctx.ExecuteActivity<int>("b", Quick());
  Future<int> c = ctx.ExecuteActivity<int>("c", Quick());
  co_return co_await b + co_await c;
}

void RegisterActivities(Registry* r) {
  for (const char* name : {"a", "b", "c", "a2"}) {
    ASSERT_TRUE(r->RegisterActivity(name, [](ActivityContext&) { return 1; }).ok());
  }
}

temporal::api::history::v1::History Recorded() {
  TestEnv env;
  RegisterActivities(&env.registry());
  EXPECT_TRUE(env.registry().RegisterWorkflow("wf", &V1).ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_EQ(env.Last("w").event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  return env.History("w");
}

template <typename Fn>
ReplayResult ReplayWith(Fn workflow, const temporal::api::history::v1::History& h,
                        ReplayOptions options = {}) {
  Registry registry;
  RegisterActivities(&registry);
  EXPECT_TRUE(registry.RegisterWorkflow("wf", workflow).ok());
  return ReplayHistory(registry, h, "h.json", options);
}

TEST(Replayer, SameCodeReplaysClean) {
  const auto h = Recorded();
  ReplayResult r = ReplayWith(&V1, h);
  EXPECT_EQ(r.outcome, Outcome::kClean) << FormatText(r);
  EXPECT_EQ(r.events, h.events_size());
  EXPECT_THAT(FormatText(r), HasSubstr("clean"));
}

// Older servers' started events carry no workflow id: the reports say so ("-" in text, null
// in JSON) instead of passing a placeholder off as the id.
TEST(Replayer, IdsTheHistoryDoesNotRecordAreNullInJson) {
  auto h = Recorded();
  ReplayResult recorded = ReplayWith(&V1, h);
  ASSERT_FALSE(recorded.workflow_id.empty());
  EXPECT_THAT(FormatJson(recorded), HasSubstr(R"("workflowId":")" + recorded.workflow_id + "\""));
  auto* started = h.mutable_events(0)->mutable_workflow_execution_started_event_attributes();
  started->clear_workflow_id();
  started->clear_original_execution_run_id();
  ReplayResult r = ReplayWith(
      [](WorkflowContext& ctx) -> Task<int> {
        co_await ctx.ExecuteActivity<int>("a2", Quick());
        co_return 0;
      },
      h);
  ASSERT_EQ(r.outcome, Outcome::kNondeterministic);
  EXPECT_TRUE(r.workflow_id.empty());
  EXPECT_TRUE(r.run_id.empty());
  EXPECT_THAT(FormatJson(r), HasSubstr(R"("workflowId":null,"runId":null)"));
  EXPECT_THAT(FormatText(r), HasSubstr("  id -  run -"));
  EXPECT_EQ(ReplayWith(&V1, h).outcome, Outcome::kClean);
}

TEST(Replayer, RenamedActivityIsAMismatchAtItsEvent) {
  ReplayResult r = ReplayWith(
      [](WorkflowContext& ctx) -> Task<int> {
        co_await ctx.ExecuteActivity<int>("a2", Quick());
        co_return 0;
      },
      Recorded());
  ASSERT_EQ(r.outcome, Outcome::kNondeterministic);
  EXPECT_EQ(r.nondeterminism->kind, Nondeterminism::Kind::kMismatch);
  EXPECT_EQ(r.nondeterminism->event_id, 5);
  EXPECT_EQ(r.nondeterminism->expected, "activity a id=1");
  EXPECT_EQ(r.nondeterminism->actual, "activity a2 id=1");
  const std::string text = FormatText(r);
  EXPECT_THAT(text, HasSubstr("[command-mismatch]"));
  EXPECT_THAT(text, HasSubstr("event     5 (ActivityTaskScheduled)"));
  EXPECT_THAT(text, HasSubstr("replayer_test.cc:"));  // the line that issued it
  EXPECT_THAT(text, HasSubstr("version marker"));
  EXPECT_THAT(FormatJson(r), HasSubstr(R"("code":"command-mismatch","eventId":5)"));
}

TEST(Replayer, AMarkerReplayCannotReadIsTheLikelyCauseInTextAndJson) {
  temporal::api::history::v1::History h = Recorded();
  auto* marker = h.mutable_events(4);  // the ActivityTaskScheduled, now a marker of another SDK
  const int64_t completed =
      marker->activity_task_scheduled_event_attributes().workflow_task_completed_event_id();
  marker->set_event_type(temporal::api::enums::v1::EVENT_TYPE_MARKER_RECORDED);
  auto* a = marker->mutable_marker_recorded_event_attributes();
  a->set_marker_name("MutableSideEffectV9");
  a->set_workflow_task_completed_event_id(completed);
  ReplayResult r = ReplayWith(&V1, h);
  ASSERT_EQ(r.outcome, Outcome::kNondeterministic) << FormatText(r);
  EXPECT_THAT(FormatText(r),
              HasSubstr("likely    event 5 is a marker named \"MutableSideEffectV9\""));
  EXPECT_THAT(FormatText(r), ::testing::Not(HasSubstr("guard the change")));
  EXPECT_THAT(FormatJson(r), HasSubstr(R"("likelyCause":"event 5 is a marker named)"));
  // Without such a cause, the kind's.
  ReplayResult renamed = ReplayWith(
      [](WorkflowContext& ctx) -> Task<int> {
        co_await ctx.ExecuteActivity<int>("a2", Quick());
        co_return 0;
      },
      Recorded());
  EXPECT_THAT(FormatJson(renamed), HasSubstr(R"("likelyCause":"the workflow code changed)"));
}

// Results are compared at every task boundary too: code whose result depends on something
// outside the workflow (here a process-wide count of runs) returns what the recording did in
// one pass, and something else once evicted.
int runs_of_counting_workflow = 0;
Task<int> CountsItsRuns(WorkflowContext& ctx) {
  const int run = ++runs_of_counting_workflow;
  co_await ctx.ExecuteActivity<int>("a", Quick());
  co_return run;
}

TEST(Replayer, AResultThatDiffersOnlyWhenEvictedIsAWarningNamingTheBoundary) {
  TestEnv env;
  RegisterActivities(&env.registry());
  ASSERT_TRUE(env.registry().RegisterWorkflow("wf", &CountsItsRuns).ok());
  runs_of_counting_workflow = 0;
  env.Start("wf", "w");
  env.RunToEnd();  // records result 1
  const auto h = env.History("w");
  Registry registry;
  RegisterActivities(&registry);
  ASSERT_TRUE(registry.RegisterWorkflow("wf", &CountsItsRuns).ok());
  runs_of_counting_workflow = 0;  // the one-pass replay is run 1 again
  ReplayResult r = ReplayEveryTaskBoundary(registry, h, "h.json");
  EXPECT_EQ(r.outcome, Outcome::kClean);
  ASSERT_EQ(r.warnings.size(), 1u) << FormatText(r);
  EXPECT_THAT(r.warnings[0], HasSubstr("evicted before event 3: result mismatch"));
  runs_of_counting_workflow = 0;
  ReplayOptions fail;
  fail.result_check = ReplayOptions::ResultCheck::kFail;
  r = ReplayEveryTaskBoundary(registry, h, "h.json", fail);
  EXPECT_EQ(r.outcome, Outcome::kNondeterministic);
}

TEST(Replayer, TimerAddedBeforeTheActivityIsAMismatch) {
  ReplayResult r = ReplayWith(
      [](WorkflowContext& ctx) -> Task<int> {
        co_await ctx.Sleep(absl::Seconds(1));
        co_await ctx.ExecuteActivity<int>("a", Quick());
        co_return 0;
      },
      Recorded());
  ASSERT_EQ(r.outcome, Outcome::kNondeterministic);
  EXPECT_EQ(r.nondeterminism->event_id, 5);
  EXPECT_EQ(r.nondeterminism->actual, "timer id=1");
}

TEST(Replayer, DroppedCommandIsMissing) {
  // "c" is no longer scheduled: the history's second ActivityTaskScheduled of that task has
  // no command.
  ReplayResult r = ReplayWith(
      [](WorkflowContext& ctx) -> Task<int> {
        co_await ctx.ExecuteActivity<int>("a", Quick());
        co_await ctx.Sleep(absl::Seconds(5));
        co_return co_await ctx.ExecuteActivity<int>("b", Quick());
      },
      Recorded());
  ASSERT_EQ(r.outcome, Outcome::kNondeterministic) << FormatText(r);
  EXPECT_EQ(r.nondeterminism->kind, Nondeterminism::Kind::kMissing);
  EXPECT_EQ(r.nondeterminism->expected, "activity c id=3");
  EXPECT_THAT(FormatText(r), HasSubstr("[missing-command]"));
  // Where the code was: the statement that scheduled "b", its last command.
  EXPECT_THAT(FormatText(r), HasSubstr("code was "));
  EXPECT_THAT(FormatText(r), HasSubstr("replayer_test.cc:"));
}

// Workflow code that throws where the history shows the task completed (here std::bad_alloc,
// as a huge input once made it) must not replay clean: the task failed, so none of the
// commands the history records were issued.
TEST(Replayer, CodeThatThrowsWhereTheHistoryCompletedIsNotClean) {
  for (int task : {1, 2}) {
    ReplayResult r = ReplayWith(
        [task](WorkflowContext& ctx) -> Task<int> {
          if (task == 1) throw std::bad_alloc();
          co_await ctx.ExecuteActivity<int>("a", Quick());
          if (task == 2) throw std::bad_alloc();
          co_return 0;
        },
        Recorded());
    // The history says the task completed: code that now throws there is nondeterminism.
    ASSERT_EQ(r.outcome, Outcome::kNondeterministic) << "task " << task << ": " << FormatText(r);
    EXPECT_EQ(r.nondeterminism->kind, Nondeterminism::Kind::kCodeThrew);
    EXPECT_THAT(r.nondeterminism->actual, HasSubstr("the workflow function threw: "));
    EXPECT_THAT(FormatText(r), HasSubstr("[code-threw]"));
    EXPECT_THAT(FormatText(r), HasSubstr("bad_alloc")) << "task " << task;
    EXPECT_THAT(FormatJson(r), HasSubstr(R"("code":"code-threw")"));
  }
}

// A signal handler that throws (not a WorkflowFailure, which would fail the workflow) where
// the recorded one did not: the report names the handler.
TEST(Replayer, AHandlerThatNowThrowsIsNondeterminismNamingIt) {
  TestEnv env;
  RegisterActivities(&env.registry());
  auto workflow = [](bool throws) {
    return [throws](WorkflowContext& ctx) -> Task<int> {
      int got = 0;
      ctx.SetSignalHandler<int>("add", [&got, throws](int n) {
        if (throws) throw std::runtime_error("handler broke");
        got += n;
      });
      co_await ctx.WaitCondition([&got] { return got > 0; });
      co_return got;
    };
  };
  ASSERT_TRUE(env.registry().RegisterWorkflow("wf", workflow(false)).ok());
  env.Start("wf", "w");
  env.RunToEnd(absl::Seconds(1));
  env.Signal("w", "add", ToPayloads(5));
  env.RunToEnd();
  ASSERT_EQ(env.Last("w").event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  ReplayResult r = ReplayWith(workflow(true), env.History("w"));
  ASSERT_EQ(r.outcome, Outcome::kNondeterministic) << FormatText(r);
  EXPECT_EQ(r.nondeterminism->kind, Nondeterminism::Kind::kCodeThrew);
  EXPECT_EQ(r.nondeterminism->actual, R"(signal handler "add" threw: handler broke)");
  EXPECT_EQ(r.nondeterminism->event_type, "WorkflowTaskStarted");
  EXPECT_GT(r.nondeterminism->event_id, 0);
}

TEST(Replayer, AddedCommandIsExtra) {
  ReplayResult r = ReplayWith(
      [](WorkflowContext& ctx) -> Task<int> {
        co_await ctx.ExecuteActivity<int>("a", Quick());
        co_await ctx.Sleep(absl::Seconds(5));
        Future<int> b = ctx.ExecuteActivity<int>("b", Quick());
        Future<int> c = ctx.ExecuteActivity<int>("c", Quick());
        Future<void> extra = ctx.Sleep(absl::Seconds(1));
        co_return co_await b + co_await c;
      },
      Recorded());
  ASSERT_EQ(r.outcome, Outcome::kNondeterministic) << FormatText(r);
  EXPECT_EQ(r.nondeterminism->kind, Nondeterminism::Kind::kExtra);
  EXPECT_EQ(r.nondeterminism->actual, "timer id=2");
  EXPECT_THAT(FormatText(r), HasSubstr("[extra-command]"));
}

TEST(Replayer, DifferentResultWarnsOrFailsAsConfigured) {
  auto doubled = [](WorkflowContext& ctx) -> Task<int> {
    co_await ctx.ExecuteActivity<int>("a", Quick());
    co_await ctx.Sleep(absl::Seconds(5));
    Future<int> b = ctx.ExecuteActivity<int>("b", Quick());
    Future<int> c = ctx.ExecuteActivity<int>("c", Quick());
    co_return 2 * (co_await b + co_await c);
  };
  const auto h = Recorded();
  ReplayResult warned = ReplayWith(doubled, h);
  EXPECT_EQ(warned.outcome, Outcome::kClean);
  ASSERT_EQ(warned.warnings.size(), 1u);
  EXPECT_THAT(warned.warnings[0],
              HasSubstr("history has result 2, workflow code returned result 4"));
  EXPECT_THAT(FormatText(warned), HasSubstr("warning"));
  ReplayResult failed = ReplayWith(doubled, h, {.result_check = ReplayOptions::ResultCheck::kFail});
  ASSERT_EQ(failed.outcome, Outcome::kNondeterministic);
  EXPECT_EQ(failed.nondeterminism->kind, Nondeterminism::Kind::kResultMismatch);
  EXPECT_THAT(FormatText(failed), HasSubstr("[result-mismatch]"));
  ReplayResult off = ReplayWith(doubled, h, {.result_check = ReplayOptions::ResultCheck::kOff});
  EXPECT_EQ(off.outcome, Outcome::kClean);
  EXPECT_TRUE(off.warnings.empty());
  EXPECT_TRUE(ReplayWith(&V1, h).warnings.empty());
}

TEST(Replayer, HandEditedHistoryIsCaught) {
  auto h = Recorded();
  h.mutable_events(4)
      ->mutable_activity_task_scheduled_event_attributes()
      ->mutable_activity_type()
      ->set_name("renamed");
  ReplayResult r = ReplayWith(&V1, h);
  ASSERT_EQ(r.outcome, Outcome::kNondeterministic);
  EXPECT_EQ(r.nondeterminism->event_id, 5);
  EXPECT_EQ(r.nondeterminism->expected, "activity renamed id=1");
}

// Hand-editing support: events renumbered 1..n after a deletion, insertion or swap, with every
// "*_event_id" reference field of the attributes mapped from old ids to new ones.
void Renumber(temporal::api::history::v1::History* h) {
  std::map<int64_t, int64_t> new_id;
  for (int i = 0; i < h->events_size(); ++i) {
    if (h->events(i).event_id() != 0) new_id[h->events(i).event_id()] = i + 1;
  }
  for (int i = 0; i < h->events_size(); ++i) {
    auto* e = h->mutable_events(i);
    e->set_event_id(i + 1);
    const auto* reflection = e->GetReflection();
    std::vector<const google::protobuf::FieldDescriptor*> fields;
    reflection->ListFields(*e, &fields);
    for (const auto* field : fields) {
      if (field->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE ||
          field->is_repeated() || !absl::EndsWith(field->name(), "_attributes")) {
        continue;
      }
      google::protobuf::Message* attributes = reflection->MutableMessage(e, field);
      const auto* a_reflection = attributes->GetReflection();
      std::vector<const google::protobuf::FieldDescriptor*> a_fields;
      a_reflection->ListFields(*attributes, &a_fields);
      for (const auto* f : a_fields) {
        if (f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_INT64 || f->is_repeated() ||
            !absl::EndsWith(f->name(), "_event_id")) {
          continue;
        }
        auto it = new_id.find(a_reflection->GetInt64(*attributes, f));
        if (it != new_id.end()) a_reflection->SetInt64(attributes, f, it->second);
      }
    }
  }
}

// The recorded V1 history is: 5 ActivityTaskScheduled a, 11 TimerStarted, 12 TimerFired,
// 16 and 17 ActivityTaskScheduled b and c (checked here, so the edits below mean what they say).
TEST(Replayer, HandEditedCopiesAreCaughtWithKindAndEvent) {
  const auto recorded = Recorded();
  ASSERT_EQ(recorded.events(10).event_type(), enums::EVENT_TYPE_TIMER_STARTED);
  ASSERT_EQ(recorded.events(11).event_type(), enums::EVENT_TYPE_TIMER_FIRED);
  ASSERT_EQ(recorded.events(15).event_type(), enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
  ASSERT_EQ(recorded.events(16).event_type(), enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);

  // A command event deleted (the timer and its firing): the code's timer has no event.
  auto deleted = recorded;
  deleted.mutable_events()->DeleteSubrange(10, 2);
  Renumber(&deleted);
  ReplayResult r = ReplayWith(&V1, deleted);
  ASSERT_EQ(r.outcome, Outcome::kNondeterministic) << FormatText(r);
  EXPECT_EQ(r.nondeterminism->kind, Nondeterminism::Kind::kExtra);
  EXPECT_EQ(r.nondeterminism->actual, "timer id=1");

  // An extra timer inserted after the first activity: the history has a command the code
  // did not issue.
  auto inserted = recorded;
  temporal::api::history::v1::HistoryEvent timer = recorded.events(10);
  timer.set_event_id(0);
  timer.mutable_timer_started_event_attributes()->set_timer_id("99");
  inserted.mutable_events()->Add(std::move(timer));
  for (int i = inserted.events_size() - 1; i > 5; --i) {
    inserted.mutable_events()->SwapElements(i, i - 1);
  }
  Renumber(&inserted);
  r = ReplayWith(&V1, inserted);
  ASSERT_EQ(r.outcome, Outcome::kNondeterministic) << FormatText(r);
  EXPECT_EQ(r.nondeterminism->kind, Nondeterminism::Kind::kMissing);
  EXPECT_EQ(r.nondeterminism->event_id, 6);
  EXPECT_EQ(r.nondeterminism->expected, "timer id=99");

  // Two command events swapped (activities b and c): a mismatch at the first.
  auto swapped = recorded;
  swapped.mutable_events()->SwapElements(15, 16);
  Renumber(&swapped);
  r = ReplayWith(&V1, swapped);
  ASSERT_EQ(r.outcome, Outcome::kNondeterministic) << FormatText(r);
  EXPECT_EQ(r.nondeterminism->kind, Nondeterminism::Kind::kMismatch);
  EXPECT_EQ(r.nondeterminism->event_id, 16);
  EXPECT_EQ(r.nondeterminism->expected, "activity c id=3");
  EXPECT_EQ(r.nondeterminism->actual, "activity b id=2");
}

TEST(Replayer, PartialReplayStopsAtTheEvent) {
  const auto h = Recorded();
  // A version that diverges only in the second task replays clean up to the first.
  auto changed = [](WorkflowContext& ctx) -> Task<int> {
    co_await ctx.ExecuteActivity<int>("a", Quick());
    co_await ctx.Sleep(absl::Seconds(5));
    co_return co_await ctx.ExecuteActivity<int>("a2", Quick());
  };
  ReplayResult partial = ReplayWith(changed, h, {.until_event_id = 12});
  EXPECT_EQ(partial.outcome, Outcome::kClean) << FormatText(partial);
  EXPECT_EQ(partial.events, 12);
  EXPECT_EQ(ReplayWith(changed, h).outcome, Outcome::kNondeterministic);
}

TEST(Replayer, UnregisteredTypeAndUnsupportedEventsAreErrors) {
  Registry empty;
  ReplayResult r = ReplayHistory(empty, Recorded(), "h.json");
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_THAT(r.error, HasSubstr("\"wf\" is not registered"));

  auto loaded = history::LoadHistoryFile(lockstep::testing::TestDataPath(
      "temporal/sdk-go__test__replaytests__nexus-cancel-after-start.json"));
  ASSERT_TRUE(loaded.ok());
  Registry registry;
  ASSERT_TRUE(registry
                  .RegisterWorkflow("CancelNexusOperationAfterStartWorkflow",
                                    [](WorkflowContext&) -> Task<void> { co_return; })
                  .ok());
  ReplayResult nexus = ReplayHistory(registry, loaded->histories[0], "nexus.json");
  EXPECT_EQ(nexus.outcome, Outcome::kError) << FormatText(nexus);
  EXPECT_THAT(nexus.error, HasSubstr("not supported")) << FormatText(nexus);
}

}  // namespace
}  // namespace lockstep::replay
