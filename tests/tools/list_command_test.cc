// `lockstep list`: the built-in workflow types, one per line, sorted; activities and the
// Temporal ports on request.
#include <string>

#include "examples/temporal_ports/temporal_ports.h"
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

TEST(List, PortsOnRequestOnePerLineWithTypeQueueAndRecording) {
  auto r = testing::RunCommand(RunList, {"--ports"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  std::string expected;
  for (const ports::TemporalPort& port : ports::TemporalPorts()) {
    expected += std::string(port.name) + "\t" + port.workflow_type + "\t" + port.task_queue_prefix +
                "\t" + port.history_file + "\n";
  }
  ASSERT_FALSE(ports::TemporalPorts().empty());
  EXPECT_EQ(r.out, expected);
  EXPECT_THAT(r.out,
              ::testing::HasSubstr("sdk-go/continue-as-new\tContinueAsNewWorkflow\treplay-test\t"
                                   "sdk-go__test__replaytests__continue-as-new.json\n"));
  auto both = testing::RunCommand(RunList, {"--ports", "--activities"});
  EXPECT_EQ(both.status, kExitUsage);
  EXPECT_THAT(both.err, ::testing::HasSubstr("excludes"));
}

TEST(List, UnknownArgumentIsUsageError) {
  auto r = testing::RunCommand(RunList, {"--bogus"});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_THAT(r.err, ::testing::HasSubstr("unknown flag '--bogus'"));
}

}  // namespace
}  // namespace lockstep::cli
