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

namespace lockstep::service {

class IdGenerator {
 public:
  // `stream` separates independent sequences drawn from one seed (run ids vs request ids), so
  // one more draw in one of them does not shift the other.
  IdGenerator(uint64_t seed, uint64_t stream);

  std::string NextUuid();

 private:
  uint64_t NextWord();

  uint64_t state_;
};

}  // namespace lockstep::service

#endif  // LOCKSTEP_ENGINE_SERVICE_ID_GENERATOR_H_
