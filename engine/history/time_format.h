// Text forms of google.protobuf.Timestamp and google.protobuf.Duration as protobuf JSON
// writes them, implemented here so that parsing and printing are fast and byte-for-byte
// stable across platforms (no locale, no time zone database, no libc time functions).
//
// Timestamps: RFC 3339, "2020-07-30T00:30:03.082421843Z"; parsing accepts 0 to 9 fractional
// digits and a "Z" or "+hh:mm"/"-hh:mm" offset; printing writes UTC with 0, 3, 6 or 9
// fractional digits, as protobuf does. Range: years 0001 to 9999.
// Durations: "10s", "0.100s", "-1.5s"; printing writes 0, 3, 6 or 9 fractional digits.
// Range: +-315,576,000,000 seconds.
#ifndef LOCKSTEP_ENGINE_HISTORY_TIME_FORMAT_H_
#define LOCKSTEP_ENGINE_HISTORY_TIME_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace lockstep::history {

[[nodiscard]] absl::Status ParseRfc3339(absl::string_view text, int64_t* seconds, int32_t* nanos);
[[nodiscard]] absl::Status ParseProtoDuration(absl::string_view text, int64_t* seconds,
                                              int32_t* nanos);

// Appends the text form. Inputs outside the valid range are clamped by protobuf's rules
// (callers validate first); the output is always well-formed.
void AppendRfc3339(int64_t seconds, int32_t nanos, std::string* out);
void AppendProtoDuration(int64_t seconds, int32_t nanos, std::string* out);

}  // namespace lockstep::history

#endif  // LOCKSTEP_ENGINE_HISTORY_TIME_FORMAT_H_
