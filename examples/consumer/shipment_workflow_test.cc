// Unit tests of the shipment workflow on Lockstep's in-process service, with a worker that
// runs this project's code and a clock that only moves when the test moves it.
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "engine/core/clock.h"
#include "engine/payload/payload.h"
#include "engine/service/service.h"
#include "engine/service/virtual_time.h"
#include "engine/workflow/failure.h"
#include "engine/workflow/registry.h"
#include "engine/workflow/worker.h"
#include "gtest/gtest.h"
#include "shipment_workflow.h"
#include "temporal/api/enums/v1/event_type.pb.h"
#include "temporal/api/enums/v1/workflow.pb.h"

namespace shipping {
namespace {

using temporal::api::enums::v1::EVENT_TYPE_ACTIVITY_TASK_STARTED;
using temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_COMPLETED;

constexpr char kId[] = "shipment-1";

// The service, a worker and a manual clock, wired as a test needs them. The registry is
// filled by the test before the worker and the service exist.
class ShipmentTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(RegisterShipmentWorkflow(&registry_).ok()); }

  void Start(const Shipment& shipment) {
    worker_ = std::make_unique<lockstep::Worker>(&registry_);
    service_ = std::make_unique<lockstep::Service>(&clock_, worker_.get(), worker_.get());
    lockstep::StartWorkflowRequest request;
    request.workflow_id = kId;
    request.workflow_type = kShipmentWorkflow;
    request.task_queue = "shipping";
    request.input = lockstep::ToPayloads(shipment);
    ASSERT_TRUE(service_->StartWorkflow(request).ok());
    started_ = clock_.Now();
    service_->RunUntilIdle();
  }

  template <typename T>
  void Signal(const std::string& name, const T& value) {
    lockstep::SignalWorkflowRequest request;
    request.workflow_id = kId;
    request.signal_name = name;
    request.input = lockstep::ToPayloads(value);
    ASSERT_TRUE(service_->SignalWorkflow(request).ok());
    service_->RunUntilIdle();
  }

  // The `status` query's answer, or the error in <> (a closed run answers no queries).
  std::string Status() {
    auto answer = service_->QueryWorkflow(kId, "", kStatusQuery, {});
    if (!answer.ok()) return "<" + std::string(answer.status().message()) + ">";
    if (answer->payloads_size() != 1) return "<not one payload>";
    auto status = lockstep::FromPayload<std::string>(answer->payloads(0));
    return status.ok() ? *status : "<" + std::string(status.status().message()) + ">";
  }

  // The workflow's result, or "" (and a test failure) unless it completed.
  std::string Result() {
    auto description = service_->DescribeWorkflow(kId, "");
    EXPECT_TRUE(description.ok());
    if (!description.ok()) return "";
    EXPECT_EQ(description->status, WORKFLOW_EXECUTION_STATUS_COMPLETED);
    if (!description->result || description->result->payloads_size() != 1) return "";
    auto result = lockstep::FromPayload<std::string>(description->result->payloads(0));
    return result.ok() ? *result : "";
  }

  absl::Duration Elapsed() const { return clock_.Now() - started_; }

  lockstep::Registry registry_;
  lockstep::ManualClock clock_;
  absl::Time started_;
  std::unique_ptr<lockstep::Worker> worker_;
  std::unique_ptr<lockstep::Service> service_;
};

TEST_F(ShipmentTest, DeliveredAfterPackingBookingAndPickup) {
  ASSERT_TRUE(RegisterCourierActivity(&registry_).ok());
  Start({.id = "s1", .parcels = 3, .pickup_delay_seconds = 3600});
  EXPECT_EQ(Status(), "packing");

  Signal(kPackedSignal, int64_t{2});
  EXPECT_EQ(Status(), "packing");  // one parcel to go
  Signal(kPackedSignal, int64_t{1});
  // The courier was booked at once; the pickup timer is what is pending now.
  EXPECT_EQ(Status(), "awaiting pickup");
  ASSERT_TRUE(service_->NextDeadline().has_value());
  EXPECT_EQ(*service_->NextDeadline() - started_, absl::Hours(1));

  ASSERT_TRUE(lockstep::AdvanceToNextDeadline(*service_, clock_));
  EXPECT_EQ(Status(), "in transit");
  EXPECT_EQ(Elapsed(), absl::Hours(1));

  Signal(kDeliveredSignal, std::string("Ada"));
  EXPECT_EQ(Result(), "TRK-s1-3 delivered to Ada");
}

TEST_F(ShipmentTest, LostWhenNoDeliveryIsReportedInTime) {
  ASSERT_TRUE(RegisterCourierActivity(&registry_).ok());
  Start({.id = "s2", .parcels = 1, .pickup_delay_seconds = 600,
         .delivery_timeout_seconds = 2 * 24 * 3600});
  Signal(kPackedSignal, int64_t{1});

  lockstep::RunUntil(*service_, clock_, clock_.Now() + absl::Hours(24 * 30));
  EXPECT_EQ(Result(), "TRK-s2-1 lost");
  // Virtual time went exactly to the pickup plus the delivery timeout, and no further.
  EXPECT_EQ(Elapsed(), absl::Minutes(10) + absl::Hours(48));
}

TEST_F(ShipmentTest, CourierBookingIsRetried) {
  int calls = 0;
  ASSERT_TRUE(registry_
                  .RegisterActivity(kBookCourierActivity,
                                    [&calls](lockstep::ActivityContext& ctx, std::string id,
                                             int64_t) -> std::string {
                                      ++calls;
                                      if (ctx.attempt() == 1) {
                                        throw lockstep::ApplicationFailure("courier busy");
                                      }
                                      return "TRK-retried-" + id;
                                    })
                  .ok());
  Start({.id = "s3", .parcels = 1, .pickup_delay_seconds = 60});
  Signal(kPackedSignal, int64_t{1});
  EXPECT_EQ(Status(), "booking");  // the first attempt failed; the retry waits 5 s
  Signal(kDeliveredSignal, std::string("Grace"));  // before the pickup: kept

  lockstep::RunUntil(*service_, clock_, clock_.Now() + absl::Hours(1));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(Result(), "TRK-retried-s3 delivered to Grace");
  // The retry waited the policy's initial interval before the 60 s pickup timer started.
  EXPECT_EQ(Elapsed(), absl::Seconds(5) + absl::Seconds(60));

  auto history = service_->GetHistory(kId, "");
  ASSERT_TRUE(history.ok());
  int started_events = 0;
  for (const auto& event : (*history)->events()) {
    if (event.event_type() != EVENT_TYPE_ACTIVITY_TASK_STARTED) continue;
    ++started_events;
    // As Temporal records retries: one started event, for the attempt that finished.
    EXPECT_EQ(event.activity_task_started_event_attributes().attempt(), 2);
  }
  EXPECT_EQ(started_events, 1);
}

}  // namespace
}  // namespace shipping
