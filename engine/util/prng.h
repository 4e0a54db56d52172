// The one pseudo-random generator Lockstep uses for decisions: xoshiro256** seeded through
// SplitMix64, with integer distributions written here. Its output is fixed by this code
// alone, identical on every compiler, library and platform; std::*_distribution and
// std::random_device are never used where a result could reach a history or a decision.
#ifndef LOCKSTEP_ENGINE_UTIL_PRNG_H_
#define LOCKSTEP_ENGINE_UTIL_PRNG_H_

#include <cstdint>
#include <string_view>

namespace lockstep {

// 64-bit FNV-1a: a stable hash of text, for deriving seeds from names and ids.
constexpr uint64_t Fnv1a64(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

constexpr uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Prng {
 public:
  explicit constexpr Prng(uint64_t seed) {
    uint64_t s = seed;
    for (uint64_t& word : s_) word = SplitMix64(s);
  }

  constexpr uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound), bound > 0, without modulo bias (Lemire's multiply-and-reject).
  constexpr uint64_t Below(uint64_t bound) {
    uint64_t x = Next();
    __uint128_t m = static_cast<__uint128_t>(x) * bound;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < bound) {
      const uint64_t threshold = -bound % bound;
      while (low < threshold) {
        x = Next();
        m = static_cast<__uint128_t>(x) * bound;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  // True with probability numerator/denominator (integer ratio, no floating point).
  constexpr bool Chance(uint64_t numerator, uint64_t denominator) {
    return Below(denominator) < numerator;
  }

 private:
  static constexpr uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4] = {};
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_UTIL_PRNG_H_
