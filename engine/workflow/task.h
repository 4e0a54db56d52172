// Task<T>: the coroutine type of workflow code.
//
//   Task<int> Add(WorkflowContext& ctx, int a) { co_return a + co_await Other(ctx); }
//
// Contract:
//   - Lazy: calling a Task function runs nothing until the Task is awaited (or started by the
//     workflow run, for the main function and async signal handlers).
//   - co_await on a Task<T> gives its T, or rethrows the exception it ended with.
//   - Resumption goes through the Scheduler (scheduler.h): awaiting queues the child, the
//     child's end queues the parent. The Scheduler is inherited from the awaiting coroutine.
//   - A Task owns its coroutine frame and destroys it when the Task object goes away.
//   - [[nodiscard]]: a Task that is never awaited never runs, which is always a bug.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_TASK_H_
#define LOCKSTEP_ENGINE_WORKFLOW_TASK_H_

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "engine/workflow/scheduler.h"

namespace lockstep {

template <typename T>
class [[nodiscard]] Task;

namespace internal {

// State every Lockstep coroutine promise carries, so that awaitables find the run loop.
struct PromiseBase {
  Scheduler* scheduler = nullptr;
  std::coroutine_handle<> continuation;
  std::exception_ptr error;

  std::suspend_always initial_suspend() noexcept { return {}; }
  auto final_suspend() noexcept {
    struct FinalAwaiter {
      bool await_ready() noexcept { return false; }
      void await_suspend(std::coroutine_handle<> self) noexcept {
        (void)self;
        if (promise->continuation && promise->scheduler != nullptr) {
          promise->scheduler->Schedule(promise->continuation);
        }
      }
      void await_resume() noexcept {}
      PromiseBase* promise;
    };
    return FinalAwaiter{this};
  }
  void unhandled_exception() noexcept { error = std::current_exception(); }
};

template <typename T>
struct TaskPromise : PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object() noexcept;
  template <typename U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
};

template <>
struct TaskPromise<void> : PromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
};

}  // namespace internal

template <typename T>
class [[nodiscard]] Task {
 public:
  using promise_type = internal::TaskPromise<T>;
  using value_type = T;
  using Handle = std::coroutine_handle<promise_type>;

  Task() = default;
  explicit Task(Handle h) : handle_(h) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      Reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { Reset(); }

  bool valid() const { return static_cast<bool>(handle_); }
  bool done() const { return handle_ && handle_.done(); }

  // Queues this task on `scheduler` as a root (nothing awaits it). Used by the workflow run
  // for the main function and async handlers.
  void Start(Scheduler* scheduler) {
    handle_.promise().scheduler = scheduler;
    scheduler->Schedule(handle_);
  }
  // The same, running in cancellation scope `scope`.
  void Start(Scheduler* scheduler, internal::ScopeState* scope) {
    handle_.promise().scheduler = scheduler;
    scheduler->Schedule(handle_, scope);
  }

  // For a finished root task: its exception, if it ended with one.
  std::exception_ptr error() const { return handle_.promise().error; }
  // For a finished root task that returned normally.
  decltype(auto) result() {
    if constexpr (!std::is_void_v<T>) return std::move(*handle_.promise().value);
  }

  // Awaiting a Task from another Lockstep coroutine.
  bool await_ready() const noexcept { return false; }
  template <typename Promise>
  void await_suspend(std::coroutine_handle<Promise> awaiting) {
    auto& promise = handle_.promise();
    promise.scheduler = awaiting.promise().scheduler;
    promise.continuation = awaiting;
    promise.scheduler->Schedule(handle_);
  }
  T await_resume() {
    auto& promise = handle_.promise();
    if (promise.error) std::rethrow_exception(promise.error);
    if constexpr (!std::is_void_v<T>) return std::move(*promise.value);
  }

 private:
  void Reset() {
    if (handle_) handle_.destroy();
    handle_ = {};
  }
  Handle handle_;
};

namespace internal {
template <typename T>
Task<T> TaskPromise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<TaskPromise<T>>::from_promise(*this));
}
inline Task<void> TaskPromise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<TaskPromise<void>>::from_promise(*this));
}

// Awaits a task on behalf of a wrapper coroutine that only passes its outcome on (the registry's
// workflow wrapper): an exception the task ended with becomes the awaiting coroutine's own
// (its promise's error) without being thrown again, and await_resume then says there is no
// value. Throwing it through the wrapper would unwind once more for nothing: an unwind costs
// thousands of instructions a frame, and every failed workflow took one.
// Keep it in a named variable and co_await that: no temporary with a destructor in the co_await
// expression (docs/engine.md, the g++ 12 notes).
template <typename T>
class ForwardingAwaiter {
 public:
  explicit ForwardingAwaiter(Task<T> task) : task_(std::move(task)) {}

  bool await_ready() const noexcept { return false; }
  template <typename Promise>
  void await_suspend(std::coroutine_handle<Promise> awaiting) {
    awaiting_ = &awaiting.promise();
    task_.await_suspend(awaiting);
  }
  // The value (T not void) or true; nullopt or false when the task failed, its exception then
  // being the awaiting coroutine's.
  auto await_resume() {
    const std::exception_ptr error = task_.error();
    if (error) awaiting_->error = error;
    if constexpr (std::is_void_v<T>) {
      return !error;
    } else {
      return error ? std::optional<T>() : std::optional<T>(task_.result());
    }
  }

 private:
  Task<T> task_;
  PromiseBase* awaiting_ = nullptr;
};
}  // namespace internal

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_TASK_H_
