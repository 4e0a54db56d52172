#include "engine/payload/json_encode.h"

#include <cmath>

#include "engine/payload/utf8.h"

namespace lockstep::payload_internal {
namespace {

template <typename Float>
void AppendJsonFloatingPoint(Float value, std::string* out) {
  if (!std::isfinite(value)) {
    AppendJsonNull(out);
    return;
  }
  if (value == 0 && std::signbit(value)) {
    // to_chars writes "-0", which JSON readers (simdjson among them) take as the integer 0.
    out->append("-0.0");
    return;
  }
  char buf[32];
  auto result = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, result.ptr);
}

// Whether byte `c` can be copied into a JSON string as is.
constexpr bool IsPlainAscii(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

void AppendEscapedAscii(unsigned char c, std::string* out) {
  switch (c) {
    case '"':
      out->append("\\\"");
      return;
    case '\\':
      out->append("\\\\");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    default:
      break;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
  out->append(escaped, sizeof(escaped));
}

}  // namespace

void AppendJsonDouble(double value, std::string* out) { AppendJsonFloatingPoint(value, out); }

void AppendJsonFloat(float value, std::string* out) { AppendJsonFloatingPoint(value, out); }

void AppendJsonString(std::string_view text, std::string* out) {
  out->reserve(out->size() + text.size() + 2);
  out->push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    // Copy the longest run of bytes that need no escaping in one append.
    size_t run = i;
    while (run < text.size() && IsPlainAscii(static_cast<unsigned char>(text[run]))) ++run;
    out->append(text.data() + i, run - i);
    i = run;
    if (i == text.size()) break;
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      AppendEscapedAscii(c, out);
      ++i;
      continue;
    }
    Utf8Scan scan = ScanUtf8(text.substr(i));
    if (scan.valid) {
      out->append(text.data() + i, scan.length);
    } else {
      out->append(kUtf8Replacement);
    }
    i += scan.length;
  }
  out->push_back('"');
}

}  // namespace lockstep::payload_internal
