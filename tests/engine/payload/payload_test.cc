// Payload conversion: exact bytes, round trips of every supported type, what decoding
// accepts, and every error rule of payload.h's contract.
#include "engine/payload/payload.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/engine/payload/test_types.h"

namespace lockstep {
namespace payload_test {
namespace {

using payload_test::Empty;
using payload_test::Line;
using payload_test::Order;
using temporal::api::common::v1::Memo;
using temporal::api::common::v1::WorkflowExecution;
using ::testing::HasSubstr;
using ::testing::StartsWith;

Payload JsonPayload(std::string_view data) {
  Payload payload;
  (*payload.mutable_metadata())["encoding"] = "json/plain";
  payload.set_data(std::string(data));
  return payload;
}

template <typename T>
std::string Json(const T& value) {
  Payload payload = ToPayload(value);
  EXPECT_EQ(EncodingOf(payload), "json/plain");
  return payload.data();
}

template <typename T>
T MustDecode(std::string_view json) {
  absl::StatusOr<T> decoded = FromPayload<T>(JsonPayload(json));
  EXPECT_TRUE(decoded.ok()) << json << ": " << decoded.status();
  return decoded.ok() ? *std::move(decoded) : T{};
}

template <typename T>
std::string DecodeError(const Payload& payload) {
  absl::StatusOr<T> decoded = FromPayload<T>(payload);
  EXPECT_FALSE(decoded.ok()) << payload.data();
  if (decoded.ok()) return "";
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(decoded.status().message());
}

template <typename T>
std::string DecodeError(std::string_view json) {
  return DecodeError<T>(JsonPayload(json));
}

template <typename T>
void ExpectRoundTrip(const T& value) {
  Payload payload = ToPayload(value);
  absl::StatusOr<T> decoded = FromPayload<T>(payload);
  ASSERT_TRUE(decoded.ok()) << payload.data() << ": " << decoded.status();
  EXPECT_EQ(*decoded, value) << payload.data();
  // Encoding the decoded value gives the same bytes again.
  EXPECT_EQ(ToPayload(*decoded).data(), payload.data());
}

// The values of GoldenCorpusHash, recorded once.
constexpr size_t kGoldenCorpusSize = 196907;
constexpr uint64_t kGoldenCorpusHash = 8268134755805396037u;

Order SampleOrder() {
  Order order;
  order.id = "o-1";
  order.cents = 1250;
  order.items = {"apple", "pear"};
  order.lines = {{"A-1", 2}, {"B-7", 1}};
  order.note = "leave at the door";
  order.weights = {{"pear", 0.25}, {"apple", 0.5}};
  return order;
}

// ---------------------------------------------------------------------------------------------
// Exact bytes

TEST(PayloadBytes, MapsAreWrittenWithSortedKeys) {
  EXPECT_EQ(Json(std::map<std::string, int>{{"b", 1}, {"a", 2}}), R"({"a":2,"b":1})");
  absl::flat_hash_map<std::string, int> hashed;
  std::unordered_map<std::string, int> unordered;
  for (int i = 0; i < 50; ++i) {
    hashed[std::to_string(i)] = i;
    unordered[std::to_string(i)] = i;
  }
  std::map<std::string, int> sorted(hashed.begin(), hashed.end());
  EXPECT_EQ(Json(hashed), Json(sorted));
  EXPECT_EQ(Json(unordered), Json(sorted));
  EXPECT_THAT(Json(hashed), StartsWith(R"({"0":0,"1":1,"10":10,"11":11,)"));
  // Bytewise (code point) order, not locale order: "B" < "a" < "é".
  EXPECT_EQ(Json(absl::flat_hash_map<std::string, int>{{"\xc3\xa9", 3}, {"a", 2}, {"B", 1}}),
            "{\"B\":1,\"a\":2,\"\xc3\xa9\":3}");
}

TEST(PayloadBytes, Integers) {
  EXPECT_EQ(Json(int64_t{0}), "0");
  EXPECT_EQ(Json(-42), "-42");
  EXPECT_EQ(Json(std::numeric_limits<int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(Json(std::numeric_limits<int64_t>::max()), "9223372036854775807");
  EXPECT_EQ(Json(std::numeric_limits<uint64_t>::max()), "18446744073709551615");
  EXPECT_EQ(Json(int8_t{-128}), "-128");
  EXPECT_EQ(Json(uint8_t{255}), "255");
  EXPECT_EQ(Json(static_cast<long long>(7)), "7");
  EXPECT_EQ(Json(true), "true");
  EXPECT_EQ(Json(false), "false");
}

TEST(PayloadBytes, FloatingPointIsShortestRoundTrip) {
  EXPECT_EQ(Json(0.1), "0.1");
  EXPECT_EQ(Json(1.0), "1");
  EXPECT_EQ(Json(-2.5), "-2.5");
  EXPECT_EQ(Json(1e21), "1e+21");
  EXPECT_EQ(Json(1e-7), "1e-07");
  EXPECT_EQ(Json(5e-324), "5e-324");
  EXPECT_EQ(Json(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(Json(0.1f), "0.1");
  EXPECT_EQ(Json(0.0), "0");
  EXPECT_EQ(Json(-0.0), "-0.0");  // "-0" would read back as the integer 0
}

TEST(PayloadBytes, NonFiniteFloatingPointIsNull) {
  EXPECT_EQ(Json(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(Json(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(Json(-std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(Json(std::numeric_limits<float>::infinity()), "null");
  EXPECT_EQ(Json(std::vector<double>{1, NAN, 2}), "[1,null,2]");
  // null reads back as NaN: NaN round-trips, infinities come back as NaN.
  EXPECT_TRUE(std::isnan(MustDecode<double>("null")));
  EXPECT_TRUE(std::isnan(MustDecode<float>("null")));
  EXPECT_TRUE(std::isnan(*FromPayload<double>(ToPayload(INFINITY))));
  EXPECT_TRUE(std::isnan(MustDecode<std::vector<double>>("[1,null]")[1]));
  // ... but an optional takes null as nullopt.
  EXPECT_EQ(MustDecode<std::optional<double>>("null"), std::nullopt);
}

TEST(PayloadBytes, StringsAreEscapedAsJsonStringifyDoes) {
  EXPECT_EQ(Json(std::string("a\"b\\c/")), R"("a\"b\\c/")");
  EXPECT_EQ(Json(std::string("\b\f\n\r\t")), R"("\b\f\n\r\t")");
  EXPECT_EQ(Json(std::string("\x01\x1f", 2)), R"("\u0001\u001f")");
  EXPECT_EQ(Json(std::string("nul\0in", 6)), R"("nul\u0000in")");
  EXPECT_EQ(Json(std::string("\x7f")), "\"\x7f\"");
  // UTF-8 passes through unescaped.
  const std::string utf8 = "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80 \xe2\x80\xa8";
  EXPECT_EQ(Json(utf8), "\"" + utf8 + "\"");
  EXPECT_EQ(Json(std::string()), R"("")");
}

TEST(PayloadBytes, InvalidUtf8BecomesReplacementCharacters) {
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(Json(std::string("a\xff"
                             "b")),
            "\"a" + fffd + "b\"");
  // One U+FFFD per maximal invalid subpart: a truncated 3-byte sequence is one.
  EXPECT_EQ(Json(std::string("\xe2\x82"
                             "x")),
            "\"" + fffd + "x\"");
  EXPECT_EQ(Json(std::string("\xe2\x82")), "\"" + fffd + "\"");
  // Surrogates (ED A0 80) and overlong forms (C0 AF) are ill-formed byte by byte.
  EXPECT_EQ(Json(std::string("\xed\xa0\x80")), "\"" + fffd + fffd + fffd + "\"");
  EXPECT_EQ(Json(std::string("\xc0\xaf")), "\"" + fffd + fffd + "\"");
  EXPECT_EQ(Json(std::string("\xf4\x90\x80\x80")), "\"" + fffd + fffd + fffd + fffd + "\"");
  // The result is valid JSON and reads back as the replaced text.
  EXPECT_EQ(*FromPayload<std::string>(ToPayload(std::string("a\xff"))), "a" + fffd);
}

TEST(PayloadBytes, StringLikeTypesEncodeAlike) {
  const std::string expected = R"("hi")";
  EXPECT_EQ(Json("hi"), expected);
  const char* c_string = "hi";
  EXPECT_EQ(Json(c_string), expected);
  EXPECT_EQ(Json(std::string_view("hi")), expected);
  EXPECT_EQ(Json(absl::string_view("hi")), expected);
  EXPECT_EQ(Json(std::string("hi")), expected);
  const char* null_string = nullptr;
  EXPECT_EQ(Json(null_string), "null");
  char buffer[8] = "ab";
  EXPECT_EQ(Json(buffer), R"("ab")");
}

TEST(PayloadBytes, ContainersAndStructs) {
  EXPECT_EQ(Json(std::vector<int>{1, 2, 3}), "[1,2,3]");
  EXPECT_EQ(Json(std::vector<std::string>{}), "[]");
  EXPECT_EQ(Json(std::vector<bool>{true, false}), "[true,false]");
  EXPECT_EQ(Json(std::tuple<int, std::string, bool>{1, "a", true}), R"([1,"a",true])");
  EXPECT_EQ(Json(std::tuple<>{}), "[]");
  EXPECT_EQ(Json(std::pair<std::string, double>{"x", 0.5}), R"(["x",0.5])");
  EXPECT_EQ(Json(std::vector<std::optional<int>>{1, std::nullopt}), "[1,null]");
  EXPECT_EQ(Json(std::vector<std::monostate>{{}}), "[null]");
  EXPECT_EQ(Json(Line{"A-1", 2}), R"({"sku":"A-1","quantity":2})");
  EXPECT_EQ(Json(Empty{}), "{}");
  EXPECT_EQ(Json(SampleOrder()),
            R"({"id":"o-1","cents":1250,"items":["apple","pear"],)"
            R"("lines":[{"sku":"A-1","quantity":2},{"sku":"B-7","quantity":1}],)"
            R"("note":"leave at the door","weights":{"apple":0.5,"pear":0.25}})");
  Order no_note = SampleOrder();
  no_note.note.reset();
  EXPECT_THAT(Json(no_note), HasSubstr(R"("note":null)"));
}

TEST(PayloadBytes, NullEncodings) {
  EXPECT_EQ(EncodingOf(NullPayload()), "binary/null");
  EXPECT_EQ(NullPayload().data(), "");
  EXPECT_EQ(EncodingOf(ToPayload(std::monostate{})), "binary/null");
  EXPECT_EQ(EncodingOf(ToPayload(std::optional<int>())), "binary/null");
  // An optional holding a value is encoded as the value.
  EXPECT_EQ(ToPayload(std::optional<int>(5)).SerializeAsString(), ToPayload(5).SerializeAsString());
}

// The bytes for a fixed pseudo-random corpus (SplitMix64, written here) hash to a constant:
// any compiler, optimization level, locale or run gives the same payloads.
TEST(PayloadBytes, GoldenCorpusHash) {
  uint64_t state = 0x5eed;
  auto next = [&state] {
    uint64_t z = (state += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  };
  std::string corpus;
  for (int i = 0; i < 2000; ++i) {
    const uint64_t bits = next();
    double d;
    std::memcpy(&d, &bits, sizeof(d));
    std::string bytes(bits % 16, '\0');
    for (char& c : bytes) c = static_cast<char>(next());
    absl::flat_hash_map<std::string, double> map;
    for (uint64_t k = 0; k < bits % 5; ++k) map[bytes.substr(0, k)] = static_cast<double>(k) / 3;
    corpus += ToPayload(d).data() + ToPayload(static_cast<int64_t>(bits)).data() +
              ToPayload(bytes).data() + ToPayload(map).data() +
              ToPayload(static_cast<float>(d)).data() + "\n";
  }
  uint64_t hash = 0xcbf29ce484222325;  // FNV-1a
  for (char c : corpus) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3;
  EXPECT_EQ(corpus.size(), kGoldenCorpusSize);
  EXPECT_EQ(hash, kGoldenCorpusHash);
}

// ---------------------------------------------------------------------------------------------
// Round trips

TEST(PayloadRoundTrip, Scalars) {
  ExpectRoundTrip(true);
  ExpectRoundTrip(false);
  ExpectRoundTrip(int8_t{-128});
  ExpectRoundTrip(int8_t{127});
  ExpectRoundTrip(uint8_t{255});
  ExpectRoundTrip(int16_t{-32768});
  ExpectRoundTrip(uint16_t{65535});
  ExpectRoundTrip(std::numeric_limits<int32_t>::min());
  ExpectRoundTrip(std::numeric_limits<uint32_t>::max());
  ExpectRoundTrip(std::numeric_limits<int64_t>::min());
  ExpectRoundTrip(std::numeric_limits<int64_t>::max());
  ExpectRoundTrip(std::numeric_limits<uint64_t>::max());
  ExpectRoundTrip(static_cast<long long>(-5));
  ExpectRoundTrip(static_cast<unsigned long>(5));
  for (double d : {0.0, 0.1, -1.5, 1e21, 1e-7, 5e-324, 1.7976931348623157e308,
                   123456789012345680000.0, 9007199254740993.0, 2.2250738585072014e-308}) {
    ExpectRoundTrip(d);
  }
  for (float f : {0.1f, 3.4028235e38f, 1e-45f, -7.0f, 16777217.0f}) ExpectRoundTrip(f);
  ExpectRoundTrip(std::string("text with \"quotes\", \\ and \n and \xc3\xa9"));
  ExpectRoundTrip(std::string("\0\x01\x1f", 3));
  ExpectRoundTrip(std::monostate{});
}

TEST(PayloadRoundTrip, NegativeZeroKeepsItsSign) {
  absl::StatusOr<double> decoded = FromPayload<double>(ToPayload(-0.0));
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(std::signbit(*decoded));
  auto in_vector = FromPayload<std::vector<double>>(ToPayload(std::vector<double>{-0.0}));
  ASSERT_TRUE(in_vector.ok());
  EXPECT_TRUE(std::signbit((*in_vector)[0]));
}

TEST(PayloadRoundTrip, Containers) {
  ExpectRoundTrip(std::vector<int64_t>{1, -2, 3});
  ExpectRoundTrip(std::vector<bool>{true, false, true});
  ExpectRoundTrip(std::vector<std::vector<std::string>>{{"a"}, {}, {"b", "c"}});
  ExpectRoundTrip(std::map<std::string, int>{{"b", 1}, {"a", 2}});
  ExpectRoundTrip(absl::flat_hash_map<std::string, std::vector<double>>{{"x", {1.5}}, {"y", {}}});
  ExpectRoundTrip(std::unordered_map<std::string, bool>{{"t", true}});
  ExpectRoundTrip(std::optional<int>(7));
  ExpectRoundTrip(std::optional<int>());
  ExpectRoundTrip(std::optional<std::string>(""));
  ExpectRoundTrip(std::vector<std::optional<std::string>>{"a", std::nullopt});
  ExpectRoundTrip(std::tuple<int, std::string, std::vector<bool>>{1, "a", {true}});
  ExpectRoundTrip(std::tuple<>{});
  ExpectRoundTrip(std::pair<std::string, uint64_t>{"big", 18446744073709551615u});
  ExpectRoundTrip(std::map<std::string, std::pair<int, std::optional<double>>>{
      {"k", {1, 2.5}}, {"n", {2, std::nullopt}}});
}

TEST(PayloadRoundTrip, NestedStructs) {
  ExpectRoundTrip(SampleOrder());
  ExpectRoundTrip(Order{});
  ExpectRoundTrip(Empty{});
  ExpectRoundTrip(std::vector<Order>{SampleOrder(), Order{}});
  ExpectRoundTrip(std::map<std::string, Line>{{"first", {"A", 1}}});
  ExpectRoundTrip(std::optional<Order>(SampleOrder()));
  ExpectRoundTrip(std::tuple<Order, Line>{SampleOrder(), {"z", -1}});
}

TEST(PayloadRoundTrip, PayloadsCarryOneValuePerArgument) {
  WorkflowExecution execution;
  execution.set_workflow_id("wf");
  Payloads payloads =
      ToPayloads(1, "two", std::string("three"), SampleOrder(), execution, std::optional<int>());
  ASSERT_EQ(payloads.payloads_size(), 6);
  EXPECT_EQ(payloads.payloads(1).data(), R"("two")");
  EXPECT_EQ(EncodingOf(payloads.payloads(4)), "binary/protobuf");
  EXPECT_EQ(EncodingOf(payloads.payloads(5)), "binary/null");
  auto decoded =
      FromPayloads<int, std::string, std::string, Order, WorkflowExecution, std::optional<int>>(
          payloads);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(std::get<0>(*decoded), 1);
  EXPECT_EQ(std::get<1>(*decoded), "two");
  EXPECT_EQ(std::get<2>(*decoded), "three");
  EXPECT_EQ(std::get<3>(*decoded), SampleOrder());
  EXPECT_EQ(std::get<4>(*decoded).workflow_id(), "wf");
  EXPECT_EQ(std::get<5>(*decoded), std::nullopt);

  EXPECT_EQ(ToPayloads().payloads_size(), 0);
  EXPECT_TRUE(FromPayloads<>(Payloads()).ok());
}

// ---------------------------------------------------------------------------------------------
// What decoding accepts

TEST(PayloadDecode, AcceptsAnyJsonSpellingTheTypeAllows) {
  EXPECT_EQ(MustDecode<int>(" \n\t5\r\n "), 5);
  EXPECT_EQ(MustDecode<int>("1.0"), 1);
  EXPECT_EQ(MustDecode<int>("1e3"), 1000);
  EXPECT_EQ(MustDecode<int>("1.5e1"), 15);
  EXPECT_EQ(MustDecode<int>("-0"), 0);
  EXPECT_EQ(MustDecode<int64_t>("-9223372036854775808"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(MustDecode<uint64_t>("18446744073709551615"), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(MustDecode<uint8_t>("255.0"), 255);
  EXPECT_EQ(MustDecode<double>("5"), 5.0);
  EXPECT_EQ(MustDecode<double>("-1.25E-2"), -0.0125);
  // Integers beyond 64 bits read as doubles (JavaScript writes 1e20 this way).
  EXPECT_EQ(MustDecode<double>("100000000000000000000"), 1e20);
  EXPECT_EQ(MustDecode<std::vector<double>>("[100000000000000000000,-1e2]"),
            (std::vector<double>{1e20, -100}));
  EXPECT_EQ(MustDecode<bool>(" true "), true);
  EXPECT_EQ(MustDecode<std::string>(R"( "a\/b\u00e9\ud83d\ude00\n" )"),
            "a/b\xc3\xa9\xf0\x9f\x98\x80\n");
  EXPECT_EQ(MustDecode<std::vector<int>>(" [ 1 , 2 ,\n3 ] "), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ((MustDecode<std::map<std::string, int>>(R"({ "b" : 1 , "a" : 2 })")),
            (std::map<std::string, int>{{"a", 2}, {"b", 1}}));
  EXPECT_EQ(MustDecode<std::monostate>("null"), std::monostate{});
  EXPECT_EQ(MustDecode<float>("0.1"), 0.1f);
  EXPECT_EQ(MustDecode<float>("3.4028235e38"), std::numeric_limits<float>::max());
  EXPECT_EQ(MustDecode<std::vector<float>>("[3.4028235e38]")[0], std::numeric_limits<float>::max());
  EXPECT_EQ(MustDecode<float>("1e-50"), 0.0f);  // underflow rounds, as any reader does
}

TEST(PayloadDecode, FastPathAndDomAgree) {
  // Scalars are parsed straight from the bytes; inside an array they go through the DOM.
  for (std::string_view text : {"0",
                                "-0",
                                "7",
                                " 7 ",
                                "1.0",
                                "1e2",
                                "1.5",
                                "-9223372036854775808",
                                "9223372036854775807",
                                "9223372036854775808",
                                "18446744073709551615",
                                "18446744073709551616",
                                "01",
                                "1.",
                                "-",
                                "+1",
                                "1e400",
                                "1e-400",
                                "0x10",
                                "true",
                                "\"5\"",
                                "123456789012345678901234567890",
                                "-0.0",
                                "2.5e-3"}) {
    SCOPED_TRACE(text);
    const std::string array = "[" + std::string(text) + "]";
    auto scalar_int = FromPayload<int64_t>(JsonPayload(text));
    auto dom_int = FromPayload<std::vector<int64_t>>(JsonPayload(array));
    ASSERT_EQ(scalar_int.ok(), dom_int.ok());
    if (scalar_int.ok()) {
      EXPECT_EQ(*scalar_int, (*dom_int)[0]);
    }
    auto scalar_uint = FromPayload<uint64_t>(JsonPayload(text));
    auto dom_uint = FromPayload<std::vector<uint64_t>>(JsonPayload(array));
    ASSERT_EQ(scalar_uint.ok(), dom_uint.ok());
    if (scalar_uint.ok()) {
      EXPECT_EQ(*scalar_uint, (*dom_uint)[0]);
    }
    auto scalar_double = FromPayload<double>(JsonPayload(text));
    auto dom_double = FromPayload<std::vector<double>>(JsonPayload(array));
    ASSERT_EQ(scalar_double.ok(), dom_double.ok());
    if (scalar_double.ok()) {
      EXPECT_EQ(*scalar_double, (*dom_double)[0]);
      EXPECT_EQ(std::signbit(*scalar_double), std::signbit((*dom_double)[0]));
    }
  }
  for (std::string_view text :
       {R"("plain")", R"( "esc\"aped\\" )", R"("\u0041")", "\"\xc3\xa9\"", "\"\xff\"",
        "\"tab\there\"", R"("\x")", R"("open)", R"("a" "b")", "\"\xed\xa0\x80\""}) {
    SCOPED_TRACE(text);
    auto scalar = FromPayload<std::string>(JsonPayload(text));
    auto dom = FromPayload<std::vector<std::string>>(JsonPayload("[" + std::string(text) + "]"));
    ASSERT_EQ(scalar.ok(), dom.ok());
    if (scalar.ok()) {
      EXPECT_EQ(*scalar, (*dom)[0]);
    }
  }
}

TEST(PayloadDecode, StructsIgnoreUnknownKeysAndDefaultMissingOptionals) {
  Line line = MustDecode<Line>(R"({"quantity":3,"extra":{"deep":[1,2]},"sku":"S"})");
  EXPECT_EQ(line, (Line{"S", 3}));
  Order order =
      MustDecode<Order>(R"({"id":"x","cents":1,"items":[],"lines":[],"weights":{}})");  // no "note"
  EXPECT_EQ(order.note, std::nullopt);
  Order with_null =
      MustDecode<Order>(R"({"id":"x","cents":1,"items":[],"lines":[],"weights":{},"note":null})");
  EXPECT_EQ(with_null.note, std::nullopt);
}

TEST(PayloadDecode, BinaryNullDecodesOnlyIntoOptionalAndMonostate) {
  EXPECT_EQ(*FromPayload<std::optional<int>>(NullPayload()), std::nullopt);
  EXPECT_EQ(*FromPayload<std::optional<Order>>(NullPayload()), std::nullopt);
  EXPECT_EQ(*FromPayload<std::optional<WorkflowExecution>>(NullPayload()), std::nullopt);
  EXPECT_TRUE(FromPayload<std::monostate>(NullPayload()).ok());
  EXPECT_EQ(DecodeError<int>(NullPayload()),
            R"(payload: encoding "binary/null" cannot be decoded as int32_t)");
  EXPECT_EQ(DecodeError<std::string>(NullPayload()),
            R"(payload: encoding "binary/null" cannot be decoded as std::string)");
  EXPECT_EQ(DecodeError<WorkflowExecution>(NullPayload()),
            "payload: encoding \"binary/null\" cannot be decoded as protobuf message "
            "temporal.api.common.v1.WorkflowExecution");
  EXPECT_EQ(DecodeError<Order>(NullPayload()),
            R"(payload: encoding "binary/null" cannot be decoded as Order)");
}

// ---------------------------------------------------------------------------------------------
// Errors

TEST(PayloadErrors, WrongJsonType) {
  EXPECT_EQ(DecodeError<int>(R"("abc")"), R"(payload: expected an integer, got "abc" at $)");
  EXPECT_EQ(DecodeError<int>("1.5"), "payload: expected an integer, got 1.5 at $");
  EXPECT_EQ(DecodeError<int>("true"), "payload: expected an integer, got true at $");
  EXPECT_EQ(DecodeError<std::string>("5"), "payload: expected a string, got 5 at $");
  EXPECT_EQ(DecodeError<bool>("1"), "payload: expected a boolean, got 1 at $");
  EXPECT_EQ(DecodeError<double>(R"("NaN")"), R"(payload: expected a number, got "NaN" at $)");
  EXPECT_EQ(DecodeError<std::vector<int>>("{}"), "payload: expected an array, got an object at $");
  EXPECT_EQ((DecodeError<std::map<std::string, int>>("[]")),
            "payload: expected an object, got an array at $");
  EXPECT_EQ(DecodeError<std::string>("null"), "payload: expected a string, got null at $");
  EXPECT_EQ(DecodeError<std::monostate>("0"), "payload: expected null, got 0 at $");
  EXPECT_EQ(DecodeError<std::vector<int>>(R"([1,2,"x"])"),
            R"(payload: expected an integer, got "x" at $[2])");
  EXPECT_EQ((DecodeError<std::map<std::string, std::vector<int>>>(R"({"a b":[1,{}]})")),
            R"(payload: expected an integer, got an object at $["a b"][1])");
  // Long strings are cut short in messages.
  EXPECT_EQ(DecodeError<int>("\"" + std::string(100, 'x') + "\""),
            "payload: expected an integer, got \"" + std::string(40, 'x') + "...\" at $");
}

TEST(PayloadErrors, IntegersOutOfRange) {
  EXPECT_EQ(DecodeError<int8_t>("300"),
            "payload: expected an integer in [-128, 127] (int8_t), got 300 at $");
  EXPECT_EQ(DecodeError<uint32_t>("-1"),
            "payload: expected an integer in [0, 4294967295] (uint32_t), got -1 at $");
  EXPECT_EQ(DecodeError<int64_t>("9223372036854775808"),
            "payload: expected an integer in [-9223372036854775808, 9223372036854775807] "
            "(int64_t), got 9223372036854775808 at $");
  EXPECT_THAT(DecodeError<uint64_t>("18446744073709551616"),
              HasSubstr("(uint64_t), got 18446744073709551616 at $"));
  EXPECT_THAT(DecodeError<int>("1e300"), HasSubstr("(int32_t), got 1e+300 at $"));
  EXPECT_THAT(DecodeError<int64_t>("-123456789012345678901234567890"), HasSubstr("(int64_t)"));
  EXPECT_EQ(DecodeError<std::vector<int16_t>>("[1,70000]"),
            "payload: expected an integer in [-32768, 32767] (int16_t), got 70000 at $[1]");
  EXPECT_EQ(DecodeError<float>("1e300"),
            "payload: expected a number in the range of float, got 1e+300 at $");
  // Just above the midpoint between FLT_MAX and 2^128: rounds to infinity, so refused.
  EXPECT_EQ(DecodeError<float>("3.4028236e38"),
            "payload: expected a number in the range of float, got 3.4028236e+38 at $");
  EXPECT_EQ(DecodeError<std::vector<float>>("[-3.4028236e38]"),
            "payload: expected a number in the range of float, got -3.4028236e+38 at $[0]");
}

TEST(PayloadErrors, InvalidJson) {
  for (std::string_view bad :
       {"", " ", "[1,", "{", "tru", "\"abc", "1 2", "01", "+1", "NaN", "Infinity", "1e400", "'a'",
        "[1,]", "{\"a\":1,}", "\"\xff\"", "\"\x01\""}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(DecodeError<int>(bad), StartsWith("payload: "));
    EXPECT_THAT(DecodeError<std::string>(bad), StartsWith("payload: "));
    EXPECT_THAT(DecodeError<std::vector<Order>>(bad), StartsWith("payload: "));
  }
  EXPECT_THAT(DecodeError<std::vector<int>>("[1,"), StartsWith("payload: invalid JSON ("));
}

TEST(PayloadErrors, HostileNestingIsAnErrorNotACrash) {
  const std::string deep_open(100000, '[');
  EXPECT_THAT(DecodeError<std::vector<int>>(deep_open), StartsWith("payload: invalid JSON"));
  const std::string deep = std::string(2000, '[') + std::string(2000, ']');
  EXPECT_THAT(DecodeError<std::vector<int>>(deep), StartsWith("payload: invalid JSON"));
  // Within the depth limit, the type (not the document) bounds recursion.
  const std::string nested = std::string(500, '[') + std::string(500, ']');
  EXPECT_EQ(DecodeError<std::vector<std::vector<int>>>(nested),
            "payload: expected an integer, got an array at $[0][0]");
  // Numbers beyond the range of double are refused by the parser, whatever the target.
  const std::string huge_number(100000, '9');
  EXPECT_THAT(DecodeError<int64_t>(huge_number), StartsWith("payload: invalid JSON ("));
  EXPECT_THAT(DecodeError<double>(huge_number), StartsWith("payload: invalid JSON ("));
  EXPECT_THAT(DecodeError<std::vector<int>>("[" + huge_number + "]"),
              StartsWith("payload: invalid JSON ("));
  EXPECT_THAT(DecodeError<std::vector<int>>("[" + std::string(300, '9') + "]"),
              HasSubstr("(int32_t), got 1e+300 at $[0]"));
}

TEST(PayloadErrors, WrongEncoding) {
  WorkflowExecution execution;
  Payload protobuf = ToPayload(execution);
  EXPECT_EQ(DecodeError<std::string>(protobuf),
            R"(payload: encoding "binary/protobuf" cannot be decoded as std::string)");
  EXPECT_EQ(DecodeError<std::vector<int>>(protobuf),
            "payload: encoding \"binary/protobuf\" cannot be decoded as "
            "std::vector<int32_t>");
  Payload no_encoding;
  no_encoding.set_data("1");
  EXPECT_EQ(DecodeError<int>(no_encoding),
            R"(payload: no "encoding" metadata, cannot be decoded as int32_t)");
  Payload odd = JsonPayload("1");
  (*odd.mutable_metadata())["encoding"] = "json/\"plain\"";
  EXPECT_EQ(DecodeError<int>(odd),
            R"(payload: encoding "json/\"plain\"" cannot be decoded as int32_t)");
  EXPECT_EQ(DecodeError<WorkflowExecution>(ToPayload(1)),
            "payload: encoding \"json/plain\" cannot be decoded as protobuf message "
            "temporal.api.common.v1.WorkflowExecution");
}

TEST(PayloadErrors, StructKeys) {
  EXPECT_EQ(DecodeError<Line>(R"({"sku":"S"})"), R"(payload: missing key "quantity" of Line at $)");
  EXPECT_EQ(
      DecodeError<Order>(R"({"id":"x","cents":1,"items":[],"lines":[{"sku":"a"}],"weights":{}})"),
      R"(payload: missing key "quantity" of Line at $.lines[0])");
  EXPECT_EQ(DecodeError<Order>(R"({"id":"x","cents":1,"items":["a","b",3]})"),
            "payload: expected a string, got 3 at $.items[2]");
  EXPECT_EQ(DecodeError<Line>(R"({"sku":"S","quantity":null})"),
            "payload: expected an integer, got null at $.quantity");
  EXPECT_EQ(DecodeError<Line>(R"({"sku":"S","quantity":1,"sku":"T"})"),
            R"(payload: duplicate key "sku" at $)");
  EXPECT_EQ(DecodeError<Line>(R"(["S",1])"), "payload: expected an object, got an array at $");
}

TEST(PayloadErrors, MapsAndTuples) {
  EXPECT_EQ((DecodeError<std::map<std::string, int>>(R"({"a":1,"a":2})")),
            R"(payload: duplicate key "a" at $)");
  EXPECT_EQ(
      (DecodeError<std::map<std::string, std::map<std::string, int>>>(R"({"x":{"a":1,"a":2}})")),
      R"(payload: duplicate key "a" at $.x)");
  EXPECT_EQ((DecodeError<std::tuple<int, std::string>>("[1]")),
            "payload: expected an array of 2 elements, got an array of 1 elements at $");
  EXPECT_EQ((DecodeError<std::pair<int, std::string>>("[1,2]")),
            "payload: expected a string, got 2 at $[1]");
}

TEST(PayloadErrors, ArgumentCount) {
  Payloads one = ToPayloads(1);
  auto decoded = FromPayloads<int, int>(one);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().message(), "payloads: expected 2 arguments, got 1");
  EXPECT_EQ(FromPayloads<>(one).status().message(), "payloads: expected 0 arguments, got 1");
  EXPECT_EQ(FromPayloads<int>(Payloads()).status().message(),
            "payloads: expected 1 argument, got 0");
  auto wrong_type = FromPayloads<int, int>(ToPayloads(1, "x"));
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.status().message(),
            R"(payloads: argument 2 of 2: payload: expected an integer, got "x" at $)");
}

// ---------------------------------------------------------------------------------------------
// Protobuf messages

TEST(PayloadProtobuf, BinaryRoundTrip) {
  WorkflowExecution execution;
  execution.set_workflow_id("wf-1");
  execution.set_run_id("run-1");
  Payload payload = ToPayload(execution);
  EXPECT_EQ(EncodingOf(payload), "binary/protobuf");
  EXPECT_EQ(MetadataValue(payload, "messageType"), "temporal.api.common.v1.WorkflowExecution");
  EXPECT_EQ(payload.data(), execution.SerializeAsString());
  auto decoded = FromPayload<WorkflowExecution>(payload);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->workflow_id(), "wf-1");
  EXPECT_EQ(decoded->run_id(), "run-1");
  // A Payload is itself a message, and can be carried like any other.
  auto nested = FromPayload<Payload>(ToPayload(ToPayload(42)));
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ(*FromPayload<int>(*nested), 42);
}

TEST(PayloadProtobuf, JsonProtobufDecodes) {
  WorkflowExecution execution;
  execution.set_workflow_id("wf-2");
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(execution, &json).ok());
  Payload payload;
  (*payload.mutable_metadata())["encoding"] = "json/protobuf";
  (*payload.mutable_metadata())["messageType"] = "temporal.api.common.v1.WorkflowExecution";
  payload.set_data(json);
  auto decoded = FromPayload<WorkflowExecution>(payload);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->workflow_id(), "wf-2");
  // Unknown fields are ignored; messageType is optional.
  payload.mutable_metadata()->erase("messageType");
  payload.set_data(R"({"workflowId":"wf-3","someNewField":{"x":1}})");
  decoded = FromPayload<WorkflowExecution>(payload);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->workflow_id(), "wf-3");
  payload.set_data(R"({"workflowId":)");
  EXPECT_THAT(DecodeError<WorkflowExecution>(payload),
              StartsWith("payload: data is not a valid json/protobuf "
                         "temporal.api.common.v1.WorkflowExecution ("));
}

TEST(PayloadProtobuf, Errors) {
  Payload payload = ToPayload(WorkflowExecution());
  (*payload.mutable_metadata())["messageType"] = "temporal.api.common.v1.Memo";
  EXPECT_EQ(DecodeError<WorkflowExecution>(payload),
            "payload: messageType \"temporal.api.common.v1.Memo\" cannot be decoded as "
            "protobuf message temporal.api.common.v1.WorkflowExecution");
  payload = ToPayload(WorkflowExecution());
  payload.set_data(
      "\x0a\x05"
      "ab");  // field 1, length 5, only 2 bytes follow
  EXPECT_EQ(DecodeError<WorkflowExecution>(payload),
            "payload: data is not a valid binary/protobuf "
            "temporal.api.common.v1.WorkflowExecution");
}

TEST(PayloadProtobuf, SerializationIsDeterministic) {
  // Map fields serialize in key order whatever the insertion order.
  Memo forward;
  Memo backward;
  for (int i = 0; i < 30; ++i) {
    (*forward.mutable_fields())["k" + std::to_string(i)] = ToPayload(i);
    (*backward.mutable_fields())["k" + std::to_string(29 - i)] = ToPayload(29 - i);
  }
  EXPECT_EQ(ToPayload(forward).data(), ToPayload(backward).data());
  auto decoded = FromPayload<Memo>(ToPayload(forward));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->fields_size(), 30);
  EXPECT_EQ(*FromPayload<int>(decoded->fields().at("k7")), 7);
}

TEST(SamePayloads, ComparesValuesNotEncodingOrder) {
  Payloads a = ToPayloads(std::string("x"), 42);
  Payloads b = ToPayloads(std::string("x"), 42);
  EXPECT_TRUE(SamePayloads(a, b));
  EXPECT_FALSE(SamePayloads(a, ToPayloads(std::string("x"), 43)));
  EXPECT_FALSE(SamePayloads(a, ToPayloads(std::string("x"))));
  // Metadata is a map: the order entries were added in does not matter, their values do.
  Payloads m1;
  Payloads m2;
  auto* p1 = m1.add_payloads();
  (*p1->mutable_metadata())["encoding"] = "json/plain";
  (*p1->mutable_metadata())["messageType"] = "T";
  auto* p2 = m2.add_payloads();
  (*p2->mutable_metadata())["messageType"] = "T";
  (*p2->mutable_metadata())["encoding"] = "json/plain";
  EXPECT_TRUE(SamePayloads(m1, m2));
  (*p2->mutable_metadata())["encoding"] = "binary/plain";
  EXPECT_FALSE(SamePayloads(m1, m2));
  (*p2->mutable_metadata())["encoding"] = "json/plain";
  p2->add_external_payloads()->set_size_bytes(10);
  EXPECT_FALSE(SamePayloads(m1, m2));
  p1->add_external_payloads()->set_size_bytes(10);
  EXPECT_TRUE(SamePayloads(m1, m2));
}

}  // namespace
}  // namespace payload_test
}  // namespace lockstep
