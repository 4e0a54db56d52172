// Scheduling strategies: which of several service steps due at one virtual instant runs
// first (ServiceEnv::PickNext).
//
//   random  a random walk: every ready step is equally likely.
//   pct     a PCT-style priority schedule (Burckhardt et al., "A Randomized Scheduler with
//           Probabilistic Guarantees of Finding Bugs", ASPLOS 2010), with workflows as the
//           threads: each workflow id gets a random priority when its first step is seen and
//           the ready step of the highest-priority workflow runs; at depth-1 change points,
//           drawn among the first `horizon` choices, the workflow that just ran drops below
//           every other. Bugs that need a few specific orderings between workflows (a child
//           starting before or after its parent's signal) are found with a probability that
//           depends on the number of workflows and the depth, not on the length of the run.
// Both draw only from the schedule stream and are deterministic given it.
#ifndef LOCKSTEP_SIM_STRATEGY_H_
#define LOCKSTEP_SIM_STRATEGY_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/service/service_env.h"
#include "engine/util/prng.h"

namespace lockstep::sim {

enum class StrategyKind { kRandom, kPct };

absl::string_view StrategyName(StrategyKind kind);
std::optional<StrategyKind> StrategyByName(absl::string_view name);

class Strategy {
 public:
  virtual ~Strategy() = default;
  // `ready` has at least two steps, in order of creation. Returns an index into it.
  virtual size_t Pick(absl::Span<const Step> ready) = 0;
};

struct PctOptions {
  int depth = 3;        // bug depth d: d-1 priority change points
  int horizon = 64;     // change points fall among the first `horizon` choices
};

// `rng` (the schedule stream) must outlive the strategy.
std::unique_ptr<Strategy> MakeStrategy(StrategyKind kind, Prng* rng, PctOptions pct = {});

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_STRATEGY_H_
