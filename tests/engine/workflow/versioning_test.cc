// Versioning (GetVersion, Patched, DeprecatePatch) and search attribute / memo upserts: new
// runs take the new branch and record it; histories recorded before a change replay on the
// new code through the old branch; removing a branch that histories still use is reported.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"

namespace lockstep {
namespace versioning_test {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::history::v1::History;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TestEnv;

ActivityOptions Quick() { return {.start_to_close_timeout = absl::Seconds(10)}; }

// Replays `history` against `registry` from scratch; the status of the replay.
absl::Status Replay(const Registry& registry, const History& history,
                    std::optional<Nondeterminism>* found = nullptr) {
  WorkflowRun run(&registry, {.workflow_id = "w", .run_id = "r"});
  RunStatus status = run.ProcessEvents(history, 0).status();
  if (status.ok() && run.closed()) status = run.CheckAllCommandsRecorded();
  if (status.ok()) return absl::OkStatus();
  if (found != nullptr) *found = status.error().nondeterminism;
  return ToStatus(status.error());
}

void RegisterActivities(Registry& registry) {
  ASSERT_TRUE(registry.RegisterActivity("old", [](ActivityContext&) { return 1; }).ok());
  ASSERT_TRUE(registry.RegisterActivity("new", [](ActivityContext&) { return 2; }).ok());
}

Task<int> OldCode(WorkflowContext& ctx) {
  co_return co_await ctx.ExecuteActivity<int>("old", Quick());
}

Task<int> VersionedCode(WorkflowContext& ctx) {
  const int v = ctx.GetVersion("use-new", WorkflowContext::kDefaultVersion, 1);
  co_return co_await ctx.ExecuteActivity<int>(v == 1 ? "new" : "old", Quick());
}

Task<int> NewOnlyCode(WorkflowContext& ctx) {
  co_return co_await ctx.ExecuteActivity<int>("new", Quick());
}

History RunToHistory(std::function<Task<int>(WorkflowContext&)> code) {
  TestEnv env;
  RegisterActivities(env.registry());
  EXPECT_TRUE(env.registry().RegisterWorkflow("wf", code).ok());
  env.Start("wf", "w");
  env.RunToEnd();
  return env.History("w");
}

int Result(const History& h) {
  const auto& last = h.events(h.events_size() - 1);
  return std::get<0>(
      *FromPayloads<int>(last.workflow_execution_completed_event_attributes().result()));
}

TEST(Versioning, NewRunTakesTheNewBranchAndRecordsMarkerAndChangeVersion) {
  History h = RunToHistory(VersionedCode);
  EXPECT_EQ(Result(h), 2);
  std::vector<std::string> types;
  for (const auto& e : h.events()) types.push_back(history::EventTypeShortName(e.event_type()));
  EXPECT_THAT(types, ElementsAre("WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                 "WorkflowTaskStarted", "WorkflowTaskCompleted", "MarkerRecorded",
                                 "UpsertWorkflowSearchAttributes", "ActivityTaskScheduled",
                                 "ActivityTaskStarted", "ActivityTaskCompleted",
                                 "WorkflowTaskScheduled", "WorkflowTaskStarted",
                                 "WorkflowTaskCompleted", "WorkflowExecutionCompleted"));
  auto marker = machines::ReadVersionMarker(h.events(4));
  ASSERT_TRUE(marker.has_value());
  EXPECT_EQ(marker->change_id, "use-new");
  EXPECT_EQ(marker->version, 1);
  EXPECT_TRUE(marker->search_attribute_updated);
  auto listed = FromPayload<std::vector<std::string>>(
      h.events(5)
          .upsert_workflow_search_attributes_event_attributes()
          .search_attributes()
          .indexed_fields()
          .at("TemporalChangeVersion"));
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(*listed, ElementsAre("use-new-1"));
}

TEST(Versioning, OldHistoryReplaysOnNewCodeThroughTheDefaultBranch) {
  History old_history = RunToHistory(OldCode);
  Registry registry;
  RegisterActivities(registry);
  ASSERT_TRUE(registry.RegisterWorkflow("wf", VersionedCode).ok());
  EXPECT_TRUE(Replay(registry, old_history).ok()) << Replay(registry, old_history);
}

TEST(Versioning, NewHistoryReplaysOnVersionedCode) {
  History new_history = RunToHistory(VersionedCode);
  Registry registry;
  RegisterActivities(registry);
  ASSERT_TRUE(registry.RegisterWorkflow("wf", VersionedCode).ok());
  EXPECT_TRUE(Replay(registry, new_history).ok()) << Replay(registry, new_history);
}

TEST(Versioning, RemovingTheVersionCallIsReportedAtTheMarker) {
  History new_history = RunToHistory(VersionedCode);
  Registry registry;
  RegisterActivities(registry);
  ASSERT_TRUE(registry.RegisterWorkflow("wf", NewOnlyCode).ok());
  std::optional<Nondeterminism> found;
  absl::Status s = Replay(registry, new_history, &found);
  ASSERT_FALSE(s.ok());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->kind, Nondeterminism::Kind::kMismatch);
  EXPECT_EQ(found->event_id, 5);
  EXPECT_THAT(found->expected, HasSubstr("marker Version change-id=use-new"));
  EXPECT_THAT(found->actual, HasSubstr("activity new"));
}

TEST(Versioning, RemovingTheOldBranchFailsOldHistoriesWithARangeError) {
  History old_history = RunToHistory(OldCode);
  Registry registry;
  RegisterActivities(registry);
  ASSERT_TRUE(registry
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<int> {
                                      ctx.GetVersion("use-new", 1, 1);
                                      co_return co_await ctx.ExecuteActivity<int>("new", Quick());
                                    })
                  .ok());
  absl::Status s = Replay(registry, old_history);
  EXPECT_THAT(s.message(), HasSubstr("GetVersion(\"use-new\")"));
  EXPECT_THAT(s.message(), HasSubstr("version -1 is outside the supported range [1, 1]"));
}

TEST(Versioning, AVersionAskedTwiceIsRecordedOnce) {
  History h = RunToHistory([](WorkflowContext& ctx) -> Task<int> {
    int a = ctx.GetVersion("c", WorkflowContext::kDefaultVersion, 2);
    co_await ctx.Sleep(absl::Seconds(1));
    int b = ctx.GetVersion("c", WorkflowContext::kDefaultVersion, 3);  // code changed meanwhile
    co_return a * 10 + b;
  });
  EXPECT_EQ(Result(h), 22);
  int markers = 0;
  for (const auto& e : h.events()) markers += e.event_type() == enums::EVENT_TYPE_MARKER_RECORDED;
  EXPECT_EQ(markers, 1);
}

TEST(Versioning, VersionInASignalHandlerReplaysAtEveryTaskBoundary) {
  WorkerOptions evicting;
  evicting.evict_after_every_task = true;
  TestEnv env(evicting);
  ASSERT_TRUE(env.registry()
                  .RegisterWorkflow("wf",
                                    [](WorkflowContext& ctx) -> Task<std::string> {
                                      std::string seen;
                                      ctx.SetSignalHandler<std::string>(
                                          "s", [&ctx, &seen](const std::string& arg) {
                                            int v = ctx.GetVersion("in-handler", 1, 2);
                                            absl::StrAppend(&seen, arg, v, ";");
                                          });
                                      co_await ctx.Sleep(absl::Seconds(5));
                                      co_return seen;
                                    })
                  .ok());
  env.Start("wf", "w");
  env.RunUntilIdle();
  env.Signal("w", "s", ToPayloads(std::string("a")));
  env.RunUntilIdle();
  env.Signal("w", "s", ToPayloads(std::string("b")));
  env.RunToEnd();
  const auto& last = env.Last("w");
  ASSERT_EQ(last.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  EXPECT_EQ(std::get<0>(*FromPayloads<std::string>(
                last.workflow_execution_completed_event_attributes().result())),
            "a2;b2;");
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_MARKER_RECORDED), 1);
  EXPECT_EQ(env.worker().stats().failed_tasks, 0);
}

TEST(Versioning, PatchedThenDeprecatedThenRemoved) {
  auto patched = [](WorkflowContext& ctx) -> Task<int> {
    const char* type = ctx.Patched("p") ? "new" : "old";
    co_return co_await ctx.ExecuteActivity<int>(type, Quick());
  };
  auto deprecated = [](WorkflowContext& ctx) -> Task<int> {
    ctx.DeprecatePatch("p");
    co_return co_await ctx.ExecuteActivity<int>("new", Quick());
  };
  History patched_history = RunToHistory(patched);
  History deprecated_history = RunToHistory(deprecated);
  EXPECT_EQ(Result(patched_history), 2);

  Registry with_deprecate;
  RegisterActivities(with_deprecate);
  ASSERT_TRUE(with_deprecate.RegisterWorkflow("wf", deprecated).ok());
  EXPECT_TRUE(Replay(with_deprecate, patched_history).ok());
  EXPECT_TRUE(Replay(with_deprecate, deprecated_history).ok());

  Registry removed;
  RegisterActivities(removed);
  ASSERT_TRUE(removed.RegisterWorkflow("wf", NewOnlyCode).ok());
  EXPECT_TRUE(Replay(removed, deprecated_history).ok()) << Replay(removed, deprecated_history);
  // A history that still has the live patch marker needs the call.
  EXPECT_FALSE(Replay(removed, patched_history).ok());
}

TEST(Properties, UpsertsAreRecordedAndDescribed) {
  TestEnv env;
  ASSERT_TRUE(
      env.registry()
          .RegisterWorkflow(
              "wf",
              [](WorkflowContext& ctx) -> Task<std::string> {
                ctx.UpsertSearchAttributes({{"CustomKeywordField", ToPayload(std::string("k1"))}});
                ctx.UpsertMemo({{"note", ToPayload(std::string("m1"))}});
                co_await ctx.Sleep(absl::Seconds(1));
                ctx.UpsertMemo({{"note", ToPayload(std::string("m2"))}});
                auto note = FromPayload<std::string>(ctx.Memo().fields().at("note"));
                co_return note.ok() ? *note : "?";
              })
          .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES), 1);
  EXPECT_EQ(env.Count("w", enums::EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED), 2);
  auto described = env.service().DescribeWorkflow("w", "");
  ASSERT_TRUE(described.ok()) << described.status();
  EXPECT_EQ(*FromPayload<std::string>(described->memo.fields().at("note")), "m2");
  EXPECT_EQ(*FromPayload<std::string>(
                described->search_attributes.indexed_fields().at("CustomKeywordField")),
            "k1");
  EXPECT_EQ(std::get<0>(*FromPayloads<std::string>(
                env.Last("w").workflow_execution_completed_event_attributes().result())),
            "m2");
}

}  // namespace
}  // namespace versioning_test
}  // namespace lockstep
