// LOCKSTEP_JSON_FIELDS: maps a user struct to a JSON object, field by field.
//
//   namespace shop {
//   struct Order { std::string id; int64_t cents; std::vector<std::string> items; };
//   LOCKSTEP_JSON_FIELDS(Order, id, cents, items)
//   }
//
// Written at namespace scope, in the struct's own namespace (the functions it declares are
// found by argument-dependent lookup); a trailing semicolon is optional. Up to 64 fields, each
// of a type with a JSON mapping (nested mapped structs included). The struct must be default
// constructible and the fields accessible from namespace scope.
//
// Encoding: an object whose keys are the field names, in the order the macro lists them:
//   {"id":"o-1","cents":1250,"items":["apple","pear"]}
// Decoding: keys the struct does not list are ignored; a key appearing twice is an error; a
// missing key is an error naming it ("missing key \"cents\" of Order"), except for a
// std::optional field, which becomes nullopt. `null` decodes only into optional fields (and
// float/double fields, as NaN).
#ifndef LOCKSTEP_ENGINE_PAYLOAD_STRUCT_MAPPING_H_
#define LOCKSTEP_ENGINE_PAYLOAD_STRUCT_MAPPING_H_

#include <concepts>
#include <optional>
#include <string>
#include <type_traits>

#include "engine/payload/json_codec.h"
#include "engine/payload/json_decode.h"

// LOCKSTEP_PP_FOR_EACH(m, a, b, c) expands to m(a) m(b) m(c), for up to 64 arguments
// (__VA_OPT__ recursion, C++20).
#define LOCKSTEP_PP_PARENS ()
#define LOCKSTEP_PP_EXPAND(...) \
  LOCKSTEP_PP_EXPAND3(LOCKSTEP_PP_EXPAND3(LOCKSTEP_PP_EXPAND3(LOCKSTEP_PP_EXPAND3(__VA_ARGS__))))
#define LOCKSTEP_PP_EXPAND3(...) \
  LOCKSTEP_PP_EXPAND2(LOCKSTEP_PP_EXPAND2(LOCKSTEP_PP_EXPAND2(LOCKSTEP_PP_EXPAND2(__VA_ARGS__))))
#define LOCKSTEP_PP_EXPAND2(...) \
  LOCKSTEP_PP_EXPAND1(LOCKSTEP_PP_EXPAND1(LOCKSTEP_PP_EXPAND1(LOCKSTEP_PP_EXPAND1(__VA_ARGS__))))
#define LOCKSTEP_PP_EXPAND1(...) __VA_ARGS__
#define LOCKSTEP_PP_FOR_EACH(macro, ...) \
  __VA_OPT__(LOCKSTEP_PP_EXPAND(LOCKSTEP_PP_FOR_EACH_STEP(macro, __VA_ARGS__)))
#define LOCKSTEP_PP_FOR_EACH_STEP(macro, first, ...) \
  macro(first) __VA_OPT__(LOCKSTEP_PP_FOR_EACH_AGAIN LOCKSTEP_PP_PARENS(macro, __VA_ARGS__))
#define LOCKSTEP_PP_FOR_EACH_AGAIN() LOCKSTEP_PP_FOR_EACH_STEP

// clang-format off
#define LOCKSTEP_JSON_FIELD_VISIT_(field) lockstep_visit(#field, lockstep_self.field) &&
// clang-format on

// Declares, next to Type:
//   LockstepJsonTypeName(const Type*)        -> "Type"
//   LockstepJsonVisitFields(self, visit)     -> visit("field", self.field) && ... for each
//                                               field in order; self is Type& or const Type&
#define LOCKSTEP_JSON_FIELDS(Type, ...)                                                   \
  [[maybe_unused]] inline const char* LockstepJsonTypeName(const Type*) { return #Type; } \
  template <typename LockstepSelf, typename LockstepVisitor>                              \
  requires std::is_same_v<std::remove_const_t<LockstepSelf>, Type>                        \
  bool LockstepJsonVisitFields([[maybe_unused]] LockstepSelf& lockstep_self,              \
                               [[maybe_unused]] LockstepVisitor&& lockstep_visit) {       \
    return LOCKSTEP_PP_FOR_EACH(LOCKSTEP_JSON_FIELD_VISIT_, __VA_ARGS__) true;            \
  }

namespace lockstep::payload_internal {

// A visitor that accepts every field; used only to detect the macro's functions.
struct AnyFieldVisitor {
  template <typename Field>
  bool operator()(const char*, Field&) const {
    return true;
  }
};

template <typename T>
concept JsonMappedStruct = requires(T& value) {
  { LockstepJsonVisitFields(value, AnyFieldVisitor{}) } -> std::same_as<bool>;
  { LockstepJsonTypeName(static_cast<const T*>(nullptr)) } -> std::convertible_to<const char*>;
};

template <JsonMappedStruct T>
struct JsonCodec<T> {
  static std::string Name() { return LockstepJsonTypeName(static_cast<const T*>(nullptr)); }

  static void Encode(const T& value, std::string* out) {
    out->push_back('{');
    bool first = true;
    LockstepJsonVisitFields(value, [&](const char* name, const auto& field) {
      if (!first) out->push_back(',');
      first = false;
      out->push_back('"');
      out->append(name);  // an identifier: nothing to escape
      out->append("\":");
      JsonCodec<std::remove_cvref_t<decltype(field)>>::Encode(field, out);
      return true;
    });
    out->push_back('}');
  }

  static bool Decode(JsonValue json, T* out, DecodeContext& ctx) {
    if (!json.ExpectObject(ctx)) return false;
    return LockstepJsonVisitFields(*out, [&](const char* name, auto& field) {
      using Field = std::remove_cvref_t<decltype(field)>;
      JsonValue member;
      int count = json.FindMember(name, &member);
      if (count == 0) {
        if constexpr (kIsOptional<Field>) {
          field.reset();
          return true;
        } else {
          return ctx.FailMissingKey(name, Name());
        }
      }
      if (count > 1) return ctx.FailDuplicateKey(name);
      if (!JsonCodec<Field>::Decode(member, &field, ctx)) return ctx.AtKey(name);
      return true;
    });
  }
};

}  // namespace lockstep::payload_internal

#endif  // LOCKSTEP_ENGINE_PAYLOAD_STRUCT_MAPPING_H_
