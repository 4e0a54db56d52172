// Options, requests and answers of the in-process workflow service (service.h).
#ifndef LOCKSTEP_ENGINE_SERVICE_SERVICE_TYPES_H_
#define LOCKSTEP_ENGINE_SERVICE_SERVICE_TYPES_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "engine/core/task_handlers.h"
#include "engine/service/service_env.h"
#include "temporal/api/common/v1/message.pb.h"
#include "temporal/api/enums/v1/workflow.pb.h"
#include "temporal/api/failure/v1/message.pb.h"
#include "temporal/api/update/v1/message.pb.h"

namespace lockstep {

struct ServiceOptions {
  std::string namespace_name = "default";
  // Seeds the run ids and request ids the service makes up (never a random device).
  uint64_t seed = 0;
  // Identity recorded for the workers on WorkflowTaskStarted/Completed, ActivityTaskStarted,
  // ActivityTaskCompleted/Failed/Canceled (Temporal records the polling worker's identity).
  std::string worker_identity = "lockstep-worker";
  // First HistoryEvent.task_id; each event takes the next one.
  int64_t first_task_id = 1048576;

  // Whether workers poll at all when the service is created (see Service::SetWorkersPolling):
  // without activity workers, activity tasks wait and schedule-to-start timeouts fire.
  bool workflow_workers_polling = true;
  bool activity_workers_polling = true;

  // Every scheduling decision (step delays and order, polling, workflow task loss and
  // latency, activity attempts, child start failures) is this environment's
  // (service_env.h). Null: the default environment, which decides as Temporal would with
  // instant workers. Must outlive the service.
  ServiceEnv* env = nullptr;

  // Workflow task start-to-close timeout when StartWorkflow does not give one (Temporal: 10s).
  absl::Duration default_workflow_task_timeout = absl::Seconds(10);
  // Delay before retrying a failed or timed-out workflow task. Temporal's server retries at
  // once; here attempt 2 also runs at once, and attempt n >= 3 waits
  // min(initial * 2^(n-3), maximum), so a task that always fails lets virtual time advance
  // instead of spinning RunUntilIdle forever. A zero initial interval retries at once always.
  absl::Duration workflow_task_retry_initial_interval = absl::Seconds(1);
  absl::Duration workflow_task_retry_maximum_interval = absl::Minutes(10);

  // Temporal gives every activity a retry policy (server defaults fill the gaps). False:
  // an activity scheduled without one is never retried and closes with RETRY_POLICY_NOT_SET,
  // and its ActivityTaskStarted is written when it starts (older servers).
  bool apply_default_activity_retry_policy = true;

  // When a closed run's history is released from memory. Temporal deletes a closed execution
  // once the namespace's retention period has passed since its close (a DeleteHistoryEventTask
  // at close time + retention, service/history/workflow/task_generator.go
  // GenerateDeleteHistoryEventTask); an embedded engine also needs a bound on memory. Released,
  // a run keeps its summary (DescribeWorkflow: ids, status, close time, result or failure,
  // history length) and its signal request ids, but GetHistory and QueryWorkflow on it are
  // NotFound. The default keeps every history for the service's lifetime, which tests and
  // the simulator's checkers (replaying every history) rely on.
  struct Retention {
    // Released once this much (virtual) time has passed since the run closed.
    absl::Duration closed_for = absl::InfiniteDuration();
    // Closed histories kept at most this many bytes in all, measured as serialized (what
    // they take in memory, engine/history/event_log.h); the earliest closed go first. Zero
    // releases each history once its close has been reported.
    int64_t max_closed_bytes = std::numeric_limits<int64_t>::max();
  };
  Retention retention = {};

  // Histories are stored serialized with only a window decoded (engine/history/event_log.h;
  // docs/service.md). True: every history is also kept decoded from its start, as if
  // GetHistory had been called then, for a caller that reads every history afterwards (the
  // simulator's checkers replay them all): decoding them at the end would cost more.
  bool keep_histories_decoded = false;
};

struct StartWorkflowRequest {
  std::string workflow_id;
  std::string workflow_type;
  std::string task_queue;
  temporal::api::common::v1::Payloads input;
  // Zero: unlimited (execution, run) or ServiceOptions::default_workflow_task_timeout (task).
  absl::Duration execution_timeout = absl::ZeroDuration();
  absl::Duration run_timeout = absl::ZeroDuration();
  absl::Duration task_timeout = absl::ZeroDuration();
  // The workflow's own retry policy (a failed or timed-out run starts a new run). None: the
  // run closes for good (RETRY_POLICY_NOT_SET).
  std::optional<temporal::api::common::v1::RetryPolicy> retry_policy;
  // UNSPECIFIED means ALLOW_DUPLICATE.
  temporal::api::enums::v1::WorkflowIdReusePolicy id_reuse_policy =
      temporal::api::enums::v1::WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED;
  // A repeated start with the current run's request id returns that run instead of failing.
  std::string request_id;
  std::string identity;
  std::optional<temporal::api::common::v1::Memo> memo;
  std::optional<temporal::api::common::v1::SearchAttributes> search_attributes;
  temporal::api::common::v1::Header header;
};

struct SignalWorkflowRequest {
  std::string workflow_id;
  std::string run_id;  // empty: the current (latest) run of workflow_id
  std::string signal_name;
  temporal::api::common::v1::Payloads input;
  // Deduplication key per run: a repeated non-empty request id is accepted and ignored.
  std::string request_id;
  std::string identity;
  temporal::api::common::v1::Header header;
};

struct SignalWithStartRequest {
  StartWorkflowRequest start;  // start.request_id also dedupes the signal
  std::string signal_name;
  temporal::api::common::v1::Payloads signal_input;
  temporal::api::common::v1::Header signal_header;
};

struct CancelWorkflowRequest {
  std::string workflow_id;
  std::string run_id;  // empty: current run
  std::string reason;
  std::string request_id;
  std::string identity;
};

struct TerminateWorkflowRequest {
  std::string workflow_id;
  std::string run_id;  // empty: current run
  std::string reason;
  temporal::api::common::v1::Payloads details;
  std::string identity;
};

struct UpdateWorkflowRequest {
  std::string workflow_id;
  std::string run_id;  // empty: the current run
  // Deduplication key per run: a repeated id answers with the existing update. Empty: the
  // service makes one up (from ServiceOptions::seed).
  std::string update_id;
  std::string name;  // the update handler's name; required
  temporal::api::common::v1::Payloads args;
  temporal::api::common::v1::Header header;
  std::string identity;
};

// What a client knows about an update: Temporal's lifecycle stages (ADMITTED, ACCEPTED,
// COMPLETED) and, once completed, its outcome.
struct UpdateStatus {
  enum class Stage { kAdmitted, kAccepted, kCompleted };
  std::string update_id;
  // The run the update was admitted to.
  temporal::api::common::v1::WorkflowExecution execution;
  Stage stage = Stage::kAdmitted;
  // kCompleted: the outcome, `success` payloads or a `failure` (the worker's rejection
  // failure, the handler's failure, or the server's failure for an accepted update whose run
  // closed first). Empty when `error` is set.
  std::optional<temporal::api::update::v1::Outcome> outcome;
  // kCompleted by a Rejection: the update was never accepted and wrote no event.
  bool rejected = false;
  // kCompleted without an outcome: the run closed before the update was accepted. NotFound
  // ("workflow update was aborted by closing workflow"), or ResourceExhausted when the run
  // continued in a new run (Temporal's retryable "workflow is closing": retry on the new run).
  absl::Status error;

  bool completed() const { return stage == Stage::kCompleted; }
};

struct PendingChildDescription {
  std::string workflow_id;
  std::string run_id;  // the child's first run; empty while its start is pending
  std::string workflow_type;
  int64_t initiated_event_id = 0;
  temporal::api::enums::v1::ParentClosePolicy parent_close_policy =
      temporal::api::enums::v1::PARENT_CLOSE_POLICY_UNSPECIFIED;
};

struct PendingActivityDescription {
  int64_t scheduled_event_id = 0;
  std::string activity_id;
  std::string activity_type;
  temporal::api::enums::v1::PendingActivityState state =
      temporal::api::enums::v1::PENDING_ACTIVITY_STATE_UNSPECIFIED;
  int32_t attempt = 1;
  absl::Time scheduled_time;                    // of the current attempt (future while backing off)
  std::optional<absl::Time> last_started_time;  // the running attempt's start
  std::optional<temporal::api::failure::v1::Failure> last_failure;
  std::optional<temporal::api::common::v1::Payloads> heartbeat_details;
};

struct PendingTimerDescription {
  std::string timer_id;
  int64_t started_event_id = 0;
  absl::Time fire_time;
};

struct WorkflowDescription {
  temporal::api::common::v1::WorkflowExecution execution;
  std::string workflow_type;
  std::string task_queue;
  temporal::api::enums::v1::WorkflowExecutionStatus status =
      temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_UNSPECIFIED;
  int64_t history_length = 0;
  int32_t attempt = 1;  // the run's attempt under the workflow retry policy
  absl::Time start_time;
  std::optional<absl::Time> close_time;
  std::optional<temporal::api::common::v1::Payloads> result;   // completed
  std::optional<temporal::api::failure::v1::Failure> failure;  // failed
  std::string new_execution_run_id;  // the run this one continued as new / retried into
  bool cancel_requested = false;
  // PENDING_WORKFLOW_TASK_STATE_UNSPECIFIED when none; attempt of the pending one.
  temporal::api::enums::v1::PendingWorkflowTaskState workflow_task_state =
      temporal::api::enums::v1::PENDING_WORKFLOW_TASK_STATE_UNSPECIFIED;
  int32_t workflow_task_attempt = 0;
  std::vector<PendingActivityDescription> pending_activities;  // by scheduled event id
  std::vector<PendingTimerDescription> pending_timers;         // by timer id
  std::vector<PendingChildDescription> pending_children;       // by initiated event id
  // Set for a child workflow's run: the parent run and its StartChildWorkflowExecutionInitiated.
  std::optional<temporal::api::common::v1::WorkflowExecution> parent_execution;
  int64_t parent_initiated_event_id = 0;
  temporal::api::common::v1::Memo memo;
  temporal::api::common::v1::SearchAttributes search_attributes;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_SERVICE_SERVICE_TYPES_H_
