// Signal throughput of the embedded engine, history recorded, at steady state.
//
// Each measurement is a fixed amount of work, 1,000,000 signals, whatever Google Benchmark's
// run length would be: the cost per signal depends on how much history the process holds, so
// a measurement of its own choosing would report a different figure for every run length.
// Counter workflows (examples/counter) absorb the signals; each completes after its share and
// is replaced by a fresh one outside the timing, so the run goes on through many closed
// workflows, as a long-lived engine does.
//
//   BM_SignalThroughput/K              one open workflow (20,000 signals each), K signals per
//                                      workflow task
//   BM_SignalThroughputReleasing/K     as BM_SignalThroughput, with each completed workflow's
//                                      history released (ServiceOptions::retention)
//   BM_SignalThroughputWorkflows/W/K   W open workflows, 1,000,000 / W signals each, sent K to
//                                      each workflow in turn, then one workflow task apiece
//
// items_per_second is signals absorbed per second (each appends a WorkflowExecutionSignaled
// event with a json/plain payload, and a workflow task on a cached run decodes it and calls the
// handler). The counters, measured after the timed loop:
//   retained_bytes_per_event  memory the service's histories hold (Service::history_memory():
//                             stored bytes, offsets and decoded windows of every history
//                             still held) divided by their events
//   events_per_signal         history events recorded per signal (4 at K=1: the workflow task's
//                             three events besides the signal's own)
//   minor_faults_per_signal   page faults taken during the timed loop, per signal
//   peak_rss_mb               the process's peak RSS so far (getrusage); it only grows, so
//                             run one benchmark per process (--benchmark_filter) to read it
// See docs/benchmarks.md for how to read them.
#include <sys/resource.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "engine/core/clock.h"
#include "engine/service/service.h"
#include "engine/service/virtual_time.h"
#include "engine/workflow/worker.h"
#include "examples/counter/counter_workflow.h"

namespace lockstep::bench {
namespace {

constexpr int64_t kSignalsPerMeasurement = 1'000'000;
constexpr int kSignalsPerSingleWorkflow = 20'000;

// W counter workflows, each completing after `signals_each` signals and then replaced.
class CounterFleet {
 public:
  CounterFleet(int workflows, int signals_each, ServiceOptions options = {})
      : signals_each_(signals_each) {
    if (!examples::RegisterCounter(&registry_).ok()) std::abort();
    worker_ = std::make_unique<Worker>(&registry_);
    service_ = std::make_unique<Service>(&clock_, worker_.get(), worker_.get(), options);
    slots_.resize(static_cast<size_t>(workflows));
    for (Slot& slot : slots_) Start(&slot);
    // Past each workflow's activity and one-second timer, to where it waits for signals.
    RunUntil(*service_, clock_, clock_.Now() + absl::Minutes(1));
  }

  // K signals to every workflow, then the workflow tasks that apply them. Workflows that have
  // had their share are replaced, with timing paused.
  void Round(int k, benchmark::State& state) {
    for (Slot& slot : slots_) {
      for (int i = 0; i < k; ++i) {
        if (!service_->SignalWorkflow(slot.signal).ok()) std::abort();
      }
      slot.sent += k;
    }
    service_->RunUntilIdle();
    bool replaced = false;
    for (Slot& slot : slots_) {
      if (slot.sent + k <= signals_each_) continue;
      if (!replaced) state.PauseTiming();
      replaced = true;
      Start(&slot);
    }
    if (replaced) {
      RunUntil(*service_, clock_, clock_.Now() + absl::Minutes(1));
      state.ResumeTiming();
    }
  }

  // Bytes the service's histories hold, and their events, over every run ever started whose
  // history is still held (retention may have released some).
  int64_t released_events() const { return service_->retention_stats().released_events; }

  void MeasureHistories(int64_t* bytes, int64_t* events) const {
    // Not GetHistory: that decodes a history and keeps it decoded.
    const Service::HistoryMemory memory = service_->history_memory();
    *bytes = memory.retained_bytes;
    *events = memory.events;
  }

 private:
  struct Slot {
    SignalWorkflowRequest signal;
    int sent = 0;
  };

  void Start(Slot* slot) {
    StartWorkflowRequest request;
    request.workflow_id = "counter-" + std::to_string(++started_);
    request.workflow_type = examples::kCounterWorkflow;
    request.task_queue = "bench";
    // The counter completes once its count reaches the input.
    request.input = ToPayloads(signals_each_);
    if (!service_->StartWorkflow(request).ok()) std::abort();
    slot->signal.workflow_id = request.workflow_id;
    slot->signal.signal_name = examples::kIncSignal;
    slot->signal.input = ToPayloads(1);
    slot->sent = 0;
  }

  Registry registry_;
  ManualClock clock_;
  std::unique_ptr<Worker> worker_;
  std::unique_ptr<Service> service_;
  std::vector<Slot> slots_;
  int signals_each_;
  int started_ = 0;
};

int64_t MinorFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// Runs the fleet for state's fixed iteration count (rounds) and sets the counters.
void RunFleet(benchmark::State& state, int workflows, int signals_each, int k,
              ServiceOptions options = {}) {
  CounterFleet fleet(workflows, signals_each, options);
  const int64_t faults_before = MinorFaults();
  int64_t signals = 0;
  for (auto _ : state) {
    fleet.Round(k, state);
    signals += static_cast<int64_t>(k) * workflows;
  }
  const int64_t faults = MinorFaults() - faults_before;
  int64_t bytes = 0;
  int64_t events = 0;
  fleet.MeasureHistories(&bytes, &events);
  state.SetItemsProcessed(signals);
  state.counters["retained_bytes_per_event"] =
      static_cast<double>(bytes) / static_cast<double>(events);
  state.counters["events_per_signal"] =
      static_cast<double>(events + fleet.released_events()) / static_cast<double>(signals);
  state.counters["minor_faults_per_signal"] =
      static_cast<double>(faults) / static_cast<double>(signals);
  state.counters["peak_rss_mb"] = PeakRssMb();
}

void BM_SignalThroughput(benchmark::State& state) {
  RunFleet(state, 1, kSignalsPerSingleWorkflow, static_cast<int>(state.range(0)));
}
BENCHMARK(BM_SignalThroughput)
    ->Arg(1)
    ->Iterations(kSignalsPerMeasurement / 1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SignalThroughput)
    ->Arg(10)
    ->Iterations(kSignalsPerMeasurement / 10)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SignalThroughput)
    ->Arg(100)
    ->Iterations(kSignalsPerMeasurement / 100)
    ->Unit(benchmark::kMillisecond);

// The same with ServiceOptions::retention releasing each completed workflow's history: a
// long-running engine at steady state, where memory no longer grows with the run.
void BM_SignalThroughputReleasing(benchmark::State& state) {
  ServiceOptions options;
  options.retention.max_closed_bytes = 0;
  RunFleet(state, 1, kSignalsPerSingleWorkflow, static_cast<int>(state.range(0)), options);
}
BENCHMARK(BM_SignalThroughputReleasing)
    ->Arg(100)
    ->Iterations(kSignalsPerMeasurement / 100)
    ->Unit(benchmark::kMillisecond);

void BM_SignalThroughputWorkflows(benchmark::State& state) {
  const int workflows = static_cast<int>(state.range(0));
  RunFleet(state, workflows, static_cast<int>(kSignalsPerMeasurement / workflows),
           static_cast<int>(state.range(1)));
}
// 10,000 open workflows with 100 signals each, in one task or in ten; 100 with 10,000 each.
BENCHMARK(BM_SignalThroughputWorkflows)
    ->Args({10'000, 100})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SignalThroughputWorkflows)
    ->Args({10'000, 10})
    ->Iterations(10)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SignalThroughputWorkflows)
    ->Args({100, 100})
    ->Iterations(kSignalsPerMeasurement / (100 * 100))
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lockstep::bench

BENCHMARK_MAIN();
