#include "engine/service/activity_options.h"

#include "gtest/gtest.h"
#include "tests/engine/service/fake_handlers.h"

namespace lockstep::service {
namespace {

using lockstep::testing::ActivityCommandOptions;
using lockstep::testing::ScheduleActivity;

ActivityOptions Normalize(const ActivityCommandOptions& o, absl::Duration run_timeout,
                          bool defaults = true) {
  auto c = ScheduleActivity("1", "A", o);
  auto result = NormalizeActivityOptions(c.schedule_activity_task_command_attributes(), run_timeout,
                                         defaults);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : ActivityOptions{};
}

TEST(ServiceActivityOptionsTest, ScheduleToCloseFillsTheOthers) {
  ActivityCommandOptions o;
  o.schedule_to_close = absl::Seconds(30);
  o.start_to_close = absl::ZeroDuration();
  ActivityOptions n = Normalize(o, absl::ZeroDuration());
  EXPECT_EQ(n.schedule_to_start, absl::Seconds(30));
  EXPECT_EQ(n.start_to_close, absl::Seconds(30));
  o.start_to_close = absl::Seconds(60);  // never longer than schedule-to-close
  EXPECT_EQ(Normalize(o, absl::ZeroDuration()).start_to_close, absl::Seconds(30));
}

TEST(ServiceActivityOptionsTest, StartToCloseOnlyUsesTheRunTimeout) {
  ActivityCommandOptions o;
  o.start_to_close = absl::Seconds(10);
  ActivityOptions n = Normalize(o, absl::Minutes(5));
  EXPECT_EQ(n.schedule_to_close, absl::Minutes(5));
  EXPECT_EQ(n.schedule_to_start, absl::Minutes(5));
  n = Normalize(o, absl::ZeroDuration());
  EXPECT_EQ(n.schedule_to_close, absl::ZeroDuration());  // unlimited
}

TEST(ServiceActivityOptionsTest, CapsAndHeartbeat) {
  ActivityCommandOptions o;
  o.start_to_close = absl::Hours(2);
  o.heartbeat = absl::Hours(3);
  ActivityOptions n = Normalize(o, absl::Hours(1));
  EXPECT_EQ(n.start_to_close, absl::Hours(1));
  EXPECT_EQ(n.heartbeat, absl::Hours(1));
}

TEST(ServiceActivityOptionsTest, RetryPolicyDefaultsAndErrors) {
  ActivityCommandOptions o;
  EXPECT_TRUE(Normalize(o, absl::ZeroDuration()).retry_policy.has_value());
  EXPECT_FALSE(Normalize(o, absl::ZeroDuration(), false).retry_policy.has_value());
  o.start_to_close = absl::ZeroDuration();
  auto c = ScheduleActivity("1", "A", o);
  EXPECT_FALSE(NormalizeActivityOptions(c.schedule_activity_task_command_attributes(),
                                        absl::ZeroDuration(), true)
                   .ok());
  c = ScheduleActivity("", "A", {});
  EXPECT_FALSE(NormalizeActivityOptions(c.schedule_activity_task_command_attributes(),
                                        absl::ZeroDuration(), true)
                   .ok());
}

}  // namespace
}  // namespace lockstep::service
