// Cancellation scopes: groups of operations that are canceled together.
//
//   CancellationScope scope = ctx.NewCancellationScope();
//   Future<std::string> r = scope.Run([&]() -> Task<std::string> {
//     co_return co_await ctx.ExecuteActivity<std::string>("slow", options);
//   });
//   ...
//   scope.Cancel();  // the activity is canceled; `r` ends with a CanceledFailure
//
// Contract:
//   - Every operation that can be canceled (activities, timers, child workflows, condition
//     waits, external signals and cancels) joins the scope of the coroutine that starts it.
//     A coroutine runs in the scope it was started in: the main function and signal, update
//     and query handlers in the root scope, a scope's Run() body in that scope, and a task it
//     awaits in the same scope as the awaiting code.
//   - Cancel() cancels, in the order they were started, the scope's pending operations and
//     its child scopes (those made by NewCancellationScope from inside it). Operations started
//     in a canceled scope fail at once with a CanceledFailure and issue no command.
//   - A detached scope (NewDetachedCancellationScope) has no parent: cancellation of the
//     workflow does not reach it, which is how cleanup code is shielded.
//   - A cancellation request for the workflow cancels the root scope.
//   - Scopes live as long as the run; handles are cheap to copy.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_CANCELLATION_SCOPE_H_
#define LOCKSTEP_ENGINE_WORKFLOW_CANCELLATION_SCOPE_H_

#include <exception>
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "engine/workflow/awaited_callable.h"
#include "engine/workflow/future.h"
#include "engine/workflow/scheduler.h"
#include "engine/workflow/task.h"

namespace lockstep {

namespace internal {

class ScopeState;

// What a scope needs from the run that owns it.
class ScopeHost {
 public:
  virtual ~ScopeHost() = default;
  virtual Scheduler* scope_scheduler() = 0;
  // Makes a scope owned by the run; `parent` null: detached.
  virtual ScopeState* NewScope(ScopeState* parent) = 0;
  // Starts `task` as a concurrent coroutine of the run, running in `scope`.
  virtual void StartInScope(ScopeState* scope, Task<void> task) = 0;
};

class ScopeState {
 public:
  ScopeState(ScopeHost* host, ScopeState* parent) : host_(host), parent_(parent) {
    if (parent_ != nullptr && parent_->canceled_) canceled_ = true;
  }
  ScopeState(const ScopeState&) = delete;
  ScopeState& operator=(const ScopeState&) = delete;

  ScopeHost* host() const { return host_; }
  bool canceled() const { return canceled_; }

  // Adds a pending operation; it is canceled with the scope.
  void Add(std::shared_ptr<CancelableState> op) {
    if (entries_.size() >= prune_at_) {
      std::erase_if(entries_, [](const Entry& e) {
        const auto* pending = std::get_if<std::shared_ptr<CancelableState>>(&e);
        return pending != nullptr && (*pending)->ready();
      });
      prune_at_ = 2 * entries_.size() + 16;
    }
    entries_.emplace_back(std::move(op));
  }
  void AddChild(ScopeState* child) { entries_.emplace_back(child); }

  void Cancel() {
    if (canceled_) return;
    canceled_ = true;
    // Cancelers may start operations (cleanup), which append: iterate by index over what
    // was there when the cancellation began.
    const size_t n = entries_.size();
    for (size_t i = 0; i < n; ++i) {
      Entry entry = entries_[i];
      if (auto* op = std::get_if<std::shared_ptr<CancelableState>>(&entry)) {
        (*op)->Cancel();
      } else {
        std::get<ScopeState*>(entry)->Cancel();
      }
    }
  }

  // Drops the references to operations (the run is ending; see Scheduler::ReleaseAll).
  void Release() { entries_.clear(); }

 private:
  using Entry = std::variant<std::shared_ptr<CancelableState>, ScopeState*>;
  ScopeHost* host_;
  ScopeState* parent_;
  bool canceled_ = false;
  std::vector<Entry> entries_;
  size_t prune_at_ = 16;
};

}  // namespace internal

class CancellationScope {
 public:
  CancellationScope() = default;
  explicit CancellationScope(internal::ScopeState* state) : state_(state) {}

  // Cancels everything started in the scope and its child scopes.
  void Cancel() const {
    if (state_ != nullptr) state_->Cancel();
  }
  bool IsCanceled() const { return state_ != nullptr && state_->canceled(); }

  // Starts `fn()` (a callable returning Task<T>) as a concurrent coroutine in this scope.
  // The Future gives its result, or the exception it ended with (a CanceledFailure when the
  // scope's cancellation reached it and the code did not catch it). A copy of `fn` (moved
  // from a temporary) is kept alive until the coroutine ends, so a lambda's captures stay
  // valid. On g++ before 13, a temporary `fn` that is not trivially destructible does not
  // compile, as the call is often co_awaited (awaited_callable.h): name the lambda first.
  template <typename Fn>
  auto Run(Fn&& fn) const {
    internal::CheckAwaitedCallable<Fn>();
    using Body = std::decay_t<Fn>;
    using TaskType = std::invoke_result_t<Body&>;
    using T = typename TaskType::value_type;
    internal::ScopeHost* host = state_->host();
    auto [future, resolver] = Future<T>::Make(host->scope_scheduler());
    host->StartInScope(state_,
                       Wrap<T, Body>(std::make_shared<Body>(std::forward<Fn>(fn)), resolver));
    return future;
  }

  internal::ScopeState* state() const { return state_; }

 private:
  template <typename T, typename Fn>
  static Task<void> Wrap(std::shared_ptr<Fn> fn, Resolver<T> resolver) {
    try {
      if constexpr (std::is_void_v<T>) {
        co_await (*fn)();
        resolver.SetValue();
      } else {
        resolver.SetValue(co_await (*fn)());
      }
    } catch (...) {
      resolver.SetError(std::current_exception());
    }
  }

  internal::ScopeState* state_ = nullptr;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_CANCELLATION_SCOPE_H_
