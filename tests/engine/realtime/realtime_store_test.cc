// The real-time driver with a history store: every step persisted (the store's histories read
// back equal the service's), and a failed commit stops the service loudly.
#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/realtime/realtime_service.h"
#include "engine/store/memory_history_store.h"
#include "engine/store/sqlite_history_store.h"
#include "engine/workflow/context.h"
#include "gmock/gmock.h"
#include "tests/engine/realtime/realtime_fixture.h"

namespace lockstep::testing {
namespace realtime_store_test {
namespace {

namespace enums = temporal::api::enums::v1;
using ::testing::HasSubstr;

constexpr ActivityOptions kQuick{.start_to_close_timeout = absl::Seconds(120)};

// A timer, an activity and a signal: steps of every kind reach the store.
Task<std::string> ErrandWorkflow(WorkflowContext& ctx, std::string name) {
  std::string note;
  bool noted = false;
  ctx.SetSignalHandler<std::string>("note", [&](std::string text) {
    note = std::move(text);
    noted = true;
  });
  co_await ctx.Sleep(absl::Milliseconds(5));
  const std::string greeting = co_await ctx.ExecuteActivity<std::string>("greet", kQuick, name);
  auto has_note = [&noted] { return noted; };
  co_await ctx.WaitCondition(has_note);
  co_return greeting + " / " + note;
}

// Fails every commit after the first `good` ones.
class FailingStore : public store::MemoryHistoryStore {
 public:
  explicit FailingStore(int good) : good_(good) {}
  absl::Status Commit(const store::StoreBatch& batch) override {
    if (good_-- <= 0) return absl::UnavailableError("disk unplugged");
    return MemoryHistoryStore::Commit(batch);
  }

 private:
  int good_;
};

std::string FreshDbPath() {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string path = absl::StrCat(::testing::TempDir(), "realtime-", test->test_suite_name(),
                                        "-", test->name(), ".db");
  for (const char* tail : {"", "-wal", "-shm"}) std::remove((path + tail).c_str());
  return path;
}

class RealTimeStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(registry_.RegisterWorkflow("Errand", &ErrandWorkflow).ok());
    ASSERT_TRUE(registry_
                    .RegisterActivity("greet",
                                      [](ActivityContext&, std::string name) -> std::string {
                                        return "hello " + name;
                                      })
                    .ok());
  }
  Registry registry_;
};

TEST_F(RealTimeStoreTest, EveryStepIsPersistedToSqlite) {
  absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> db =
      store::SqliteHistoryStore::Open(FreshDbPath());
  ASSERT_TRUE(db.ok()) << db.status();
  RealTimeService service(&registry_,
                          {.activity_threads = 2, .service = {}, .worker = {}, .store = db->get()});
  const std::string run_id = StartRun(service, "errand", "Errand", ToPayloads(std::string("ada")));
  SignalWorkflowRequest signal;
  signal.workflow_id = "errand";
  signal.signal_name = "note";
  signal.input = ToPayloads(std::string("done"));
  ASSERT_TRUE(service.SignalWorkflow(signal).ok());
  EXPECT_EQ(ResultOf<std::string>(service.WaitForClose("errand", run_id, kHangGuard)),
            "hello ada / done");
  absl::StatusOr<temporal::api::history::v1::History> in_memory =
      service.GetHistory("errand", run_id);
  ASSERT_TRUE(in_memory.ok());
  service.Shutdown(absl::Seconds(10));
  ASSERT_TRUE(service.status().ok()) << service.status();

  // The store is the caller's again once Shutdown returned.
  absl::StatusOr<temporal::api::history::v1::History> stored = (*db)->ReadHistory("errand", run_id);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->SerializeAsString(), in_memory->SerializeAsString());
  EXPECT_GT(CountEvents(*stored, enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED), 0);
  EXPECT_GT(CountEvents(*stored, enums::EVENT_TYPE_TIMER_FIRED), 0);
  absl::StatusOr<std::vector<store::RunInfo>> runs = (*db)->ListRuns();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].status, enums::WORKFLOW_EXECUTION_STATUS_COMPLETED);
}

TEST_F(RealTimeStoreTest, AFailedCommitStopsTheServiceLoudly) {
  FailingStore failing(/*good=*/1);  // the start commits; the first workflow task does not
  RealTimeService service(&registry_,
                          {.activity_threads = 1, .service = {}, .worker = {}, .store = &failing});
  // The start's own step commits; the loop's next step (dispatching the first workflow task)
  // fails. The start itself may already see the failure if that step ran before it answered.
  (void)service.StartWorkflow(StartRequest("errand", "Errand", ToPayloads(std::string("bo"))));
  ASSERT_TRUE(Eventually([&] { return !service.status().ok(); }));
  EXPECT_EQ(service.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(service.status().message(), HasSubstr("history store failed"));
  EXPECT_THAT(service.status().message(), HasSubstr("disk unplugged"));
  // Every call now answers with the failure.
  const absl::StatusOr<WorkflowDescription> described = service.DescribeWorkflow("errand", "");
  EXPECT_EQ(described.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(described.status().message(), HasSubstr("history store failed"));
  service.Shutdown(absl::Seconds(10));
  // Nothing after the failed step was written: the store holds only the start's events.
  absl::StatusOr<temporal::api::history::v1::History> stored =
      failing.ReadHistory("errand", service.stopped_service()->ListRuns().at(0).run_id());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(EventTypes(*stored),
            (std::vector<std::string>{"WorkflowExecutionStarted", "WorkflowTaskScheduled"}));
}

// A process that stops with a run waiting (here by Shutdown; the SIGKILL case is the store's
// crash tests' and the example's) leaves it in the store; the next one, with `recover`, picks
// it up where it was and appends to the same stored history.
TEST_F(RealTimeStoreTest, ARestartWithRecoverResumesTheOpenRunsOfTheStore) {
  const std::string path = FreshDbPath();
  std::string run_id;
  {
    absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> db =
        store::SqliteHistoryStore::Open(path);
    ASSERT_TRUE(db.ok()) << db.status();
    RealTimeService first(
        &registry_,
        {.activity_threads = 1, .service = {}, .worker = {}, .store = db->get(), .recover = true});
    EXPECT_EQ(first.recovery().runs_restored, 0);  // a new file: nothing to resume
    run_id = StartRun(first, "errand", "Errand", ToPayloads(std::string("ada")));
    // Until the workflow waits for its note: the activity done, the task after it completed.
    ASSERT_TRUE(Eventually([&] {
      absl::StatusOr<temporal::api::history::v1::History> h = first.GetHistory("errand", run_id);
      return h.ok() && CountEvents(*h, enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED) == 1 &&
             h->events(h->events_size() - 1).event_type() ==
                 enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED;
    }));
    first.Shutdown(absl::Seconds(10));
    ASSERT_TRUE(first.status().ok()) << first.status();
  }
  absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> db =
      store::SqliteHistoryStore::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  const int stored_before = (*db)->ReadHistory("errand", run_id)->events_size();
  RealTimeService second(
      &registry_,
      {.activity_threads = 1, .service = {}, .worker = {}, .store = db->get(), .recover = true});
  EXPECT_EQ(second.recovery().runs_restored, 1);
  EXPECT_EQ(second.recovery().open_runs, 1);
  EXPECT_TRUE(second.recovery().skipped.empty());
  SignalWorkflowRequest signal;
  signal.workflow_id = "errand";
  signal.signal_name = "note";
  signal.input = ToPayloads(std::string("later"));
  ASSERT_TRUE(second.SignalWorkflow(signal).ok());
  EXPECT_EQ(ResultOf<std::string>(second.WaitForClose("errand", run_id, kHangGuard)),
            "hello ada / later");
  absl::StatusOr<temporal::api::history::v1::History> in_memory =
      second.GetHistory("errand", run_id);
  ASSERT_TRUE(in_memory.ok());
  second.Shutdown(absl::Seconds(10));
  ASSERT_TRUE(second.status().ok()) << second.status();
  // One history, the first process's events followed by the second's; the greeting activity
  // ran once.
  absl::StatusOr<temporal::api::history::v1::History> stored = (*db)->ReadHistory("errand", run_id);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_GT(stored->events_size(), stored_before);
  EXPECT_EQ(stored->SerializeAsString(), in_memory->SerializeAsString());
  EXPECT_EQ(CountEvents(*stored, enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 1);
}

}  // namespace
}  // namespace realtime_store_test
}  // namespace lockstep::testing
