#include "engine/payload/json_decode.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <system_error>
#include <type_traits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "engine/payload/json_encode.h"
#include "simdjson.h"

namespace lockstep::payload_internal {

using simdjson::dom::element;
using simdjson::dom::element_type;

static_assert(sizeof(element) == sizeof(JsonValue) && alignof(element) <= alignof(JsonValue));
static_assert(std::is_trivially_copyable_v<element>);

struct JsonValueAccess {
  static element Get(const JsonValue& value) {
    element e;
    std::memcpy(static_cast<void*>(&e), value.rep_, sizeof(e));
    return e;
  }
  static JsonValue Make(const element& e) {
    JsonValue value;
    std::memcpy(value.rep_, static_cast<const void*>(&e), sizeof(e));
    return value;
  }
};

namespace {

// simdjson speaks std::string_view; this abseil release has its own string_view type.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr size_t kMaxQuotedBytes = 40;

// A short rendering of a value for error messages.
std::string Describe(const element& e) {
  std::string out;
  switch (e.type()) {
    case element_type::NULL_VALUE:
      return "null";
    case element_type::BOOL:
      return e.get_bool().value_unsafe() ? "true" : "false";
    case element_type::INT64:
      AppendJsonInt(e.get_int64().value_unsafe(), &out);
      return out;
    case element_type::UINT64:
      AppendJsonUint(e.get_uint64().value_unsafe(), &out);
      return out;
    case element_type::DOUBLE:
      AppendJsonDouble(e.get_double().value_unsafe(), &out);
      return out;
    case element_type::STRING: {
      std::string_view text = e.get_string().value_unsafe();
      if (text.size() <= kMaxQuotedBytes) {
        AppendJsonString(text, &out);
      } else {
        AppendJsonString(text.substr(0, kMaxQuotedBytes), &out);
        out.insert(out.size() - 1, "...");
      }
      return out;
    }
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
  }
  return "a value";
}

bool IsIdentifier(std::string_view key) {
  if (key.empty()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Doubles that convert to int64_t / uint64_t without undefined behaviour: [-2^63, 2^63)
// and [0, 2^64).
constexpr double kTwo63 = 9223372036854775808.0;
constexpr double kTwo64 = 18446744073709551616.0;

bool IsIntegral(double d) { return std::isfinite(d) && std::trunc(d) == d; }

std::string RangeText(std::string_view type_name, std::string_view min, std::string_view max) {
  return absl::StrCat("an integer in [", AV(min), ", ", AV(max), "] (", AV(type_name), ")");
}

template <typename Int>
std::string IntText(Int value) {
  std::string out;
  if constexpr (std::is_signed_v<Int>) {
    AppendJsonInt(value, &out);
  } else {
    AppendJsonUint(value, &out);
  }
  return out;
}

// JSON whitespace.
const char* SkipWhitespace(const char* p, const char* end) {
  while (p != end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
  return p;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Scans a JSON number token at p. Returns its end, or nullptr when the grammar is not met.
// *integer_form is set when the token has neither fraction nor exponent.
const char* ScanNumber(const char* p, const char* end, bool* integer_form) {
  if (p != end && *p == '-') ++p;
  if (p == end || !IsDigit(*p)) return nullptr;
  if (*p == '0') {
    ++p;
  } else {
    while (p != end && IsDigit(*p)) ++p;
  }
  *integer_form = true;
  if (p != end && *p == '.') {
    *integer_form = false;
    ++p;
    if (p == end || !IsDigit(*p)) return nullptr;
    while (p != end && IsDigit(*p)) ++p;
  }
  if (p != end && (*p == 'e' || *p == 'E')) {
    *integer_form = false;
    ++p;
    if (p != end && (*p == '+' || *p == '-')) ++p;
    if (p == end || !IsDigit(*p)) return nullptr;
    while (p != end && IsDigit(*p)) ++p;
  }
  return p;
}

// An integer-form token's sign and magnitude, if the magnitude fits in 64 bits.
struct IntegerToken {
  bool negative;
  uint64_t magnitude;
};

std::optional<IntegerToken> ReadIntegerToken(const char* begin, const char* end) {
  bool negative = begin != end && *begin == '-';
  if (negative) ++begin;
  uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(begin, end, magnitude);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return IntegerToken{negative, magnitude};
}

// simdjson's DOM reads integer tokens beyond the 64-bit ranges as a parse error. JSON has no
// such limit (JavaScript writes 1e20 as "100000000000000000000"), so on that error the text is
// retried with ".0" appended to each such token, which simdjson reads as a double. Strings
// are copied unchanged.
std::optional<std::string> WidenBigIntegers(std::string_view json) {
  std::string out;
  out.reserve(json.size() + 16);
  bool changed = false;
  const char* p = json.data();
  const char* end = p + json.size();
  while (p != end) {
    char c = *p;
    if (c == '"') {
      const char* start = p++;
      while (p != end && *p != '"') p += (*p == '\\' && p + 1 != end) ? 2 : 1;
      if (p != end) ++p;
      out.append(start, p);
    } else if (c == '-' || IsDigit(c)) {
      bool integer_form = false;
      const char* token_end = ScanNumber(p, end, &integer_form);
      if (token_end == nullptr) return std::nullopt;  // a real syntax error
      out.append(p, token_end);
      if (integer_form) {
        std::optional<IntegerToken> token = ReadIntegerToken(p, token_end);
        bool fits =
            token.has_value() && (!token->negative || token->magnitude <= (uint64_t{1} << 63));
        if (!fits) {
          out.append(".0");
          changed = true;
        }
      }
      p = token_end;
    } else {
      out.push_back(c);
      ++p;
    }
  }
  if (!changed) return std::nullopt;
  return out;
}

// Parsers above this capacity (bytes of input) are dropped after use rather than kept.
constexpr size_t kMaxRetainedCapacity = size_t{4} << 20;

thread_local std::unique_ptr<simdjson::dom::parser> tls_parser;
thread_local bool tls_parser_in_use = false;

}  // namespace

bool FitsFloat(double value) {
  // FLT_MAX is 0x1.fffffep127; values below the midpoint to the next power of two still
  // round to it, the midpoint itself rounds (to even) to infinity.
  constexpr double kOverflow = 0x1.ffffffp127;
  return !std::isfinite(value) || std::fabs(value) < kOverflow;
}

// ---------------------------------------------------------------------------------------------
// JsonValue

JsonKind JsonValue::kind() const {
  switch (JsonValueAccess::Get(*this).type()) {
    case element_type::NULL_VALUE:
      return JsonKind::kNull;
    case element_type::BOOL:
      return JsonKind::kBool;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return JsonKind::kNumber;
    case element_type::STRING:
      return JsonKind::kString;
    case element_type::ARRAY:
      return JsonKind::kArray;
    case element_type::OBJECT:
      return JsonKind::kObject;
  }
  return JsonKind::kNull;
}

bool JsonValue::GetBool(bool* out, DecodeContext& ctx) const {
  element e = JsonValueAccess::Get(*this);
  if (e.type() != element_type::BOOL) return ctx.FailExpected("a boolean", *this);
  *out = e.get_bool().value_unsafe();
  return true;
}

bool JsonValue::GetSigned(int64_t min, int64_t max, std::string_view type_name, int64_t* out,
                          DecodeContext& ctx) const {
  element e = JsonValueAccess::Get(*this);
  int64_t value = 0;
  bool in_range = false;
  switch (e.type()) {
    case element_type::INT64:
      value = e.get_int64().value_unsafe();
      in_range = true;
      break;
    case element_type::UINT64:
      break;  // above INT64_MAX
    case element_type::DOUBLE: {
      double d = e.get_double().value_unsafe();
      if (!IsIntegral(d)) return ctx.FailExpected("an integer", *this);
      in_range = d >= -kTwo63 && d < kTwo63;
      if (in_range) value = static_cast<int64_t>(d);
      break;
    }
    default:
      return ctx.FailExpected("an integer", *this);
  }
  if (!in_range || value < min || value > max) {
    return ctx.FailExpected(RangeText(type_name, IntText(min), IntText(max)), *this);
  }
  *out = value;
  return true;
}

bool JsonValue::GetUnsigned(uint64_t max, std::string_view type_name, uint64_t* out,
                            DecodeContext& ctx) const {
  element e = JsonValueAccess::Get(*this);
  uint64_t value = 0;
  bool in_range = false;
  switch (e.type()) {
    case element_type::INT64: {
      int64_t v = e.get_int64().value_unsafe();
      in_range = v >= 0;
      if (in_range) value = static_cast<uint64_t>(v);
      break;
    }
    case element_type::UINT64:
      value = e.get_uint64().value_unsafe();
      in_range = true;
      break;
    case element_type::DOUBLE: {
      double d = e.get_double().value_unsafe();
      if (!IsIntegral(d)) return ctx.FailExpected("an integer", *this);
      in_range = d >= 0 && d < kTwo64;
      if (in_range) value = static_cast<uint64_t>(d);
      break;
    }
    default:
      return ctx.FailExpected("an integer", *this);
  }
  if (!in_range || value > max) {
    return ctx.FailExpected(RangeText(type_name, "0", IntText(max)), *this);
  }
  *out = value;
  return true;
}

bool JsonValue::GetDouble(double* out, DecodeContext& ctx) const {
  element e = JsonValueAccess::Get(*this);
  switch (e.type()) {
    case element_type::NULL_VALUE:
      *out = std::numeric_limits<double>::quiet_NaN();
      return true;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      *out = e.get_double().value_unsafe();
      return true;
    default:
      return ctx.FailExpected("a number", *this);
  }
}

bool JsonValue::GetFloat(float* out, DecodeContext& ctx) const {
  double d = 0;
  if (!GetDouble(&d, ctx)) return false;
  if (!FitsFloat(d)) {
    return ctx.FailExpected("a number in the range of float", *this);
  }
  *out = static_cast<float>(d);
  return true;
}

bool JsonValue::GetString(std::string* out, DecodeContext& ctx) const {
  element e = JsonValueAccess::Get(*this);
  if (e.type() != element_type::STRING) return ctx.FailExpected("a string", *this);
  std::string_view text = e.get_string().value_unsafe();
  out->assign(text.data(), text.size());
  return true;
}

bool JsonValue::ExpectArray(size_t* size, DecodeContext& ctx) const {
  element e = JsonValueAccess::Get(*this);
  if (e.type() != element_type::ARRAY) return ctx.FailExpected("an array", *this);
  *size = e.get_array().value_unsafe().size();
  return true;
}

bool JsonValue::ForEachElement(absl::FunctionRef<bool(size_t, JsonValue)> fn) const {
  size_t index = 0;
  const simdjson::dom::array array = JsonValueAccess::Get(*this).get_array().value_unsafe();
  for (element child : array) {
    if (!fn(index, JsonValueAccess::Make(child))) return false;
    ++index;
  }
  return true;
}

bool JsonValue::ExpectObject(DecodeContext& ctx) const {
  if (JsonValueAccess::Get(*this).type() != element_type::OBJECT) {
    return ctx.FailExpected("an object", *this);
  }
  return true;
}

bool JsonValue::ForEachMember(absl::FunctionRef<bool(std::string_view, JsonValue)> fn) const {
  const simdjson::dom::object object = JsonValueAccess::Get(*this).get_object().value_unsafe();
  for (auto field : object) {
    if (!fn(field.key, JsonValueAccess::Make(field.value))) return false;
  }
  return true;
}

int JsonValue::FindMember(std::string_view key, JsonValue* first) const {
  int count = 0;
  const simdjson::dom::object object = JsonValueAccess::Get(*this).get_object().value_unsafe();
  for (auto field : object) {
    if (field.key != key) continue;
    if (count++ > 0) return 2;
    *first = JsonValueAccess::Make(field.value);
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// DecodeContext

bool DecodeContext::Fail(std::string message) {
  message_ = std::move(message);
  path_.clear();
  return false;
}

bool DecodeContext::FailExpected(std::string_view expected, JsonValue got) {
  return Fail(
      absl::StrCat("expected ", AV(expected), ", got ", Describe(JsonValueAccess::Get(got))));
}

bool DecodeContext::FailArrayLength(size_t expected, size_t got) {
  return Fail(absl::StrCat("expected an array of ", expected, " elements, got an array of ", got,
                           " elements"));
}

bool DecodeContext::FailDuplicateKey(std::string_view key) {
  std::string quoted;
  AppendJsonString(key, &quoted);
  return Fail(absl::StrCat("duplicate key ", quoted));
}

bool DecodeContext::FailMissingKey(std::string_view key, std::string_view type_name) {
  std::string quoted;
  AppendJsonString(key, &quoted);
  return Fail(absl::StrCat("missing key ", quoted, " of ", AV(type_name)));
}

bool DecodeContext::AtIndex(size_t index) {
  path_.push_back(absl::StrCat("[", index, "]"));
  return false;
}

bool DecodeContext::AtKey(std::string_view key) {
  std::string segment;
  if (IsIdentifier(key)) {
    segment = absl::StrCat(".", AV(key));
  } else {
    segment.push_back('[');
    AppendJsonString(key, &segment);
    segment.push_back(']');
  }
  path_.push_back(std::move(segment));
  return false;
}

absl::Status DecodeContext::ToStatus() const {
  std::string path = "$";
  for (auto it = path_.rbegin(); it != path_.rend(); ++it) path.append(*it);
  return absl::InvalidArgumentError(absl::StrCat("payload: ", message_, " at ", path));
}

// ---------------------------------------------------------------------------------------------
// ParseJsonDocument

absl::Status ParseJsonDocument(std::string_view json,
                               absl::FunctionRef<bool(JsonValue, DecodeContext&)> decode) {
  // One parser per thread, reused; a nested call (none today) gets its own.
  std::optional<simdjson::dom::parser> local_parser;
  simdjson::dom::parser* parser = nullptr;
  if (tls_parser_in_use) {
    parser = &local_parser.emplace();
  } else {
    if (tls_parser == nullptr) tls_parser = std::make_unique<simdjson::dom::parser>();
    parser = tls_parser.get();
    tls_parser_in_use = true;
  }
  struct Release {
    simdjson::dom::parser* parser;
    ~Release() {
      if (parser != tls_parser.get()) return;
      tls_parser_in_use = false;
      if (parser->capacity() > kMaxRetainedCapacity) tls_parser.reset();
    }
  } release{parser};

  // parse() copies the text into the parser's padded buffer.
  auto result = parser->parse(json.data(), json.size());
  std::optional<std::string> widened;
  if (result.error() == simdjson::NUMBER_ERROR) {
    widened = WidenBigIntegers(json);
    if (widened.has_value()) result = parser->parse(widened->data(), widened->size());
  }
  if (result.error() != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat("payload: invalid JSON (", simdjson::error_message(result.error()), ")"));
  }
  DecodeContext ctx;
  if (!decode(JsonValueAccess::Make(result.value_unsafe()), ctx)) return ctx.ToStatus();
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Fast paths

bool FastParseBool(std::string_view json, bool* out) {
  const char* end = json.data() + json.size();
  const char* p = SkipWhitespace(json.data(), end);
  std::string_view rest(p, static_cast<size_t>(end - p));
  size_t length = 0;
  if (rest.substr(0, 4) == "true") {
    *out = true;
    length = 4;
  } else if (rest.substr(0, 5) == "false") {
    *out = false;
    length = 5;
  } else {
    return false;
  }
  return SkipWhitespace(p + length, end) == end;
}

namespace {

// The single integer-form number that makes up `json`, whitespace aside.
std::optional<IntegerToken> FastIntegerToken(std::string_view json) {
  const char* end = json.data() + json.size();
  const char* p = SkipWhitespace(json.data(), end);
  bool integer_form = false;
  const char* token_end = ScanNumber(p, end, &integer_form);
  if (token_end == nullptr || !integer_form) return std::nullopt;
  if (SkipWhitespace(token_end, end) != end) return std::nullopt;
  return ReadIntegerToken(p, token_end);
}

}  // namespace

bool FastParseInt64(std::string_view json, int64_t* out) {
  std::optional<IntegerToken> token = FastIntegerToken(json);
  if (!token.has_value()) return false;
  if (token->negative) {
    if (token->magnitude > (uint64_t{1} << 63)) return false;
    // Two's complement negation in unsigned arithmetic; exact for -2^63 as well.
    *out = static_cast<int64_t>(~token->magnitude + 1);
  } else {
    if (token->magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return false;
    }
    *out = static_cast<int64_t>(token->magnitude);
  }
  return true;
}

bool FastParseUint64(std::string_view json, uint64_t* out) {
  std::optional<IntegerToken> token = FastIntegerToken(json);
  if (!token.has_value()) return false;
  if (token->negative && token->magnitude != 0) return false;
  *out = token->magnitude;
  return true;
}

bool FastParseDouble(std::string_view json, double* out) {
  const char* end = json.data() + json.size();
  const char* p = SkipWhitespace(json.data(), end);
  bool integer_form = false;
  const char* token_end = ScanNumber(p, end, &integer_form);
  if (token_end == nullptr || SkipWhitespace(token_end, end) != end) return false;
  if (integer_form) {
    // As the DOM reads it: an integer converted to double ("-0" is +0.0).
    std::optional<IntegerToken> token = ReadIntegerToken(p, token_end);
    if (token.has_value() && !token->negative) {
      *out = static_cast<double>(token->magnitude);
      return true;
    }
    if (token.has_value() && token->magnitude <= (uint64_t{1} << 63)) {
      *out = static_cast<double>(static_cast<int64_t>(~token->magnitude + 1));
      return true;
    }
    // Beyond 64 bits: the DOM reads it as a double, exactly as from_chars does below.
  }
  auto [ptr, ec] = std::from_chars(p, token_end, *out);
  // Out of range (1e400, and also 1e-400, which the DOM reads as 0): let the DOM decide.
  return ec == std::errc() && ptr == token_end;
}

bool FastParseString(std::string_view json, std::string* out) {
  const char* end = json.data() + json.size();
  const char* p = SkipWhitespace(json.data(), end);
  if (p == end || *p != '"') return false;
  ++p;
  out->clear();
  while (true) {
    const char* run = p;
    while (p != end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
    out->append(run, p);
    if (p == end) return false;
    if (*p == '"') break;
    if (*p != '\\' || p + 1 == end) return false;  // a control character, or a lone backslash
    char escaped = p[1];
    p += 2;
    switch (escaped) {
      case '"':
      case '\\':
      case '/':
        out->push_back(escaped);
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      default:
        return false;  // \uXXXX (rare in practice) and invalid escapes: the DOM handles them
    }
  }
  if (SkipWhitespace(p + 1, end) != end) return false;
  // The escapes above produce ASCII, so this checks exactly the raw bytes of the string.
  return simdjson::validate_utf8(out->data(), out->size());
}

}  // namespace lockstep::payload_internal
