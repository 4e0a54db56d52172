// Determinism, measured: a step observer that folds every step the service executes (its
// kind, virtual time, run, and the exact bytes of every event it appended) into a running
// 64-bit hash. The final value is the run's fingerprint; two runs of one seed must end with
// the same one, on every compiler and optimization level. With per-step digests kept, the
// first step at which two runs differ can be named (time, workflow, event), which is what a
// person needs to find the source of nondeterminism.
#ifndef LOCKSTEP_SIM_STEP_HASHER_H_
#define LOCKSTEP_SIM_STEP_HASHER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "engine/service/step_observer.h"

namespace lockstep::sim {

// One event a step appended, for naming the first event two runs disagree on.
struct EventDigest {
  std::string workflow_id;
  int64_t event_id = 0;
  int event_type = 0;  // temporal.api.enums.v1.EventType
  uint64_t hash = 0;   // of the event's bytes
};

struct StepDigest {
  uint64_t hash = 0;  // the running hash after this step
  absl::Time time;
  StepKind kind = StepKind::kUserTimer;
  std::string workflow_id;
  std::vector<EventDigest> events;
};

class StepHasher : public StepObserver {
 public:
  explicit StepHasher(bool keep_digests) : keep_digests_(keep_digests) {}

  void OnStep(const StepRecord& step) override;

  uint64_t fingerprint() const { return hash_; }
  int64_t steps() const { return steps_; }
  const std::vector<StepDigest>& digests() const { return digests_; }

 private:
  bool keep_digests_;
  uint64_t hash_ = 0xcbf29ce484222325ULL;
  int64_t steps_ = 0;
  std::vector<StepDigest> digests_;
  std::string scratch_;
};

// Where two runs' step sequences first differ, in words (the step, and the first event it
// appended that differs); nullopt when they agree.
std::optional<std::string> FirstDifference(const std::vector<StepDigest>& first,
                                           const std::vector<StepDigest>& second);

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_STEP_HASHER_H_
