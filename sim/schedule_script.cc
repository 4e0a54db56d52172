#include "sim/schedule_script.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "sim/schedule.h"

namespace lockstep::sim {
namespace {

std::string ActivityLookupKey(absl::string_view workflow_id, absl::string_view activity_id,
                              int32_t attempt, bool local, int32_t occurrence) {
  return absl::StrCat(ActivityOccurrenceKey(workflow_id, activity_id, attempt, local), "\x1f",
                      occurrence);
}

std::string TaskLookupKey(absl::string_view workflow_id, int64_t number) {
  return absl::StrCat(workflow_id, "\x1f", number);
}

std::string ChildLookupKey(absl::string_view parent, int64_t event, int32_t occurrence) {
  return absl::StrCat(ChildOccurrenceKey(parent, event), "\x1f", occurrence);
}

std::string DelayLookupKey(v1::Delay::Kind kind, absl::string_view workflow_id,
                           absl::string_view timer_id, int64_t event, int32_t occurrence) {
  return absl::StrCat(DelayOccurrenceKey(kind, workflow_id, timer_id, event), "\x1f", occurrence);
}

// Validated already: durations parse.
absl::Duration D(const std::string& text) {
  absl::StatusOr<absl::Duration> d = ParseScheduleDuration(text, "");
  return d.ok() ? *d : absl::ZeroDuration();
}

std::optional<absl::Duration> OptionalD(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return D(text);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ScheduleScript>> ScheduleScript::Make(const Schedule& schedule,
                                                                     absl::string_view source) {
  if (absl::Status s = ValidateSchedule(schedule, source); !s.ok()) return s;
  std::unique_ptr<ScheduleScript> script(new ScheduleScript(schedule));
  const Schedule& s = script->schedule_;
  for (int i = 0; i < s.calls_size(); ++i) {
    absl::StatusOr<ClientCall> call = CallFromProto(s.calls(i), i);
    if (!call.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": ", call.status().message()));
    }
    script->calls_.push_back({std::move(*call), s.calls(i).request()});
  }
  for (const v1::ActivityAttempt& a : s.activity_attempts()) {
    ActivityDecision d;
    d.latency = D(a.latency());
    d.workload_failure = a.workload_failure();
    d.injected_failure = a.injected_failure();
    d.late_by = OptionalD(a.late_by());
    d.fault_latency = D(a.fault_latency());
    d.heartbeat_lost = a.heartbeat_lost();
    d.crash_after = OptionalD(a.crash_after());
    d.crash_downtime = OptionalD(a.crash_downtime());
    script->activities_[ActivityLookupKey(a.workflow_id(), a.activity_id(), a.attempt(), a.local(),
                                          a.occurrence())] = d;
  }
  for (const v1::WorkflowTask& t : s.workflow_tasks()) {
    script->tasks_[TaskLookupKey(t.workflow_id(), t.number())] = {t.lost(), t.failed(),
                                                                  D(t.latency())};
  }
  for (const v1::ChildStart& c : s.child_starts()) {
    script->children_[ChildLookupKey(c.parent_workflow_id(), c.initiated_event_id(),
                                     c.occurrence())] = {D(c.latency()), c.failed()};
  }
  for (const v1::Delay& d : s.delays()) {
    script->delays_[DelayLookupKey(d.kind(), d.workflow_id(), d.timer_id(), d.initiated_event_id(),
                                   d.occurrence())] = D(d.delay());
  }
  for (const v1::Pick& p : s.picks()) {
    script->picks_[p.choice()] = static_cast<size_t>(p.index());
  }
  for (const v1::StepFault& f : s.step_faults()) {
    script->step_faults_[TaskLookupKey(f.step_workflow_id(), f.after_step())].push_back(
        {f.kind(), f.workflow_id(), f.name(), D(f.duration())});
  }
  return script;
}

ActivityDecision ScheduleScript::Activity(const ActivityKey& key) const {
  auto it = activities_.find(
      ActivityLookupKey(key.workflow_id, key.activity_id, key.attempt, key.local, key.occurrence));
  return it == activities_.end() ? ActivityDecision() : it->second;
}

WorkflowTaskDecision ScheduleScript::WorkflowTask(absl::string_view workflow_id,
                                                  int32_t number) const {
  auto it = tasks_.find(TaskLookupKey(workflow_id, number));
  return it == tasks_.end() ? WorkflowTaskDecision() : it->second;
}

absl::Duration ScheduleScript::ChildLatency(const ChildKey& key) const {
  auto it = children_.find(
      ChildLookupKey(key.parent_workflow_id, key.initiated_event_id, key.occurrence));
  return it == children_.end() ? absl::ZeroDuration() : it->second.latency;
}

bool ScheduleScript::ChildFails(const ChildKey& key) const {
  auto it = children_.find(
      ChildLookupKey(key.parent_workflow_id, key.initiated_event_id, key.occurrence));
  return it != children_.end() && it->second.failed;
}

absl::Duration ScheduleScript::Delay(const DelayKey& key) const {
  auto it = delays_.find(DelayLookupKey(key.kind, key.workflow_id, key.timer_id,
                                        key.initiated_event_id, key.occurrence));
  return it == delays_.end() ? absl::ZeroDuration() : it->second;
}

size_t ScheduleScript::Pick(int64_t choice) const {
  auto it = picks_.find(choice);
  return it == picks_.end() ? 0 : it->second;
}

const std::vector<ScheduleScript::StepFaultEntry>& ScheduleScript::StepFaults(
    absl::string_view workflow_id, int64_t step) const {
  static const std::vector<StepFaultEntry>* const kNone = new std::vector<StepFaultEntry>();
  auto it = step_faults_.find(TaskLookupKey(workflow_id, step));
  return it == step_faults_.end() ? *kNone : it->second;
}

}  // namespace lockstep::sim
