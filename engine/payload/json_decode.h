// Reading json/plain payload data: a thin view over simdjson's DOM for general types, and
// direct parsers for the scalar types on the engine's hot path.
//
// The DOM view is type-erased (JsonValue holds simdjson's element by value) so that
// payload.h, which every piece of workflow code includes, does not pull in simdjson.h.
//
// Errors are collected in a DecodeContext: the innermost failure records a message
// ("expected an integer, got \"abc\""), and each enclosing level adds its path segment as
// the failure unwinds, so the success path does no bookkeeping at all.
#ifndef LOCKSTEP_ENGINE_PAYLOAD_JSON_DECODE_H_
#define LOCKSTEP_ENGINE_PAYLOAD_JSON_DECODE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace lockstep::payload_internal {

class DecodeContext;

enum class JsonKind { kNull, kBool, kNumber, kString, kArray, kObject };

// One value inside a document parsed by ParseJsonDocument; valid only during its callback.
// Every Get/Expect method returns false after recording the error in `ctx` when the value
// does not have the asked-for type or range.
class JsonValue {
 public:
  JsonValue() = default;

  JsonKind kind() const;
  bool IsNull() const { return kind() == JsonKind::kNull; }

  bool GetBool(bool* out, DecodeContext& ctx) const;
  // An integer in [min, max] (`type_name` is for the message). A number written with a
  // fraction or exponent ("1.0", "1e3") is accepted when its value, read as a double, is an
  // integer in range.
  bool GetSigned(int64_t min, int64_t max, std::string_view type_name, int64_t* out,
                 DecodeContext& ctx) const;
  bool GetUnsigned(uint64_t max, std::string_view type_name, uint64_t* out,
                   DecodeContext& ctx) const;
  // Any number; `null` reads as NaN (the encoder writes non-finite values as null).
  bool GetDouble(double* out, DecodeContext& ctx) const;
  // As GetDouble, then rounded to float; a finite value beyond float's range is an error.
  bool GetFloat(float* out, DecodeContext& ctx) const;
  bool GetString(std::string* out, DecodeContext& ctx) const;

  // Arrays. ForEachElement requires an array (check with ExpectArray first); it calls `fn`
  // in order until `fn` returns false, and returns false if it did.
  bool ExpectArray(size_t* size, DecodeContext& ctx) const;
  bool ForEachElement(absl::FunctionRef<bool(size_t index, JsonValue element)> fn) const;

  // Objects, members in document order. ForEachMember and FindMember require an object.
  bool ExpectObject(DecodeContext& ctx) const;
  bool ForEachMember(absl::FunctionRef<bool(std::string_view key, JsonValue value)> fn) const;
  // How many members are named `key`: 0, 1, or 2 meaning "more than one". When at least one
  // is, *first is set to the first one's value.
  int FindMember(std::string_view key, JsonValue* first) const;

 private:
  friend struct JsonValueAccess;
  // simdjson::dom::element (a document pointer and a tape index), copied bytewise.
  alignas(8) unsigned char rep_[16] = {};
};

class DecodeContext {
 public:
  // Records the innermost error. Each returns false so callers can `return ctx.Fail(...)`.
  bool Fail(std::string message);
  // "expected <expected>, got <a short rendering of got>".
  bool FailExpected(std::string_view expected, JsonValue got);
  // "expected an array of <expected> elements, got an array of <n> elements".
  bool FailArrayLength(size_t expected, size_t got);
  // "duplicate key \"<key>\"" (reported at the object holding it).
  bool FailDuplicateKey(std::string_view key);
  // "missing key \"<key>\" of <type_name>" (reported at the object missing it).
  bool FailMissingKey(std::string_view key, std::string_view type_name);

  // Called while a failure unwinds, innermost first: the failure is inside element `index`
  // or member `key` of the enclosing value. Each returns false.
  bool AtIndex(size_t index);
  bool AtKey(std::string_view key);

  // InvalidArgument "payload: <message> at $<path>", e.g. "... at $.items[2]".
  absl::Status ToStatus() const;

 private:
  std::string message_;
  std::vector<std::string> path_;  // innermost first
};

// Parses `json` with a thread-local simdjson parser and calls decode(root, ctx). Returns
// InvalidArgument "payload: invalid JSON (...)" when `json` does not parse, ctx.ToStatus()
// when `decode` returns false, else OK. Never aborts: truncated or hostile input, deep
// nesting (over 1024 levels) and numbers out of every range are errors.
absl::Status ParseJsonDocument(std::string_view json,
                               absl::FunctionRef<bool(JsonValue root, DecodeContext& ctx)> decode);

// Direct parsers for a whole document holding a single scalar (whitespace around it
// allowed). They return false whenever the text is not the simple common case, and then the
// caller decodes through ParseJsonDocument, which gives the same answer or the error. They
// never accept text that ParseJsonDocument would reject or read differently.
bool FastParseBool(std::string_view json, bool* out);
bool FastParseInt64(std::string_view json, int64_t* out);
bool FastParseUint64(std::string_view json, uint64_t* out);
bool FastParseDouble(std::string_view json, double* out);
bool FastParseString(std::string_view json, std::string* out);

// Whether a finite `value` rounds to a finite float (NaN and infinities pass).
bool FitsFloat(double value);

}  // namespace lockstep::payload_internal

#endif  // LOCKSTEP_ENGINE_PAYLOAD_JSON_DECODE_H_
