// Compact, deterministic JSON text for the json/plain payload encoding.
//
// Output depends only on the value: no locale, no printf. Integers in decimal; floating point
// as the shortest text that reads back to the same value (std::to_chars), with -0.0 written
// "-0.0" so its sign survives, and NaN/±Infinity written `null` (plain JSON has no spelling
// for them). Strings are escaped as ECMAScript's JSON.stringify does: \" \\ \b \f \n \r \t,
// other control characters as \u00xx (lowercase hex); everything else, including non-ASCII
// UTF-8, passes through. Bytes that are not valid UTF-8 become U+FFFD, one per maximal
// invalid subpart (the Unicode/WHATWG rule), so the output is always valid JSON.
#ifndef LOCKSTEP_ENGINE_PAYLOAD_JSON_ENCODE_H_
#define LOCKSTEP_ENGINE_PAYLOAD_JSON_ENCODE_H_

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace lockstep::payload_internal {

inline void AppendJsonBool(bool value, std::string* out) { out->append(value ? "true" : "false"); }

inline void AppendJsonNull(std::string* out) { out->append("null"); }

inline void AppendJsonInt(int64_t value, std::string* out) {
  char buf[24];
  auto result = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, result.ptr);
}

inline void AppendJsonUint(uint64_t value, std::string* out) {
  char buf[24];
  auto result = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, result.ptr);
}

void AppendJsonDouble(double value, std::string* out);
void AppendJsonFloat(float value, std::string* out);

// Appends `text` as a quoted JSON string (see the file comment for the escaping rules).
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace lockstep::payload_internal

#endif  // LOCKSTEP_ENGINE_PAYLOAD_JSON_ENCODE_H_
