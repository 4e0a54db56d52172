// Signal throughput: how many signals per second one counter workflow absorbs on the
// embedded engine, history recorded. The argument is signals per workflow task.
//
// Each iteration sends `k` signals to the service (each appends a WorkflowExecutionSignaled
// event with a json/plain payload) and runs one workflow task that applies them (the cached
// run decodes each payload and calls the handler). items_per_second = signals absorbed per
// second. Every 20,000 signals the workflow is replaced by a fresh one (outside the timing),
// so history growth does not dominate memory.
#include "benchmark/benchmark.h"
#include "engine/core/clock.h"
#include "engine/service/service.h"
#include "engine/service/virtual_time.h"
#include "engine/workflow/worker.h"
#include "examples/counter/counter_workflow.h"

namespace lockstep::bench {
namespace {

constexpr int kSignalsPerWorkflow = 20000;

class CounterFixture {
 public:
  CounterFixture() {
    if (!examples::RegisterCounter(&registry_).ok()) std::abort();
    worker_ = std::make_unique<Worker>(&registry_);
    service_ = std::make_unique<Service>(&clock_, worker_.get(), worker_.get());
  }

  // Starts a new counter workflow and runs it past its activity and timer.
  void StartWorkflow() {
    StartWorkflowRequest request;
    request.workflow_id = "counter-" + std::to_string(++workflows_);
    request.workflow_type = examples::kCounterWorkflow;
    request.task_queue = "bench";
    request.input = ToPayloads(1 << 30);
    auto started = service_->StartWorkflow(request);
    if (!started.ok()) std::abort();
    RunUntil(*service_, clock_, clock_.Now() + absl::Minutes(1));
    signal_.workflow_id = request.workflow_id;
    signal_.signal_name = examples::kIncSignal;
    signal_.input = ToPayloads(1);
    sent_ = 0;
  }

  void SendAndRun(int k) {
    for (int i = 0; i < k; ++i) {
      if (!service_->SignalWorkflow(signal_).ok()) std::abort();
    }
    service_->RunUntilIdle();
    sent_ += k;
  }

  int sent() const { return sent_; }

 private:
  Registry registry_;
  ManualClock clock_;
  std::unique_ptr<Worker> worker_;
  std::unique_ptr<Service> service_;
  SignalWorkflowRequest signal_;
  int workflows_ = 0;
  int sent_ = 0;
};

void BM_SignalThroughput(benchmark::State& state) {
  const int k = static_cast<int>(state.range(0));
  CounterFixture fixture;
  fixture.StartWorkflow();
  int64_t signals = 0;
  for (auto _ : state) {
    if (fixture.sent() + k > kSignalsPerWorkflow) {
      state.PauseTiming();
      fixture.StartWorkflow();
      state.ResumeTiming();
    }
    fixture.SendAndRun(k);
    signals += k;
  }
  state.SetItemsProcessed(signals);
}
BENCHMARK(BM_SignalThroughput)->Arg(1)->Arg(10)->Arg(100);

}  // namespace
}  // namespace lockstep::bench

BENCHMARK_MAIN();
