// Typed definitions of workflows, activities, signals, queries and updates: a name and a
// signature in one constant, shared by the workflow code that calls it, the registration that
// implements it and the tests that mock it, so a name typed twice or an argument of the wrong
// type fails to compile instead of failing a run.
//
//   // charge_card.h, included by the workflow, the worker and the tests:
//   inline constexpr ActivityDef<std::string(std::string, int64_t)> kChargeCard{"charge_card"};
//   inline constexpr SignalDef<void(bool)> kApprove{"approve"};
//   inline constexpr QueryDef<std::string()> kStatus{"status"};
//
//   registry.RegisterActivity(kChargeCard, [](ActivityContext&, std::string card, int64_t cents)
//                                              -> std::string { ... });
//   std::string id = co_await ctx.ExecuteActivity(kChargeCard, options, order.card, order.cents);
//   ctx.SetSignalHandler(kApprove, [&](bool ok) { approved = ok; });
//
// Contract:
//   - The signature is R(Args...): R the result (void for signals), Args the arguments as the
//     payload codec (engine/payload) encodes them, one payload each. A call site passes values
//     implicitly convertible to Args, a pointer never standing for a bool (checked by a
//     static_assert that names the call); the
//     values are converted to Args before they are encoded, so `int` passed for `int64_t`
//     encodes exactly as `int64_t` would.
//   - Every definition is a literal, trivially destructible type (a string_view and a source
//     location), so it may be a constexpr constant and is safe as a temporary in a co_await
//     expression (see options.h on g++ 12).
//   - Copying an ActivityDef, WorkflowDef or SignalDef records where the copy was made:
//     WorkflowContext's typed calls take the definition by value, and that copy carries the
//     caller's file and line to the command it issues (for nondeterminism reports), as a
//     string name does through Located.
//   - The string forms of every API keep working; a definition is only a checked spelling of
//     the same name.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_DEFINITIONS_H_
#define LOCKSTEP_ENGINE_WORKFLOW_DEFINITIONS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "engine/util/source_location.h"

namespace lockstep {

namespace definitions_internal {

// A name and where the copy in hand was made (empty for the constant itself).
class Named {
 public:
  constexpr explicit Named(std::string_view name) : name_(name) {}
  constexpr Named(const Named& other, SourceLocation where) : name_(other.name_), where_(where) {}

  constexpr std::string_view name() const { return name_; }
  std::string name_string() const { return std::string(name_); }
  constexpr SourceLocation where() const { return where_; }

 private:
  std::string_view name_;
  SourceLocation where_;
};

// Whether a `Given` argument may stand for a declared `D`: an implicit conversion, except a
// pointer (a string literal, say) for a bool, which C++ allows and no caller means.
template <typename D, typename G>
constexpr bool Converts() {
  if constexpr (std::is_same_v<std::remove_cv_t<D>, bool> && std::is_pointer_v<G>) {
    return false;
  } else {
    return std::is_convertible_v<const G&, D>;
  }
}

// True when every `Given` converts to the `Declared` at the same position.
template <typename Declared, typename Given>
struct ArgsConvert : std::false_type {};
template <typename... D, typename... G>
struct ArgsConvert<std::tuple<D...>, std::tuple<G...>> {
  static constexpr bool value = [] {
    if constexpr (sizeof...(D) != sizeof...(G)) {
      return false;
    } else {
      return (Converts<D, G>() && ...);
    }
  }();
};

}  // namespace definitions_internal

template <typename Signature>
class ActivityDef;
template <typename Signature>
class WorkflowDef;
template <typename Signature>
class SignalDef;
template <typename Signature>
class QueryDef;
template <typename Signature>
class UpdateDef;

// An activity: `R Fn(ActivityContext&, Args...)` runs it.
template <typename R, typename... Args>
class ActivityDef<R(Args...)> : public definitions_internal::Named {
 public:
  using Result = R;
  using ArgTuple = std::tuple<Args...>;
  constexpr explicit ActivityDef(std::string_view name) : Named(name) {}
  constexpr ActivityDef(const ActivityDef& other,
                        SourceLocation where = SourceLocation::current())
      : Named(other, where) {}
};

// A workflow: `Task<R> Fn(WorkflowContext&, Args...)` runs it.
template <typename R, typename... Args>
class WorkflowDef<R(Args...)> : public definitions_internal::Named {
 public:
  using Result = R;
  using ArgTuple = std::tuple<Args...>;
  constexpr explicit WorkflowDef(std::string_view name) : Named(name) {}
  constexpr WorkflowDef(const WorkflowDef& other,
                        SourceLocation where = SourceLocation::current())
      : Named(other, where) {}
};

// A signal: its handler takes Args and returns void (or Task<void>).
template <typename R, typename... Args>
class SignalDef<R(Args...)> : public definitions_internal::Named {
  static_assert(std::is_void_v<R>, "a SignalDef's signature is void(Args...): signals return nothing");

 public:
  using ArgTuple = std::tuple<Args...>;
  constexpr explicit SignalDef(std::string_view name) : Named(name) {}
  constexpr SignalDef(const SignalDef& other, SourceLocation where = SourceLocation::current())
      : Named(other, where) {}
};

// A query: its handler takes Args and returns R, read-only.
template <typename R, typename... Args>
class QueryDef<R(Args...)> : public definitions_internal::Named {
  static_assert(!std::is_void_v<R>, "a QueryDef's signature must return the answer's type");

 public:
  using Result = R;
  using ArgTuple = std::tuple<Args...>;
  constexpr explicit QueryDef(std::string_view name) : Named(name) {}
};

// An update: its handler takes Args and returns R (or void, or a Task of either).
template <typename R, typename... Args>
class UpdateDef<R(Args...)> : public definitions_internal::Named {
 public:
  using Result = R;
  using ArgTuple = std::tuple<Args...>;
  constexpr explicit UpdateDef(std::string_view name) : Named(name) {}
};

// Whether `Given...` may be passed where a definition declares `Declared` (a tuple).
template <typename Declared, typename... Given>
inline constexpr bool kArgumentsMatch =
    definitions_internal::ArgsConvert<Declared, std::tuple<std::decay_t<Given>...>>::value;

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_DEFINITIONS_H_
