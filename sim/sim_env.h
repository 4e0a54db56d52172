// The simulator's service environment: every scheduling decision of the service, made from
// the seed's streams and its fault plan (faults.h), with simultaneous steps ordered by a
// strategy (strategy.h). The driver (simulation.h) owns it and hands it to the test
// environment as its schedule; nothing in the engine knows it exists.
//
// Decisions, per ServiceEnv call (each draws only from its own stream):
//   StepDelay       child starts (child_start_latency), workflow-to-workflow signals
//                   (signal_delay) and timers (timer_delay) happen late
//   PickNext        the strategy
//   ActivityWorkerPolls  false during an activity worker outage (activity_worker_outage)
//   PlanWorkflowTask     latency, failure, loss (workflow_task_*)
//   RunActivityAttempt   the workload's own activity behaviour (latency, failure rates), then
//                   activity_* faults: latency, retryable and non-retryable failure (the
//                   activity does not run), start-to-close timeout (the activity runs, then
//                   its answer comes too late), heartbeat loss; worker_crash_mid_activity
//                   asks the driver to crash every worker while the attempt runs
//   FailChildStart  child_start_failure
// After Heal(), no fault is injected (the workload's own activity behaviour stays).
//
// Coverage: how many times each fault kind was injected.
#ifndef LOCKSTEP_SIM_SIM_ENV_H_
#define LOCKSTEP_SIM_SIM_ENV_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "absl/time/time.h"
#include "engine/core/clock.h"
#include "engine/service/service_env.h"
#include "sim/faults.h"
#include "sim/random.h"
#include "sim/strategy.h"
#include "sim/workload.h"

namespace lockstep::sim {

class SimEnv : public ServiceEnv {
 public:
  // Everything must outlive the environment.
  SimEnv(Random* random, const FaultPlan& plan, Strategy* strategy, const Workload* workload);

  // The harness's clock, once it exists (before the first decision).
  void set_clock(const Clock* clock) { clock_ = clock; }

  // The driver's hook for worker_crash_mid_activity: crash every worker at `at`.
  void set_crash_requester(std::function<void(absl::Time at)> request) {
    request_crash_ = std::move(request);
  }
  // Stops every fault from now on (the liveness phase).
  void Heal();
  bool healed() const { return healed_; }
  // An activity worker outage until `until` (activity_worker_outage; the driver draws it).
  void StopActivityPolling(absl::Time until) { activity_outage_until_ = until; }

  const FaultPlan& plan() const { return plan_; }
  // Injections per fault kind.
  const std::array<int64_t, kFaultCount>& injected() const { return injected_; }
  // Whether the fault fires at this opportunity (counts it); false once healed.
  bool Roll(Fault fault, Stream stream);
  void CountInjection(Fault fault) { ++injected_[static_cast<size_t>(fault)]; }

  // --- ServiceEnv.
  absl::Duration StepDelay(const Step& step) override;
  bool OrdersSteps() const override { return true; }
  size_t PickNext(absl::Span<const Step> ready) override { return strategy_->Pick(ready); }
  bool ActivityWorkerPolls(absl::string_view task_queue) override;
  WorkflowTaskPlan PlanWorkflowTask(const WorkflowTaskRequest& request) override;
  ActivityAttempt RunActivityAttempt(const ActivityTask& task,
                                     absl::FunctionRef<ActivityOutcome()> run) override;
  std::optional<temporal::api::enums::v1::StartChildWorkflowExecutionFailedCause> FailChildStart(
      const ChildStartInfo& child) override;

 private:
  const Clock* clock_ = nullptr;
  Random* random_;
  FaultPlan plan_;
  Strategy* strategy_;
  const Workload* workload_;
  bool healed_ = false;
  absl::Time activity_outage_until_ = absl::InfinitePast();
  std::array<int64_t, kFaultCount> injected_ = {};
  std::function<void(absl::Time)> request_crash_;
};

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_SIM_ENV_H_
