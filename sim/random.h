// The simulator's randomness: one seed, split into named streams, with integer distributions
// written here.
//
// Each subsystem (which faults a seed switches on, the workload's client calls, the schedule,
// signal delivery, children, activities, workflow tasks, workers, queries) draws from its own
// stream, derived from the seed and the stream's name. One more draw in one subsystem
// therefore does not reshuffle the others: a change to how activities fail leaves the
// workload's signal times as they were.
//
// Everything is integer arithmetic on xoshiro256** (engine/util/prng.h): the same seed gives
// the same draws on every compiler, library, optimization level and platform. Probabilities
// are integer ratios; durations are drawn in whole nanoseconds.
#ifndef LOCKSTEP_SIM_RANDOM_H_
#define LOCKSTEP_SIM_RANDOM_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/util/prng.h"

namespace lockstep::sim {

// A probability numerator/denominator. {0, 1} never; {1, 1} always.
struct Ratio {
  uint32_t numerator = 0;
  uint32_t denominator = 1;

  constexpr bool never() const { return numerator == 0; }
  // "1/20", "0" or "1".
  std::string ToString() const;
  friend constexpr bool operator==(Ratio a, Ratio b) {
    return a.numerator == b.numerator && a.denominator == b.denominator;
  }
};

enum class Stream : uint8_t {
  kSwarm,          // which fault kinds a seed turns on, and their rates
  kWorkload,       // the workload's client calls and their times
  kSchedule,       // the scheduling strategy's choices among simultaneous steps
  kSignals,        // signal delays, reordering and duplicates
  kChildren,       // child start latency and failures
  kActivities,     // activity latency, failures, timeouts, heartbeats
  kWorkflowTasks,  // workflow task latency, failures and losses
  kWorkers,        // worker crashes, restarts, cache evictions, polling outages
  kQueries,        // queries at random points
  kTimers,         // late timer fires
};
inline constexpr size_t kStreamCount = 10;

// The stream's name ("signals"); its seed derives from it.
absl::string_view StreamName(Stream stream);

class Random {
 public:
  explicit Random(uint64_t seed);

  uint64_t seed() const { return seed_; }
  Prng& stream(Stream s) { return streams_[static_cast<size_t>(s)]; }

 private:
  uint64_t seed_;
  std::array<Prng, kStreamCount> streams_;
};

// True with probability `p`.
inline bool Chance(Prng& rng, Ratio p) {
  if (p.numerator == 0) return false;
  return rng.Chance(p.numerator, p.denominator);
}

// Uniform in [lo, hi] (whole nanoseconds); lo when hi <= lo.
absl::Duration UniformDuration(Prng& rng, absl::Duration lo, absl::Duration hi);

// Log-uniform in [lo, hi]: as likely to fall in [1s, 10s] as in [1h, 10h]. For delays and
// latencies that should cover milliseconds to days with one knob. lo must be positive; lo
// when hi <= lo. Integer arithmetic only: a power-of-two octave is picked uniformly, then a
// point uniformly inside it.
absl::Duration LogUniformDuration(Prng& rng, absl::Duration lo, absl::Duration hi);

// Uniform in [lo, hi]; lo when hi <= lo.
int64_t UniformInt(Prng& rng, int64_t lo, int64_t hi);

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_RANDOM_H_
