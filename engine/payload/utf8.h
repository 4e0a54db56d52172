// UTF-8 well-formedness as Unicode defines it (Table 3-7): no overlong forms, no surrogates,
// nothing above U+10FFFF. Used by the JSON encoder to pass valid text through and to replace
// invalid bytes with U+FFFD.
#ifndef LOCKSTEP_ENGINE_PAYLOAD_UTF8_H_
#define LOCKSTEP_ENGINE_PAYLOAD_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace lockstep::payload_internal {

inline constexpr std::string_view kUtf8Replacement = "\xEF\xBF\xBD";  // U+FFFD

struct Utf8Scan {
  // Bytes examined: the whole sequence when valid, else the maximal subpart (at least 1) of an
  // ill-formed sequence, which is what one U+FFFD replaces.
  size_t length;
  bool valid;
};

// Scans the sequence starting at text[0]. Requires !text.empty().
constexpr Utf8Scan ScanUtf8(std::string_view text) {
  const auto b0 = static_cast<unsigned char>(text[0]);
  if (b0 < 0x80) return {1, true};
  size_t need = 0;                     // continuation bytes after the lead
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the first continuation byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return {1, false};
  }
  for (size_t k = 1; k <= need; ++k) {
    if (k >= text.size()) return {k, false};
    const auto b = static_cast<unsigned char>(text[k]);
    if (b < lo || b > hi) return {k, false};
    lo = 0x80;
    hi = 0xBF;
  }
  return {need + 1, true};
}

constexpr bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    Utf8Scan scan = ScanUtf8(text.substr(i));
    if (!scan.valid) return false;
    i += scan.length;
  }
  return true;
}

// `text` with every ill-formed sequence replaced by U+FFFD (one per maximal subpart), for text
// of unknown origin (an exception's what()) that goes where UTF-8 is required.
inline std::string ToValidUtf8(std::string_view text) {
  if (IsValidUtf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  size_t i = 0;
  while (i < text.size()) {
    Utf8Scan scan = ScanUtf8(text.substr(i));
    if (scan.valid) {
      out.append(text.substr(i, scan.length));
    } else {
      out.append(kUtf8Replacement);
    }
    i += scan.length;
  }
  return out;
}

}  // namespace lockstep::payload_internal

#endif  // LOCKSTEP_ENGINE_PAYLOAD_UTF8_H_
