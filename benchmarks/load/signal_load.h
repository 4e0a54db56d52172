// A signal load on a project's own workflow, in virtual time: how fast the embedded engine
// absorbs signals into that workflow, what each one costs, and what the histories keep.
//
// W workflows are open at once. Signals go to them in turn, K to a workflow and then that
// workflow's task (the handler runs on the cached run, its events are recorded); each workflow
// gets S signals in all (its share), must then close as completed, and is replaced by a fresh
// one while signals remain. Starting, settling (virtual time moved past what a workflow does
// before it waits for signals) and replacing are outside the timing: the timed part is only
// the batches, which is what the figures are per.
//
//   SignalLoad counter{
//       .name = "counter",
//       .workflow_type = "counterWorkflow",
//       .start_input = [](int64_t share) { return ToPayloads(static_cast<int>(share)); },
//       .signal_name = "inc",
//       .signal_input = [](int64_t) { return ToPayloads(1); },
//       .max_share = std::numeric_limits<int>::max(),
//   };
//   absl::StatusOr<SignalLoadResult> r = RunSignalLoad(registry, counter, {.workflows = 100});
//
// Everything runs on the calling thread on a ManualClock; the same options give the same
// histories (not the same timings). The process's peak RSS is its own, whatever ran before.
#ifndef LOCKSTEP_BENCHMARKS_LOAD_SIGNAL_LOAD_H_
#define LOCKSTEP_BENCHMARKS_LOAD_SIGNAL_LOAD_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/workflow/registry.h"
#include "temporal/api/common/v1/message.pb.h"

namespace lockstep::bench {

// How to drive one workflow type with signals.
struct SignalLoad {
  std::string name;           // what --workflow names
  std::string workflow_type;  // registered in the registry given to RunSignalLoad
  std::string description;    // one line for --list
  // The start input of a workflow that must complete once it has had `share` signals.
  std::function<temporal::api::common::v1::Payloads(int64_t share)> start_input;
  std::string signal_name;
  // The input of a workflow's `index`-th signal (0-based within that workflow).
  std::function<temporal::api::common::v1::Payloads(int64_t index)> signal_input;
  // The largest share start_input can express (the counter's target is an int).
  int64_t max_share = std::numeric_limits<int64_t>::max();
  // Virtual time a fresh workflow (and a workflow after its last signal) is given to reach a
  // wait: timers and activities due within it run.
  absl::Duration settle = absl::Minutes(1);
};

struct SignalLoadOptions {
  int64_t workflows = 100;      // W: open at once
  int64_t signals = 1'000'000;  // N: in all
  int64_t per_task = 100;       // K: sent to a workflow before its workflow task
  int64_t per_workflow = 0;     // S: each workflow's share; 0 means ceil(N / W)
  // ServiceOptions::retention's max_closed_bytes: how much closed history (serialized bytes)
  // the service keeps; -1 keeps all, 0 releases each history as its workflow completes.
  int64_t retain_closed_bytes = -1;
  // Called after each batch with the signals sent so far (for a progress line).
  std::function<void(int64_t sent, int64_t total)> progress;
};

struct SignalLoadResult {
  SignalLoadOptions options;    // as run (per_workflow resolved)
  int64_t signals = 0;          // sent and absorbed
  int64_t batches = 0;          // timed batches (K signals and a workflow task each)
  absl::Duration timed;         // the batches' wall-clock time
  absl::Duration total;         // the whole run's wall-clock time, starts and settling included
  double signals_per_second = 0;  // signals / timed
  // Per-signal cost: each batch's wall-clock time over its signals; percentiles over batches.
  absl::Duration per_signal_p50;
  absl::Duration per_signal_p99;
  int64_t events = 0;  // history events recorded, in histories held or released
  // Bytes the histories still held at the end take (protobuf SpaceUsedLong) over their
  // events; 0 when none is held.
  double retained_bytes_per_event = 0;
  double peak_rss_mb = 0;  // getrusage: the process's peak so far
  double rss_mb = 0;       // resident at the end (/proc/self/statm)
  int64_t workflows_started = 0;
  int64_t workflows_completed = 0;
  int64_t histories_released = 0;  // by retention (retain_closed_bytes)
};

// The options as RunSignalLoad runs them: per_workflow resolved (0 becomes ceil(N / W)) and
// every option checked against the load. InvalidArgument names the option (as its flag,
// "--per-task"), or a share above the load's max_share.
absl::StatusOr<SignalLoadOptions> ResolveSignalLoadOptions(const SignalLoad& load,
                                                           SignalLoadOptions options);

// ResolveSignalLoadOptions' errors first, then FailedPrecondition
// names the workflow that failed to start, rejected a signal, or was not completed after its
// share (with its status).
absl::StatusOr<SignalLoadResult> RunSignalLoad(const Registry& registry, const SignalLoad& load,
                                               SignalLoadOptions options);

}  // namespace lockstep::bench

#endif  // LOCKSTEP_BENCHMARKS_LOAD_SIGNAL_LOAD_H_
