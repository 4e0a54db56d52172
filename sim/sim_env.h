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
// Schedules (decisions.h, schedule_script.h): with a script, every decision above is read
// from the schedule instead of drawn (the strategy and the streams are not used); with a
// recording, every decision made is appended to it. Either way the decision is applied by the
// same code, so a seed and the schedule it recorded take the same steps.
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
#include "sim/decisions.h"
#include "sim/faults.h"
#include "sim/random.h"
#include "sim/schedule_script.h"
#include "sim/strategy.h"
#include "sim/workload.h"

namespace lockstep::sim {

class SimEnv : public ServiceEnv {
 public:
  // Everything must outlive the environment.
  SimEnv(Random* random, const FaultPlan& plan, Strategy* strategy, const Workload* workload);

  // The harness's clock, once it exists (before the first decision).
  void set_clock(const Clock* clock) { clock_ = clock; }

  // Decide from `script` instead of the streams (it must outlive the environment).
  void set_script(const ScheduleScript* script) { script_ = script; }
  // Append every decision to `schedule` (which must outlive the environment).
  void set_recording(Schedule* schedule) { recording_ = schedule; }
  const ScheduleScript* script() const { return script_; }
  Schedule* recording() const { return recording_; }

  // The driver's hook for worker_crash_mid_activity: crash every worker at `at`, for
  // `downtime` (nullopt: the driver draws it when the crash happens, and writes it to
  // `record`, the attempt's entry in the recording, if any).
  using CrashRequester = std::function<void(absl::Time at, std::optional<absl::Duration> downtime,
                                            v1::ActivityAttempt* record)>;
  void set_crash_requester(CrashRequester request) { request_crash_ = std::move(request); }
  // Stops every fault from now on (the liveness phase).
  void Heal();
  bool healed() const { return healed_; }
  // An activity worker outage until `until` (activity_worker_outage; the driver draws it).
  void StopActivityPolling(absl::Time until) { activity_outage_until_ = until; }

  const FaultPlan& plan() const { return plan_; }
  // Injections per fault kind.
  const std::array<int64_t, kFaultCount>& injected() const { return injected_; }
  // Whether the fault fires at this opportunity, drawn from `stream` (counts it); false once
  // healed.
  bool Roll(Fault fault, Stream stream);
  // Draws without counting.
  bool Draw(Fault fault, Stream stream);
  void CountInjection(Fault fault) { ++injected_[static_cast<size_t>(fault)]; }

  // --- ServiceEnv.
  absl::Duration StepDelay(const Step& step) override;
  bool OrdersSteps() const override { return true; }
  size_t PickNext(absl::Span<const Step> ready) override;
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
  CrashRequester request_crash_;

  // Schedules.
  bool keyed() const { return script_ != nullptr || recording_ != nullptr; }
  absl::Duration DecideDelay(Fault fault, Stream stream, absl::Duration lo, absl::Duration hi,
                             const DelayKey& key);
  ActivityDecision DrawActivity(const ActivityTask& task, absl::Duration bound);
  WorkflowTaskDecision DrawWorkflowTask();
  const ScheduleScript* script_ = nullptr;
  Schedule* recording_ = nullptr;
  Occurrences activity_occurrences_;
  Occurrences child_latency_occurrences_;
  Occurrences child_failure_occurrences_;
  Occurrences delay_occurrences_;
  Occurrences workflow_tasks_;  // per workflow id: its tasks' numbers
  int64_t choices_ = 0;
};

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_SIM_ENV_H_
