// What the service knows about one workflow run: its history and the mutable state that
// Temporal keeps beside it (pending workflow task, activities, timers, buffered events).
// Internal to the service; every container is ordered, so iterating one never depends on
// hashing.
#ifndef LOCKSTEP_ENGINE_SERVICE_RUN_STATE_H_
#define LOCKSTEP_ENGINE_SERVICE_RUN_STATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/time/time.h"
#include "engine/core/task_handlers.h"
#include "engine/history/event_log.h"
#include "engine/service/deadline_queue.h"
#include "engine/service/service_types.h"
#include "temporal/api/common/v1/message.pb.h"
#include "temporal/api/enums/v1/workflow.pb.h"
#include "temporal/api/failure/v1/message.pb.h"
#include "temporal/api/history/v1/message.pb.h"
#include "temporal/api/update/v1/message.pb.h"

namespace lockstep::service {

// The id Record() reports for a buffered event. A buffered activity close event carries it as
// started_event_id when its ActivityTaskStarted is buffered too; the flush patches it.
inline constexpr int64_t kBufferedEventId = -1;

// An event held back while a workflow task is out, written (with its id) when the task closes.
struct BufferedEvent {
  temporal::api::history::v1::HistoryEvent event;
};

struct WorkflowTaskState {
  enum class Phase { kNone, kScheduled, kStarted };
  Phase phase = Phase::kNone;
  // Attempt >= 2 after a failure or timeout: its scheduled/started events are shown to the
  // worker but written only if it completes (Temporal's transient workflow task).
  bool transient = false;
  int32_t attempt = 1;
  int64_t scheduled_event_id = 0;  // transient: the id it will get
  int64_t started_event_id = 0;
  // Transient: the history length when it was scheduled; new events since then turn it into
  // a normal attempt-1 task when it starts.
  int64_t transient_history_length = 0;
  absl::Time scheduled_time;
  absl::Time started_time;
  absl::Duration timeout = absl::ZeroDuration();
  std::string request_id;
  bool handler_called = false;  // the worker has seen this task (evict it if we discard it)
  std::optional<WorkflowTaskResponse> response;  // waiting for kWorkflowTaskResponse
  std::optional<DueKey> dispatch_key;
  std::optional<DueKey> timeout_key;
  std::optional<DueKey> response_key;
};

struct ActivityState {
  int64_t scheduled_event_id = 0;
  std::string activity_id;
  std::string activity_type;
  std::string task_queue;
  temporal::api::common::v1::Payloads input;
  temporal::api::common::v1::Header header;
  absl::Duration schedule_to_close = absl::ZeroDuration();
  absl::Duration schedule_to_start = absl::ZeroDuration();
  absl::Duration start_to_close = absl::ZeroDuration();
  absl::Duration heartbeat_timeout = absl::ZeroDuration();
  std::optional<temporal::api::common::v1::RetryPolicy> retry_policy;

  absl::Time first_scheduled_time;
  absl::Time attempt_scheduled_time;  // when the current attempt may be dispatched
  int32_t attempt = 1;
  bool started = false;  // the current attempt is running on a worker
  absl::Time started_time;
  std::string started_request_id;
  // Non-zero only when written at start (no retry policy); kBufferedEventId until flushed.
  int64_t started_event_id = 0;
  std::optional<temporal::api::failure::v1::Failure> last_failure;  // previous attempt's
  std::optional<temporal::api::common::v1::Payloads> heartbeat_details;
  bool cancel_requested = false;
  int64_t cancel_requested_event_id = 0;

  // The running attempt's planned end.
  ActivityOutcome outcome;
  ActivityTiming timing;
  // The running attempt's outcome is reported later (ActivityAttempt::deferred); set at each
  // dispatch, meaningful while `started`.
  bool deferred = false;

  std::optional<DueKey> dispatch_key;
  std::optional<DueKey> schedule_to_start_key;
  std::optional<DueKey> schedule_to_close_key;
  std::optional<DueKey> start_to_close_key;
  std::optional<DueKey> heartbeat_key;
  std::optional<DueKey> outcome_key;
  std::optional<DueKey> cancel_noticed_key;
};

struct TimerState {
  std::string timer_id;
  int64_t started_event_id = 0;
  absl::Time fire_time;
  std::optional<DueKey> key;
};

// A child workflow the run initiated (Temporal's ChildExecutionInfo): from its
// StartChildWorkflowExecutionInitiated event until its start fails or its close is reported.
struct ChildState {
  int64_t initiated_event_id = 0;
  std::string workflow_id;
  std::string workflow_type;
  temporal::api::enums::v1::ParentClosePolicy parent_close_policy =
      temporal::api::enums::v1::PARENT_CLOSE_POLICY_TERMINATE;
  // Empty until started: then the first run of the child's chain (its close is reported by
  // whichever run of that chain closes last) and the id of the parent's
  // ChildWorkflowExecutionStarted event (kBufferedEventId until it is flushed).
  std::string run_id;
  int64_t started_event_id = 0;
};

// Where a child run reports its close. Every run of a child's chain (continue-as-new, retries)
// carries the same link, as Temporal copies the parent execution info to the new run.
struct ParentLink {
  std::string namespace_name;
  std::string workflow_id;
  std::string run_id;
  int64_t initiated_event_id = 0;
};

// One update of the run (Temporal's update registry entry).
struct UpdateState {
  UpdateStatus status;  // what a client sees
  // Handed to a worker with a workflow task and not answered yet (stays set across failed
  // and timed-out tasks: the request goes again with the next attempt).
  bool sent = false;
  uint64_t admitted_seq = 0;  // requests go to the worker in order of admission
  temporal::api::update::v1::Request request;
  int64_t accepted_event_id = 0;
};

struct RunState {
  size_t index = 0;
  std::string workflow_id;
  std::string run_id;
  std::string first_run_id;
  std::string workflow_type;
  std::string task_queue;
  // The run's events, stored serialized with a decoded window at the end (event_log.h). The
  // service trims the window at the end of each step (Service::TrimHistories).
  // Mutable: reading (GetHistory, queries) may decode stored events, which changes nothing a
  // caller can observe.
  mutable history::EventLog history;
  // A workflow task (a full replay) asked for the whole history: keep it decoded until a task
  // that reads only its recent events (a cached worker) shows it is no longer needed.
  bool keep_decoded = false;
  // decoded().events_size() as Service::decoded_window_events_ counts it.
  int64_t counted_window = 0;
  // Retention (ServiceOptions::retention): a closed run whose close still has to be reported
  // (to its parent, or to its children's close policies) keeps its history until then; once
  // released, `history` is empty and `released_events` says how long it was.
  bool close_report_pending = false;
  bool history_released = false;
  int64_t released_events = 0;
  int64_t closed_bytes = 0;  // the history's serialized size once closed (retention's measure)

  temporal::api::enums::v1::WorkflowExecutionStatus status =
      temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_RUNNING;
  absl::Time start_time;
  std::optional<absl::Time> close_time;
  std::optional<temporal::api::common::v1::Payloads> result;
  std::optional<temporal::api::failure::v1::Failure> failure;
  std::string new_execution_run_id;

  absl::Duration run_timeout = absl::ZeroDuration();        // zero: unlimited
  absl::Duration execution_timeout = absl::ZeroDuration();  // zero: unlimited
  absl::Duration task_timeout = absl::ZeroDuration();
  std::optional<absl::Time> expiration_time;  // of the whole chain (execution timeout)
  std::optional<temporal::api::common::v1::RetryPolicy> retry_policy;  // defaults filled
  int32_t attempt = 1;
  temporal::api::common::v1::Payloads input;
  temporal::api::common::v1::Header header;
  temporal::api::common::v1::Memo memo;
  temporal::api::common::v1::SearchAttributes search_attributes;
  std::string start_request_id;
  std::string identity;

  absl::btree_set<std::string> signal_request_ids;
  bool cancel_requested = false;

  WorkflowTaskState task;
  // Set while a completed task's commands are recorded: nothing may schedule a workflow task
  // in the middle of them (the completion schedules one afterwards if needed).
  bool recording_commands = false;
  int32_t next_task_attempt = 1;  // Temporal's WorkflowTaskAttempt: > 1 after failures
  bool completed_any_task = false;
  int64_t last_completed_started_event_id = 0;
  // First workflow task delayed by first_workflow_task_backoff (retried or continued run);
  // until it is due, signals do not schedule a task.
  bool awaiting_start_backoff = false;
  std::optional<DueKey> start_key;
  std::optional<DueKey> run_timeout_key;

  std::vector<BufferedEvent> buffered;
  absl::btree_map<int64_t, ActivityState> activities;  // by scheduled event id
  absl::btree_map<std::string, TimerState> timers;     // by timer id

  // Children, external requests and updates.
  std::optional<ParentLink> parent;  // set for the runs of a child workflow
  // root_workflow_execution of a child's WorkflowExecutionStarted: the top of its tree.
  std::optional<temporal::api::common::v1::WorkflowExecution> root;
  absl::btree_map<int64_t, ChildState> children;  // by initiated event id
  // Request ids of pending SignalExternalWorkflowExecution commands, by initiated event id
  // (the target dedupes a repeated signal by it, as Temporal's transfer task does).
  absl::btree_map<int64_t, std::string> external_signal_request_ids;
  // Set by recovery (service_recovery.cc), by initiated event id: requests this run's history
  // records as delivered whose delivery the target's history lacks (it was buffered behind the
  // target's workflow task when the process died), to deliver again without a second outcome;
  // and pending signals the target's history already has, to record only the outcome of.
  absl::btree_set<int64_t> redeliver_signals;
  absl::btree_set<int64_t> redeliver_cancels;
  absl::btree_set<int64_t> delivered_signals;
  absl::btree_map<std::string, UpdateState> updates;  // by update id

  bool running() const {
    return status == temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_RUNNING;
  }
  temporal::api::common::v1::WorkflowExecution execution() const {
    temporal::api::common::v1::WorkflowExecution e;
    e.set_workflow_id(workflow_id);
    e.set_run_id(run_id);
    return e;
  }
};

}  // namespace lockstep::service

#endif  // LOCKSTEP_ENGINE_SERVICE_RUN_STATE_H_
