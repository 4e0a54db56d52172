#include "sim/finding.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace lockstep::sim {

std::string Finding::Headline() const {
  std::string out = checker;
  if (!invariant.empty()) absl::StrAppend(&out, " '", invariant, "'");
  if (!workflow_id.empty()) absl::StrAppend(&out, ": ", workflow_id);
  const size_t newline = message.find('\n');
  absl::StrAppend(&out, ": ", message.substr(0, newline));
  return out;
}

std::string Finding::OneLine() const {
  Finding flat = *this;
  std::replace(flat.message.begin(), flat.message.end(), '\n', ' ');
  return flat.Headline();
}

std::string WithoutNumbers(absl::string_view text) {
  std::string out;
  bool in_number = false;
  for (char c : text) {
    const bool digit = c >= '0' && c <= '9';
    if (digit && !in_number) out += 'N';
    if (!digit) out += c;
    in_number = digit;
  }
  return out;
}

std::string FormatReportTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

}  // namespace lockstep::sim
