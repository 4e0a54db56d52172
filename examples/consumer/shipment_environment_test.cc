// Unit tests of the shipment workflow on Lockstep's TestEnvironment (Lockstep::testing): the
// courier activity mocked, signals sent at chosen virtual times, days of timers skipped.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "shipment_workflow.h"
#include "testing/matchers.h"
#include "testing/test_environment.h"

namespace shipping {
namespace {

using ::lockstep::ApplicationFailure;
using ::lockstep::testing::IsOk;
using ::lockstep::testing::IsOkAndHolds;
using ::lockstep::testing::TestEnvironment;

TEST(ShipmentEnvironment, DeliveredAfterAFlakyBooking) {
  TestEnvironment env;
  ASSERT_THAT(RegisterShipmentWorkflow(env.registry()), IsOk());
  env.OnActivity(kBookCourierActivity)
      .Fail(ApplicationFailure("courier API down", "Unavailable"))
      .Return(std::string("TRK-9"));
  auto handle = env.StartWorkflow(kShipmentWorkflow, {.id = "ship-1"},
                                  Shipment{.id = "s1", .parcels = 2});
  ASSERT_THAT(handle, IsOk());
  env.RegisterDelayedCallback(absl::Minutes(10), [&] {
    ASSERT_THAT(handle->Signal(kPackedSignal, int64_t{2}), IsOk());
  });
  env.RegisterDelayedCallback(absl::Hours(30), [&] {
    ASSERT_THAT(handle->Signal(kDeliveredSignal, std::string("Ada")), IsOk());
  });
  EXPECT_THAT(handle->Result<std::string>(), IsOkAndHolds("TRK-9 delivered to Ada"));
  EXPECT_EQ(env.ActivityAttempts(kBookCourierActivity), 2);
}

TEST(ShipmentEnvironment, LostWhenNobodySignalsDelivery) {
  TestEnvironment env;
  ASSERT_THAT(RegisterShipmentWorkflow(env.registry()), IsOk());
  env.OnActivity(kBookCourierActivity).Return(std::string("TRK-1"));
  auto handle = env.StartWorkflow(kShipmentWorkflow, {}, Shipment{.id = "s2", .parcels = 1});
  ASSERT_THAT(handle, IsOk());
  ASSERT_THAT(handle->Signal(kPackedSignal, int64_t{1}), IsOk());
  const absl::Time start = env.Now();
  EXPECT_THAT(handle->Result<std::string>(), IsOkAndHolds("TRK-1 lost"));
  // The pickup delay (1h) and the delivery timeout (3 days), skipped.
  EXPECT_EQ(env.Now() - start, absl::Hours(1) + absl::Hours(72));
}

}  // namespace
}  // namespace shipping
