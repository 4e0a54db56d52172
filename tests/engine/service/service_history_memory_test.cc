// Histories stored compactly (engine/history/event_log.h): a run served by a cached worker
// keeps only a small decoded window; evictions, queries and GetHistory decode from the stored
// bytes and see the same history. Runs the counter example on a real worker.
#include <memory>
#include <string>
#include <tuple>

#include "engine/core/clock.h"
#include "engine/history/history_file.h"
#include "engine/history/validate.h"
#include "engine/payload/payload.h"
#include "engine/service/service.h"
#include "engine/service/step_observer.h"
#include "engine/service/virtual_time.h"
#include "engine/workflow/worker.h"
#include "examples/counter/counter_workflow.h"
#include "gtest/gtest.h"

namespace lockstep {
namespace service_history_memory_test {
namespace {

namespace enums = temporal::api::enums::v1;

class HistoryMemoryTest : public ::testing::Test {
 protected:
  void Make(WorkerOptions worker_options = {}) {
    ASSERT_TRUE(examples::RegisterCounter(&registry_).ok());
    worker_ = std::make_unique<Worker>(&registry_, std::move(worker_options));
    service_ = std::make_unique<Service>(&clock_, worker_.get(), worker_.get());
  }

  void Start(int target) {
    StartWorkflowRequest start;
    start.workflow_id = "c";
    start.workflow_type = examples::kCounterWorkflow;
    start.task_queue = "q";
    start.input = ToPayloads(target);
    ASSERT_TRUE(service_->StartWorkflow(start).ok());
    Settle();
  }

  // `n` inc(1) signals, with no task in between.
  void SendSignals(int n) {
    for (int i = 0; i < n; ++i) {
      SignalWorkflowRequest signal;
      signal.workflow_id = "c";
      signal.signal_name = examples::kIncSignal;
      signal.input = ToPayloads(1);
      ASSERT_TRUE(service_->SignalWorkflow(signal).ok());
    }
  }

  // `batches` rounds of `per_task` inc(1) signals, each round one workflow task.
  void Signal(int batches, int per_task) {
    for (int b = 0; b < batches; ++b) {
      SendSignals(per_task);
      Settle();
    }
  }

  void Settle() { RunUntil(*service_, clock_, clock_.Now() + absl::Minutes(1)); }

  int Count() {
    absl::StatusOr<temporal::api::common::v1::Payloads> answer =
        service_->QueryWorkflow("c", "", examples::kCountQuery, {});
    EXPECT_TRUE(answer.ok()) << answer.status();
    if (!answer.ok()) return -1;
    absl::StatusOr<std::tuple<int>> n = FromPayloads<int>(*answer);
    return n.ok() ? std::get<0>(*n) : -1;
  }

  std::string StoredBytes() {
    std::string out;
    EXPECT_TRUE(service_->GetHistoryBinary("c", "", &out).ok());
    return out;
  }

  Registry registry_;
  ManualClock clock_;
  std::unique_ptr<Worker> worker_;
  std::unique_ptr<Service> service_;
};

TEST_F(HistoryMemoryTest, ACachedRunKeepsOnlyASmallWindowDecoded) {
  Make();
  Start(1 << 30);
  Signal(200, 10);
  const Service::HistoryMemory m = service_->history_memory();
  EXPECT_EQ(m.runs, 1);
  EXPECT_GT(m.events, 2000);
  // The last task's events (WorkflowTaskCompleted and what follows it) at most.
  EXPECT_LE(m.decoded_events, 5);
  EXPECT_LT(static_cast<double>(m.retained_bytes) / static_cast<double>(m.events), 200.0);
  EXPECT_EQ(worker_->stats().full_replays, 1);
}

// Checks what step_observer.h promises: the event before each step's first is decoded.
class PreviousEventChecker : public StepObserver {
 public:
  void OnStep(const StepRecord& step) override {
    for (const AppendedEvents& appended : step.appended) {
      if (appended.first + appended.log_offset == 0) continue;  // the run's first step
      ++steps;
      if (appended.first < 1) {
        ++missing;
        continue;
      }
      const auto& before = appended.history->events(appended.first - 1);
      const auto& first = appended.history->events(appended.first);
      if (before.event_id() + 1 != first.event_id()) ++missing;
    }
  }
  int steps = 0;
  int missing = 0;
};

TEST_F(HistoryMemoryTest, WithoutObserversATrimmedRunKeepsNoEventDecodedUntilOneIsAdded) {
  Make();
  Start(1'000'000);
  // Signals with no task in between: every event after the last task waits for the next one,
  // and past the service's budget of 16,384 such decoded events none of them stays decoded.
  constexpr int kWaiting = 16'384 + 100;
  SendSignals(kWaiting);
  EXPECT_EQ(service_->history_memory().decoded_events, 0);
  // The first observer added finds the run's last event decoded again, and every step it
  // observes has the event before its first.
  PreviousEventChecker checker;
  service_->AddStepObserver(&checker);
  EXPECT_EQ(service_->history_memory().decoded_events, 1);
  Signal(3, 10);
  EXPECT_GT(checker.steps, 30);
  EXPECT_EQ(checker.missing, 0);
  EXPECT_EQ(Count(), kWaiting + 30);
}

TEST_F(HistoryMemoryTest, GetHistoryDecodesTheStoredBytesAndKeepsThemDecoded) {
  Make();
  Start(1 << 30);
  Signal(50, 10);
  const std::string stored = StoredBytes();
  absl::StatusOr<const temporal::api::history::v1::History*> h = service_->GetHistory("c", "");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(history::SerializeHistoryBinary(**h), stored);
  EXPECT_EQ(static_cast<int64_t>(stored.size()), service_->history_memory().serialized_bytes);
  ASSERT_TRUE(history::ValidateHistory(**h, "c").ok());
  // The pointer stays and the history grows with the run, decoded.
  const int before = (*h)->events_size();
  Signal(3, 10);
  EXPECT_GT((*h)->events_size(), before);
  EXPECT_EQ(service_->history_memory().decoded_events, (*h)->events_size());
  EXPECT_EQ(history::SerializeHistoryBinary(**h), StoredBytes());
}

TEST_F(HistoryMemoryTest, AnEvictedRunReplaysFromTheStoredBytesThenTrimsAgain) {
  Make();
  Start(1000);
  Signal(40, 10);
  EXPECT_EQ(Count(), 400);
  service_->Evict("c", service_->ListRuns().at(0).run_id());
  Signal(1, 10);  // this task replays all of the run's 1,600-odd events
  EXPECT_EQ(worker_->stats().full_replays, 2);
  EXPECT_EQ(Count(), 410);
  // A full replay keeps the history decoded for the next one; a cached task lets it go.
  Signal(1, 10);
  EXPECT_LE(service_->history_memory().decoded_events, 5);
  Signal(58, 10);
  absl::StatusOr<WorkflowDescription> d = service_->DescribeWorkflow("c", "");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->status, enums::WORKFLOW_EXECUTION_STATUS_COMPLETED);
  absl::StatusOr<const temporal::api::history::v1::History*> h = service_->GetHistory("c", "");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_TRUE(history::ValidateHistory(**h, "c").ok());
}

TEST_F(HistoryMemoryTest, AWorkerThatReplaysEveryTaskGetsTheWholeHistoryDecodedOnce) {
  WorkerOptions options;
  options.evict_after_every_task = true;
  Make(options);
  Start(1 << 30);
  Signal(30, 5);
  const Service::HistoryMemory m = service_->history_memory();
  EXPECT_EQ(m.decoded_events, m.events);
  EXPECT_EQ(worker_->stats().full_replays, worker_->stats().workflow_tasks);
  EXPECT_EQ(Count(), 150);
}

}  // namespace
}  // namespace service_history_memory_test
}  // namespace lockstep
