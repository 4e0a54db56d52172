// Future<T>: the result of an operation that has already started (an activity, a timer, a
// condition). Unlike a Task, a Future is eager: the command was issued when the Future was
// made, so several can be in flight at once and awaited in any order, or with WhenAll/WhenAny.
//
// Contract:
//   - co_await gives the value, or rethrows the failure the operation ended with (an
//     ActivityFailure, a CanceledFailure, ...). Awaiting a resolved Future does not suspend.
//   - Futures are cheap handles to shared state; copies see the same result.
//   - Resolution queues every waiting coroutine on the run's Scheduler, in the order they
//     started waiting; nothing is resumed inline.
//   - Cancel() asks the operation to stop (for activities and timers); the Future then ends
//     with a CanceledFailure, at once or when the service confirms, depending on the kind.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_FUTURE_H_
#define LOCKSTEP_ENGINE_WORKFLOW_FUTURE_H_

#include <coroutine>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "engine/workflow/callback.h"
#include "engine/workflow/scheduler.h"

namespace lockstep {

namespace internal {

template <typename T>
using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

// What a cancellation scope needs of a future of any type: whether it is still pending and
// how to cancel it.
struct CancelableState : Releasable {
  virtual bool ready() const = 0;
  Callback canceler;
  void Cancel() {
    if (!ready() && canceler) {
      auto c = canceler;  // may resolve the state
      c();
    }
  }
};

template <typename T>
struct FutureState : CancelableState {
  struct Waiter {
    std::coroutine_handle<> handle;
    ScopeState* scope;
  };
  std::optional<Stored<T>> value;
  std::exception_ptr error;
  Scheduler* scheduler = nullptr;
  std::vector<Waiter> waiters;
  // For WhenAny and friends; most futures have at most one (a typed result's decoding).
  absl::InlinedVector<Callback, 1> on_ready;

  bool ready() const override { return value.has_value() || error != nullptr; }

  // Drops everything that may refer to other futures (see Scheduler::Track).
  void Release() override {
    waiters.clear();
    on_ready.clear();
    canceler = nullptr;
  }

  void Wake() {
    for (const Waiter& w : waiters) scheduler->Schedule(w.handle, w.scope);
    waiters.clear();
    auto callbacks = std::move(on_ready);
    on_ready.clear();
    for (auto& cb : callbacks) cb();
  }
};

}  // namespace internal

template <typename T>
class Future;

// The producing side of a Future.
template <typename T>
class Resolver {
 public:
  Resolver() = default;
  explicit Resolver(std::shared_ptr<internal::FutureState<T>> state) : state_(std::move(state)) {}

  template <typename... U>
  void SetValue(U&&... v) {
    if (!state_ || state_->ready()) return;
    state_->value.emplace(std::forward<U>(v)...);
    state_->Wake();
  }
  void SetError(std::exception_ptr error) {
    if (!state_ || state_->ready()) return;
    state_->error = std::move(error);
    state_->Wake();
  }
  bool resolved() const { return state_ && state_->ready(); }

 private:
  std::shared_ptr<internal::FutureState<T>> state_;
};

template <typename T>
class Future {
 public:
  Future() = default;

  // A new pending future and its resolver, bound to `scheduler`.
  static std::pair<Future, Resolver<T>> Make(Scheduler* scheduler) {
    // One allocation for the state and its count. The scheduler's weak reference keeps that
    // block (not the value, which goes with the last Future) until it prunes expired entries,
    // which it does whenever its list doubles: at most about twice the live futures' blocks.
    auto state = std::make_shared<internal::FutureState<T>>();
    state->scheduler = scheduler;
    if (scheduler != nullptr) scheduler->Track(state);
    return {Future(state), Resolver<T>(state)};
  }

  bool valid() const { return state_ != nullptr; }
  bool ready() const { return state_ && state_->ready(); }
  bool failed() const { return state_ && state_->error != nullptr; }
  // For a resolved future: its failure (null if it succeeded) and its value.
  std::exception_ptr error() const { return state_->error; }
  const internal::Stored<T>& value() const { return *state_->value; }
  Scheduler* scheduler() const { return state_->scheduler; }

  // Requests cancellation of the underlying operation; a no-op once resolved.
  void Cancel() const {
    if (state_) state_->Cancel();
  }

  // Runs `callback` once the future is resolved (at once if it already is).
  void OnReady(internal::Callback callback) const {
    if (ready()) {
      callback();
    } else {
      state_->on_ready.push_back(std::move(callback));
    }
  }

  bool await_ready() const noexcept { return ready(); }
  void await_suspend(std::coroutine_handle<> awaiting) const {
    state_->waiters.push_back(
        {awaiting, state_->scheduler ? state_->scheduler->current_scope() : nullptr});
  }
  T await_resume() const {
    if (state_->error) std::rethrow_exception(state_->error);
    if constexpr (!std::is_void_v<T>) return *state_->value;
  }

  // Internal: used by operations to install their cancel action.
  void SetCanceler(internal::Callback canceler) const { state_->canceler = std::move(canceler); }
  // Internal: the type-erased state, for cancellation scopes.
  std::shared_ptr<internal::CancelableState> cancelable() const { return state_; }

 private:
  explicit Future(std::shared_ptr<internal::FutureState<T>> state) : state_(std::move(state)) {}
  std::shared_ptr<internal::FutureState<T>> state_;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_FUTURE_H_
