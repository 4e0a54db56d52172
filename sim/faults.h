// The faults the simulator injects, and how a seed chooses them (swarm testing).
//
// Every fault kind is a switch with a rate. A campaign says which kinds are allowed
// (`--faults`); each seed then turns every allowed kind on or off with even odds and gives
// each one that is on a rate from a short ladder, so some seeds hammer one fault while others
// mix a few, and a bug that needs one fault without another is still reached (swarm testing,
// Groce et al. 2012). The chosen plan is printed with the seed. A kind given a fixed rate on
// the command line ("activity_latency=1/4") is on in every seed at that rate.
//
// What a rate counts (the "opportunity" each fault has):
//   signal_*            per signal a client sends (delay, reorder, duplicate delivery); delay
//                       also applies to workflow-to-workflow signal delivery
//   child_start_*       per child start the service performs
//   activity_*          per activity attempt (remote or local)
//   worker_crash_mid_activity  per activity attempt with latency: all workers crash while
//                       it runs, and restart a little later
//   workflow_task_*     per workflow task dispatched
//   timer_delay         per timer: it fires late
//   worker_crash, cache_eviction, query
//                       per service step: after it, crash and later restart every worker /
//                       evict a random open run from the cache / query a random open run
// Faults are injected only during the safety phase; the liveness phase heals them all.
#ifndef LOCKSTEP_SIM_FAULTS_H_
#define LOCKSTEP_SIM_FAULTS_H_

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/util/prng.h"
#include "sim/random.h"

namespace lockstep::sim {

enum class Fault : uint8_t {
  kSignalDelay,
  kSignalReorder,
  kSignalDuplicate,
  kChildStartLatency,
  kChildStartFailure,
  kActivityLatency,
  kActivityRetryableFailure,
  kActivityNonRetryableFailure,
  kActivityStartToCloseTimeout,
  kActivityHeartbeatLoss,
  kActivityWorkerOutage,  // activity workers stop polling for a while (schedule-to-start)
  kWorkerCrashMidActivity,
  kWorkflowTaskLatency,
  kWorkflowTaskFailure,
  kWorkflowTaskTimeout,
  kTimerDelay,
  kWorkerCrash,
  kCacheEviction,
  kQuery,
};
inline constexpr size_t kFaultCount = 19;

// "signal_delay", ...: the names --faults takes and reports print.
absl::string_view FaultName(Fault fault);
// One line: what the fault does.
absl::string_view FaultDescription(Fault fault);
std::optional<Fault> FaultByName(absl::string_view name);

using FaultSet = std::bitset<kFaultCount>;

// Which kinds a campaign allows, and the rates fixed on the command line.
struct FaultSelection {
  FaultSet allowed;
  std::array<std::optional<Ratio>, kFaultCount> fixed = {};

  static FaultSelection All();
  static FaultSelection None();
  // "all", "none", or a comma-separated list of NAME (allowed, rate by swarm), NAME=N/D
  // (always on at that rate), -NAME (not allowed; after "all"). Errors name the bad item.
  static absl::StatusOr<FaultSelection> Parse(absl::string_view list);
  // The canonical form Parse reads back ("all", "none", or the list).
  std::string ToString() const;
};

// One seed's faults: the rate of every kind (never for kinds that are off).
class FaultPlan {
 public:
  FaultPlan() = default;
  // Draws the plan from the swarm stream: each allowed kind without a fixed rate is on with
  // probability 1/2 and then takes a rate from its ladder.
  static FaultPlan Swarm(const FaultSelection& selection, Prng& swarm);

  Ratio rate(Fault f) const { return rates_[static_cast<size_t>(f)]; }
  bool on(Fault f) const { return !rate(f).never(); }
  void set_rate(Fault f, Ratio r) { rates_[static_cast<size_t>(f)] = r; }
  bool any() const;
  // "signal_delay=1/10 activity_latency=1/4" (the kinds that are on, in enum order), or
  // "none".
  std::string ToString() const;

 private:
  std::array<Ratio, kFaultCount> rates_ = {};
};

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_FAULTS_H_
