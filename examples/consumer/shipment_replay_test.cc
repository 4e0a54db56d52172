// Replay tests: the recorded history (testdata/shipment.json, written by record_history)
// replays against the current workflow code, so a change that would break workflows already
// running fails here before it ships.
#include <string>

#include "absl/time/time.h"
#include "engine/workflow/registry.h"
#include "gtest/gtest.h"
#include "replay/gtest.h"
#include "shipment_workflow.h"

namespace shipping {
namespace {

// SHIPMENT_TESTDATA_DIR: testdata/ (CMake passes its absolute path; Bazel runs the test from
// the workspace's runfiles, where it is relative).
const std::string kHistory = std::string(SHIPMENT_TESTDATA_DIR) + "/shipment.json";

TEST(ShipmentReplay, RecordedHistoryReplaysCleanly) {
  lockstep::Registry registry;
  ASSERT_TRUE(RegisterShipmentWorkflow(&registry).ok());
  // In full, and with the worker's cache evicted at every workflow task.
  LOCKSTEP_EXPECT_REPLAYS_CLEANLY(registry, kHistory);
}

// What the replay test is for: an edit that drops the pickup timer changes the commands that
// running shipments already recorded, and replay says so.
lockstep::Task<std::string> WithoutPickupTimer(lockstep::WorkflowContext& ctx,
                                               Shipment shipment) {
  int64_t packed = 0;
  ctx.SetSignalHandler<int64_t>(kPackedSignal, [&packed](int64_t parcels) { packed += parcels; });
  co_await ctx.WaitCondition([&] { return packed >= shipment.parcels; });
  const std::string tracking = co_await ctx.ExecuteActivity<std::string>(
      kBookCourierActivity, {.start_to_close_timeout = absl::Seconds(30)}, shipment.id,
      shipment.parcels);
  co_return tracking;
}

TEST(ShipmentReplay, AnIncompatibleChangeIsCaught) {
  lockstep::Registry registry;
  ASSERT_TRUE(registry.RegisterWorkflow(kShipmentWorkflow, &WithoutPickupTimer).ok());
  const ::testing::AssertionResult replayed =
      lockstep::replay::ReplaysCleanly(registry, kHistory);
  EXPECT_FALSE(replayed);
  EXPECT_NE(std::string(replayed.message()).find("NONDETERMINISM"), std::string::npos)
      << replayed.message();
}

}  // namespace
}  // namespace shipping
