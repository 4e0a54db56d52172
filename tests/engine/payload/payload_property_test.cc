// Properties of payload conversion over random values: round trips (bitwise for floating
// point), deterministic bytes for maps whatever their hash order, UTF-8 handling, agreement
// of the direct scalar parsers with the DOM, and no crash on arbitrary bytes.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/payload/payload.h"
#include "engine/payload/utf8.h"
#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"
#include "tests/engine/payload/test_types.h"

namespace lockstep {
namespace {

using payload_internal::IsValidUtf8;
using payload_test::Line;
using payload_test::Order;

Payload JsonPayload(const std::string& data) {
  Payload payload;
  (*payload.mutable_metadata())["encoding"] = "json/plain";
  payload.set_data(data);
  return payload;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Valid UTF-8 text: every code point but surrogates, control characters included.
rc::Gen<std::string> Utf8String() {
  auto code_point = rc::gen::oneOf(
      rc::gen::inRange<uint32_t>(0, 0x80), rc::gen::inRange<uint32_t>(0x80, 0x800),
      rc::gen::inRange<uint32_t>(0x800, 0xD800), rc::gen::inRange<uint32_t>(0xE000, 0x10000),
      rc::gen::inRange<uint32_t>(0x10000, 0x110000));
  return rc::gen::map(rc::gen::container<std::vector<uint32_t>>(code_point),
                      [](const std::vector<uint32_t>& cps) {
                        std::string text;
                        for (uint32_t cp : cps) AppendUtf8(cp, &text);
                        return text;
                      });
}

// Finite doubles: small, large, subnormal and everything between.
rc::Gen<double> FiniteDouble() {
  return rc::gen::suchThat(
      rc::gen::oneOf(rc::gen::arbitrary<double>(),
                     rc::gen::map(rc::gen::inRange<uint64_t>(0, ~uint64_t{0}),
                                  [](uint64_t bits) { return std::bit_cast<double>(bits); })),
      [](double d) { return std::isfinite(d); });
}

rc::Gen<float> FiniteFloat() {
  return rc::gen::suchThat(rc::gen::map(rc::gen::inRange<uint32_t>(0, ~uint32_t{0}),
                                        [](uint32_t bits) { return std::bit_cast<float>(bits); }),
                           [](float f) { return std::isfinite(f); });
}

template <typename T>
T RoundTrip(const T& value) {
  Payload payload = ToPayload(value);
  absl::StatusOr<T> decoded = FromPayload<T>(payload);
  RC_ASSERT(decoded.ok());
  return *std::move(decoded);
}

RC_GTEST_PROP(PayloadProperty, Utf8StringVectorsRoundTrip, ()) {
  const auto strings = *rc::gen::container<std::vector<std::string>>(Utf8String());
  RC_ASSERT(RoundTrip(strings) == strings);
  for (const std::string& text : strings) RC_ASSERT(RoundTrip(text) == text);
}

// Invalid UTF-8 is replaced, never passed through: the output is always valid JSON, reads
// back as valid UTF-8 equal to the input when the input was valid, and re-encodes to the same
// bytes.
RC_GTEST_PROP(PayloadProperty, ArbitraryBytesEncodeToValidJson, (const std::string& bytes)) {
  RC_CLASSIFY(IsValidUtf8(bytes), "valid");
  Payload payload = ToPayload(bytes);
  absl::StatusOr<std::string> decoded = FromPayload<std::string>(payload);
  RC_ASSERT(decoded.ok());
  RC_ASSERT(IsValidUtf8(*decoded));
  if (IsValidUtf8(bytes)) RC_ASSERT(*decoded == bytes);
  RC_ASSERT(ToPayload(*decoded).data() == payload.data());
  // The DOM reads it the same way.
  auto in_vector = FromPayload<std::vector<std::string>>(ToPayload(std::vector{bytes}));
  RC_ASSERT(in_vector.ok());
  RC_ASSERT((*in_vector)[0] == *decoded);
}

RC_GTEST_PROP(PayloadProperty, Int64RoundTripsAsDecimal, ()) {
  const int64_t value = *rc::gen::oneOf(
      rc::gen::arbitrary<int64_t>(),
      rc::gen::inRange<int64_t>(std::numeric_limits<int64_t>::min(),
                                std::numeric_limits<int64_t>::max()),
      rc::gen::element(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()));
  RC_ASSERT(ToPayload(value).data() == std::to_string(value));
  RC_ASSERT(RoundTrip(value) == value);
  RC_ASSERT(RoundTrip(std::vector{value}) == std::vector{value});
  // Every narrower type decodes it exactly when it is in range.
  auto as_int8 = FromPayload<int8_t>(ToPayload(value));
  RC_ASSERT(as_int8.ok() == (value >= -128 && value <= 127));
  auto as_uint32 = FromPayload<uint32_t>(ToPayload(value));
  RC_ASSERT(as_uint32.ok() == (value >= 0 && value <= 4294967295));
  if (as_uint32.ok()) RC_ASSERT(static_cast<int64_t>(*as_uint32) == value);
}

RC_GTEST_PROP(PayloadProperty, Uint64RoundTrips, ()) {
  const uint64_t value = *rc::gen::inRange<uint64_t>(0, ~uint64_t{0});
  RC_ASSERT(ToPayload(value).data() == std::to_string(value));
  RC_ASSERT(RoundTrip(value) == value);
}

RC_GTEST_PROP(PayloadProperty, FiniteDoublesRoundTripBitwise, ()) {
  const double value = *FiniteDouble();
  RC_ASSERT(std::bit_cast<uint64_t>(RoundTrip(value)) == std::bit_cast<uint64_t>(value));
  std::vector<double> in_vector = RoundTrip(std::vector{value});
  RC_ASSERT(std::bit_cast<uint64_t>(in_vector[0]) == std::bit_cast<uint64_t>(value));
}

RC_GTEST_PROP(PayloadProperty, FiniteFloatsRoundTripBitwise, ()) {
  const float value = *FiniteFloat();
  RC_ASSERT(std::bit_cast<uint32_t>(RoundTrip(value)) == std::bit_cast<uint32_t>(value));
}

RC_GTEST_PROP(PayloadProperty, MapsRoundTripWithOrderIndependentBytes, ()) {
  const auto map = *rc::gen::container<std::map<std::string, int64_t>>(
      Utf8String(), rc::gen::arbitrary<int64_t>());
  RC_ASSERT(RoundTrip(map) == map);
  absl::flat_hash_map<std::string, int64_t> hashed(map.begin(), map.end());
  RC_ASSERT(RoundTrip(hashed) == hashed);
  RC_ASSERT(ToPayload(hashed).data() == ToPayload(map).data());
}

RC_GTEST_PROP(PayloadProperty, StructsRoundTrip, ()) {
  Order order;
  order.id = *Utf8String();
  order.cents = *rc::gen::arbitrary<int64_t>();
  order.items = *rc::gen::container<std::vector<std::string>>(Utf8String());
  const auto lines = *rc::gen::container<std::vector<std::pair<std::string, int32_t>>>(
      rc::gen::pair(Utf8String(), rc::gen::arbitrary<int32_t>()));
  for (const auto& [sku, quantity] : lines) order.lines.push_back(Line{sku, quantity});
  if (*rc::gen::arbitrary<bool>()) order.note = *Utf8String();
  order.weights = *rc::gen::container<std::map<std::string, double>>(Utf8String(), FiniteDouble());
  RC_ASSERT(RoundTrip(order) == order);
}

// Concatenations of pieces drawn from `pieces`.
rc::Gen<std::string> Joined(std::vector<std::string> pieces) {
  return rc::gen::map(rc::gen::container<std::vector<std::string>>(rc::gen::elementOf(pieces)),
                      [](const std::vector<std::string>& parts) {
                        std::string text;
                        for (const std::string& part : parts) text += part;
                        return text;
                      });
}

// Text near the scalar grammar: numbers and strings built from valid parts with occasional
// invalid ones, whitespace around, and byte soup.
rc::Gen<std::string> ScalarLikeJson() {
  auto number = rc::gen::apply(
      [](const std::string& sign, const std::string& digits, const std::string& fraction,
         const std::string& exponent) { return sign + digits + fraction + exponent; },
      rc::gen::element<std::string>("", "", "-", "+"),
      rc::gen::element<std::string>("0", "1", "7", "42", "255", "256", "9007199254740993",
                                    "9223372036854775807", "9223372036854775808",
                                    "18446744073709551615", "18446744073709551616",
                                    "123456789012345678901234567890", "01", ""),
      rc::gen::element<std::string>("", "", "", ".0", ".5", ".25", "."),
      rc::gen::element<std::string>("", "", "", "e0", "E2", "e-2", "e+308", "e38", "e39", "e400",
                                    "e-400", "e"));
  auto piece = rc::gen::weightedOneOf<std::string>(
      {{12, rc::gen::element<std::string>("a", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9",
                                          "\\ud83d\\ude00", "\xc3\xa9", "\xf0\x9f\x98\x80", " ")},
       {1, rc::gen::element<std::string>("\\ud83d", "\\u", "\\x", "\xff", "\x01", "\t",
                                         "\xed\xa0\x80", "\"", "\\")}});
  auto quoted = rc::gen::map(rc::gen::container<std::vector<std::string>>(piece),
                             [](const std::vector<std::string>& pieces) {
                               std::string text = "\"";
                               for (const std::string& part : pieces) text += part;
                               return text + "\"";
                             });
  auto soup = Joined({"0",    "1",     "-",    ".", "e", " ", "\"", "\\", "u",    "t", "r",
                      "true", "false", "null", ",", "[", "]", "{",  "}",  "\xff", "\n"});
  auto space = rc::gen::element<std::string>("", "", " ", "\n\t ", "\r");
  return rc::gen::apply([](const std::string& before, const std::string& token,
                           const std::string& after) { return before + token + after; },
                        space, rc::gen::oneOf(number, quoted, soup), space);
}

// The direct scalar parsers accept exactly what the DOM accepts, with the same value.
RC_GTEST_PROP(PayloadProperty, FastPathAgreesWithDom, ()) {
  // Twenty texts per case: most are rejected by both, so draw many.
  for (const std::string& text :
       *rc::gen::container<std::vector<std::string>>(20, ScalarLikeJson())) {
    const std::string array = "[" + text + "]";
    RC_CLASSIFY(FromPayload<double>(JsonPayload(text)).ok(), "double ok");
    RC_CLASSIFY(FromPayload<std::string>(JsonPayload(text)).ok(), "string ok");
    auto check = [&](auto scalar, auto dom, auto same) {
      const bool dom_ok = dom.ok() && dom->size() == 1;
      RC_ASSERT(scalar.ok() == dom_ok);
      if (dom_ok) RC_ASSERT(same(*scalar, (*dom)[0]));
    };
    auto equal = [](const auto& a, const auto& b) { return a == b; };
    check(FromPayload<int64_t>(JsonPayload(text)),
          FromPayload<std::vector<int64_t>>(JsonPayload(array)), equal);
    check(FromPayload<uint64_t>(JsonPayload(text)),
          FromPayload<std::vector<uint64_t>>(JsonPayload(array)), equal);
    check(FromPayload<int>(JsonPayload(text)), FromPayload<std::vector<int>>(JsonPayload(array)),
          equal);
    check(FromPayload<bool>(JsonPayload(text)), FromPayload<std::vector<bool>>(JsonPayload(array)),
          equal);
    check(FromPayload<std::string>(JsonPayload(text)),
          FromPayload<std::vector<std::string>>(JsonPayload(array)), equal);
    check(
        FromPayload<float>(JsonPayload(text)), FromPayload<std::vector<float>>(JsonPayload(array)),
        [](float a, float b) { return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b); });
    check(FromPayload<double>(JsonPayload(text)),
          FromPayload<std::vector<double>>(JsonPayload(array)), [](double a, double b) {
            return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
          });
  }
}

// Whatever the bytes, decoding returns a value or InvalidArgument.
RC_GTEST_PROP(PayloadProperty, ArbitraryBytesNeverCrash, (const std::string& bytes)) {
  auto ok_or_invalid = [](const absl::Status& status) {
    return status.ok() || status.code() == absl::StatusCode::kInvalidArgument;
  };
  Payload payload = JsonPayload(bytes);
  RC_ASSERT(ok_or_invalid(FromPayload<int>(payload).status()));
  RC_ASSERT(ok_or_invalid(FromPayload<std::string>(payload).status()));
  RC_ASSERT(ok_or_invalid(FromPayload<Order>(payload).status()));
  RC_ASSERT(ok_or_invalid(
      FromPayload<std::vector<std::map<std::string, std::optional<double>>>>(payload).status()));
  (*payload.mutable_metadata())["encoding"] = "binary/protobuf";
  RC_ASSERT(ok_or_invalid(FromPayload<temporal::api::common::v1::Memo>(payload).status()));
}

// Arbitrary well-formed JSON documents built from random values decode or fail cleanly.
RC_GTEST_PROP(PayloadProperty, WellFormedJsonOfTheWrongShapeFailsCleanly, ()) {
  const auto map = *rc::gen::container<std::map<std::string, std::vector<double>>>(
      Utf8String(), rc::gen::container<std::vector<double>>(FiniteDouble()));
  const Payload payload = ToPayload(map);
  auto as_order = FromPayload<Order>(payload);
  RC_ASSERT(!as_order.ok());
  RC_ASSERT(as_order.status().code() == absl::StatusCode::kInvalidArgument);
  auto as_nested = FromPayload<std::map<std::string, std::vector<int64_t>>>(payload);
  if (!as_nested.ok()) {
    RC_ASSERT(as_nested.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace lockstep
