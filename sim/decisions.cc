#include "sim/decisions.h"

#include "absl/strings/str_cat.h"

namespace lockstep::sim {
namespace {

// Ids are printable; the unit separator keeps "a" + "bc" apart from "ab" + "c".
constexpr absl::string_view kSep = "\x1f";

}  // namespace

std::string ActivityOccurrenceKey(absl::string_view workflow_id, absl::string_view activity_id,
                                  int32_t attempt, bool local) {
  return absl::StrCat(workflow_id, kSep, activity_id, kSep, attempt, kSep, local ? "L" : "R");
}

std::string ChildOccurrenceKey(absl::string_view parent_workflow_id, int64_t initiated_event_id) {
  return absl::StrCat(parent_workflow_id, kSep, initiated_event_id);
}

std::string DelayOccurrenceKey(v1::Delay::Kind kind, absl::string_view workflow_id,
                               absl::string_view timer_id, int64_t initiated_event_id) {
  return absl::StrCat(static_cast<int>(kind), kSep, workflow_id, kSep, timer_id, kSep,
                      initiated_event_id);
}

std::string ScheduleDuration(absl::Duration d) { return absl::FormatDuration(d); }

v1::ActivityAttempt* RecordActivity(const ActivityKey& key, const ActivityDecision& d,
                                    Schedule* schedule) {
  if (d.plain()) return nullptr;
  v1::ActivityAttempt* e = schedule->add_activity_attempts();
  e->set_workflow_id(std::string(key.workflow_id));
  e->set_activity_id(std::string(key.activity_id));
  e->set_attempt(key.attempt);
  e->set_local(key.local);
  e->set_occurrence(key.occurrence);
  if (d.latency > absl::ZeroDuration()) e->set_latency(ScheduleDuration(d.latency));
  e->set_workload_failure(d.workload_failure);
  e->set_injected_failure(d.injected_failure);
  if (d.late_by.has_value()) e->set_late_by(ScheduleDuration(*d.late_by));
  if (d.fault_latency > absl::ZeroDuration())
    e->set_fault_latency(ScheduleDuration(d.fault_latency));
  e->set_heartbeat_lost(d.heartbeat_lost);
  if (d.crash_after.has_value()) e->set_crash_after(ScheduleDuration(*d.crash_after));
  if (d.crash_downtime.has_value()) e->set_crash_downtime(ScheduleDuration(*d.crash_downtime));
  return e;
}

void RecordWorkflowTask(absl::string_view workflow_id, int32_t number,
                        const WorkflowTaskDecision& d, Schedule* schedule) {
  if (d.plain()) return;
  v1::WorkflowTask* e = schedule->add_workflow_tasks();
  e->set_workflow_id(std::string(workflow_id));
  e->set_number(number);
  e->set_lost(d.lost);
  e->set_failed(d.failed);
  if (d.latency > absl::ZeroDuration()) e->set_latency(ScheduleDuration(d.latency));
}

namespace {

v1::ChildStart* ChildEntry(const ChildKey& key, Schedule* schedule) {
  // The latency is decided first, when the start is due; the failure when it happens. Look
  // back for the entry of the same start.
  for (int i = schedule->child_starts_size() - 1; i >= 0; --i) {
    v1::ChildStart* e = schedule->mutable_child_starts(i);
    if (e->parent_workflow_id() == key.parent_workflow_id &&
        e->initiated_event_id() == key.initiated_event_id && e->occurrence() == key.occurrence) {
      return e;
    }
  }
  v1::ChildStart* e = schedule->add_child_starts();
  e->set_parent_workflow_id(std::string(key.parent_workflow_id));
  e->set_initiated_event_id(key.initiated_event_id);
  e->set_occurrence(key.occurrence);
  return e;
}

}  // namespace

void RecordChildLatency(const ChildKey& key, absl::Duration latency, Schedule* schedule) {
  if (latency <= absl::ZeroDuration()) return;
  ChildEntry(key, schedule)->set_latency(ScheduleDuration(latency));
}

void RecordChildFailure(const ChildKey& key, Schedule* schedule) {
  ChildEntry(key, schedule)->set_failed(true);
}

void RecordDelay(const DelayKey& key, absl::Duration delay, Schedule* schedule) {
  if (delay <= absl::ZeroDuration()) return;
  v1::Delay* e = schedule->add_delays();
  e->set_kind(key.kind);
  e->set_workflow_id(std::string(key.workflow_id));
  e->set_timer_id(std::string(key.timer_id));
  e->set_initiated_event_id(key.initiated_event_id);
  e->set_occurrence(key.occurrence);
  e->set_delay(ScheduleDuration(delay));
}

void RecordPick(int64_t choice, size_t index, Schedule* schedule) {
  if (index == 0) return;
  v1::Pick* e = schedule->add_picks();
  e->set_choice(choice);
  e->set_index(static_cast<int64_t>(index));
}

void RecordStepFault(absl::string_view step_workflow_id, int64_t after_step,
                     v1::StepFault::Kind kind, absl::string_view workflow_id,
                     absl::string_view name, absl::Duration duration, Schedule* schedule) {
  v1::StepFault* e = schedule->add_step_faults();
  e->set_step_workflow_id(std::string(step_workflow_id));
  e->set_after_step(after_step);
  e->set_kind(kind);
  e->set_workflow_id(std::string(workflow_id));
  e->set_name(std::string(name));
  if (duration > absl::ZeroDuration()) e->set_duration(ScheduleDuration(duration));
}

}  // namespace lockstep::sim
