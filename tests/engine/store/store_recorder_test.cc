// StoreRecorder (engine/store/store_recorder.h) end to end: real workflows run through the
// service with the recorder attached, and the store then holds every run's history byte for
// byte as the service does, with the service's types and statuses. Also: events given without
// the service's log are serialized as the log would, and the first failed write stops the
// recorder and is kept.
#include "engine/store/store_recorder.h"

#include <memory>
#include <string>
#include <vector>

#include "engine/core/clock.h"
#include "engine/history/history_file.h"
#include "engine/service/service.h"
#include "engine/service/virtual_time.h"
#include "engine/store/memory_history_store.h"
#include "engine/store/sqlite_history_store.h"
#include "engine/workflow/registry.h"
#include "engine/workflow/worker.h"
#include "examples/counter/counter_workflow.h"
#include "examples/fanout/fanout_workflow.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/store/store_test_events.h"

namespace lockstep::store::testing {
namespace recorder_test {
namespace {

using ::testing::HasSubstr;

// A service running the example workflows, recording into `store`.
class Recorded {
 public:
  explicit Recorded(HistoryStore* store) : recorder_(store) {
    EXPECT_TRUE(examples::RegisterFanout(&registry_).ok());
    EXPECT_TRUE(examples::RegisterCounter(&registry_).ok());
    worker_ = std::make_unique<Worker>(&registry_);
    service_ = std::make_unique<Service>(&clock_, worker_.get(), worker_.get());
    service_->AddStepObserver(&recorder_);
  }

  void Start(const std::string& id, const std::string& type,
             temporal::api::common::v1::Payloads input) {
    StartWorkflowRequest request;
    request.workflow_id = id;
    request.workflow_type = type;
    request.task_queue = "queue";
    request.input = std::move(input);
    ASSERT_TRUE(service_->StartWorkflow(request).ok());
  }
  void Signal(const std::string& id, int value) {
    SignalWorkflowRequest request;
    request.workflow_id = id;
    request.signal_name = examples::kIncSignal;
    request.input = ToPayloads(value);
    ASSERT_TRUE(service_->SignalWorkflow(request).ok());
  }
  void RunFor(absl::Duration duration) { RunUntil(*service_, clock_, clock_.Now() + duration); }

  // Every run of the service, stored with the same bytes, type, status and length.
  void ExpectStoreMatchesService(const HistoryStore& store) {
    ASSERT_TRUE(recorder_.status().ok()) << recorder_.status();
    absl::StatusOr<std::vector<RunInfo>> stored = store.ListRuns();
    ASSERT_TRUE(stored.ok()) << stored.status();
    const auto runs = service_->ListRuns();
    ASSERT_EQ(stored->size(), runs.size());
    for (size_t i = 0; i < runs.size(); ++i) {
      const std::string& workflow_id = runs[i].workflow_id();
      const std::string& run_id = runs[i].run_id();
      SCOPED_TRACE(workflow_id);
      absl::StatusOr<WorkflowDescription> described =
          service_->DescribeWorkflow(workflow_id, run_id);
      ASSERT_TRUE(described.ok());
      const RunInfo& info = (*stored)[i];
      EXPECT_EQ(info.workflow_id, workflow_id);
      EXPECT_EQ(info.run_id, run_id);
      EXPECT_EQ(info.workflow_type, described->workflow_type);
      EXPECT_EQ(info.status, described->status);
      EXPECT_EQ(info.event_count, described->history_length);
      std::string expected;
      ASSERT_TRUE(service_->GetHistoryBinary(workflow_id, run_id, &expected).ok());
      std::string actual;
      ASSERT_TRUE(store.ReadHistoryBinary(workflow_id, run_id, &actual).ok());
      EXPECT_EQ(actual, expected);
      absl::StatusOr<History> decoded = store.ReadHistory(workflow_id, run_id);
      ASSERT_TRUE(decoded.ok()) << decoded.status();
      EXPECT_EQ(history::SerializeHistoryBinary(*decoded), expected);
    }
  }

  Service& service() { return *service_; }
  const StoreRecorder& recorder() const { return recorder_; }

 private:
  StoreRecorder recorder_;
  Registry registry_;
  ManualClock clock_;
  std::unique_ptr<Worker> worker_;
  std::unique_ptr<Service> service_;
};

// A parent and its children (several runs written by one step), signals between them and
// activities, and a counter absorbing signals.
void RunExamples(Recorded& recorded) {
  recorded.Start("fan", examples::kFanoutWorkflow,
                 ToPayloads(examples::FanoutInput{.n = 4, .per_child = 3}));
  recorded.Start("count", examples::kCounterWorkflow, ToPayloads(25));
  recorded.RunFor(absl::Minutes(1));
  for (int i = 0; i < 25; ++i) recorded.Signal("count", 1);
  recorded.RunFor(absl::Hours(1));
}

TEST(StoreRecorderTest, MemoryStoreHoldsTheServiceHistories) {
  MemoryHistoryStore store;
  Recorded recorded(&store);
  RunExamples(recorded);
  recorded.ExpectStoreMatchesService(store);
  // Four children, the parent and the counter; all of them closed.
  absl::StatusOr<std::vector<RunInfo>> runs = store.ListRuns();
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->size(), 6u);
  for (const RunInfo& run : *runs) {
    EXPECT_EQ(run.status, enums::WORKFLOW_EXECUTION_STATUS_COMPLETED) << run.workflow_id;
  }
  EXPECT_GT(recorded.recorder().batches(), 0);
}

TEST(StoreRecorderTest, SqliteStoreHoldsTheServiceHistoriesAfterReopening) {
  const std::string path = FreshPath();
  std::string fan_history;
  {
    absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> store =
        SqliteHistoryStore::Open(path, {.synchronous = SqliteStoreOptions::Synchronous::kNormal});
    ASSERT_TRUE(store.ok()) << store.status();
    Recorded recorded(store->get());
    RunExamples(recorded);
    recorded.ExpectStoreMatchesService(**store);
    ASSERT_TRUE(recorded.service().GetHistoryBinary("fan", "", &fan_history).ok());
  }
  absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> reopened =
      SqliteHistoryStore::Open(path, {.read_only = true});
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  absl::StatusOr<std::vector<RunInfo>> runs = (*reopened)->ListRuns();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 6u);
  EXPECT_EQ((*runs)[0].workflow_id, "fan");
  std::string stored;
  ASSERT_TRUE((*reopened)->ReadHistoryBinary("fan", (*runs)[0].run_id, &stored).ok());
  EXPECT_EQ(stored, fan_history);
}

// A step's events as an observer would get them, without the service's log.
StepRecord StepOf(const std::string& workflow_id, const std::string& run_id, const History& history,
                  int first) {
  StepRecord step;
  step.appended.push_back(
      {workflow_id, run_id, &history, first, history.events_size(), nullptr, 0});
  return step;
}

TEST(StoreRecorderTest, SerializesEventsGivenWithoutTheLog) {
  MemoryHistoryStore store;
  StoreRecorder recorder(&store);
  History history = ExpectedHistory(2, "Type");
  // A map field, which only a deterministic serialization writes in key order.
  auto* memo = history.mutable_events(0)
                   ->mutable_workflow_execution_started_event_attributes()
                   ->mutable_memo()
                   ->mutable_fields();
  for (const char* key : {"zeta", "alpha", "mu", "beta"}) (*memo)[key].set_data(key);
  recorder.OnStep(StepOf("wf", "r", history, 0));
  *history.add_events() = MakeCompleted(3);
  recorder.OnStep(StepOf("wf", "r", history, 2));
  ASSERT_TRUE(recorder.status().ok()) << recorder.status();
  EXPECT_EQ(recorder.batches(), 2);
  EXPECT_EQ(recorder.events(), 3);
  std::string stored;
  ASSERT_TRUE(store.ReadHistoryBinary("wf", "r", &stored).ok());
  EXPECT_EQ(stored, history::SerializeHistoryBinary(history));
  absl::StatusOr<std::vector<RunInfo>> runs = store.ListRuns();
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ((*runs)[0].workflow_type, "Type");
  EXPECT_EQ((*runs)[0].status, enums::WORKFLOW_EXECUTION_STATUS_COMPLETED);
}

TEST(StoreRecorderTest, FirstErrorIsKeptAndNothingIsWrittenAfterIt) {
  MemoryHistoryStore store;
  StoreRecorder recorder(&store);
  const History history = ExpectedHistory(4);
  recorder.OnStep(StepOf("wf", "r", history, 0));
  ASSERT_TRUE(recorder.status().ok());
  // Events 3 and 4 again: a repeated step.
  recorder.OnStep(StepOf("wf", "r", history, 2));
  EXPECT_EQ(recorder.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(recorder.status().message(), HasSubstr("workflow \"wf\" run \"r\""));
  const absl::Status first = recorder.status();
  // A step that would fit is not written: the recorder has stopped.
  recorder.OnStep(StepOf("other", "r", ExpectedHistory(1), 0));
  EXPECT_EQ(recorder.status(), first);
  EXPECT_EQ(recorder.batches(), 1);
  absl::StatusOr<std::vector<RunInfo>> runs = store.ListRuns();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].event_count, 4);
}

}  // namespace
}  // namespace recorder_test
}  // namespace lockstep::store::testing
