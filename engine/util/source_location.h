// SourceLocation: the file and line of a call, captured as a default argument.
//
// std::source_location would do, but clang 14 cannot compile libstdc++ 12's <source_location>
// (it lacks __builtin_source_location); the older builtins below work on both compilers.
//
//   void Schedule(SourceLocation where = SourceLocation::current());
#ifndef LOCKSTEP_ENGINE_UTIL_SOURCE_LOCATION_H_
#define LOCKSTEP_ENGINE_UTIL_SOURCE_LOCATION_H_

#include <cstdint>

namespace lockstep {

class SourceLocation {
 public:
  constexpr SourceLocation() = default;

  static constexpr SourceLocation current(const char* file = __builtin_FILE(),
                                          uint32_t line = __builtin_LINE(),
                                          const char* function = __builtin_FUNCTION()) noexcept {
    SourceLocation location;
    location.file_ = file;
    location.line_ = line;
    location.function_ = function;
    return location;
  }

  constexpr const char* file_name() const { return file_; }
  constexpr uint32_t line() const { return line_; }
  constexpr const char* function_name() const { return function_; }

 private:
  const char* file_ = "";
  uint32_t line_ = 0;
  const char* function_ = "";
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_UTIL_SOURCE_LOCATION_H_
