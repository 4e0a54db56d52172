// Moving a ManualClock for a Service: the service never moves time itself (service.h), so
// tests and simple drivers use these to jump from deadline to deadline. The simulator drives
// the service through its own clock and event queue instead.
//
// Precondition for all: `clock` is the clock the service was constructed with.
#ifndef LOCKSTEP_ENGINE_SERVICE_VIRTUAL_TIME_H_
#define LOCKSTEP_ENGINE_SERVICE_VIRTUAL_TIME_H_

#include <cstdint>

#include "absl/time/time.h"
#include "engine/core/clock.h"
#include "engine/service/service.h"

namespace lockstep {

// Runs what is due now; then, if something is pending, moves the clock to the next deadline
// (never backwards) and runs what is due there. False when nothing is pending.
bool AdvanceToNextDeadline(Service& service, ManualClock& clock);

// Runs until nothing is pending or the next deadline is after `limit`; the clock ends at the
// last deadline reached (not moved to `limit`). Returns the number of deadlines visited.
int64_t RunUntil(Service& service, ManualClock& clock, absl::Time limit);

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_SERVICE_VIRTUAL_TIME_H_
