#include "engine/history/time_format.h"

#include <cstdint>
#include <limits>
#include <string>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace lockstep::history {
namespace {

struct Parsed {
  int64_t seconds = 0;
  int32_t nanos = 0;
};

Parsed MustParseTime(absl::string_view text) {
  Parsed p;
  auto s = ParseRfc3339(text, &p.seconds, &p.nanos);
  EXPECT_TRUE(s.ok()) << s;
  return p;
}

TEST(Rfc3339, ParsesEveryFractionLength) {
  EXPECT_EQ(MustParseTime("1970-01-01T00:00:00Z").seconds, 0);
  Parsed p = MustParseTime("2020-07-30T00:30:03.082421843Z");
  EXPECT_EQ(p.seconds, 1596069003);
  EXPECT_EQ(p.nanos, 82421843);
  EXPECT_EQ(MustParseTime("2021-11-19T22:54:53.2Z").nanos, 200000000);
  EXPECT_EQ(MustParseTime("2021-11-19T22:54:53.264854600Z").nanos, 264854600);
}

TEST(Rfc3339, AppliesOffsets) {
  EXPECT_EQ(MustParseTime("1970-01-01T01:00:00+01:00").seconds, 0);
  EXPECT_EQ(MustParseTime("1969-12-31T23:00:00-01:00").seconds, 0);
}

TEST(Rfc3339, RejectsMalformed) {
  int64_t s;
  int32_t n;
  for (absl::string_view bad :
       {"", "2020-07-30", "2020-07-30T00:30:03", "2020-13-01T00:00:00Z", "2021-02-29T00:00:00Z",
        "2020-07-30T24:00:00Z", "2020-07-30T00:30:03.Z", "2020-07-30T00:30:03.1234567890Z",
        "2020-07-30T00:30:03Zjunk", "abcd-07-30T00:30:03Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad, &s, &n).ok()) << bad;
  }
}

TEST(Rfc3339, PrintsLikeProtobuf) {
  std::string out;
  AppendRfc3339(1596069003, 82421843, &out);
  EXPECT_EQ(out, "2020-07-30T00:30:03.082421843Z");
  out.clear();
  AppendRfc3339(0, 500000000, &out);
  EXPECT_EQ(out, "1970-01-01T00:00:00.500Z");
  out.clear();
  AppendRfc3339(-1, 0, &out);
  EXPECT_EQ(out, "1969-12-31T23:59:59Z");
}

TEST(ProtoDuration, ParsesAndPrints) {
  int64_t s;
  int32_t n;
  ASSERT_TRUE(ParseProtoDuration("0.000000001s", &s, &n).ok());
  EXPECT_EQ(s, 0);
  EXPECT_EQ(n, 1);
  ASSERT_TRUE(ParseProtoDuration("-1.5s", &s, &n).ok());
  EXPECT_EQ(s, -1);
  EXPECT_EQ(n, -500000000);
  std::string out;
  AppendProtoDuration(-1, -500000000, &out);
  EXPECT_EQ(out, "-1.500s");
  for (absl::string_view bad : {"", "s", "10", "1.s", "ten", "1.0000000001s", "10m"}) {
    EXPECT_FALSE(ParseProtoDuration(bad, &s, &n).ok()) << bad;
  }
}

// A binary history can carry any int64 seconds and int32 nanos: the text is still one that
// reads back (clamped to the range, nanos dropped when their sign disagrees), and nothing is
// negated out of range (INT64_MIN seconds once printed "--9223372036854775808s").
TEST(ProtoDuration, OutOfRangeValuesPrintAsTextThatReadsBack) {
  struct Case {
    int64_t seconds;
    int32_t nanos;
    const char* text;
  };
  const Case cases[] = {
      {std::numeric_limits<int64_t>::min(), 0, "-315576000000s"},
      {std::numeric_limits<int64_t>::max(), 0, "315576000000s"},
      {0, std::numeric_limits<int32_t>::min(), "0s"},
      {0, std::numeric_limits<int32_t>::max(), "0s"},
      {std::numeric_limits<int64_t>::min(), std::numeric_limits<int32_t>::min(),
       "-315576000000s"},
      {-1, 500000000, "-1s"},  // mixed signs: not a valid Duration
      {1, -500000000, "1s"},
      {0, -1, "-0.000000001s"},
  };
  for (const Case& c : cases) {
    std::string text;
    AppendProtoDuration(c.seconds, c.nanos, &text);
    EXPECT_EQ(text, c.text) << c.seconds << " " << c.nanos;
    int64_t s;
    int32_t n;
    EXPECT_TRUE(ParseProtoDuration(text, &s, &n).ok()) << text;
  }
}

RC_GTEST_PROP(TimeFormat, AnyDurationPrintsAsTextThatReadsBack, ()) {
  const auto seconds = *rc::gen::arbitrary<int64_t>();
  const auto nanos = *rc::gen::arbitrary<int32_t>();
  std::string text;
  AppendProtoDuration(seconds, nanos, &text);
  int64_t s;
  int32_t n;
  RC_ASSERT(ParseProtoDuration(text, &s, &n).ok());
}

RC_GTEST_PROP(TimeFormat, TimestampRoundTrips, ()) {
  const int64_t seconds = *rc::gen::inRange<int64_t>(-62135596800, 253402300800);
  const int32_t nanos = *rc::gen::inRange<int32_t>(0, 1000000000);
  std::string text;
  AppendRfc3339(seconds, nanos, &text);
  int64_t s2;
  int32_t n2;
  RC_ASSERT(ParseRfc3339(text, &s2, &n2).ok());
  RC_ASSERT(s2 == seconds);
  RC_ASSERT(n2 == nanos);
}

RC_GTEST_PROP(TimeFormat, DurationRoundTrips, ()) {
  const int64_t seconds = *rc::gen::inRange<int64_t>(0, 315576000001);
  const int32_t nanos = *rc::gen::inRange<int32_t>(0, 1000000000);
  const bool negative = *rc::gen::arbitrary<bool>();
  std::string text;
  AppendProtoDuration(negative ? -seconds : seconds, negative ? -nanos : nanos, &text);
  int64_t s2;
  int32_t n2;
  RC_ASSERT(ParseProtoDuration(text, &s2, &n2).ok());
  RC_ASSERT(s2 == (negative ? -seconds : seconds));
  RC_ASSERT(n2 == (negative ? -nanos : nanos));
}

}  // namespace
}  // namespace lockstep::history
