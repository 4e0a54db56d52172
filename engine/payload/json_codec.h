// JsonCodec<T>: how each supported C++ type is written to and read from json/plain data.
//
// Each specialization provides
//   static std::string Name();                                   // for messages: "int32_t"
//   static void Encode(const T& value, std::string* out);        // appends compact JSON
//   static bool Decode(JsonValue json, T* out, DecodeContext& ctx);  // false: ctx has the error
// and, for scalars on the hot path,
//   static bool FastDecode(std::string_view json, T* out);       // see json_decode.h
// String views and C strings are encode-only. Structs are mapped in struct_mapping.h.
#ifndef LOCKSTEP_ENGINE_PAYLOAD_JSON_CODEC_H_
#define LOCKSTEP_ENGINE_PAYLOAD_JSON_CODEC_H_

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/payload/json_decode.h"
#include "engine/payload/json_encode.h"

namespace lockstep::payload_internal {

template <typename T>
inline constexpr bool kAlwaysFalse = false;

template <typename T>
struct JsonCodec {
  static_assert(kAlwaysFalse<T>,
                "lockstep payload: this type has no JSON mapping. Supported: bool, integers "
                "(not char), float, double, std::string (and string views / C strings to "
                "encode), std::vector, string-keyed maps, std::optional, std::tuple, "
                "std::pair, std::monostate, and structs declared with LOCKSTEP_JSON_FIELDS. "
                "Protobuf messages are supported only as a whole payload.");
};

// ---------------------------------------------------------------------------------------------
// Scalars

template <typename T>
concept JsonCharacter = std::same_as<T, char> || std::same_as<T, wchar_t> ||
    std::same_as<T, char8_t> || std::same_as<T, char16_t> || std::same_as<T, char32_t>;

// Every integer type but bool and the character types (int8_t and uint8_t are integers).
template <typename T>
concept JsonInteger = std::is_integral_v<T> && !std::same_as<T, bool> && !JsonCharacter<T>;

template <>
struct JsonCodec<bool> {
  static std::string Name() { return "bool"; }
  static void Encode(bool value, std::string* out) { AppendJsonBool(value, out); }
  static bool Decode(JsonValue json, bool* out, DecodeContext& ctx) {
    return json.GetBool(out, ctx);
  }
  static bool FastDecode(std::string_view json, bool* out) { return FastParseBool(json, out); }
};

template <JsonInteger T>
struct JsonCodec<T> {
  using Limits = std::numeric_limits<T>;

  // Named by width, so `long` and `long long` both read "int64_t".
  static std::string Name() {
    std::string name = std::is_signed_v<T> ? "int" : "uint";
    name += std::to_string(sizeof(T) * 8);
    name += "_t";
    return name;
  }
  static void Encode(T value, std::string* out) {
    if constexpr (std::is_signed_v<T>) {
      AppendJsonInt(static_cast<int64_t>(value), out);
    } else {
      AppendJsonUint(static_cast<uint64_t>(value), out);
    }
  }
  static bool Decode(JsonValue json, T* out, DecodeContext& ctx) {
    if constexpr (std::is_signed_v<T>) {
      int64_t value = 0;
      if (!json.GetSigned(Limits::min(), Limits::max(), Name(), &value, ctx)) return false;
      *out = static_cast<T>(value);
    } else {
      uint64_t value = 0;
      if (!json.GetUnsigned(Limits::max(), Name(), &value, ctx)) return false;
      *out = static_cast<T>(value);
    }
    return true;
  }
  static bool FastDecode(std::string_view json, T* out) {
    if constexpr (std::is_signed_v<T>) {
      int64_t value = 0;
      if (!FastParseInt64(json, &value) || value < Limits::min() || value > Limits::max()) {
        return false;
      }
      *out = static_cast<T>(value);
    } else {
      uint64_t value = 0;
      if (!FastParseUint64(json, &value) || value > Limits::max()) return false;
      *out = static_cast<T>(value);
    }
    return true;
  }
};

template <>
struct JsonCodec<double> {
  static std::string Name() { return "double"; }
  static void Encode(double value, std::string* out) { AppendJsonDouble(value, out); }
  static bool Decode(JsonValue json, double* out, DecodeContext& ctx) {
    return json.GetDouble(out, ctx);
  }
  static bool FastDecode(std::string_view json, double* out) { return FastParseDouble(json, out); }
};

template <>
struct JsonCodec<float> {
  static std::string Name() { return "float"; }
  static void Encode(float value, std::string* out) { AppendJsonFloat(value, out); }
  static bool Decode(JsonValue json, float* out, DecodeContext& ctx) {
    return json.GetFloat(out, ctx);
  }
  static bool FastDecode(std::string_view json, float* out) {
    double value = 0;
    if (!FastParseDouble(json, &value) || !FitsFloat(value)) return false;
    *out = static_cast<float>(value);
    return true;
  }
};

template <>
struct JsonCodec<std::monostate> {
  static std::string Name() { return "std::monostate"; }
  static void Encode(std::monostate, std::string* out) { AppendJsonNull(out); }
  static bool Decode(JsonValue json, std::monostate*, DecodeContext& ctx) {
    return json.IsNull() || ctx.FailExpected("null", json);
  }
};

// ---------------------------------------------------------------------------------------------
// Strings

template <>
struct JsonCodec<std::string> {
  static std::string Name() { return "std::string"; }
  static void Encode(const std::string& value, std::string* out) { AppendJsonString(value, out); }
  static bool Decode(JsonValue json, std::string* out, DecodeContext& ctx) {
    return json.GetString(out, ctx);
  }
  static bool FastDecode(std::string_view json, std::string* out) {
    return FastParseString(json, out);
  }
};

// Encode-only: a view cannot own decoded text.
template <typename T>
struct EncodeOnlyString {
  template <typename U = T>
  static bool Decode(JsonValue, U*, DecodeContext&) {
    static_assert(kAlwaysFalse<U>, "lockstep payload: decode text into std::string, not a view");
    return false;
  }
};

template <typename T>
requires std::same_as<T, std::string_view> || std::same_as<T, absl::string_view>
struct JsonCodec<T> : EncodeOnlyString<T> {
  static std::string Name() { return "string view"; }
  static void Encode(T value, std::string* out) {
    AppendJsonString(std::string_view(value.data(), value.size()), out);
  }
};

// A null pointer is written as null.
template <typename T>
requires std::same_as<T, const char*> || std::same_as<T, char*>
struct JsonCodec<T> : EncodeOnlyString<T> {
  static std::string Name() { return "C string"; }
  static void Encode(const char* value, std::string* out) {
    if (value == nullptr) {
      AppendJsonNull(out);
    } else {
      AppendJsonString(value, out);
    }
  }
};

// String literals and char buffers: the text up to the first NUL (or all N bytes).
template <size_t N>
struct JsonCodec<char[N]> : EncodeOnlyString<char[N]> {
  static std::string Name() { return "C string"; }
  static void Encode(const char (&value)[N], std::string* out) {
    AppendJsonString(std::string_view(value, strnlen(value, N)), out);
  }
};

// ---------------------------------------------------------------------------------------------
// Containers

template <typename T, typename Allocator>
struct JsonCodec<std::vector<T, Allocator>> {
  using Vector = std::vector<T, Allocator>;

  static std::string Name() { return "std::vector<" + JsonCodec<T>::Name() + ">"; }
  static void Encode(const Vector& value, std::string* out) {
    out->push_back('[');
    bool first = true;
    for (const auto& element : value) {
      if (!first) out->push_back(',');
      first = false;
      JsonCodec<T>::Encode(element, out);
    }
    out->push_back(']');
  }
  static bool Decode(JsonValue json, Vector* out, DecodeContext& ctx) {
    size_t size = 0;
    if (!json.ExpectArray(&size, ctx)) return false;
    out->clear();
    out->reserve(size);
    return json.ForEachElement([&](size_t index, JsonValue element) {
      T value{};
      if (!JsonCodec<T>::Decode(element, &value, ctx)) return ctx.AtIndex(index);
      out->push_back(std::move(value));
      return true;
    });
  }
};

// Maps from std::string (std::map, std::unordered_map, absl::flat_hash_map, ...) are JSON
// objects with their keys sorted bytewise (which is Unicode code point order for UTF-8), so
// the output does not depend on hash iteration order.
template <typename M>
concept StringKeyedMap = requires {
  typename M::key_type;
  typename M::mapped_type;
}
&&std::same_as<typename M::key_type, std::string>&& requires(M& map, std::string key) {
  map.try_emplace(std::move(key));
  map.begin();
  map.end();
};

// Maps whose own iteration order already is bytewise key order.
template <typename M>
inline constexpr bool kIteratesInByteOrder = false;
template <typename V, typename A>
inline constexpr bool kIteratesInByteOrder<std::map<std::string, V, std::less<std::string>, A>> =
    true;
template <typename V, typename A>
inline constexpr bool kIteratesInByteOrder<std::map<std::string, V, std::less<>, A>> = true;

template <StringKeyedMap M>
struct JsonCodec<M> {
  using V = typename M::mapped_type;

  static std::string Name() { return "map<std::string, " + JsonCodec<V>::Name() + ">"; }
  static void Encode(const M& value, std::string* out) {
    out->push_back('{');
    bool first = true;
    auto encode_member = [&](const std::string& key, const V& mapped) {
      if (!first) out->push_back(',');
      first = false;
      AppendJsonString(key, out);
      out->push_back(':');
      JsonCodec<V>::Encode(mapped, out);
    };
    if constexpr (kIteratesInByteOrder<M>) {
      for (const auto& [key, mapped] : value) encode_member(key, mapped);
    } else {
      std::vector<const typename M::value_type*> members;
      members.reserve(value.size());
      for (const auto& member : value) members.push_back(&member);
      std::sort(members.begin(), members.end(),
                [](const auto* a, const auto* b) { return a->first < b->first; });
      for (const auto* member : members) encode_member(member->first, member->second);
    }
    out->push_back('}');
  }
  // A key appearing twice is an error (readers disagree on which one wins).
  static bool Decode(JsonValue json, M* out, DecodeContext& ctx) {
    if (!json.ExpectObject(ctx)) return false;
    out->clear();
    return json.ForEachMember([&](std::string_view key, JsonValue member) {
      auto [it, inserted] = out->try_emplace(std::string(key));
      if (!inserted) return ctx.FailDuplicateKey(key);
      if (!JsonCodec<V>::Decode(member, &it->second, ctx)) return ctx.AtKey(key);
      return true;
    });
  }
};

template <typename T>
inline constexpr bool kIsOptional = false;
template <typename T>
inline constexpr bool kIsOptional<std::optional<T>> = true;

// nullopt is null. (As a whole payload, nullopt is binary/null: see payload.h.)
template <typename T>
struct JsonCodec<std::optional<T>> {
  static std::string Name() { return "std::optional<" + JsonCodec<T>::Name() + ">"; }
  static void Encode(const std::optional<T>& value, std::string* out) {
    if (value.has_value()) {
      JsonCodec<T>::Encode(*value, out);
    } else {
      AppendJsonNull(out);
    }
  }
  static bool Decode(JsonValue json, std::optional<T>* out, DecodeContext& ctx) {
    if (json.IsNull()) {
      out->reset();
      return true;
    }
    return JsonCodec<T>::Decode(json, &out->emplace(), ctx);
  }
};

// Tuples and pairs are arrays of exactly their size.
template <typename... Ts>
std::string TupleName(std::string_view prefix) {
  std::string name(prefix);
  name += '<';
  bool first = true;
  ((name += (first ? "" : ", "), name += JsonCodec<Ts>::Name(), first = false), ...);
  name += '>';
  return name;
}

template <typename... Ts>
void EncodeJsonArray(std::string* out, const Ts&... values) {
  out->push_back('[');
  [[maybe_unused]] bool first = true;
  ((first ? void(first = false) : out->push_back(','), JsonCodec<Ts>::Encode(values, out)), ...);
  out->push_back(']');
}

template <typename... Ts>
bool DecodeJsonArray(JsonValue json, DecodeContext& ctx, Ts*... targets) {
  constexpr size_t kSize = sizeof...(Ts);
  size_t size = 0;
  if (!json.ExpectArray(&size, ctx)) return false;
  if (size != kSize) return ctx.FailArrayLength(kSize, size);
  std::array<JsonValue, kSize> elements;
  json.ForEachElement([&elements](size_t index, JsonValue element) {
    elements[index] = element;
    return true;
  });
  [[maybe_unused]] size_t index = 0;
  return ((JsonCodec<Ts>::Decode(elements[index], targets, ctx) ? (++index, true)
                                                                : ctx.AtIndex(index)) &&
          ...);
}

template <typename... Ts>
struct JsonCodec<std::tuple<Ts...>> {
  static std::string Name() { return TupleName<Ts...>("std::tuple"); }
  static void Encode(const std::tuple<Ts...>& value, std::string* out) {
    std::apply([out](const Ts&... elements) { EncodeJsonArray<Ts...>(out, elements...); }, value);
  }
  static bool Decode(JsonValue json, std::tuple<Ts...>* out, DecodeContext& ctx) {
    return std::apply(
        [&](Ts&... elements) { return DecodeJsonArray<Ts...>(json, ctx, &elements...); }, *out);
  }
};

template <typename A, typename B>
struct JsonCodec<std::pair<A, B>> {
  static std::string Name() { return TupleName<A, B>("std::pair"); }
  static void Encode(const std::pair<A, B>& value, std::string* out) {
    EncodeJsonArray<A, B>(out, value.first, value.second);
  }
  static bool Decode(JsonValue json, std::pair<A, B>* out, DecodeContext& ctx) {
    return DecodeJsonArray<A, B>(json, ctx, &out->first, &out->second);
  }
};

}  // namespace lockstep::payload_internal

#endif  // LOCKSTEP_ENGINE_PAYLOAD_JSON_CODEC_H_
