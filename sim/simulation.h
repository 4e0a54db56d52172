// The driver: runs one seed of a workload on the test environment's harness with the
// simulator's schedule, then runs the checkers. Glue only: decisions live in SimEnv and the
// fault plan, invariants in checkers/.
//
// One seed, in order:
//   1. The seed's streams (random.h) give its fault plan (swarm), its strategy's choices and
//      its workload plan (the client calls); signal faults move, swap and duplicate signals.
//   2. A TestEnvironment runs with SimEnv as its schedule, the cache kept between tasks
//      (evictions are faults), the service seeded with the seed (run ids and request ids).
//      Client calls, crashes, evictions, outages and queries are its delayed callbacks.
//   3. Safety phase: faults on until Workload::safety_phase. Then they heal: workers restart
//      and poll, nothing more is injected. The run ends when every call was made and every
//      run closed, or when Workload::liveness_bound passes, or when nothing is pending.
//   4. Checkers: history well-formed and replay clean (every run), signal ledger, liveness,
//      query purity (found during the run), the workload's invariants.
//   5. With SimOptions::check_determinism the seed runs twice and the per-step hashes are
//      compared; the first step that differs is reported.
//
// Determinism: the result (findings, fingerprint, histories, trace) depends only on the
// workload, the options and the seed; wall time is never read.
#ifndef LOCKSTEP_SIM_SIMULATION_H_
#define LOCKSTEP_SIM_SIMULATION_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/workflow/registry.h"
#include "sim/decisions.h"
#include "sim/faults.h"
#include "sim/finding.h"
#include "sim/step_hasher.h"
#include "sim/strategy.h"
#include "sim/workload.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::sim {

class ScheduleScript;

struct SimOptions {
  // The fault kinds a seed may turn on; nullopt: the workload's own choice.
  std::optional<FaultSelection> faults = std::nullopt;
  StrategyKind strategy = StrategyKind::kRandom;
  PctOptions pct = {};
  // Run every seed twice and compare per-step hashes (doubles the cost).
  bool check_determinism = false;
  // Also replay every history from every workflow task boundary in one seed out of this many
  // (0: never). The worker's own rebuilds at the eviction points taken are always checked.
  int task_boundary_replay_every = 64;
  // Keep copies of every history and a timeline of the run (for writing a failure out).
  bool record = false;
};

// How many times each fault kind, step kind and event type was hit, which event followed
// which in a run's history (the service's state transitions as its histories show them), and
// how often each row of the workflow engine's state machines (engine/machines: one transition
// table per command kind) was taken while the seed ran and its histories were replayed.
struct Coverage {
  static constexpr int kEventTypes = 64;
  static constexpr int kStepKinds = 32;
  std::array<int64_t, kFaultCount> faults = {};
  std::array<int64_t, kStepKinds> steps = {};
  std::array<int64_t, kEventTypes> events = {};
  // (previous event type, event type) -> count; only the pairs seen (a run sees a few dozen of
  // the 4,096 possible, and a dense table cost a seed 5% to zero, copy and merge).
  absl::btree_map<std::pair<int, int>, int64_t> transitions;
  // By machine, in the order of MachineTables(): hits per table row.
  std::vector<std::vector<int64_t>> machine_rows = EmptyMachineRows();

  void Merge(const Coverage& other);
  static std::vector<std::vector<int64_t>> EmptyMachineRows();
};

// The engine's state machines: name and row count, in a fixed order.
struct MachineTable {
  absl::string_view name;
  size_t rows;
};
const std::vector<MachineTable>& MachineTables();

struct RecordedHistory {
  std::string workflow_id;
  std::string run_id;
  temporal::api::history::v1::History history;
};

struct SeedResult {
  uint64_t seed = 0;
  std::string fault_plan;  // FaultPlan::ToString
  std::vector<Finding> findings;
  uint64_t fingerprint = 0;  // StepHasher over every step
  int64_t steps = 0;
  absl::Duration virtual_time = absl::ZeroDuration();
  Coverage coverage;
  // With SimOptions::record.
  std::vector<RecordedHistory> histories;
  std::string trace_json;
  // With RunOptions::record_schedule: the run's client calls and every decision it took, as a
  // schedule that RunSchedule runs the same way (schedule.h).
  std::optional<Schedule> schedule;

  bool failed() const { return !findings.empty(); }
};

class Simulation {
 public:
  // `workload` (and `registry`, if given) must outlive the simulation. With a registry, every
  // seed's workers get a copy of it; without, Workload::register_types fills theirs. Run may
  // be called from several threads at once if the workload's functions may.
  explicit Simulation(const Workload* workload, SimOptions options = {},
                      const Registry* registry = nullptr);

  struct RunOptions {
    // Keep every history and the timeline, whatever SimOptions::record says.
    bool record = false;
    // Keep the run's decisions as a schedule (SeedResult::schedule).
    bool record_schedule = false;
  };

  SeedResult Run(uint64_t seed) const { return Run(seed, options_.record); }
  // With `record`, the result keeps every history and the timeline, whatever the options say.
  SeedResult Run(uint64_t seed, bool record) const;
  SeedResult Run(uint64_t seed, RunOptions how) const;

  // Runs a schedule instead of a seed: its calls, and its decisions where the seed's streams
  // would decide (the fault plan and the strategy are not used; the schedule's seed names the
  // service's ids). A seed's recorded schedule runs step for step as the seed did: the same
  // fingerprint, findings and history bytes. An error if the schedule is for another
  // workload or does not validate (schedule.h); findings are in the result.
  absl::StatusOr<SeedResult> RunSchedule(const Schedule& schedule, RunOptions how) const;
  absl::StatusOr<SeedResult> RunSchedule(const Schedule& schedule) const {
    return RunSchedule(schedule, RunOptions());
  }

  const Workload& workload() const { return *workload_; }
  const SimOptions& options() const { return options_; }
  const FaultSelection& faults() const { return faults_; }

  // The command line that reruns `seed` with these options: "<program> --workflow NAME
  // --seed S --faults F --strategy X" (and --pct-depth, --check-determinism when set).
  std::string ReproduceCommand(absl::string_view program, uint64_t seed) const;

 private:
  SeedResult RunOnce(uint64_t seed, const ScheduleScript* script, RunOptions how,
                     bool keep_digests, std::vector<StepDigest>* digests) const;
  // With check_determinism, twice.
  SeedResult RunChecked(uint64_t seed, const ScheduleScript* script, RunOptions how) const;

  const Workload* workload_;
  SimOptions options_;
  FaultSelection faults_;
  const Registry* registry_;
};

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_SIMULATION_H_
