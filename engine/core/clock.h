// Time for the in-process service: an injected interface, never the wall clock directly, so
// tests and the simulator decide what time it is.
#ifndef LOCKSTEP_ENGINE_CORE_CLOCK_H_
#define LOCKSTEP_ENGINE_CORE_CLOCK_H_

#include "absl/time/time.h"

namespace lockstep {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// A clock that moves only when told to. Starts at 2024-01-01T00:00:00Z so recorded histories
// are the same on every run.
class ManualClock : public Clock {
 public:
  ManualClock() : now_(absl::FromUnixSeconds(1704067200)) {}
  explicit ManualClock(absl::Time start) : now_(start) {}

  absl::Time Now() const override { return now_; }
  void Advance(absl::Duration d) { now_ += d; }
  // Moves to `t`; moving backwards is ignored (time never runs backwards).
  void AdvanceTo(absl::Time t) {
    if (t > now_) now_ = t;
  }

 private:
  absl::Time now_;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_CORE_CLOCK_H_
