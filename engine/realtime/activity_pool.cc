#include "engine/realtime/activity_pool.h"

#include <utility>

namespace lockstep::realtime {

ActivityPool::ActivityPool(int threads) {
  const int n = threads < 1 ? 1 : threads;
  threads_.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Work(); });
}

ActivityPool::~ActivityPool() { Stop(); }

bool ActivityPool::Submit(absl::AnyInvocable<void() &&> job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    queue_.push_back(std::move(job));
  }
  work_.notify_one();
  return true;
}

int64_t ActivityPool::Stop() {
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  std::deque<absl::AnyInvocable<void() &&>> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    dropped.swap(queue_);
  }
  work_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  // Destroyed here, outside the lock: a job's captures may be anything.
  return static_cast<int64_t>(dropped.size());
}

void ActivityPool::Work() {
  for (;;) {
    absl::AnyInvocable<void() &&> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    std::move(job)();
  }
}

}  // namespace lockstep::realtime
