#include "benchmarks/load/signal_load.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/core/clock.h"
#include "engine/service/service.h"
#include "engine/service/virtual_time.h"
#include "engine/workflow/worker.h"
#include "temporal/api/enums/v1/workflow.pb.h"

namespace lockstep::bench {
namespace {

namespace enums = temporal::api::enums::v1;
using SteadyClock = std::chrono::steady_clock;

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
}

double CurrentRssMb() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0;
  int64_t resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

absl::Duration Since(SteadyClock::time_point start) {
  return absl::FromChrono(SteadyClock::now() - start);
}

// The value at fraction q of sorted `values` (nearest rank).
absl::Duration Percentile(const std::vector<absl::Duration>& sorted, double q) {
  if (sorted.empty()) return absl::ZeroDuration();
  const auto rank = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

ServiceOptions ServiceOptionsFor(const SignalLoadOptions& options) {
  ServiceOptions service;
  if (options.retain_closed_bytes >= 0) {
    service.retention.max_closed_bytes = options.retain_closed_bytes;
  }
  return service;
}

// The service, its worker and clock, and the open workflows.
class Driver {
 public:
  Driver(const Registry& registry, const SignalLoad& load, const SignalLoadOptions& options)
      : load_(load), options_(options), worker_(&registry),
        service_(&clock_, &worker_, &worker_, ServiceOptionsFor(options)) {}

  absl::Status Run(SignalLoadResult& result) {
    const SteadyClock::time_point run_start = SteadyClock::now();
    // W slots, or fewer when the shares of fewer already cover every signal.
    slots_.reserve(static_cast<size_t>(std::min(options_.workflows, options_.signals)));
    while (static_cast<int64_t>(slots_.size()) < options_.workflows &&
           assigned_ < options_.signals) {
      if (absl::Status s = Start(slots_.emplace_back(), options_.signals - assigned_); !s.ok()) {
        return s;
      }
    }
    Settle();
    std::vector<absl::Duration> per_signal;
    absl::Duration timed;
    int64_t sent = 0;
    while (sent < options_.signals) {
      bool any = false;
      for (Slot& slot : slots_) {
        if (slot.sent >= slot.share) continue;
        any = true;
        const int64_t k = std::min(options_.per_task, slot.share - slot.sent);
        const SteadyClock::time_point start = SteadyClock::now();
        for (int64_t i = 0; i < k; ++i) {
          slot.signal.input = load_.signal_input(slot.sent + i);
          if (absl::Status s = service_.SignalWorkflow(slot.signal); !s.ok()) {
            return absl::FailedPreconditionError(absl::StrCat(
                "workflow ", slot.signal.workflow_id, " rejected signal ", slot.sent + i + 1,
                " of its ", slot.share, ": ", s.message()));
          }
        }
        service_.RunUntilIdle();
        const absl::Duration took = Since(start);
        timed += took;
        per_signal.push_back(took / k);
        slot.sent += k;
        sent += k;
        if (options_.progress) options_.progress(sent, options_.signals);
        if (slot.sent == slot.share) {
          if (absl::Status s = Finish(slot); !s.ok()) return s;
          if (assigned_ < options_.signals) {
            if (absl::Status s = Start(slot, options_.signals - assigned_); !s.ok()) return s;
            Settle();
          }
        }
      }
      if (!any) break;
    }
    result.options = options_;
    result.signals = sent;
    result.batches = static_cast<int64_t>(per_signal.size());
    result.timed = timed;
    result.signals_per_second =
        timed > absl::ZeroDuration() ? static_cast<double>(sent) / absl::ToDoubleSeconds(timed)
                                     : 0;
    std::sort(per_signal.begin(), per_signal.end());
    result.per_signal_p50 = Percentile(per_signal, 0.50);
    result.per_signal_p99 = Percentile(per_signal, 0.99);
    MeasureHistories(result);
    result.peak_rss_mb = PeakRssMb();
    result.rss_mb = CurrentRssMb();
    result.workflows_started = started_;
    result.workflows_completed = completed_;
    result.histories_released = service_.retention_stats().released_histories;
    result.total = Since(run_start);
    return absl::OkStatus();
  }

 private:
  struct Slot {
    SignalWorkflowRequest signal;
    int64_t share = 0;
    int64_t sent = 0;
  };

  absl::Status Start(Slot& slot, int64_t remaining) {
    StartWorkflowRequest request;
    request.workflow_id = absl::StrCat(load_.name, "-", ++started_);
    request.workflow_type = load_.workflow_type;
    request.task_queue = "bench";
    slot.share = std::min(options_.per_workflow, remaining);
    slot.sent = 0;
    assigned_ += slot.share;
    request.input = load_.start_input(slot.share);
    if (absl::StatusOr<temporal::api::common::v1::WorkflowExecution> started =
            service_.StartWorkflow(request);
        !started.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "starting workflow ", request.workflow_id, " of type ", load_.workflow_type, ": ",
          started.status().message()));
    }
    slot.signal.workflow_id = request.workflow_id;
    slot.signal.signal_name = load_.signal_name;
    return absl::OkStatus();
  }

  void Settle() { RunUntil(service_, clock_, clock_.Now() + load_.settle); }

  // The workflow has had its share: it must close as completed.
  absl::Status Finish(const Slot& slot) {
    Settle();
    absl::StatusOr<WorkflowDescription> description =
        service_.DescribeWorkflow(slot.signal.workflow_id, "");
    if (!description.ok()) return description.status();
    if (description->status != enums::WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      return absl::FailedPreconditionError(absl::StrCat(
          "workflow ", slot.signal.workflow_id, " (", load_.workflow_type, ") is ",
          enums::WorkflowExecutionStatus_Name(description->status), " after its ", slot.share,
          " signals, not COMPLETED: the load's start_input must make it complete after its "
          "share"));
    }
    ++completed_;
    return absl::OkStatus();
  }

  void MeasureHistories(SignalLoadResult& result) const {
    // Not GetHistory: that decodes a history and keeps it decoded.
    const Service::HistoryMemory memory = service_.history_memory();
    const int64_t bytes = memory.retained_bytes;
    const int64_t events = memory.events;
    // Events recorded in all: those still held and those retention released.
    result.events = events + service_.retention_stats().released_events;
    result.retained_bytes_per_event =
        events > 0 ? static_cast<double>(bytes) / static_cast<double>(events) : 0;
  }

  const SignalLoad& load_;
  const SignalLoadOptions& options_;
  ManualClock clock_;
  Worker worker_;
  Service service_;
  std::vector<Slot> slots_;
  int64_t started_ = 0;
  int64_t completed_ = 0;
  int64_t assigned_ = 0;  // signals given to workflows as their shares so far
};

}  // namespace

absl::StatusOr<SignalLoadOptions> ResolveSignalLoadOptions(const SignalLoad& load,
                                                           SignalLoadOptions options) {
  if (!load.start_input || !load.signal_input || load.workflow_type.empty() ||
      load.signal_name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the ", load.name, " load needs workflow_type, start_input, signal_name and "
        "signal_input"));
  }
  const auto at_least_one = [](const char* name, int64_t value) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " must be at least 1, got ", value));
  };
  if (options.workflows < 1) return at_least_one("workflows", options.workflows);
  if (options.signals < 1) return at_least_one("signals", options.signals);
  if (options.per_task < 1) return at_least_one("per-task", options.per_task);
  if (options.per_workflow < 0) return at_least_one("per-workflow", options.per_workflow);
  if (options.retain_closed_bytes < -1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--retain-closed-bytes must be -1 (keep all) or more, got ",
        options.retain_closed_bytes));
  }
  if (options.per_workflow == 0) {
    options.per_workflow = (options.signals + options.workflows - 1) / options.workflows;
  }
  if (options.per_workflow > load.max_share) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--per-workflow: each workflow would get ", options.per_workflow, " signals; the ",
        load.name, " load takes at most ", load.max_share,
        " (set --per-workflow or raise --workflows)"));
  }
  return options;
}

absl::StatusOr<SignalLoadResult> RunSignalLoad(const Registry& registry, const SignalLoad& load,
                                               SignalLoadOptions options) {
  absl::StatusOr<SignalLoadOptions> resolved = ResolveSignalLoadOptions(load, std::move(options));
  if (!resolved.ok()) return resolved.status();
  options = *std::move(resolved);
  SignalLoadResult result;
  Driver driver(registry, load, options);
  if (absl::Status s = driver.Run(result); !s.ok()) return s;
  return result;
}

}  // namespace lockstep::bench
