// Smaller schedules: the candidates a shrinker tries when a schedule fails, most drastic first.
//
// Candidates, in order:
//   1. Removals: chunks of entries (calls, activity attempts, workflow tasks, child starts,
//      delays, step faults, picks, counted as one list) of half the entries, a quarter, ...,
//      down to single entries. An absent entry means "nothing special", so a removal never
//      makes a schedule invalid.
//   2. Simplifications of one entry: an activity attempt loses one of its faults (or its own
//      latency or failure); a child start loses its latency or its failure; a pick of index i
//      picks i-1.
//   3. Earlier and shorter: a call moves to time zero or to half its time; a latency, delay,
//      downtime or outage becomes zero or half as long.
//   4. Simpler payloads (JSON only: json/plain, json/protobuf): a number becomes 0 or half, a
//      string empty or half as long, true false, an array loses an element, and the same
//      inside arrays and objects (object keys stay: a type may need them).
// Every candidate is strictly smaller by one of these measures, so repeated shrinking ends.
// Deterministic: the same schedule gives the same candidates in the same order.
#ifndef LOCKSTEP_SIM_SHRINK_H_
#define LOCKSTEP_SIM_SHRINK_H_

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sim/decisions.h"
#include "sim/simulation.h"

namespace lockstep::sim {

class ScheduleShrinker {
 public:
  explicit ScheduleShrinker(Schedule schedule);

  size_t size() const { return edits_.size(); }
  // Candidate i (i < size()).
  Schedule Candidate(size_t i) const;

 private:
  void PlanRemovals();
  void PlanSimplifications();

  Schedule schedule_;
  std::vector<std::function<void(Schedule*)>> edits_;  // each makes one candidate
};

// The schedule without its faults: its calls, the workload's own activity behaviour and the
// order of simultaneous steps stay. A workload's plan makes calls that pass every checker when
// nothing goes wrong; a shrunk schedule whose calls fail on their own (a signal the workflow
// waits for removed, an input it cannot take) is no longer one the workload could meet.
Schedule WithoutFaults(const Schedule& schedule);

// "The same failure": a shrunk schedule counts as failing only if one of its findings comes
// from a checker (and invariant) that failed in the schedule shrinking started from, so that
// shrinking does not slip from the bug to whatever failure is smallest. The signatures:
// "checker", "checker 'invariant'", with " (cause)" when the finding names one
// (Finding::cause), each once, in the order found.
std::vector<std::string> FailureSignatures(const SeedResult& run);
bool FailsTheSameWay(const SeedResult& run, const std::vector<std::string>& signatures);

// Whether the workload could meet the schedule: its Workload::valid_calls accepts the calls;
// without one, the calls pass without faults (WithoutFaults) whenever `original_calls_pass`
// (the shrinking started from calls that did).
bool WorkloadCouldMeet(const Simulation& simulation, const Schedule& schedule,
                       bool original_calls_pass);
// Whether the schedule's calls pass without its faults.
bool CallsPassAlone(const Simulation& simulation, const Schedule& schedule);

// Shrinks a failing schedule without rapidcheck: takes the first candidate that fails the same
// way and that the workload could meet, and starts again from it, until no candidate does or
// `max_runs` simulations ran. An error if the schedule does not run or does not fail.
struct ShrinkResult {
  Schedule schedule;  // the smallest failing schedule found
  SeedResult run;     // its run
  int runs = 0;       // simulations run while shrinking
  int steps = 0;      // smaller schedules taken
};
inline constexpr int kDefaultShrinkRuns = 20000;
absl::StatusOr<ShrinkResult> ShrinkFailingSchedule(const Simulation& simulation,
                                                   const Schedule& failing,
                                                   int max_runs = kDefaultShrinkRuns);

// Simpler forms of one JSON text, one change each (empty if it is not JSON or is minimal).
std::vector<std::string> ShrinkJson(const std::string& json);

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_SHRINK_H_
