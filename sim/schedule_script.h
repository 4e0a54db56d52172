// A schedule indexed for the run that follows it: each opportunity's decision, looked up by
// its key (decisions.h). What the schedule does not list is plain: no fault, no latency, the
// first of simultaneous steps.
#ifndef LOCKSTEP_SIM_SCHEDULE_SCRIPT_H_
#define LOCKSTEP_SIM_SCHEDULE_SCRIPT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sim/decisions.h"
#include "sim/workload.h"

namespace lockstep::sim {

class ScheduleScript {
 public:
  struct ScriptedCall {
    ClientCall call;
    int64_t request = 0;
  };
  struct StepFaultEntry {
    v1::StepFault::Kind kind = v1::StepFault::KIND_WORKER_CRASH;
    std::string workflow_id;
    std::string name;
    absl::Duration duration = absl::ZeroDuration();
  };

  // Validates the schedule (schedule.h) and indexes it. `source` names it in errors.
  static absl::StatusOr<std::unique_ptr<ScheduleScript>> Make(const Schedule& schedule,
                                                              absl::string_view source);

  const Schedule& schedule() const { return schedule_; }
  // In the schedule's order (the driver orders them by time, stably).
  const std::vector<ScriptedCall>& calls() const { return calls_; }

  ActivityDecision Activity(const ActivityKey& key) const;
  WorkflowTaskDecision WorkflowTask(absl::string_view workflow_id, int32_t number) const;
  absl::Duration ChildLatency(const ChildKey& key) const;
  bool ChildFails(const ChildKey& key) const;
  absl::Duration Delay(const DelayKey& key) const;
  size_t Pick(int64_t choice) const;
  // The faults to act on after the `step`-th step of `workflow_id`, in the schedule's order
  // (empty if none).
  const std::vector<StepFaultEntry>& StepFaults(absl::string_view workflow_id, int64_t step) const;

 private:
  struct Child {
    absl::Duration latency = absl::ZeroDuration();
    bool failed = false;
  };

  explicit ScheduleScript(Schedule schedule) : schedule_(std::move(schedule)) {}

  Schedule schedule_;
  std::vector<ScriptedCall> calls_;
  absl::flat_hash_map<std::string, ActivityDecision> activities_;
  absl::flat_hash_map<std::string, WorkflowTaskDecision> tasks_;
  absl::flat_hash_map<std::string, Child> children_;
  absl::flat_hash_map<std::string, absl::Duration> delays_;
  absl::flat_hash_map<int64_t, size_t> picks_;
  absl::flat_hash_map<std::string, std::vector<StepFaultEntry>> step_faults_;
};

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_SCHEDULE_SCRIPT_H_
