// A campaign: many seeds of one workload, spread over threads and machines, with a report.
//
// Seeds: `first_seed` .. `first_seed + seeds - 1`, or the single `seed`. A shard I of N
// takes the seeds whose offset from first_seed is I modulo N, so N machines (or Bazel test
// shards: GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX) split a campaign without overlap. Jobs are
// threads, each running whole seeds; a seed's result does not depend on which thread ran it.
//
// Output, to `out`: a header with the workload, the seed range and every option first; for
// each failing seed its seed and fault plan, every finding, and a one-line command that
// reproduces it; then a summary (seeds run, failures, seeds per second, virtual-to-wall
// speedup) and coverage (fault kinds injected, step kinds and event types hit, history
// transitions seen, rows of the engine's state machines taken). Failing seeds are re-run with
// recording on, which also checks that the rerun reproduces the failure with the same
// fingerprint; with `out_dir`, each one's report,
// histories (binary and JSON), timeline (Chrome trace-event JSON) and schedule
// (schedule.txtpb, which `--schedule` runs) are written to
// `<out_dir>/<workload>-seed-<S>/`. Progress goes to `progress` (a bar when it is a
// terminal, lines otherwise).
//
// Wall time is read only for the speed figures in the summary, never for a decision.
#ifndef LOCKSTEP_SIM_CAMPAIGN_H_
#define LOCKSTEP_SIM_CAMPAIGN_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sim/simulation.h"

namespace lockstep::sim {

struct CampaignOptions {
  uint64_t first_seed = 1;
  int64_t seeds = 100;
  std::optional<uint64_t> seed = std::nullopt;  // run only this one
  int jobs = 1;
  int shard_index = 0;
  int shard_count = 1;
  // Stop taking new seeds after this many failures (0: run every seed).
  int max_failures = 1;
  // Where failing seeds' reports, histories and timelines go (empty: not written).
  std::string out_dir = {};
  // What the reproduce line starts with ("lockstep sim", or a project's own binary).
  std::string program = "lockstep sim";
  // Print a progress bar (true) or progress lines (false) to the progress stream; null: none.
  std::ostream* progress = nullptr;
  bool progress_is_terminal = false;
  // Print one line per seed (seed, fault plan, fingerprint, result).
  bool verbose = false;
  // Write every seed's report, histories and timeline to out_dir, failing or not (for
  // comparing builds byte for byte; meant for a few seeds).
  bool record_all = false;
};

struct CampaignSummary {
  int64_t seeds_run = 0;
  std::vector<SeedResult> failures;  // by seed
  int64_t steps = 0;
  absl::Duration wall = absl::ZeroDuration();
  absl::Duration virtual_time = absl::ZeroDuration();
  Coverage coverage;

  double seeds_per_second() const;
  // Virtual time simulated per unit of wall time, summed over seeds.
  double speedup() const;
};

// Runs the campaign and writes its report to `out`. An error only for a problem outside the
// workload (an output directory that cannot be written); failures are in the summary.
absl::StatusOr<CampaignSummary> RunCampaign(const Simulation& simulation,
                                            const CampaignOptions& options, std::ostream& out);

// Writes one failing seed's report, histories and timeline to `dir` (created if missing).
absl::Status WriteSeedArtifacts(const Simulation& simulation, const SeedResult& recorded,
                                const std::string& reproduce, const std::string& dir);

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_CAMPAIGN_H_
