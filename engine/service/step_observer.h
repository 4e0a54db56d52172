// Step observers: one call per step the service executes, with the events it appended.
// Traces, per-step determinism hashes and checkers are observers; none of them is code inside
// the service.
//
// A step is one entry of the service's agenda performed by RunUntilIdle (StepKind's first
// group), one client call (StartWorkflow, SignalWorkflow, ...) or CrashWorkers. Client calls
// made from inside a step (a handler calling back into the service) belong to that step.
// Queries and reads are not steps: they append nothing.
//
// Events: every event the step appended to any run, grouped by run in the order the runs were
// first touched, as index ranges into that run's history. Events buffered while a workflow
// task is out are reported by the step that writes them (the task's completion, failure or
// timeout), not by the step that produced them. A step may append nothing (a timer already
// canceled, a task nobody answered yet).
//
// Activity attempts: an observer that asks for them (WantsActivityAttempts) also gets the
// attempt state (activity_attempt_state.h) of every pending activity whose attempt changed
// since the last step it was told of: dispatched (running), retried (the next attempt, waiting
// out its backoff), or given heartbeat details. The state is as it stands at the end of the
// step; an activity the step closed, or whose run closed, is not listed (its close event says
// it). A heartbeat that is no step (Service::RecordActivityHeartbeat) is reported with the
// next step. Nothing is gathered when no observer asks, so traces and hashes pay nothing.
//
// The observer is called after the step finished, synchronously; the record and what it
// points to are valid during the call only. An observer must not call into the service.
#ifndef LOCKSTEP_ENGINE_SERVICE_STEP_OBSERVER_H_
#define LOCKSTEP_ENGINE_SERVICE_STEP_OBSERVER_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/history/event_log.h"
#include "engine/service/activity_attempt_state.h"
#include "engine/service/service_env.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep {

struct AppendedEvents {
  absl::string_view workflow_id;
  absl::string_view run_id;
  // The end of the run's history, decoded: the step's events and at least the one before
  // them (history->events(first - 1) exists whenever the run had events before the step).
  const temporal::api::history::v1::History* history = nullptr;
  int first = 0;  // index of the first appended event in history->events()
  int end = 0;    // one past the last
  // The same events as stored (event_log.h), every one sealed: history->events(i) is
  // log->EventBytes(i + log_offset), its deterministic serialization. Null when not given.
  const history::EventLog* log = nullptr;
  int log_offset = 0;
};

// A pending activity whose attempt changed (see the top of this file).
struct ActivityAttemptChange {
  absl::string_view workflow_id;
  absl::string_view run_id;
  // Events in the run's history at the end of the step (events buffered behind a workflow
  // task not counted): the state goes with the history up to here.
  int64_t history_length = 0;
  ActivityAttemptState state;
};

struct StepRecord {
  StepKind kind = StepKind::kUserTimer;
  // The run the step belongs to (for a client start, the run it made; empty if the call
  // failed before naming one).
  absl::string_view workflow_id;
  absl::string_view run_id;
  absl::Time time;  // the virtual time the step ran at
  // Agenda steps: their sequence number (Step::seq). Client calls and crashes: 0.
  uint64_t seq = 0;
  std::vector<AppendedEvents> appended;
  // Only for observers that want them: by run (in the order the runs were created), then by
  // scheduled event id.
  std::vector<ActivityAttemptChange> activity_attempts;
};

class StepObserver {
 public:
  virtual ~StepObserver() = default;
  virtual void OnStep(const StepRecord& step) = 0;
  // Whether StepRecord::activity_attempts is wanted; asked once, when the observer is added.
  virtual bool WantsActivityAttempts() const { return false; }
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_SERVICE_STEP_OBSERVER_H_
