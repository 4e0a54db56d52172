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

  bool HasReady() const { return !ready_.empty(); }

 private:
  std::deque<std::coroutine_handle<>> ready_;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_SCHEDULER_H_
