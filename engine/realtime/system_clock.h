// The wall clock for the real-time driver (realtime_service.h): absl::Now(), never running
// backwards. The service stamps events with Clock::Now() and compares deadlines with it; a
// clock that stepped back (an NTP correction) would stamp an event before the one it follows,
// so a reading earlier than the last one returns the last one instead.
//
// Thread-safe: Now() may be called from any thread.
#ifndef LOCKSTEP_ENGINE_REALTIME_SYSTEM_CLOCK_H_
#define LOCKSTEP_ENGINE_REALTIME_SYSTEM_CLOCK_H_

#include <atomic>
#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/core/clock.h"

namespace lockstep {

class SystemClock : public Clock {
 public:
  absl::Time Now() const override {
    const int64_t now = absl::ToUnixNanos(absl::Now());
    int64_t last = last_.load(std::memory_order_relaxed);
    while (now > last && !last_.compare_exchange_weak(last, now, std::memory_order_relaxed)) {
    }
    return absl::FromUnixNanos(now > last ? now : last);
  }

 private:
  mutable std::atomic<int64_t> last_{0};
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_REALTIME_SYSTEM_CLOCK_H_
