// Workflow and activity types by name.
//
//   Registry registry;
//   registry.RegisterWorkflow("counterWorkflow", &CounterWorkflow);   // Task<int>(ctx, int)
//   registry.RegisterActivity("greet", [](ActivityContext&, std::string name) {
//     return "Hello, " + name;
//   });
//
// Typed functions are wrapped so that arguments and results travel as payloads
// (engine/payload). A workflow whose input does not decode fails with a non-retryable
// ApplicationFailure of type "DecodeError". Names are unique; registering one twice is an
// error. Lookups never allocate and the registry is read-only once workers use it.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_REGISTRY_H_
#define LOCKSTEP_ENGINE_WORKFLOW_REGISTRY_H_

#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "engine/payload/payload.h"
#include "engine/workflow/activity.h"
#include "engine/workflow/context.h"
#include "engine/workflow/definitions.h"
#include "engine/workflow/task.h"

namespace lockstep {

using WorkflowFunction = std::function<Task<Payloads>(WorkflowContext&, Payloads)>;
using ActivityFunction = std::function<Payloads(ActivityContext&, const Payloads&)>;

namespace internal {

template <typename T>
struct Signature : Signature<decltype(&T::operator())> {};
template <typename R, typename... A>
struct Signature<R (*)(A...)> {
  using Result = R;
  using Args = std::tuple<A...>;
};
template <typename C, typename R, typename... A>
struct Signature<R (C::*)(A...) const> : Signature<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct Signature<R (C::*)(A...)> : Signature<R (*)(A...)> {};

template <typename T>
struct TaskValue;
template <typename T>
struct TaskValue<Task<T>> {
  using type = T;
};

// Whether a function's parameters `Params` (a tuple) are those of `Expected` (a tuple), each compared without
// its const and reference.
template <typename Params, typename Expected>
struct SameArgs : std::false_type {};
template <typename... P, typename... E>
  requires(sizeof...(P) == sizeof...(E))
struct SameArgs<std::tuple<P...>, std::tuple<E...>>
    : std::bool_constant<(std::is_same_v<std::remove_cvref_t<P>, std::remove_cvref_t<E>> && ...)> {
};

template <typename F, typename R, typename Ctx, typename... Args>
WorkflowFunction WrapWorkflow(F fn, std::tuple<Ctx, Args...>*) {
  return [fn = std::move(fn)](WorkflowContext& ctx, Payloads input) -> Task<Payloads> {
    auto args = FromPayloads<std::decay_t<Args>...>(input);
    if (!args.ok()) {
      throw ApplicationFailure(std::string(args.status().message()), "DecodeError", true);
    }
    auto call = std::tuple_cat(std::forward_as_tuple(ctx), *std::move(args));
    // A failure of the workflow function becomes this wrapper's without a second unwind
    // (ForwardingAwaiter); the wrapper then returns nothing anyone reads.
    ForwardingAwaiter<R> body(std::apply(fn, std::move(call)));
    [[maybe_unused]] auto outcome = co_await body;
    if constexpr (std::is_void_v<R>) {
      co_return Payloads();
    } else {
      if (!outcome.has_value()) co_return Payloads();
      co_return ToPayloads(*outcome);
    }
  };
}

template <typename F, typename R, typename Ctx, typename... Args>
ActivityFunction WrapActivity(F fn, std::tuple<Ctx, Args...>*) {
  return [fn = std::move(fn)](ActivityContext& ctx, const Payloads& input) -> Payloads {
    auto args = FromPayloads<std::decay_t<Args>...>(input);
    if (!args.ok()) {
      throw ApplicationFailure(std::string(args.status().message()), "DecodeError", true);
    }
    auto call = std::tuple_cat(std::forward_as_tuple(ctx), *std::move(args));
    if constexpr (std::is_void_v<R>) {
      std::apply(fn, std::move(call));
      return Payloads();
    } else {
      return ToPayloads(std::apply(fn, std::move(call)));
    }
  };
}

}  // namespace internal

class Registry {
 public:
  // `fn`: Task<R>(WorkflowContext&, Args...), a function pointer or a non-generic lambda.
  template <typename F>
  absl::Status RegisterWorkflow(std::string name, F fn) {
    using Sig = internal::Signature<std::decay_t<F>>;
    using R = typename internal::TaskValue<typename Sig::Result>::type;
    return RegisterRawWorkflow(std::move(name),
                               internal::WrapWorkflow<std::decay_t<F>, R>(
                                   std::move(fn), static_cast<typename Sig::Args*>(nullptr)));
  }
  // `fn`: R(ActivityContext&, Args...).
  template <typename F>
  absl::Status RegisterActivity(std::string name, F fn) {
    using Sig = internal::Signature<std::decay_t<F>>;
    return RegisterRawActivity(std::move(name),
                               internal::WrapActivity<std::decay_t<F>, typename Sig::Result>(
                                   std::move(fn), static_cast<typename Sig::Args*>(nullptr)));
  }

  // Typed forms (definitions.h): `fn`'s signature must be exactly the definition's, with its
  // context first: Task<R>(WorkflowContext&, Args...) for a WorkflowDef<R(Args...)>,
  // R(ActivityContext&, Args...) for an ActivityDef<R(Args...)> (arguments may be taken by
  // value or by const reference).
  template <typename R, typename... Declared, typename F>
  absl::Status RegisterWorkflow(const WorkflowDef<R(Declared...)>& def, F fn) {
    using Sig = internal::Signature<std::decay_t<F>>;
    static_assert(std::is_same_v<typename Sig::Result, Task<R>>,
                  "RegisterWorkflow: the function must return Task<R> for WorkflowDef<R(...)>");
    using Expected = std::tuple<WorkflowContext&, Declared...>;
    static_assert(internal::SameArgs<typename Sig::Args, Expected>::value,
                  "RegisterWorkflow: the function must take (WorkflowContext&, Args...) for "
                  "WorkflowDef<R(Args...)>");
    return RegisterWorkflow(def.name_string(), std::move(fn));
  }
  template <typename R, typename... Declared, typename F>
  absl::Status RegisterActivity(const ActivityDef<R(Declared...)>& def, F fn) {
    using Sig = internal::Signature<std::decay_t<F>>;
    static_assert(std::is_same_v<typename Sig::Result, R>,
                  "RegisterActivity: the function must return R for ActivityDef<R(...)>");
    using Expected = std::tuple<ActivityContext&, Declared...>;
    static_assert(internal::SameArgs<typename Sig::Args, Expected>::value,
                  "RegisterActivity: the function must take (ActivityContext&, Args...) for "
                  "ActivityDef<R(Args...)>");
    return RegisterActivity(def.name_string(), std::move(fn));
  }

  absl::Status RegisterRawWorkflow(std::string name, WorkflowFunction fn);
  absl::Status RegisterRawActivity(std::string name, ActivityFunction fn);

  const WorkflowFunction* FindWorkflow(const std::string& name) const;
  const ActivityFunction* FindActivity(const std::string& name) const;

  // Sorted by name.
  std::vector<std::string> WorkflowTypes() const;
  std::vector<std::string> ActivityTypes() const;

 private:
  std::map<std::string, WorkflowFunction> workflows_;
  std::map<std::string, ActivityFunction> activities_;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_REGISTRY_H_
