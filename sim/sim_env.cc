#include "sim/sim_env.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"

namespace lockstep::sim {
namespace {

namespace enums = temporal::api::enums::v1;

ActivityOutcome InjectedFailure(Fault fault, bool non_retryable) {
  ActivityOutcome outcome;
  outcome.kind = ActivityOutcome::Kind::kFailed;
  outcome.failure.set_message(
      absl::StrCat("failure injected by the simulator (", FaultName(fault), ")"));
  outcome.failure.set_source("lockstep-sim");
  auto* info = outcome.failure.mutable_application_failure_info();
  info->set_type("SimulatedFailure");
  info->set_non_retryable(non_retryable);
  return outcome;
}

// The smallest timeout that bounds one attempt (zero: none).
absl::Duration AttemptBound(const ActivityTask& task) {
  absl::Duration bound = absl::ZeroDuration();
  for (absl::Duration d : {task.start_to_close_timeout, task.schedule_to_close_timeout}) {
    if (d > absl::ZeroDuration() && (bound == absl::ZeroDuration() || d < bound)) bound = d;
  }
  return bound;
}

}  // namespace

SimEnv::SimEnv(Random* random, const FaultPlan& plan, Strategy* strategy,
               const Workload* workload)
    : random_(random), plan_(plan), strategy_(strategy), workload_(workload) {}

void SimEnv::Heal() {
  healed_ = true;
  plan_ = FaultPlan();
  activity_outage_until_ = absl::InfinitePast();
}

bool SimEnv::Roll(Fault fault, Stream stream) {
  const Ratio rate = plan_.rate(fault);
  if (rate.never()) return false;
  if (!Chance(random_->stream(stream), rate)) return false;
  CountInjection(fault);
  return true;
}

absl::Duration SimEnv::StepDelay(const Step& step) {
  switch (step.kind) {
    case StepKind::kStartChild:
      if (Roll(Fault::kChildStartLatency, Stream::kChildren)) {
        return LogUniformDuration(random_->stream(Stream::kChildren), absl::Milliseconds(1),
                                  absl::Minutes(5));
      }
      return absl::ZeroDuration();
    case StepKind::kSignalExternal:
      if (Roll(Fault::kSignalDelay, Stream::kSignals)) {
        return LogUniformDuration(random_->stream(Stream::kSignals), absl::Milliseconds(1),
                                  absl::Minutes(10));
      }
      return absl::ZeroDuration();
    case StepKind::kUserTimer:
      if (Roll(Fault::kTimerDelay, Stream::kTimers)) {
        return LogUniformDuration(random_->stream(Stream::kTimers), absl::Milliseconds(1),
                                  absl::Minutes(5));
      }
      return absl::ZeroDuration();
    default:
      return absl::ZeroDuration();
  }
}

bool SimEnv::ActivityWorkerPolls(absl::string_view task_queue) {
  (void)task_queue;
  return clock_ == nullptr || clock_->Now() >= activity_outage_until_;
}

WorkflowTaskPlan SimEnv::PlanWorkflowTask(const WorkflowTaskRequest& request) {
  (void)request;
  WorkflowTaskPlan task;
  if (Roll(Fault::kWorkflowTaskTimeout, Stream::kWorkflowTasks)) {
    task.lose = true;
    return task;
  }
  if (Roll(Fault::kWorkflowTaskFailure, Stream::kWorkflowTasks)) {
    task.fail = true;
    task.failure_message = "workflow task failed by the simulator (workflow_task_failure)";
    return task;
  }
  if (Roll(Fault::kWorkflowTaskLatency, Stream::kWorkflowTasks)) {
    // Below Temporal's default 10s task timeout: slow, not lost.
    task.latency = LogUniformDuration(random_->stream(Stream::kWorkflowTasks),
                                      absl::Milliseconds(1), absl::Seconds(5));
  }
  return task;
}

ActivityAttempt SimEnv::RunActivityAttempt(const ActivityTask& task,
                                           absl::FunctionRef<ActivityOutcome()> run) {
  Prng& rng = random_->stream(Stream::kActivities);
  ActivityAttempt attempt;
  // The workload's own behaviour comes first: always drawn, so faults switched on or off do
  // not move the natural latencies of other attempts.
  const ActivityBehavior* behavior = nullptr;
  if (auto it = workload_->activities.find(task.activity_type); it != workload_->activities.end()) {
    behavior = &it->second;
  }
  absl::Duration latency = absl::ZeroDuration();
  bool natural_retryable = false;
  bool natural_fatal = false;
  if (behavior != nullptr) {
    if (behavior->max_latency > absl::ZeroDuration()) {
      latency = LogUniformDuration(rng, std::max(behavior->min_latency, absl::Nanoseconds(1)),
                                   behavior->max_latency);
    }
    natural_retryable = Chance(rng, behavior->retryable_failure);
    natural_fatal = Chance(rng, behavior->nonretryable_failure);
  }

  const absl::Duration bound = AttemptBound(task);
  if (Roll(Fault::kActivityNonRetryableFailure, Stream::kActivities)) {
    attempt.outcome = InjectedFailure(Fault::kActivityNonRetryableFailure, true);
  } else if (Roll(Fault::kActivityRetryableFailure, Stream::kActivities)) {
    attempt.outcome = InjectedFailure(Fault::kActivityRetryableFailure, false);
  } else if (natural_fatal || natural_retryable) {
    ActivityOutcome outcome;
    outcome.kind = ActivityOutcome::Kind::kFailed;
    outcome.failure.set_message(absl::StrCat("activity ", task.activity_type,
                                             " failed (the workload's failure rate)"));
    auto* info = outcome.failure.mutable_application_failure_info();
    info->set_type("WorkloadFailure");
    info->set_non_retryable(natural_fatal);
    attempt.outcome = std::move(outcome);
  } else {
    attempt.outcome = run();
  }

  if (bound > absl::ZeroDuration() && !task.local &&
      Roll(Fault::kActivityStartToCloseTimeout, Stream::kActivities)) {
    // The activity ran (its effects happened) but its answer comes after the timeout.
    latency = bound + LogUniformDuration(rng, absl::Milliseconds(1), absl::Minutes(10));
  } else if (Roll(Fault::kActivityLatency, Stream::kActivities)) {
    absl::Duration cap = bound > absl::ZeroDuration() ? bound * 9 / 10 : absl::Minutes(10);
    if (task.local) cap = std::min(cap, absl::Seconds(2));
    latency = std::max(latency, LogUniformDuration(rng, absl::Milliseconds(1), cap));
  }
  attempt.timing.latency = latency;
  if (task.heartbeat_timeout > absl::ZeroDuration() && latency > absl::ZeroDuration()) {
    attempt.timing.heartbeat_interval = task.heartbeat_timeout / 2;
    if (!task.local && Roll(Fault::kActivityHeartbeatLoss, Stream::kActivities)) {
      attempt.timing.heartbeat_interval = absl::ZeroDuration();
    }
  }
  if (!task.local && latency > absl::ZeroDuration() && request_crash_ &&
      Roll(Fault::kWorkerCrashMidActivity, Stream::kWorkers)) {
    request_crash_(clock_->Now() +
                   UniformDuration(random_->stream(Stream::kWorkers), absl::ZeroDuration(), latency));
  }
  return attempt;
}

std::optional<enums::StartChildWorkflowExecutionFailedCause> SimEnv::FailChildStart(
    const ChildStartInfo& child) {
  (void)child;
  if (Roll(Fault::kChildStartFailure, Stream::kChildren)) {
    return enums::START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS;
  }
  return std::nullopt;
}

}  // namespace lockstep::sim
