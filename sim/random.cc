#include "sim/random.h"

#include "absl/strings/str_cat.h"

namespace lockstep::sim {
namespace {

constexpr std::array<absl::string_view, kStreamCount> kStreamNames = {
    "swarm",   "workload", "schedule", "signals", "children",
    "activities", "workflow_tasks", "workers", "queries", "timers",
};

int64_t Nanos(absl::Duration d) { return absl::ToInt64Nanoseconds(d); }

}  // namespace

std::string Ratio::ToString() const {
  if (numerator == 0) return "0";
  if (numerator == denominator) return "1";
  return absl::StrCat(numerator, "/", denominator);
}

absl::string_view StreamName(Stream stream) { return kStreamNames[static_cast<size_t>(stream)]; }

Random::Random(uint64_t seed)
    : seed_(seed),
      streams_{Prng(0), Prng(0), Prng(0), Prng(0), Prng(0),
               Prng(0), Prng(0), Prng(0), Prng(0), Prng(0)} {
  for (size_t i = 0; i < kStreamCount; ++i) {
    // The stream's name is hashed into the seed, and the sum goes through SplitMix64 once
    // more so that seeds 1 and 2 do not give streams that differ in one input bit.
    uint64_t mix = seed ^ Fnv1a64(std::string_view(kStreamNames[i].data(), kStreamNames[i].size()));
    streams_[i] = Prng(SplitMix64(mix));
  }
}

int64_t UniformInt(Prng& rng, int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (span == UINT64_MAX) return static_cast<int64_t>(rng.Next());
  return lo + static_cast<int64_t>(rng.Below(span + 1));
}

absl::Duration UniformDuration(Prng& rng, absl::Duration lo, absl::Duration hi) {
  return absl::Nanoseconds(UniformInt(rng, Nanos(lo), Nanos(hi)));
}

absl::Duration LogUniformDuration(Prng& rng, absl::Duration lo, absl::Duration hi) {
  int64_t low = Nanos(lo);
  const int64_t high = Nanos(hi);
  if (low < 1) low = 1;
  if (high <= low) return absl::Nanoseconds(low);
  // Octaves [low * 2^k, low * 2^(k+1)), the last one cut at `high`.
  int octaves = 0;
  for (int64_t edge = low; edge <= high / 2; edge *= 2) ++octaves;
  const int k = static_cast<int>(rng.Below(static_cast<uint64_t>(octaves) + 1));
  const int64_t start = low << k;
  int64_t end = (k == 62 || start > high / 2) ? high : start * 2;
  if (end > high) end = high;
  return absl::Nanoseconds(UniformInt(rng, start, end));
}

}  // namespace lockstep::sim
