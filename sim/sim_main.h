// A simulation binary for a project's own workflows, in a few lines:
//
//   int main(int argc, char** argv) {
//     lockstep::Registry registry;
//     RegisterMyWorkflows(&registry);
//     return lockstep::sim::SimMain(registry, {MyOrderWorkload(), MyBillingWorkload()}, argc,
//                                   argv);
//   }
//
// Link the simulation allocator (allocator.h) into such a binary, as `lockstep` does: seeds
// build and free thousands of small blocks, and its per-thread cache makes them cheaper.
//
// The binary takes what `lockstep sim` takes:
//   --workflow NAME        the workload to run (--list shows them)
//   --seeds N              seeds first..first+N-1 (default 1000); --first-seed S (default 1)
//   --seed S               exactly one seed (what a reproduce line says)
//   --faults LIST          fault kinds a seed may turn on: all, none, NAME, NAME=N/D, -NAME
//                          (default: the workload's choice; --list-faults shows the kinds)
//   --strategy random|pct  order of simultaneous steps (default random); --pct-depth D
//   --jobs J               seeds run in parallel (default 1)
//   --shard I/N            this machine's share of the seeds (0 <= I < N); without it the
//                          GoogleTest sharding variables GTEST_TOTAL_SHARDS and
//                          GTEST_SHARD_INDEX are honoured, as Bazel test sharding sets them
//   --out DIR              where failing seeds' reports, histories and timelines go
//   --max-failures N       stop after N failing seeds (default 1); --keep-going: run all
//   --check-determinism    run every seed twice and compare each step
//   --verbose              one line per seed, with its fingerprint
//   --record               write every seed's report, histories and timeline to --out
//   --schedule FILE        run one schedule (schedule.h) instead of seeds: what a property
//                          test's rerun line says, or a failing seed's schedule.txtpb
//   --shrink               with --seed or --schedule: shrink the failing run to the smallest
//                          schedule that fails the same way (shrink.h) and write it
// Exit status: 0 no failure, 1 a failure was found (its reproduce line printed), 2 bad usage.
// A progress bar goes to stderr when it is a terminal; otherwise progress lines do.
#ifndef LOCKSTEP_SIM_SIM_MAIN_H_
#define LOCKSTEP_SIM_SIM_MAIN_H_

#include <ostream>
#include <string>
#include <vector>

#include "engine/workflow/registry.h"
#include "sim/workload.h"

namespace lockstep::sim {

inline constexpr int kSimExitOk = 0;
inline constexpr int kSimExitFound = 1;
inline constexpr int kSimExitUsage = 2;

// `registry` holds the workflows and activities of every workload (their register_types is
// not used).
int SimMain(const Registry& registry, std::vector<Workload> workloads, int argc, char** argv);

// The command itself, for `lockstep sim` and tests: `args` excludes the program name;
// `program` starts the reproduce line. A null registry makes each workload register its own
// types (Workload::register_types).
struct SimCommandIo {
  std::ostream& out;
  std::ostream& err;
  std::ostream* progress = nullptr;  // null: no progress
  bool progress_is_terminal = false;
};
int RunSimCommand(const std::vector<std::string>& args, const Registry* registry,
                  const std::vector<Workload>& workloads, const std::string& program,
                  SimCommandIo io);

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_SIM_MAIN_H_
