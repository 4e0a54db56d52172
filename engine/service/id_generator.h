// Deterministic identifiers (run ids, request ids) in UUID text form.
//
// Temporal's server draws these from a random source; Lockstep derives them from a seed and a
// counter (SplitMix64), so the same seed gives the same ids and the same histories on every
// run and platform. The text has the RFC 4122 version-4 layout ("xxxxxxxx-xxxx-4xxx-yxxx-
// xxxxxxxxxxxx") so tools that parse run ids as UUIDs accept them.
#ifndef LOCKSTEP_ENGINE_SERVICE_ID_GENERATOR_H_
#define LOCKSTEP_ENGINE_SERVICE_ID_GENERATOR_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace lockstep::service {

class IdGenerator {
 public:
  // `stream` separates independent sequences drawn from one seed (run ids vs request ids), so
  // one more draw in one of them does not shift the other.
  IdGenerator(uint64_t seed, uint64_t stream);

  std::string NextUuid();

  // Moves the sequence to a new position that depends on `text` and the current one (a
  // service restoring runs folds in each restored run id), so the ids it makes from then on
  // are not the ones a generator with the same seed made before: a recovered service does
  // not repeat the ids of the service that wrote the histories it restored. Deterministic.
  void Absorb(std::string_view text);

 private:
  uint64_t NextWord();

  uint64_t state_;
};

}  // namespace lockstep::service

#endif  // LOCKSTEP_ENGINE_SERVICE_ID_GENERATOR_H_
