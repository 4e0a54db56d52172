// `lockstep list`: the built-in workflow types, one per line, sorted.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/run_command.h"
#include "tools/lockstep/command.h"

namespace lockstep::cli {
namespace {

TEST(List, PrintsWorkflowTypesOnePerLine) {
  auto r = testing::RunCommand(RunList, {});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  // The examples, and those with planted bugs (examples/buggy/), sorted.
  EXPECT_EQ(r.out,
            "accumulator\naccumulatorBuggy\nbootWatch\nbootWatchBuggy\nchargeOrder\n"
            "chargeOrderBuggy\nchildSignalParent\nchildSignalParentBuggy\nchildSignalWorker\n"
            "counterWorkflow\nfanoutChild\nfanoutWorkflow\ninvoice\ninvoiceBuggy\norderWorkflow\n");
}

TEST(List, ActivitiesOnRequest) {
  auto r = testing::RunCommand(RunList, {"--activities"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_EQ(r.out,
            "chargeCard\nchargeCardBuggy\ncharge_card\nchildSignalProcess\ngreet\npageOperator\n"
            "powerOn\nsendReminder\nsend_receipt\nsquare\n");
}

TEST(List, UnknownArgumentIsUsageError) {
  auto r = testing::RunCommand(RunList, {"--bogus"});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_THAT(r.err, ::testing::HasSubstr("unknown flag '--bogus'"));
}

}  // namespace
}  // namespace lockstep::cli
