// What the simulator decides at each opportunity, as values. A decision is either drawn from
// the seed's streams (SimEnv, the driver) or read from a schedule (schedule_script.h); either
// way the same code applies it, so a seed and the schedule it recorded run the same steps.
//
// Each opportunity has a key that names it without the seed: the workflow and activity ids
// and attempt of an activity attempt, the workflow id and number of a workflow task, and so
// on. Keys that can come round again (a local activity reruns when its workflow task is
// retried; ids repeat after continue-as-new) carry an occurrence number, counted from 1 by
// `Occurrences`.
//
// `Record*` append a decision to a schedule under its key, leaving out decisions that decide
// nothing (no fault, no latency): a schedule lists only what is special.
#ifndef LOCKSTEP_SIM_DECISIONS_H_
#define LOCKSTEP_SIM_DECISIONS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lockstep/sim/v1/schedule.pb.h"

namespace lockstep::sim {

using Schedule = v1::Schedule;

// One activity attempt. The workload's own behaviour stays after the faults heal.
struct ActivityDecision {
  absl::Duration latency = absl::ZeroDuration();  // the workload's
  v1::FailureKind workload_failure = v1::FAILURE_KIND_NONE;
  // Faults.
  v1::FailureKind injected_failure = v1::FAILURE_KIND_NONE;
  std::optional<absl::Duration> late_by = std::nullopt;
  absl::Duration fault_latency = absl::ZeroDuration();
  bool heartbeat_lost = false;
  std::optional<absl::Duration> crash_after = std::nullopt;
  // Filled in when the crash it asked for happens (the downtime is drawn then).
  std::optional<absl::Duration> crash_downtime = std::nullopt;

  bool any_fault() const {
    return injected_failure != v1::FAILURE_KIND_NONE || late_by.has_value() ||
           fault_latency > absl::ZeroDuration() || heartbeat_lost || crash_after.has_value();
  }
  // What the workload and the faults do not touch: run at once, answer at once.
  bool plain() const {
    return latency == absl::ZeroDuration() && workload_failure == v1::FAILURE_KIND_NONE &&
           !any_fault();
  }
};

struct WorkflowTaskDecision {
  bool lost = false;
  bool failed = false;
  absl::Duration latency = absl::ZeroDuration();

  bool plain() const { return !lost && !failed && latency == absl::ZeroDuration(); }
};

struct ActivityKey {
  absl::string_view workflow_id;
  absl::string_view activity_id;
  int32_t attempt = 1;
  bool local = false;
  int32_t occurrence = 1;
};

struct ChildKey {
  absl::string_view parent_workflow_id;
  int64_t initiated_event_id = 0;
  int32_t occurrence = 1;
};

struct DelayKey {
  v1::Delay::Kind kind = v1::Delay::KIND_TIMER;
  absl::string_view workflow_id;
  absl::string_view timer_id;      // timers
  int64_t initiated_event_id = 0;  // external signals
  int32_t occurrence = 1;
};

// Counts how often each key was seen: the occurrence number of the one seen now.
class Occurrences {
 public:
  int32_t Next(std::string key) { return ++counts_[std::move(key)]; }

 private:
  absl::flat_hash_map<std::string, int32_t> counts_;
};

// The occurrence counters' keys (joined with a separator no id contains).
std::string ActivityOccurrenceKey(absl::string_view workflow_id, absl::string_view activity_id,
                                  int32_t attempt, bool local);
std::string ChildOccurrenceKey(absl::string_view parent_workflow_id, int64_t initiated_event_id);
std::string DelayOccurrenceKey(v1::Delay::Kind kind, absl::string_view workflow_id,
                               absl::string_view timer_id, int64_t initiated_event_id);

// Durations as schedules write them ("1h2m3.5s", "0"): absl::FormatDuration, which
// absl::ParseDuration reads back exactly.
std::string ScheduleDuration(absl::Duration d);

// Appends the decision to `schedule` unless it is plain. Returns the entry (null if none).
v1::ActivityAttempt* RecordActivity(const ActivityKey& key, const ActivityDecision& d,
                                    Schedule* schedule);
void RecordWorkflowTask(absl::string_view workflow_id, int32_t number,
                        const WorkflowTaskDecision& d, Schedule* schedule);
// Child latency and failure are decided at two moments; both land in one entry.
void RecordChildLatency(const ChildKey& key, absl::Duration latency, Schedule* schedule);
void RecordChildFailure(const ChildKey& key, Schedule* schedule);
void RecordDelay(const DelayKey& key, absl::Duration delay, Schedule* schedule);
void RecordPick(int64_t choice, size_t index, Schedule* schedule);
// After the `after_step`-th step of `step_workflow_id`. `duration`: the crash's downtime or
// the outage's length (zero: none written).
void RecordStepFault(absl::string_view step_workflow_id, int64_t after_step,
                     v1::StepFault::Kind kind, absl::string_view workflow_id,
                     absl::string_view name, absl::Duration duration, Schedule* schedule);

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_DECISIONS_H_
