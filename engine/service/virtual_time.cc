#include "engine/service/virtual_time.h"

#include <cassert>

namespace lockstep {

bool AdvanceToNextDeadline(Service& service, ManualClock& clock) {
  assert(service.clock() == &clock);
  service.RunUntilIdle();
  const std::optional<absl::Time> next = service.NextDeadline();
  if (!next.has_value()) return false;
  clock.AdvanceTo(*next);
  service.RunUntilIdle();
  return true;
}

int64_t RunUntil(Service& service, ManualClock& clock, absl::Time limit) {
  assert(service.clock() == &clock);
  int64_t visited = 0;
  service.RunUntilIdle();
  while (true) {
    const std::optional<absl::Time> next = service.NextDeadline();
    if (!next.has_value() || *next > limit) return visited;
    clock.AdvanceTo(*next);
    service.RunUntilIdle();
    ++visited;
  }
}

}  // namespace lockstep
