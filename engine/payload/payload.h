// Payload conversion: C++ values to and from temporal.api.common.v1.Payload(s), as workflow,
// activity, signal and query arguments and results travel.
//
// Contract
// --------
// Encodings (metadata "encoding"), chosen by the C++ type:
//   * protobuf messages (any google::protobuf::Message subclass): binary/protobuf, with
//     metadata "messageType" = the full message name; decoding also accepts json/protobuf.
//     See protobuf_payload.h.
//   * std::monostate, and std::optional<T> holding nullopt: binary/null (NullPayload()).
//     std::optional<T> holding a value is encoded as T would be.
//   * everything else: json/plain, compact UTF-8 JSON:
//       bool                         true / false
//       integers (not char)          decimal; decoding checks the range (300 into int8_t is an
//                                    error) and accepts 1.0 or 1e3 only when integral
//       float, double                shortest round-trip decimal (std::to_chars); -0.0 as
//                                    "-0.0". NaN and +-Infinity are written as `null` (as
//                                    JavaScript's JSON.stringify does: plain JSON has no
//                                    spelling for them, and "NaN" strings break other SDKs);
//                                    `null` decodes into float/double as quiet NaN. So NaN
//                                    round-trips, and +-Infinity comes back as NaN.
//       std::string                  a JSON string (string views, const char* and string
//                                    literals encode the same way; they cannot be decoded into)
//       std::vector<T>               array
//       std::map<std::string, T>,    object with keys sorted bytewise (code point order), for
//       absl::flat_hash_map<...>,    every map type, so output never depends on hash order;
//       any string-keyed map         a key appearing twice is a decoding error
//       std::optional<T>             null or T
//       std::tuple, std::pair        array of exactly that many elements
//       std::monostate               null
//       structs                      object, via LOCKSTEP_JSON_FIELDS (struct_mapping.h): keys
//                                    in declaration order; decoding ignores unknown keys and
//                                    reports a missing key by name unless the field is
//                                    std::optional (then nullopt)
//     and any nesting of these.
// Strings and UTF-8: valid UTF-8 passes through unescaped; only ", \ and control characters
// are escaped (\n, \u0001, ...). Bytes that are not valid UTF-8 are replaced by U+FFFD (one
// per maximal invalid subpart), so encoding never fails but is lossy for such strings (and
// two such map keys may collide). Decoding rejects JSON that is not valid UTF-8.
// Determinism: the same value gives byte-identical data on every run, compiler and locale.
//
// Decoding: json/plain accepts any JSON text the type allows (whitespace anywhere, any
// number spelling, escapes, integers beyond 64 bits read as doubles); a number beyond the
// range of double (1e400) is an error, whatever the target. Duplicate object keys are an
// error. binary/null decodes into std::optional<T> (nullopt) and std::monostate only (and a
// protobuf std::optional). Top-level scalars (bool, integers, float, double, std::string) are
// parsed straight from the bytes, without a DOM; other types through simdjson's DOM with a
// reused thread-local parser. Both paths accept exactly the same texts (tested).
//
// Errors: FromPayload/FromPayloads never abort, whatever the bytes (truncated or invalid
// JSON, nesting beyond 1024 levels, huge numbers, bad protobuf). They return
// InvalidArgument with messages such as
//   payload: expected an integer, got "abc" at $.items[2]
//   payload: expected an integer in [-128, 127] (int8_t), got 300 at $
//   payload: missing key "cents" of Order at $.orders[0]
//   payload: encoding "binary/protobuf" cannot be decoded as std::string
//   payload: invalid JSON (<simdjson's reason>)
//   payloads: expected 2 arguments, got 1
//   payloads: argument 2 of 2: payload: expected a string, got 5 at $
#ifndef LOCKSTEP_ENGINE_PAYLOAD_PAYLOAD_H_
#define LOCKSTEP_ENGINE_PAYLOAD_PAYLOAD_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/payload/encoding.h"
#include "engine/payload/json_codec.h"
#include "engine/payload/json_decode.h"
#include "engine/payload/payload_errors.h"
#include "engine/payload/protobuf_payload.h"
#include "engine/payload/struct_mapping.h"
#include "google/protobuf/message.h"
#include "temporal/api/common/v1/message.pb.h"

namespace lockstep {

using temporal::api::common::v1::Payload;
using temporal::api::common::v1::Payloads;

// An encoding "binary/null" payload with empty data: no value.
Payload NullPayload();

// Whether two payload lists hold the same values: the same data bytes, metadata (as maps, in
// any order) and external payload sizes, payload by payload. What MessageDifferencer::Equals
// says for these messages (unknown fields aside), without reflection: replay compares results
// and queries compare answers on every call.
bool SamePayloads(const Payloads& a, const Payloads& b);

namespace payload_internal {

template <typename T>
inline constexpr bool kIsMessage = std::is_base_of_v<google::protobuf::Message, T>;

template <typename T>
inline constexpr bool kIsOptionalMessage = false;
template <typename T>
inline constexpr bool kIsOptionalMessage<std::optional<T>> = kIsMessage<T>;

// Sets metadata "encoding" to json/plain.
void MarkJsonPlain(Payload* payload);


template <typename T>
absl::StatusOr<T> DecodeJsonPlain(std::string_view data) {
  T value{};
  if constexpr (requires { JsonCodec<T>::FastDecode(data, &value); }) {
    if (JsonCodec<T>::FastDecode(data, &value)) return value;
    value = T{};  // a fast parser that gave up may have written to it
  }
  absl::Status status = ParseJsonDocument(data, [&value](JsonValue root, DecodeContext& ctx) {
    return JsonCodec<T>::Decode(root, &value, ctx);
  });
  if (!status.ok()) return status;
  return value;
}

template <typename... Args, size_t... I>
absl::StatusOr<std::tuple<Args...>> FromPayloadsInOrder(const Payloads& payloads,
                                                        std::index_sequence<I...>);

}  // namespace payload_internal

// Encodes `value` (see the contract above for the encoding each type gets). Never fails for
// a supported type; an unsupported one does not compile.
template <typename T>
Payload ToPayload(const T& value) {
  using payload_internal::JsonCodec;
  if constexpr (payload_internal::kIsMessage<T>) {
    return payload_internal::EncodeProtobufPayload(value);
  } else if constexpr (std::is_same_v<T, std::monostate>) {
    return NullPayload();
  } else if constexpr (payload_internal::kIsOptional<T>) {
    if (!value.has_value()) return NullPayload();
    return ToPayload(*value);
  } else {
    Payload payload;
    JsonCodec<T>::Encode(value, payload.mutable_data());
    payload_internal::MarkJsonPlain(&payload);
    return payload;
  }
}

// Decodes a T from `payload`. InvalidArgument (never a crash) when the encoding does not fit
// T or the data is not a valid T.
template <typename T>
absl::StatusOr<T> FromPayload(const Payload& payload) {
  static_assert(!std::is_reference_v<T> && !std::is_const_v<T>,
                "FromPayload<T>: T must be a plain value type");
  using payload_internal::JsonCodec;
  if constexpr (payload_internal::kIsMessage<T>) {
    T message;
    absl::Status status = payload_internal::DecodeProtobufPayload(payload, &message);
    if (!status.ok()) return status;
    return message;
  } else if constexpr (payload_internal::kIsOptionalMessage<T>) {
    if (EncodingOf(payload) == kEncodingBinaryNull) return T();
    absl::StatusOr<typename T::value_type> message = FromPayload<typename T::value_type>(payload);
    if (!message.ok()) return message.status();
    return T(std::move(*message));
  } else {
    std::string_view encoding = EncodingOf(payload);
    if (encoding == kEncodingJsonPlain) {
      return payload_internal::DecodeJsonPlain<T>(payload.data());
    }
    if (encoding == kEncodingBinaryNull) {
      if constexpr (payload_internal::kIsOptional<T> || std::is_same_v<T, std::monostate>) {
        return T();
      }
    }
    return payload_internal::WrongEncodingError(payload, JsonCodec<T>::Name());
  }
}

// One payload per argument, in order.
template <typename... Args>
Payloads ToPayloads(const Args&... args) {
  Payloads payloads;
  payloads.mutable_payloads()->Reserve(static_cast<int>(sizeof...(Args)));
  ((*payloads.add_payloads() = ToPayload(args)), ...);
  return payloads;
}

// Decodes exactly sizeof...(Args) payloads, in order; the first failure is returned, naming
// the argument.
template <typename... Args>
absl::StatusOr<std::tuple<Args...>> FromPayloads(const Payloads& payloads) {
  constexpr size_t kCount = sizeof...(Args);
  if (payloads.payloads_size() != static_cast<int>(kCount)) {
    return payload_internal::ArgumentCountError(kCount, payloads.payloads_size());
  }
  return payload_internal::FromPayloadsInOrder<Args...>(payloads,
                                                        std::index_sequence_for<Args...>());
}

template <typename... Args, size_t... I>
absl::StatusOr<std::tuple<Args...>> payload_internal::FromPayloadsInOrder(
    const Payloads& payloads, std::index_sequence<I...>) {
  [[maybe_unused]] std::tuple<std::optional<Args>...> values;
  absl::Status status;
  const bool ok = ([&] {
    absl::StatusOr<Args> value = FromPayload<Args>(payloads.payloads(static_cast<int>(I)));
    if (!value.ok()) {
      status = ArgumentError(I, sizeof...(Args), value.status());
      return false;
    }
    std::get<I>(values).emplace(std::move(*value));
    return true;
  }() && ...);
  if (!ok) return status;
  return std::tuple<Args...>(std::move(*std::get<I>(values))...);
}

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_PAYLOAD_PAYLOAD_H_
