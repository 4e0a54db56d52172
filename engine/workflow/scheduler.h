// The run loop that resumes a workflow's coroutines.
//
// Coroutines never resume each other directly: a coroutine that becomes ready (an awaited
// Task finished, a Future resolved, a condition came true) is queued here, and the run loop
// resumes queued coroutines one at a time, first in first out. Nothing nests, so a long chain
// of synchronously completing awaits cannot grow the stack (g++ 12 does not turn symmetric
// transfer into a tail call at -O0 or under ASan), and the order of resumption is fixed by
// the order of events, never by addresses or timing.
//
// Each queued coroutine carries the cancellation scope it runs in (cancellation_scope.h).
// The scope is an attribute of the coroutine, not of the thread: it is set while that
// coroutine runs and restored afterwards, so a coroutine that suspends inside a scope resumes
// inside it, whoever resolved what it awaited.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_SCHEDULER_H_
#define LOCKSTEP_ENGINE_WORKFLOW_SCHEDULER_H_

#include <coroutine>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace lockstep {

namespace internal {
class ScopeState;  // cancellation_scope.h

// What the scheduler needs of a future's state (future.h): a way to drop the callbacks it
// holds, which may hold other futures.
class Releasable {
 public:
  virtual ~Releasable() = default;
  virtual void Release() = 0;
};
}  // namespace internal

class Scheduler {
 public:
  // Queues `handle` to run in the scope that is current now (the scope of the coroutine that
  // queues it: an awaited child task, a parent resumed by its child's end).
  void Schedule(std::coroutine_handle<> handle) { ready_.push_back({handle, current_scope_}); }
  // Queues `handle` to run in `scope` (a waiter resumed by whoever resolved its future).
  void Schedule(std::coroutine_handle<> handle, internal::ScopeState* scope) {
    ready_.push_back({handle, scope});
  }

  // Queues `handle`, in the scope that is current now, to run once no other coroutine is
  // ready (WorkflowContext::Yield): coroutines that yield go on in the order they yielded,
  // after everything else has run as far as it can.
  void ScheduleAfterOthers(std::coroutine_handle<> handle) {
    yielded_.push_back({handle, current_scope_});
  }

  // Resumes queued coroutines until none is ready, then those that yielded, and so on until
  // neither is left. Returns how many were resumed.
  int RunUntilBlocked() {
    return RunUntilBlockedOr([] { return false; });
  }

  // The same, but returns as soon as `stop()` holds after a coroutine ran (what is still
  // queued stays queued, in order).
  template <typename Stop>
  int RunUntilBlockedOr(Stop&& stop) {
    int resumed = 0;
    internal::ScopeState* const outside = current_scope_;
    for (;;) {
      while (!ready_.empty()) {
        Ready next = ready_.front();
        ready_.pop_front();
        current_scope_ = next.scope;
        next.handle.resume();
        ++resumed;
        if (stop()) {
          current_scope_ = outside;
          return resumed;
        }
      }
      if (yielded_.empty()) break;
      ready_.swap(yielded_);
    }
    current_scope_ = outside;
    return resumed;
  }

  internal::ScopeState* current_scope() const { return current_scope_; }
  // Sets the scope that code run outside the loop (and what it queues) belongs to; returns
  // the previous one.
  internal::ScopeState* set_current_scope(internal::ScopeState* scope) {
    internal::ScopeState* previous = current_scope_;
    current_scope_ = scope;
    return previous;
  }

  // Futures made for this run register a way to drop their callbacks. Callbacks hold other
  // futures (a typed result holds its raw one, a condition's timeout holds the condition), so
  // operations still pending when a run ends would keep each other alive; ReleaseAll breaks
  // those cycles. Entries of futures already gone are pruned as the list grows.
  // Held weakly (a weak reference per future, no callback object to allocate).
  template <typename State>
  void Track(const std::shared_ptr<State>& state) {
    if (releasers_.size() >= prune_at_) {
      std::erase_if(releasers_,
                    [](const std::weak_ptr<internal::Releasable>& r) { return r.expired(); });
      prune_at_ = 2 * releasers_.size() + 64;
    }
    releasers_.emplace_back(state);
  }

  void ReleaseAll() {
    auto releasers = std::move(releasers_);
    releasers_.clear();
    for (auto& weak : releasers) {
      if (auto state = weak.lock()) state->Release();
    }
  }

 private:
  struct Ready {
    std::coroutine_handle<> handle;
    internal::ScopeState* scope;
  };
  std::deque<Ready> ready_;
  std::deque<Ready> yielded_;  // ScheduleAfterOthers
  internal::ScopeState* current_scope_ = nullptr;
  std::vector<std::weak_ptr<internal::Releasable>> releasers_;
  size_t prune_at_ = 64;
};

namespace internal {
// What WorkflowContext::Yield returns: co_await suspends the coroutine until every other one
// has run as far as it can (Scheduler::ScheduleAfterOthers), in the scope it runs in.
class YieldAwaiter {
 public:
  explicit YieldAwaiter(Scheduler* scheduler) : scheduler_(scheduler) {}
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> handle) const {
    scheduler_->ScheduleAfterOthers(handle);
  }
  void await_resume() const noexcept {}

 private:
  Scheduler* scheduler_;
};
}  // namespace internal

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_SCHEDULER_H_
