// ServiceOptions::retention: which closed histories are released, when, and what a released
// run still answers. Runs the counter and fan-out examples on a real worker.
#include <memory>
#include <string>
#include <vector>

#include "engine/core/clock.h"
#include "engine/payload/payload.h"
#include "engine/service/service.h"
#include "engine/service/step_observer.h"
#include "engine/service/virtual_time.h"
#include "engine/workflow/worker.h"
#include "examples/counter/counter_workflow.h"
#include "examples/fanout/fanout_workflow.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockstep {
namespace service_retention_test {
namespace {

namespace enums = temporal::api::enums::v1;
using ::testing::HasSubstr;

class RetentionTest : public ::testing::Test {
 protected:
  void Make(ServiceOptions::Retention retention) {
    ASSERT_TRUE(examples::RegisterCounter(&registry_).ok());
    ASSERT_TRUE(examples::RegisterFanout(&registry_).ok());
    worker_ = std::make_unique<Worker>(&registry_);
    ServiceOptions options;
    options.retention = retention;
    service_ = std::make_unique<Service>(&clock_, worker_.get(), worker_.get(), options);
  }

  // A counter that completes after `signals` inc(1) signals, run to completion.
  void Count(const std::string& id, int signals) {
    StartWorkflowRequest start;
    start.workflow_id = id;
    start.workflow_type = examples::kCounterWorkflow;
    start.task_queue = "q";
    start.input = ToPayloads(signals);
    ASSERT_TRUE(service_->StartWorkflow(start).ok());
    Settle();
    for (int i = 0; i < signals; ++i) {
      SignalWorkflowRequest signal;
      signal.workflow_id = id;
      signal.signal_name = examples::kIncSignal;
      signal.input = ToPayloads(1);
      ASSERT_TRUE(service_->SignalWorkflow(signal).ok());
    }
    Settle();
    ASSERT_EQ(Status(id), enums::WORKFLOW_EXECUTION_STATUS_COMPLETED);
  }

  void Settle() { RunUntil(*service_, clock_, clock_.Now() + absl::Minutes(1)); }

  enums::WorkflowExecutionStatus Status(const std::string& id) {
    absl::StatusOr<WorkflowDescription> d = service_->DescribeWorkflow(id, "");
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? d->status : enums::WORKFLOW_EXECUTION_STATUS_UNSPECIFIED;
  }

  bool Kept(const std::string& id) { return service_->GetHistory(id, "").ok(); }
  // A kept history's serialized size, retention's measure.
  int64_t Bytes(const std::string& id) {
    absl::StatusOr<const temporal::api::history::v1::History*> h = service_->GetHistory(id, "");
    EXPECT_TRUE(h.ok()) << h.status();
    return h.ok() ? static_cast<int64_t>((*h)->ByteSizeLong()) : 0;
  }

  Registry registry_;
  ManualClock clock_;
  std::unique_ptr<Worker> worker_;
  std::unique_ptr<Service> service_;
};

TEST_F(RetentionTest, TheDefaultKeepsEveryHistory) {
  Make({});
  Count("a", 3);
  Count("b", 3);
  EXPECT_TRUE(Kept("a"));
  EXPECT_TRUE(Kept("b"));
  EXPECT_EQ(service_->retention_stats().released_histories, 0);
}

TEST_F(RetentionTest, AReleasedRunKeepsItsSummaryAndAnswersNotFoundForItsHistory) {
  Make({.max_closed_bytes = 0});
  Count("a", 3);
  absl::StatusOr<const temporal::api::history::v1::History*> history =
      service_->GetHistory("a", "");
  ASSERT_FALSE(history.ok());
  EXPECT_TRUE(absl::IsNotFound(history.status()));
  EXPECT_THAT(history.status().message(), HasSubstr("the history of workflow a run "));
  EXPECT_THAT(history.status().message(), HasSubstr("was released by retention (it closed at "));

  absl::StatusOr<WorkflowDescription> d = service_->DescribeWorkflow("a", "");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->status, enums::WORKFLOW_EXECUTION_STATUS_COMPLETED);
  ASSERT_TRUE(d->result.has_value());
  ASSERT_EQ(d->result->payloads_size(), 1);
  EXPECT_EQ(*FromPayload<int>(d->result->payloads(0)), 3);
  // The counter's history: start, its activity and timer, three signals and its tasks.
  EXPECT_GT(d->history_length, 10);
  EXPECT_EQ(service_->retention_stats().released_histories, 1);
  EXPECT_EQ(service_->retention_stats().released_events, d->history_length);
  EXPECT_EQ(service_->retention_stats().closed_kept, 0);

  absl::StatusOr<temporal::api::common::v1::Payloads> query =
      service_->QueryWorkflow("a", "", examples::kCountQuery, {});
  EXPECT_TRUE(absl::IsNotFound(query.status())) << query.status();
  // A closed run is NotFound for a signal whether or not its history is kept.
  SignalWorkflowRequest signal;
  signal.workflow_id = "a";
  signal.signal_name = examples::kIncSignal;
  EXPECT_TRUE(absl::IsNotFound(service_->SignalWorkflow(signal)));
}

TEST_F(RetentionTest, TheSizeCapReleasesTheEarliestClosedFirst) {
  // Measure one counter history of three signals, then keep room for two of them.
  Make({});
  Count("p", 3);
  const int64_t one = static_cast<int64_t>((*service_->GetHistory("p", ""))->ByteSizeLong());
  service_.reset();
  registry_ = Registry();
  Make({.max_closed_bytes = 2 * one + one / 2});
  Count("a", 3);
  Count("b", 3);
  EXPECT_TRUE(Kept("a"));
  EXPECT_TRUE(Kept("b"));
  EXPECT_EQ(service_->retention_stats().closed_kept_bytes, Bytes("a") + Bytes("b"));
  Count("c", 3);
  EXPECT_FALSE(Kept("a"));
  EXPECT_TRUE(Kept("b"));
  EXPECT_TRUE(Kept("c"));
  Count("d", 3);
  EXPECT_FALSE(Kept("b"));
  EXPECT_TRUE(Kept("c"));
  EXPECT_TRUE(Kept("d"));
  const Service::RetentionStats stats = service_->retention_stats();
  EXPECT_EQ(stats.released_histories, 2);
  EXPECT_EQ(stats.closed_kept, 2);
  EXPECT_EQ(stats.closed_kept_bytes, Bytes("c") + Bytes("d"));
  EXPECT_LE(stats.closed_kept_bytes, 2 * one + one / 2);
}

TEST_F(RetentionTest, AgeReleasesOnceTheRetentionPeriodHasPassedSinceTheClose) {
  Make({.closed_for = absl::Hours(1)});
  Count("a", 2);
  const absl::Time closed = *service_->DescribeWorkflow("a", "")->close_time;
  // Retention is applied as steps end: another workflow's steps move things along.
  clock_.AdvanceTo(closed + absl::Minutes(59));
  Count("b", 1);
  EXPECT_TRUE(Kept("a"));
  clock_.AdvanceTo(closed + absl::Hours(1));
  Count("c", 1);
  EXPECT_FALSE(Kept("a"));
  EXPECT_TRUE(Kept("b"));
  EXPECT_TRUE(Kept("c"));
}

// A child's close is reported to its parent from the child's close event, in a step of its
// own after the close: the child's history must outlive that step even with a zero cap.
TEST_F(RetentionTest, AChildHistoryIsKeptUntilItsCloseReachesTheParent) {
  Make({.max_closed_bytes = 0});
  StartWorkflowRequest start;
  start.workflow_id = "parent";
  start.workflow_type = examples::kFanoutWorkflow;
  start.task_queue = "q";
  start.input = ToPayloads(examples::FanoutInput{.n = 2, .per_child = 2});
  ASSERT_TRUE(service_->StartWorkflow(start).ok());
  for (int i = 0; i < 10; ++i) Settle();
  absl::StatusOr<WorkflowDescription> parent = service_->DescribeWorkflow("parent", "");
  ASSERT_TRUE(parent.ok());
  ASSERT_EQ(parent->status, enums::WORKFLOW_EXECUTION_STATUS_COMPLETED);
  ASSERT_TRUE(parent->result.has_value());
  ASSERT_EQ(parent->result->payloads_size(), 1);
  absl::StatusOr<examples::FanoutResult> result =
      FromPayload<examples::FanoutResult>(parent->result->payloads(0));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->children, 2);  // both children's completions reached the parent
  EXPECT_EQ(result->sum, 1 + 4 + 9 + 16);
  EXPECT_EQ(service_->retention_stats().released_histories, 3);
  EXPECT_EQ(service_->retention_stats().closed_kept, 0);
}

// Observers read the events a step appended, a closing run's close event included, before
// retention releases that history.
class CloseEventCounter : public StepObserver {
 public:
  void OnStep(const StepRecord& step) override {
    for (const AppendedEvents& appended : step.appended) {
      for (int i = appended.first; i < appended.end; ++i) {
        if (appended.history->events(i).event_type() ==
            enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) {
          ++completed;
        }
      }
    }
  }
  int completed = 0;
};

TEST_F(RetentionTest, ObserversSeeTheCloseEventBeforeTheHistoryIsReleased) {
  Make({.max_closed_bytes = 0});
  CloseEventCounter counter;
  service_->AddStepObserver(&counter);
  Count("a", 2);
  Count("b", 2);
  EXPECT_EQ(counter.completed, 2);
  EXPECT_EQ(service_->retention_stats().released_histories, 2);
}

}  // namespace
}  // namespace service_retention_test
}  // namespace lockstep
