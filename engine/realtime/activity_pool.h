// A fixed set of threads that run activity attempts for the real-time driver
// (realtime_service.h): jobs start in the order they were submitted, as threads come free.
//
// Thread-safe. Submit may be called from any thread, including a pool thread. Stop drops the
// jobs that have not started and waits for the running ones to return (a C++ thread cannot be
// interrupted: an activity that never returns makes Stop wait for ever); the destructor stops.
#ifndef LOCKSTEP_ENGINE_REALTIME_ACTIVITY_POOL_H_
#define LOCKSTEP_ENGINE_REALTIME_ACTIVITY_POOL_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"

namespace lockstep::realtime {

class ActivityPool {
 public:
  // `threads` < 1 counts as 1.
  explicit ActivityPool(int threads);
  ActivityPool(const ActivityPool&) = delete;
  ActivityPool& operator=(const ActivityPool&) = delete;
  ~ActivityPool();

  // Queues `job`. False (and `job` is destroyed unrun) once Stop has begun.
  bool Submit(absl::AnyInvocable<void() &&> job);
  // Refuses new jobs, drops the queued ones, waits for the running ones and joins every
  // thread. Returns how many queued jobs were dropped. Idempotent (later calls return 0).
  int64_t Stop();

 private:
  void Work();

  // Standard primitives rather than absl::Mutex: ThreadSanitizer sees through them even when
  // absl is a prebuilt, uninstrumented library.
  std::mutex mu_;
  std::condition_variable work_;  // a job was queued, or Stop began
  std::deque<absl::AnyInvocable<void() &&>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;  // touched only by the constructor and Stop
  std::mutex stop_mu_;                // serializes Stop calls
};

}  // namespace lockstep::realtime

#endif  // LOCKSTEP_ENGINE_REALTIME_ACTIVITY_POOL_H_
