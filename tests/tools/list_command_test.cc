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
  EXPECT_EQ(r.out, "counterWorkflow\nfanoutChild\nfanoutWorkflow\norderWorkflow\n");
}

TEST(List, ActivitiesOnRequest) {
  auto r = testing::RunCommand(RunList, {"--activities"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_EQ(r.out, "charge_card\ngreet\nsend_receipt\nsquare\n");
}

TEST(List, UnknownArgumentIsUsageError) {
  auto r = testing::RunCommand(RunList, {"--bogus"});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_THAT(r.err, ::testing::HasSubstr("unknown flag '--bogus'"));
}

}  // namespace
}  // namespace lockstep::cli
