#include "engine/history/event_summary.h"

#include <cstdint>
#include <limits>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "gtest/gtest.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::history {
namespace {

google::protobuf::Timestamp At(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  t.set_nanos(nanos);
  return t;
}

constexpr int64_t kYear1 = -62135596800;    // 0001-01-01T00:00:00Z
constexpr int64_t kYear9999 = 253402300799;  // 9999-12-31T23:59:59Z

TEST(ElapsedBetween, IsExactAcrossTheWholeTimestampRange) {
  // 10,000 years is far past the 292 years int64 nanoseconds hold.
  EXPECT_EQ(ElapsedBetween(At(kYear1), At(kYear9999, 999999999)),
            absl::Seconds(kYear9999 - kYear1) + absl::Nanoseconds(999999999));
  EXPECT_EQ(ElapsedBetween(At(kYear9999), At(kYear1)), absl::Seconds(kYear1 - kYear9999));
  EXPECT_EQ(ElapsedBetween(At(10, 900000000), At(11, 100000000)), absl::Milliseconds(200));
}

TEST(ElapsedBetween, SaturatesOnSecondsNoTimestampCanHold) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(ElapsedBetween(At(kMin), At(kMax)), absl::InfiniteDuration());
  EXPECT_EQ(ElapsedBetween(At(kMax), At(kMin)), -absl::InfiniteDuration());
}

TEST(FormatElapsed, WritesHoursMinutesSecondsAndMilliseconds) {
  EXPECT_EQ(FormatElapsed(absl::Milliseconds(1234)), "1.234s");
  EXPECT_EQ(FormatElapsed(absl::Minutes(2) + absl::Milliseconds(3500)), "2m03.500s");
  EXPECT_EQ(FormatElapsed(absl::Hours(1) + absl::Seconds(123)), "1h02m03.000s");
  EXPECT_EQ(FormatElapsed(-absl::Milliseconds(1500)), "-1.500s");
  EXPECT_EQ(FormatElapsed(absl::ZeroDuration()), "0.000s");
  // Year 1 to year 9999: 87,649,415 hours.
  EXPECT_EQ(FormatElapsed(ElapsedBetween(At(kYear1), At(kYear9999))), "87649415h59m59.000s");
  EXPECT_EQ(FormatElapsed(absl::InfiniteDuration()), "inf");
  EXPECT_EQ(FormatElapsed(-absl::InfiniteDuration()), "-inf");
  EXPECT_EQ(FormatElapsed(absl::Seconds(std::numeric_limits<int64_t>::min())), "-inf");
}

TEST(SummarizeHistory, DurationSpansTheHistoryEvenAcrossMillennia) {
  temporal::api::history::v1::History h;
  auto* first = h.add_events();
  first->set_event_id(1);
  *first->mutable_event_time() = At(kYear1);
  auto* last = h.add_events();
  last->set_event_id(2);
  *last->mutable_event_time() = At(kYear9999);
  EXPECT_EQ(SummarizeHistory(h).duration, absl::Seconds(kYear9999 - kYear1));
}

}  // namespace
}  // namespace lockstep::history
