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

bool SimEnv::Draw(Fault fault, Stream stream) {
  const Ratio rate = plan_.rate(fault);
  if (rate.never()) return false;
  return Chance(random_->stream(stream), rate);
}

bool SimEnv::Roll(Fault fault, Stream stream) {
  if (!Draw(fault, stream)) return false;
  CountInjection(fault);
  return true;
}

absl::Duration SimEnv::DecideDelay(Fault fault, Stream stream, absl::Duration lo,
                                   absl::Duration hi, const DelayKey& key) {
  absl::Duration delay = absl::ZeroDuration();
  if (script_ != nullptr) {
    if (!healed_) delay = script_->Delay(key);
  } else if (Draw(fault, stream)) {
    delay = LogUniformDuration(random_->stream(stream), lo, hi);
  }
  if (delay > absl::ZeroDuration()) CountInjection(fault);
  if (recording_ != nullptr) RecordDelay(key, delay, recording_);
  return delay;
}

absl::Duration SimEnv::StepDelay(const Step& step) {
  switch (step.kind) {
    case StepKind::kStartChild: {
      ChildKey key;
      if (keyed()) {
        key = {step.workflow_id, step.ref,
               child_latency_occurrences_.Next(ChildOccurrenceKey(step.workflow_id, step.ref))};
      }
      absl::Duration latency = absl::ZeroDuration();
      if (script_ != nullptr) {
        if (!healed_) latency = script_->ChildLatency(key);
      } else if (Draw(Fault::kChildStartLatency, Stream::kChildren)) {
        latency = LogUniformDuration(random_->stream(Stream::kChildren), absl::Milliseconds(1),
                                     absl::Minutes(5));
      }
      if (latency > absl::ZeroDuration()) CountInjection(Fault::kChildStartLatency);
      if (recording_ != nullptr) RecordChildLatency(key, latency, recording_);
      return latency;
    }
    case StepKind::kSignalExternal: {
      DelayKey key;
      if (keyed()) {
        key = {v1::Delay::KIND_EXTERNAL_SIGNAL, step.workflow_id, "", step.ref,
               delay_occurrences_.Next(DelayOccurrenceKey(v1::Delay::KIND_EXTERNAL_SIGNAL,
                                                          step.workflow_id, "", step.ref))};
      }
      return DecideDelay(Fault::kSignalDelay, Stream::kSignals, absl::Milliseconds(1),
                         absl::Minutes(10), key);
    }
    case StepKind::kUserTimer: {
      DelayKey key;
      if (keyed()) {
        key = {v1::Delay::KIND_TIMER, step.workflow_id, step.timer_id, 0,
               delay_occurrences_.Next(DelayOccurrenceKey(v1::Delay::KIND_TIMER,
                                                          step.workflow_id, step.timer_id, 0))};
      }
      return DecideDelay(Fault::kTimerDelay, Stream::kTimers, absl::Milliseconds(1),
                         absl::Minutes(5), key);
    }
    default:
      return absl::ZeroDuration();
  }
}

size_t SimEnv::PickNext(absl::Span<const Step> ready) {
  ++choices_;
  const size_t index = script_ != nullptr ? script_->Pick(choices_) : strategy_->Pick(ready);
  if (recording_ != nullptr) RecordPick(choices_, index, recording_);
  return index;
}

bool SimEnv::ActivityWorkerPolls(absl::string_view task_queue) {
  (void)task_queue;
  return clock_ == nullptr || clock_->Now() >= activity_outage_until_;
}

WorkflowTaskDecision SimEnv::DrawWorkflowTask() {
  WorkflowTaskDecision d;
  if (Draw(Fault::kWorkflowTaskTimeout, Stream::kWorkflowTasks)) {
    d.lost = true;
  } else if (Draw(Fault::kWorkflowTaskFailure, Stream::kWorkflowTasks)) {
    d.failed = true;
  } else if (Draw(Fault::kWorkflowTaskLatency, Stream::kWorkflowTasks)) {
    // Below Temporal's default 10s task timeout: slow, not lost.
    d.latency = LogUniformDuration(random_->stream(Stream::kWorkflowTasks),
                                   absl::Milliseconds(1), absl::Seconds(5));
  }
  return d;
}

WorkflowTaskPlan SimEnv::PlanWorkflowTask(const WorkflowTaskRequest& request) {
  const int32_t number = keyed() ? workflow_tasks_.Next(request.workflow_id) : 0;
  WorkflowTaskDecision d;
  if (script_ != nullptr) {
    if (!healed_) d = script_->WorkflowTask(request.workflow_id, number);
  } else {
    d = DrawWorkflowTask();
  }
  if (recording_ != nullptr) RecordWorkflowTask(request.workflow_id, number, d, recording_);
  WorkflowTaskPlan task;
  if (d.lost) {
    CountInjection(Fault::kWorkflowTaskTimeout);
    task.lose = true;
  } else if (d.failed) {
    CountInjection(Fault::kWorkflowTaskFailure);
    task.fail = true;
    task.failure_message = "workflow task failed by the simulator (workflow_task_failure)";
  } else if (d.latency > absl::ZeroDuration()) {
    CountInjection(Fault::kWorkflowTaskLatency);
    task.latency = d.latency;
  }
  return task;
}

namespace {

// How long the attempt takes: past its bound when it times out, else the longer of the
// workload's latency and the fault's.
absl::Duration AttemptLatency(const ActivityDecision& d, const ActivityTask& task,
                              absl::Duration bound) {
  if (d.late_by.has_value() && bound > absl::ZeroDuration() && !task.local) {
    return bound + *d.late_by;
  }
  return std::max(d.latency, d.fault_latency);
}

}  // namespace

ActivityDecision SimEnv::DrawActivity(const ActivityTask& task, absl::Duration bound) {
  Prng& rng = random_->stream(Stream::kActivities);
  ActivityDecision d;
  // The workload's own behaviour comes first: always drawn, so faults switched on or off do
  // not move the natural latencies of other attempts.
  if (auto it = workload_->activities.find(task.activity_type); it != workload_->activities.end()) {
    const ActivityBehavior& behavior = it->second;
    if (behavior.max_latency > absl::ZeroDuration()) {
      d.latency = LogUniformDuration(rng, std::max(behavior.min_latency, absl::Nanoseconds(1)),
                                     behavior.max_latency);
    }
    const bool retryable = Chance(rng, behavior.retryable_failure);
    const bool fatal = Chance(rng, behavior.nonretryable_failure);
    d.workload_failure = fatal       ? v1::FAILURE_KIND_NON_RETRYABLE
                         : retryable ? v1::FAILURE_KIND_RETRYABLE
                                     : v1::FAILURE_KIND_NONE;
  }
  if (Draw(Fault::kActivityNonRetryableFailure, Stream::kActivities)) {
    d.injected_failure = v1::FAILURE_KIND_NON_RETRYABLE;
  } else if (Draw(Fault::kActivityRetryableFailure, Stream::kActivities)) {
    d.injected_failure = v1::FAILURE_KIND_RETRYABLE;
  }
  if (bound > absl::ZeroDuration() && !task.local &&
      Draw(Fault::kActivityStartToCloseTimeout, Stream::kActivities)) {
    // The activity runs (its effects happen) but its answer comes after the timeout.
    d.late_by = LogUniformDuration(rng, absl::Milliseconds(1), absl::Minutes(10));
  } else if (Draw(Fault::kActivityLatency, Stream::kActivities)) {
    absl::Duration cap = bound > absl::ZeroDuration() ? bound * 9 / 10 : absl::Minutes(10);
    if (task.local) cap = std::min(cap, absl::Seconds(2));
    d.fault_latency = LogUniformDuration(rng, absl::Milliseconds(1), cap);
  }
  const absl::Duration latency = AttemptLatency(d, task, bound);
  if (task.heartbeat_timeout > absl::ZeroDuration() && latency > absl::ZeroDuration() &&
      !task.local && Draw(Fault::kActivityHeartbeatLoss, Stream::kActivities)) {
    d.heartbeat_lost = true;
  }
  if (!task.local && latency > absl::ZeroDuration() && request_crash_ &&
      Draw(Fault::kWorkerCrashMidActivity, Stream::kWorkers)) {
    d.crash_after =
        UniformDuration(random_->stream(Stream::kWorkers), absl::ZeroDuration(), latency);
  }
  return d;
}

ActivityAttempt SimEnv::RunActivityAttempt(const ActivityTask& task,
                                           absl::FunctionRef<ActivityOutcome()> run) {
  const absl::Duration bound = AttemptBound(task);
  ActivityKey key;
  if (keyed()) {
    key = {task.workflow_id, task.activity_id, task.attempt, task.local,
           activity_occurrences_.Next(ActivityOccurrenceKey(task.workflow_id, task.activity_id,
                                                            task.attempt, task.local))};
  }
  ActivityDecision d;
  if (script_ != nullptr) {
    d = script_->Activity(key);
    if (healed_) {
      // The workload's own behaviour only.
      const ActivityDecision own = d;
      d = ActivityDecision();
      d.latency = own.latency;
      d.workload_failure = own.workload_failure;
    }
  } else {
    d = DrawActivity(task, bound);
  }
  v1::ActivityAttempt* record = recording_ != nullptr ? RecordActivity(key, d, recording_) : nullptr;

  ActivityAttempt attempt;
  if (d.injected_failure == v1::FAILURE_KIND_NON_RETRYABLE) {
    CountInjection(Fault::kActivityNonRetryableFailure);
    attempt.outcome = InjectedFailure(Fault::kActivityNonRetryableFailure, true);
  } else if (d.injected_failure == v1::FAILURE_KIND_RETRYABLE) {
    CountInjection(Fault::kActivityRetryableFailure);
    attempt.outcome = InjectedFailure(Fault::kActivityRetryableFailure, false);
  } else if (d.workload_failure != v1::FAILURE_KIND_NONE) {
    ActivityOutcome outcome;
    outcome.kind = ActivityOutcome::Kind::kFailed;
    outcome.failure.set_message(absl::StrCat("activity ", task.activity_type,
                                             " failed (the workload's failure rate)"));
    auto* info = outcome.failure.mutable_application_failure_info();
    info->set_type("WorkloadFailure");
    info->set_non_retryable(d.workload_failure == v1::FAILURE_KIND_NON_RETRYABLE);
    attempt.outcome = std::move(outcome);
  } else {
    attempt.outcome = run();
  }

  const absl::Duration latency = AttemptLatency(d, task, bound);
  if (d.late_by.has_value() && bound > absl::ZeroDuration() && !task.local) {
    CountInjection(Fault::kActivityStartToCloseTimeout);
  } else if (d.fault_latency > absl::ZeroDuration()) {
    CountInjection(Fault::kActivityLatency);
  }
  attempt.timing.latency = latency;
  if (task.heartbeat_timeout > absl::ZeroDuration() && latency > absl::ZeroDuration()) {
    attempt.timing.heartbeat_interval = task.heartbeat_timeout / 2;
    if (!task.local && d.heartbeat_lost) {
      CountInjection(Fault::kActivityHeartbeatLoss);
      attempt.timing.heartbeat_interval = absl::ZeroDuration();
    }
  }
  if (!task.local && latency > absl::ZeroDuration() && request_crash_ && d.crash_after.has_value()) {
    CountInjection(Fault::kWorkerCrashMidActivity);
    std::optional<absl::Duration> downtime = std::nullopt;
    if (script_ != nullptr) downtime = d.crash_downtime.value_or(absl::Seconds(30));
    request_crash_(clock_->Now() + std::min(*d.crash_after, latency), downtime, record);
  }
  return attempt;
}

std::optional<enums::StartChildWorkflowExecutionFailedCause> SimEnv::FailChildStart(
    const ChildStartInfo& child) {
  ChildKey key;
  if (keyed()) {
    key = {child.parent_workflow_id, child.initiated_event_id,
           child_failure_occurrences_.Next(
               ChildOccurrenceKey(child.parent_workflow_id, child.initiated_event_id))};
  }
  const bool fail = script_ != nullptr
                        ? !healed_ && script_->ChildFails(key)
                        : Draw(Fault::kChildStartFailure, Stream::kChildren);
  if (!fail) return std::nullopt;
  CountInjection(Fault::kChildStartFailure);
  if (recording_ != nullptr) RecordChildFailure(key, recording_);
  return enums::START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS;
}

}  // namespace lockstep::sim
