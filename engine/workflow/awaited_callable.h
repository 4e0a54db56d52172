// A compile-time guard for callables passed to operations whose result is co_awaited
// (WorkflowContext::WaitCondition, CancellationScope::Run).
//
// Why: g++ before 13 destroys some temporaries of a full-expression that contains co_await
// twice (GCC bugs 99576, 100611, 101367, 101976, fixed for GCC 13). The temporaries hit are
// lambda closures and other aggregate-initialized class objects, so
//
//   co_await ctx.WaitCondition([state] { return state->ready; });  // state: a shared_ptr
//
// runs the closure's destructor twice and releases `state` twice: a double free, or a
// use-after-free of whatever `state` owned. A closure that is trivially destructible (captures
// by reference, `this`, ints, pointers) loses nothing by it, and a named lambda is no
// temporary at all. docs/engine.md ("Temporaries in co_await expressions") lists every
// shape, including those no guard can see.
//
// Contract:
//   - CheckAwaitedCallable<F>() is called with F deduced from a forwarding reference (F&&).
//     It fails to compile when F is not an lvalue reference (the argument is a temporary or
//     a moved-from object) and std::remove_cvref_t<F> is not trivially destructible, and the
//     guard is on; otherwise it does nothing.
//   - The guard is on (LOCKSTEP_AWAITED_CALLABLE_GUARD is 1) for g++ before 13, where the
//     bug is. Defining LOCKSTEP_STRICT_AWAITED_CALLABLES=1 (-D on the command line) turns it
//     on with every compiler, so code written with clang or a newer g++ keeps building with
//     g++ 12 (Debian 12's compiler). It cannot be turned off for g++ before 13.
//   - It cannot tell whether the call is inside a co_await expression: a temporary is
//     rejected even in `Future<void> f = scope.Run([state]() -> Task<void> {...});`, which
//     would be safe. Naming the callable first is always accepted.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_AWAITED_CALLABLE_H_
#define LOCKSTEP_ENGINE_WORKFLOW_AWAITED_CALLABLE_H_

#include <type_traits>

#ifndef LOCKSTEP_STRICT_AWAITED_CALLABLES
#define LOCKSTEP_STRICT_AWAITED_CALLABLES 0
#endif

// 1 when the guard is on: for g++ before 13, which destroys aggregate-initialized temporaries
// (lambda closures among them) of a co_await full-expression twice, or when asked for.
#if (defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13) || \
    LOCKSTEP_STRICT_AWAITED_CALLABLES != 0
#define LOCKSTEP_AWAITED_CALLABLE_GUARD 1
#else
#define LOCKSTEP_AWAITED_CALLABLE_GUARD 0
#endif

namespace lockstep::internal {

inline constexpr bool kRejectTemporaryAwaitedCallables = LOCKSTEP_AWAITED_CALLABLE_GUARD != 0;

// Whether a callable passed as F&& survives being destroyed twice: it is no temporary (an
// lvalue), or destroying it does nothing.
template <typename F>
inline constexpr bool kSafeAwaitedCallable =
    std::is_lvalue_reference_v<F> || std::is_trivially_destructible_v<std::remove_cvref_t<F>>;

template <typename F>
constexpr void CheckAwaitedCallable() {
  static_assert(!kRejectTemporaryAwaitedCallables || kSafeAwaitedCallable<F>,
                "Lockstep: this callable is a temporary that is not trivially destructible "
                "(a lambda capturing a shared_ptr, string or vector by value, a std::function, "
                "...). g++ before 13 destroys such a temporary twice when the call is inside a "
                "co_await expression (GCC bugs 99576, 100611), freeing its captures twice. "
                "Name the lambda first: `auto done = [state] { return state->ready; }; "
                "co_await ctx.WaitCondition(done);` (likewise `co_await scope.Run(body);`), or "
                "capture by reference ([&]). See docs/engine.md, 'Temporaries in co_await "
                "expressions'.");
}

}  // namespace lockstep::internal

#endif  // LOCKSTEP_ENGINE_WORKFLOW_AWAITED_CALLABLE_H_
