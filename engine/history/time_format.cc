#include "engine/history/time_format.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"

namespace lockstep::history {
namespace {

constexpr int64_t kMinTimestampSeconds = -62135596800;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxTimestampSeconds = 253402300799;  // 9999-12-31T23:59:59Z
constexpr int64_t kMaxDurationSeconds = 315576000000;

// Days since 1970-01-01 of a proleptic Gregorian date (the standard era-based conversion).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at text[*pos].
bool ReadDigits(absl::string_view text, size_t* pos, int n, int64_t* out) {
  if (*pos + n > text.size()) return false;
  int64_t v = 0;
  for (int i = 0; i < n; ++i) {
    char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(absl::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

// Reads ".ddddddddd" (1 to 9 digits) if present; returns the nanoseconds.
bool ReadFraction(absl::string_view text, size_t* pos, int32_t* nanos) {
  *nanos = 0;
  if (*pos >= text.size() || text[*pos] != '.') return true;
  ++*pos;
  int digits = 0;
  int64_t v = 0;
  while (*pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9') {
    if (digits == 9) return false;
    v = v * 10 + (text[*pos] - '0');
    ++digits;
    ++*pos;
  }
  if (digits == 0) return false;
  for (int i = digits; i < 9; ++i) v *= 10;
  *nanos = static_cast<int32_t>(v);
  return true;
}

void AppendFraction(int32_t nanos, std::string* out) {
  if (nanos == 0) return;
  char buf[16];
  if (nanos % 1000000 == 0) {
    std::snprintf(buf, sizeof(buf), ".%03d", nanos / 1000000);
  } else if (nanos % 1000 == 0) {
    std::snprintf(buf, sizeof(buf), ".%06d", nanos / 1000);
  } else {
    std::snprintf(buf, sizeof(buf), ".%09d", nanos);
  }
  out->append(buf);
}

}  // namespace

absl::Status ParseRfc3339(absl::string_view text, int64_t* seconds, int32_t* nanos) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid timestamp \"", text, "\": ", why,
                     " (expected RFC 3339, e.g. 2020-07-30T00:30:03.082Z)"));
  };
  size_t pos = 0;
  int64_t year, month, day, hour, minute, second;
  if (!ReadDigits(text, &pos, 4, &year) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &month) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &day)) {
    return bad("bad date");
  }
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    return bad("missing 'T'");
  }
  ++pos;
  if (!ReadDigits(text, &pos, 2, &hour) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &minute) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &second)) {
    return bad("bad time of day");
  }
  if (!ReadFraction(text, &pos, nanos)) return bad("bad fractional seconds");
  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, static_cast<int>(month)) || hour > 23 || minute > 59 || second > 59) {
    return bad("field out of range");
  }
  int64_t offset = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int64_t oh, om;
    if (!ReadDigits(text, &pos, 2, &oh) || !Expect(text, &pos, ':') ||
        !ReadDigits(text, &pos, 2, &om) || oh > 23 || om > 59) {
      return bad("bad UTC offset");
    }
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return bad("missing time zone ('Z' or +hh:mm)");
  }
  if (pos != text.size()) return bad("trailing characters");
  int64_t s = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  if (s < kMinTimestampSeconds || s > kMaxTimestampSeconds) return bad("out of range");
  *seconds = s;
  return absl::OkStatus();
}

absl::Status ParseProtoDuration(absl::string_view text, int64_t* seconds, int32_t* nanos) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("invalid duration \"", text, "\": ", why,
                                                   " (expected e.g. \"10s\" or \"0.5s\")"));
  };
  size_t pos = 0;
  bool negative = false;
  if (pos < text.size() && text[pos] == '-') {
    negative = true;
    ++pos;
  }
  int64_t whole = 0;
  size_t digits = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (digits == 12) return bad("out of range");
    whole = whole * 10 + (text[pos] - '0');
    ++digits;
    ++pos;
  }
  if (digits == 0) return bad("missing seconds");
  int32_t frac = 0;
  if (!ReadFraction(text, &pos, &frac)) return bad("bad fractional seconds");
  if (!Expect(text, &pos, 's') || pos != text.size()) return bad("must end in 's'");
  if (whole > kMaxDurationSeconds) return bad("out of range");
  *seconds = negative ? -whole : whole;
  *nanos = negative ? -frac : frac;
  return absl::OkStatus();
}

void AppendRfc3339(int64_t seconds, int32_t nanos, std::string* out) {
  if (seconds < kMinTimestampSeconds) seconds = kMinTimestampSeconds;
  if (seconds > kMaxTimestampSeconds) seconds = kMaxTimestampSeconds;
  if (nanos < 0 || nanos > 999999999) nanos = 0;
  int64_t days = seconds / 86400;
  int64_t rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t year;
  int month, day;
  CivilFromDays(days, &year, &month, &day);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", static_cast<int>(year), month,
                day, static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                static_cast<int>(rem % 60));
  out->append(buf);
  AppendFraction(nanos, out);
  out->push_back('Z');
}

void AppendProtoDuration(int64_t seconds, int32_t nanos, std::string* out) {
  // Clamp first: a binary history can hold any int64 seconds and int32 nanos, and negating
  // INT64_MIN or INT32_MIN is undefined. Nanos must lie within a second and share the sign of
  // nonzero seconds (google/protobuf/duration.proto); otherwise they are dropped.
  seconds = std::clamp(seconds, -kMaxDurationSeconds, kMaxDurationSeconds);
  if (nanos < -999999999 || nanos > 999999999 || (seconds > 0 && nanos < 0) ||
      (seconds < 0 && nanos > 0)) {
    nanos = 0;
  }
  if (seconds < 0 || nanos < 0) {
    out->push_back('-');
    seconds = -seconds;
    nanos = -nanos;
  }
  absl::StrAppend(out, seconds);
  AppendFraction(nanos, out);
  out->push_back('s');
}

}  // namespace lockstep::history
