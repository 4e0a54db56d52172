#include "sim/strategy.h"

#include <algorithm>

namespace lockstep::sim {
namespace {

class RandomWalk : public Strategy {
 public:
  explicit RandomWalk(Prng* rng) : rng_(rng) {}
  size_t Pick(absl::Span<const Step> ready) override { return rng_->Below(ready.size()); }

 private:
  Prng* rng_;
};

class Pct : public Strategy {
 public:
  Pct(Prng* rng, PctOptions options) : rng_(rng) {
    const int points = std::max(0, options.depth - 1);
    const int horizon = std::max(1, options.horizon);
    for (int i = 0; i < points; ++i) {
      change_points_.push_back(1 + static_cast<int64_t>(rng_->Below(horizon)));
    }
    std::sort(change_points_.begin(), change_points_.end());
    // Initial priorities sit above every priority a change point assigns.
    next_low_ = 0;
  }

  size_t Pick(absl::Span<const Step> ready) override {
    ++choices_;
    size_t best = 0;
    uint64_t best_priority = 0;
    for (size_t i = 0; i < ready.size(); ++i) {
      const uint64_t p = PriorityOf(ready[i].workflow_id);
      // Ties (two steps of one workflow) go to the earlier-created step.
      if (i == 0 || p > best_priority) {
        best = i;
        best_priority = p;
      }
    }
    while (next_change_ < change_points_.size() && change_points_[next_change_] <= choices_) {
      ++next_change_;
      // Lower than every initial priority (those are >= 2^32) and than earlier changes.
      priorities_[std::string(ready[best].workflow_id)] = kLowBase - (++next_low_);
    }
    return best;
  }

 private:
  static constexpr uint64_t kLowBase = uint64_t{1} << 31;

  uint64_t PriorityOf(absl::string_view workflow_id) {
    auto it = priorities_.find(workflow_id);
    if (it != priorities_.end()) return it->second;
    // Random, above every lowered priority; a collision is broken by creation order.
    const uint64_t p = (uint64_t{1} << 32) + (rng_->Next() >> 1);
    priorities_.emplace(std::string(workflow_id), p);
    return p;
  }

  Prng* rng_;
  std::map<std::string, uint64_t, std::less<>> priorities_;
  std::vector<int64_t> change_points_;
  size_t next_change_ = 0;
  int64_t choices_ = 0;
  uint64_t next_low_ = 0;
};

}  // namespace

absl::string_view StrategyName(StrategyKind kind) {
  return kind == StrategyKind::kPct ? "pct" : "random";
}

std::optional<StrategyKind> StrategyByName(absl::string_view name) {
  if (name == "random") return StrategyKind::kRandom;
  if (name == "pct") return StrategyKind::kPct;
  return std::nullopt;
}

std::unique_ptr<Strategy> MakeStrategy(StrategyKind kind, Prng* rng, PctOptions pct) {
  if (kind == StrategyKind::kPct) return std::make_unique<Pct>(rng, pct);
  return std::make_unique<RandomWalk>(rng);
}

}  // namespace lockstep::sim
