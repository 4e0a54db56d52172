// The run loop that resumes a workflow's coroutines.
//
// Coroutines never resume each other directly: a coroutine that becomes ready (an awaited
// Task finished, a Future resolved, a condition came true) is queued here, and the run loop
// resumes queued coroutines one at a time, first in first out. Nothing nests, so a long chain
// of synchronously completing awaits cannot grow the stack (g++ 12 does not turn symmetric
// transfer into a tail call at -O0 or under ASan), and the order of resumption is fixed by
// the order of events, never by addresses or timing.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_SCHEDULER_H_
#define LOCKSTEP_ENGINE_WORKFLOW_SCHEDULER_H_

#include <coroutine>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace lockstep {

class Scheduler {
 public:
  void Schedule(std::coroutine_handle<> handle) { ready_.push_back(handle); }

  // Resumes queued coroutines until none is ready. Returns how many were resumed.
  int RunUntilBlocked() {
    int resumed = 0;
    while (!ready_.empty()) {
      std::coroutine_handle<> next = ready_.front();
      ready_.pop_front();
      next.resume();
      ++resumed;
    }
    return resumed;
  }

  // Futures made for this run register a way to drop their callbacks. Callbacks hold other
  // futures (a typed result holds its raw one, a condition's timeout holds the condition), so
  // operations still pending when a run ends would keep each other alive; ReleaseAll breaks
  // those cycles. Entries of futures already gone are pruned as the list grows.
  template <typename State>
  void Track(const std::shared_ptr<State>& state) {
    if (releasers_.size() >= prune_at_) {
      std::erase_if(releasers_, [](const Releaser& r) { return r.alive.expired(); });
      prune_at_ = 2 * releasers_.size() + 64;
    }
    std::weak_ptr<State> weak = state;
    releasers_.push_back({weak, [weak] {
                            if (auto s = weak.lock()) s->Release();
                          }});
  }

  void ReleaseAll() {
    auto releasers = std::move(releasers_);
    releasers_.clear();
    for (auto& r : releasers) r.release();
  }

 private:
  struct Releaser {
    std::weak_ptr<void> alive;
    std::function<void()> release;
  };
  std::deque<std::coroutine_handle<>> ready_;
  std::vector<Releaser> releasers_;
  size_t prune_at_ = 64;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_SCHEDULER_H_
