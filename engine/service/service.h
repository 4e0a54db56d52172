// The in-process workflow service: the part a Temporal server plays, single-threaded and
// deterministic, for tests and the simulator.
//
// What it does (docs/service.md has the details and the Temporal sources for each rule):
//   - keeps one history per run in Temporal's schema and appends events as Temporal does;
//   - schedules workflow tasks when new events arrive, hands them to a WorkflowTaskHandler and
//     records the returned commands as events (one per command, in order);
//   - runs activities through an ActivityTaskHandler with retries, backoff and the four
//     timeouts, writing only the last attempt's ActivityTaskStarted, as Temporal does;
//   - fires timers, workflow run/execution timeouts, applies workflow retry policies and
//     continue-as-new, id reuse policies, signals (deduplicated by request id), cancellation
//     requests, termination and queries;
//   - starts child workflows and reports their close to the parent, enforces parent close
//     policies, delivers signals and cancellation requests between workflows, and runs
//     Temporal's update protocol (requests to the worker with a workflow task, acceptance,
//     rejection and completion back, outcomes to the caller).
//
// What Temporal does in transfer tasks after a workflow task completes (starting a child,
// signaling or canceling another workflow, reporting a closed child to its parent, applying a
// parent close policy) happens here in the same RunUntilIdle pass, as a separate step after the
// completion's events are written, in the order the steps were created.
//
// Time: nothing happens on its own. Every event is stamped with clock->Now() (except the
// delayed ActivityTaskStarted, stamped with the attempt's start as Temporal does); RunUntilIdle()
// performs everything due at Now(); NextDeadline() says when something is next due. The caller
// owns the clock and moves it (virtual_time.h does that for a ManualClock).
//
// Schedule: every decision about when a step happens and which of several steps due at one
// instant runs first is the service environment's (ServiceOptions::env, service_env.h); the
// default runs ties in order of creation. No container whose order depends on hashing is
// iterated, and run ids and request ids come from ServiceOptions::seed. Two services given the
// same calls at the same clock readings, with environments deciding alike, write
// byte-identical histories. Step observers (step_observer.h) see every step and its events.
//
// Workers: CrashWorkers() loses every task in flight at once and detaches the handlers;
// AttachWorkers() attaches fresh ones (a new Worker has an empty cache, so its first task of
// every run replays the whole history).
//
// Handlers are called synchronously from RunUntilIdle (and QueryWorkflow / Evict). They may call
// back into the service's client API (signal, start, cancel, terminate, ...): a workflow task
// is "started" while its handler runs, so such events are buffered exactly like events that
// reach a Temporal server while a workflow task is out. RunUntilIdle called from inside a
// handler returns at once.
//
// The service calls WorkflowTaskHandler::Evict when it throws away a response the handler
// produced (a rejected completion, a task that timed out or was failed by termination), since
// the handler's cached state then ran ahead of the history, as a Temporal SDK evicts when its
// completion is refused.
#ifndef LOCKSTEP_ENGINE_SERVICE_SERVICE_H_
#define LOCKSTEP_ENGINE_SERVICE_SERVICE_H_

#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "engine/core/clock.h"
#include "engine/core/retry_policy.h"
#include "engine/core/task_handlers.h"
#include "engine/service/activity_attempt_ref.h"
#include "engine/service/activity_attempt_state.h"
#include "engine/service/deadline_queue.h"
#include "engine/service/id_generator.h"
#include "engine/service/run_restore.h"
#include "engine/service/run_state.h"
#include "engine/service/service_env.h"
#include "engine/service/service_types.h"
#include "engine/service/step_observer.h"
#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/common/v1/message.pb.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep {

class Service {
 public:
  // `clock`, `workflows`, `activities` and `options.env` must outlive the service (or, for the
  // handlers, their replacement by CrashWorkers / AttachWorkers).
  Service(Clock* clock, WorkflowTaskHandler* workflows, ActivityTaskHandler* activities,
          ServiceOptions options = {});
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;
  ~Service();

  // --- Client API. Errors: InvalidArgument (bad request), NotFound (no such run, or the run
  // is closed where a running one is needed), AlreadyExists (id in use per reuse policy),
  // FailedPrecondition (query before the first workflow task completed).

  // Writes WorkflowExecutionStarted and WorkflowTaskScheduled.
  [[nodiscard]] absl::StatusOr<temporal::api::common::v1::WorkflowExecution> StartWorkflow(
      const StartWorkflowRequest& request);
  // Writes WorkflowExecutionSignaled (buffered while a workflow task is out) and schedules a
  // workflow task. A repeated request id for the run is accepted and ignored, even once the run
  // has closed; otherwise a closed or unknown run is NotFound.
  [[nodiscard]] absl::Status SignalWorkflow(const SignalWorkflowRequest& request);
  // Signals the running run of the id, or starts a new run (Started, Signaled, WTScheduled)
  // per the reuse policy. TERMINATE_IF_RUNNING terminates a running run and starts a new one.
  [[nodiscard]] absl::StatusOr<temporal::api::common::v1::WorkflowExecution>
  SignalWithStartWorkflow(const SignalWithStartRequest& request);
  // Asks the handler with the run's history. A closed run may be queried. The answer reflects
  // the last completed workflow task (Temporal would first wait for a pending task; call
  // RunUntilIdle before querying for that).
  [[nodiscard]] absl::StatusOr<temporal::api::common::v1::Payloads> QueryWorkflow(
      const std::string& workflow_id, const std::string& run_id, const std::string& query_type,
      const temporal::api::common::v1::Payloads& args);
  [[nodiscard]] absl::StatusOr<WorkflowDescription> DescribeWorkflow(
      const std::string& workflow_id, const std::string& run_id) const;
  // Writes WorkflowExecutionCancelRequested and schedules a workflow task. Idempotent: a run
  // already asked to cancel, or already closed, is left alone and OK is returned (Temporal).
  [[nodiscard]] absl::Status RequestCancelWorkflow(const CancelWorkflowRequest& request);
  // Writes WorkflowExecutionTerminated and closes the run; its timers and activities are
  // dropped. A started workflow task is first failed (FORCE_CLOSE_COMMAND).
  [[nodiscard]] absl::Status TerminateWorkflow(const TerminateWorkflowRequest& request);
  // The run's history. The service stores histories serialized (engine/history/event_log.h);
  // the first call for a run decodes its history and keeps it decoded from then on, so the
  // pointer stays valid and the history grows as the run goes on, until retention releases
  // it. Transient workflow task events are not in it (as in Temporal). NotFound once
  // ServiceOptions::retention has released it (the pointer then points at an empty history);
  // DataLoss if a stored event does not decode.
  [[nodiscard]] absl::StatusOr<const temporal::api::history::v1::History*> GetHistory(
      const std::string& workflow_id, const std::string& run_id) const;
  // What ServiceOptions::retention has done so far.
  struct RetentionStats {
    int64_t released_histories = 0;
    int64_t released_events = 0;
    int64_t closed_kept = 0;        // closed runs whose history is still held
    int64_t closed_kept_bytes = 0;  // their histories' serialized size
  };
  RetentionStats retention_stats() const { return retention_stats_; }
  // What the service's histories hold in memory, over the runs whose history is held.
  struct HistoryMemory {
    int64_t runs = 0;
    int64_t events = 0;
    int64_t serialized_bytes = 0;  // the histories' size as Temporal's binary History
    int64_t retained_bytes = 0;    // what holding them costs (EventLog::RetainedBytes)
    int64_t decoded_events = 0;    // events also held decoded (windows, GetHistory's)
  };
  HistoryMemory history_memory() const;
  // The run's history serialized as a temporal.api.history.v1.History (SerializeHistoryBinary's
  // bytes), appended to `out`, without decoding it. Errors as GetHistory.
  [[nodiscard]] absl::Status GetHistoryBinary(const std::string& workflow_id,
                                              const std::string& run_id, std::string* out) const;
  // Every run ever started, in order of creation.
  std::vector<temporal::api::common::v1::WorkflowExecution> ListRuns() const;

  // --- Updates (Temporal's UpdateWorkflowExecution; no history event until the worker
  // answers).

  // Admits an update to the run and returns its status (stage kAdmitted, or the existing
  // update's status when the run already has one with this id, even a closed run). The
  // request goes to the worker with the run's next workflow task; one is scheduled if none is
  // pending (a task already out does not carry it: the next one does). Errors: InvalidArgument
  // (no name), NotFound (unknown run, or a closed run without this update: "workflow execution
  // already completed").
  [[nodiscard]] absl::StatusOr<UpdateStatus> UpdateWorkflow(const UpdateWorkflowRequest& request);
  // The latest status of the update with this id admitted to any run of `workflow_id` (the
  // latest such run). It completes when the worker rejects it or answers it after accepting
  // it, or when its run closes first (see UpdateStatus). NotFound for an unknown update.
  [[nodiscard]] absl::StatusOr<UpdateStatus> GetUpdateStatus(const std::string& workflow_id,
                                                             const std::string& update_id) const;

  // --- Asynchronous activity completion (service_async_activity.cc): the outcome of an attempt
  // the environment deferred (ActivityAttempt::deferred) arrives through these, as Temporal's
  // RespondActivityTask* and RecordActivityTaskHeartbeat calls. Neither writes an event at
  // once: a reported outcome is delivered by the next RunUntilIdle (the attempt's
  // kActivityOutcome step, after any timeout already due at the same instant), and all four
  // timeouts keep applying until then. Errors (each naming the workflow id, run id, scheduled
  // event id and attempt): InvalidArgument (no run id); NotFound when the attempt is not the
  // current, running attempt of a running activity (its run closed, it timed out or was
  // retried, or its outcome was already reported), as Temporal refuses a stale task token;
  // FailedPrecondition for an attempt that was not deferred, or a cancellation nobody asked
  // for (the attempt goes on); InvalidArgument for a failure whose text is not UTF-8.
  // CrashWorkers loses a reported outcome not yet delivered, like any answer in flight, but
  // the attempt stays open to reports until a timeout ends it (whoever completes it
  // asynchronously need not be the worker that crashed).

  // Reports the attempt's outcome. A kCompleted or kCanceled outcome closes the activity; a
  // kFailed one is retried per its retry policy. Heartbeat details the outcome carries
  // (heartbeated) are kept for the next attempt and for a timeout's failure.
  [[nodiscard]] absl::Status CompleteActivityAttempt(const ActivityAttemptRef& ref,
                                                     ActivityOutcome outcome);
  // Records a heartbeat: keeps `details` (the next attempt and a timeout see them) and restarts
  // the heartbeat timeout. Returns whether the workflow asked to cancel the activity; the
  // attempt then reports kCanceled through CompleteActivityAttempt.
  [[nodiscard]] absl::StatusOr<bool> RecordActivityHeartbeat(
      const ActivityAttemptRef& ref, const temporal::api::common::v1::Payloads& details);

  // --- Workers.

  // Whether workflow / activity workers poll. While they do not, tasks wait (and activity
  // schedule-to-start timeouts may fire); when they poll again, RunUntilIdle dispatches.
  void SetWorkflowWorkersPolling(bool polling) { workflow_workers_polling_ = polling; }
  void SetActivityWorkersPolling(bool polling) { activity_workers_polling_ = polling; }
  // Forwards to WorkflowTaskHandler::Evict (a worker dropping its cached run).
  void Evict(const std::string& workflow_id, const std::string& run_id);

  // Every worker crashes at once. The handlers are detached (never called again; the caller
  // may destroy them) and every task in flight is lost, as when Temporal's workers die:
  //   - a started workflow task whose answer has not arrived is never answered: it times out
  //     (start-to-close) and is retried;
  //   - a running activity attempt is lost: it ends by its start-to-close timeout, or by its
  //     heartbeat timeout counted from its last heartbeat before the crash, and is retried
  //     per its retry policy (heartbeat details sent before the crash are kept).
  // Until AttachWorkers, no task is dispatched (timeouts still run). Must not be called from
  // inside a handler.
  void CrashWorkers();
  // Attaches workers (after a crash, or to replace the current ones); the next RunUntilIdle
  // dispatches what waited. The handlers must outlive the service or their replacement.
  void AttachWorkers(WorkflowTaskHandler* workflows, ActivityTaskHandler* activities);

  // --- Recovery (service_recovery.cc; docs/recovery.md has each rule and its Temporal
  // source).

  // Restores the run `execution` from its whole stored history (engine/store holds one), as
  // Temporal rebuilds a workflow's mutable state from its events, and arms what the run was
  // waiting for, due from clock->Now() on: the pending workflow task (a started one times
  // out by its start-to-close timeout and is retried), user timers (at started time +
  // start_to_fire_timeout), activities (dispatched again; a started attempt is lost with
  // its worker and ends by its timeouts), child starts, signals and cancellation requests to
  // other workflows, run timeouts, and the close report to a parent. Restore the runs of a
  // store in the order it lists them (the order they were created); a closed run is restored
  // too, for ListRuns, DescribeWorkflow, queries and id reuse. Restore every run before the
  // service runs: the first RunUntilIdle afterwards checks the restored runs' requests to
  // each other and delivers again what a crash lost between two runs (docs/recovery.md).
  // Nothing is written, and no step is observed, until RunUntilIdle: a StoreRecorder attached
  // to the restored service goes on appending to the stored runs. Events that waited in a
  // run's buffer behind a workflow task are not in its history and are not restored (a
  // client's signal accepted then must be sent again). Run ids and request ids made after a
  // restore are
  // drawn from a sequence that depends on the restored runs, so they do not repeat ids the
  // service that wrote the histories made. Must not be called from inside a handler.
  // Errors, naming the workflow id, the run id and (for a bad event) the event id:
  // InvalidArgument for a history that does not pass history::ValidateHistory or is not this
  // execution's; AlreadyExists for a run the service has; FailedPrecondition for an open run
  // of a workflow id whose current run is open too. On an error the service is unchanged.
  //
  // `activity_attempts` is the attempt state of the run's pending activities as a
  // StepRecord last reported it (a StoreRecorder stores it beside the history): an activity
  // with a state resumes at its attempt, with its last failure and heartbeat details; one
  // whose attempt was running lost it with its worker, and that attempt ends by its
  // timeouts and counts, so the next one is attempt + 1 (or the activity closes when its
  // retry policy allows no more). An activity without a state is dispatched again as
  // attempt 1 (docs/recovery.md). A state for an activity that is not pending in the history
  // is ignored (the history says it closed); one with an attempt below 1, or two for one
  // activity, is InvalidArgument naming the scheduled event id.
  [[nodiscard]] absl::Status RestoreRun(
      const temporal::api::common::v1::WorkflowExecution& execution,
      const temporal::api::history::v1::History& history,
      absl::Span<const ActivityAttemptState> activity_attempts = {});

  // --- Observation.

  // Adds an observer of every step (step_observer.h); observers are called in the order they
  // were added. `observer` must outlive the service.
  void AddStepObserver(StepObserver* observer);

  // --- Virtual time.

  // Performs everything due at clock->Now() (dispatch workflow and activity tasks, deliver
  // activity results, fire timers, timeouts and retries), including what that makes due at the
  // same instant, until nothing is due.
  void RunUntilIdle();
  // The earliest time something is pending (a timer, timeout, retry, activity result, a task
  // waiting for a polling worker), or nullopt when nothing will ever happen without a client
  // call. A value <= clock->Now() means RunUntilIdle has work.
  std::optional<absl::Time> NextDeadline() const;
  const Clock* clock() const { return clock_; }
  ServiceEnv* env() const { return env_; }
  const ServiceOptions& options() const { return options_; }

 private:
  using RunState = service::RunState;
  using ActivityState = service::ActivityState;
  using DueItem = service::DueItem;
  using DueKey = service::DueKey;
  using HistoryEvent = temporal::api::history::v1::HistoryEvent;
  using Command = temporal::api::command::v1::Command;
  using Failure = temporal::api::failure::v1::Failure;
  using Payloads = temporal::api::common::v1::Payloads;

  // A new run's parameters (start, retry, continue-as-new).
  struct NewRun {
    std::string workflow_id;
    std::string run_id;
    std::string workflow_type;
    std::string task_queue;
    Payloads input;
    absl::Duration execution_timeout = absl::ZeroDuration();
    absl::Duration run_timeout = absl::ZeroDuration();
    absl::Duration task_timeout = absl::ZeroDuration();
    std::optional<temporal::api::common::v1::RetryPolicy> retry_policy;
    int32_t attempt = 1;
    temporal::api::common::v1::Header header;
    std::optional<temporal::api::common::v1::Memo> memo;
    std::optional<temporal::api::common::v1::SearchAttributes> search_attributes;
    std::string identity;
    std::string request_id;
    // Chain: empty for a fresh start.
    std::string first_run_id;
    std::string continued_run_id;
    std::optional<absl::Time> expiration_time;
    temporal::api::enums::v1::ContinueAsNewInitiator initiator =
        temporal::api::enums::v1::CONTINUE_AS_NEW_INITIATOR_UNSPECIFIED;
    std::optional<Failure> continued_failure;
    std::optional<Payloads> last_completion_result;
    absl::Duration start_backoff = absl::ZeroDuration();
    // A child workflow's run: where it reports, and the root of its tree.
    std::optional<service::ParentLink> parent;
    std::optional<temporal::api::common::v1::WorkflowExecution> root;
  };

  // service.cc: lookups and the agenda.
  absl::StatusOr<RunState*> FindRun(const std::string& workflow_id, const std::string& run_id);
  absl::StatusOr<const RunState*> FindRun(const std::string& workflow_id,
                                          const std::string& run_id) const;
  RunState* CurrentRun(const std::string& workflow_id);
  // Adds `item` to `queue`, due at `when` plus the environment's delay for steps that may be
  // delayed (ServiceEnv::StepDelay).
  DueKey Schedule(service::DeadlineQueue* queue, absl::Time when, DueItem item);
  Step StepOf(const DueKey& key, const DueItem& item) const;
  // Whether a worker would pick up the dispatch entry `item` now (workers attached and
  // polling, the environment says its task queue is polled).
  bool Dispatchable(const DueItem& item) const;
  // The first entry of `queue` that may run (dispatch entries: Dispatchable), due at or before
  // `limit` when given; null if none.
  const std::pair<const DueKey, DueItem>* FirstRunnable(const service::DeadlineQueue& queue,
                                                        std::optional<absl::Time> limit) const;
  // The next entry to perform at `now`: the earliest runnable one, or the environment's pick
  // among those due at the same instant. False if nothing is due.
  bool NextDue(absl::Time now, service::DeadlineQueue** queue, DueKey* key);
  void Perform(const DueKey& key, const DueItem& item);
  void PerformStep(RunState& run, const DueItem& item);
  // The client calls' bodies, inside their steps; `*run` is set to the run the step concerns.
  absl::StatusOr<temporal::api::common::v1::WorkflowExecution> StartWorkflowStep(
      const StartWorkflowRequest& request, const RunState** run);
  absl::StatusOr<temporal::api::common::v1::WorkflowExecution> SignalWithStartStep(
      const SignalWithStartRequest& request, const RunState** run);
  absl::Status SignalRun(RunState& run, const SignalWorkflowRequest& request);
  // Step observation: Begin/End bracket one step (nested calls fold into the outer step);
  // NoteAppend records, before an event is appended to `run`, where the step's events start.
  void BeginStep(StepKind kind, uint64_t seq);
  void EndStep(const RunState* run);
  void NotifyObservers(const RunState* run);
  void NoteAppend(const RunState& run);
  // Records that `activity`'s attempt state changed, for observers that want it (reported
  // with the end of the current or, outside a step, the next step).
  void NoteActivityAttempt(const RunState& run, const ActivityState& activity);
  static ActivityAttemptState AttemptStateOf(const ActivityState& activity);
  void EvictFromWorker(const RunState& run);
  temporal::api::enums::v1::TimeoutType FirstTimeoutType(
      const ActivityState& activity, temporal::api::enums::v1::TimeoutType fired) const;
  std::string NextRequestId() { return request_ids_.NextUuid(); }
  absl::Time Now() const { return clock_->Now(); }

  // service_events.cc: writing history.
  HistoryEvent NewEvent(temporal::api::enums::v1::EventType type) const;
  HistoryEvent* Append(RunState& run, temporal::api::enums::v1::EventType type);
  HistoryEvent* AppendEvent(RunState& run, HistoryEvent event);
  // Appends, or buffers while a workflow task is started; returns the id, or -1 if buffered.
  int64_t Record(RunState& run, HistoryEvent event);
  // As Record(run, NewEvent(type)), built in place (on the history's arena when appended): the
  // event to fill in, valid until the next event of the run is written or buffered.
  HistoryEvent* RecordNew(RunState& run, temporal::api::enums::v1::EventType type);
  void FlushBuffered(RunState& run);
  // The history's serialized size (WorkflowTaskStarted reports it).
  static int64_t HistoryBytes(const RunState& run) { return run.history.serialized_bytes(); }
  // Event `event_id` of the run's history, decoded if it left the window (a copy: the few
  // reads that need an old event, such as a child's initiated event, are rare).
  static HistoryEvent StoredEvent(const RunState& run, int64_t event_id);
  // Drops decoded events the runs touched by the step no longer need (end of each outermost
  // step, after observers).
  void TrimHistories();
  // Where a trim that keeps nothing else for the run stops: its last event stays decoded only
  // while there are observers.
  int TrimPoint(const RunState& run) const;
  // Releases closed histories per options_.retention (at the end of each outermost step).
  void ApplyRetention();
  bool RetentionReleases() const {
    return options_.retention.closed_for != absl::InfiniteDuration() ||
           options_.retention.max_closed_bytes != std::numeric_limits<int64_t>::max();
  }
  void ReleaseHistory(RunState& run);
  static absl::Status ReleasedError(const RunState& run);
  // A stored history that failed to decode (`cause`), naming the run.
  static absl::Status HistoryError(const RunState& run, const absl::Status& cause);
  static int64_t NextEventId(const RunState& run) { return run.history.size() + 1; }

  // service_run.cc: run lifecycle.
  absl::StatusOr<std::string> CheckIdReuse(RunState* current, const StartWorkflowRequest& request,
                                           bool* dedupe_hit);
  absl::Status ValidateStart(const StartWorkflowRequest& request) const;
  NewRun NewRunFromRequest(const StartWorkflowRequest& request, std::string run_id) const;
  RunState& CreateRun(NewRun params);
  // Schedules the run's run/execution timeout, the run timeout counted from `execution_time`.
  void ArmRunTimeout(RunState& run, absl::Time execution_time);
  void BeginRun(RunState& run);
  void CloseRun(RunState& run, temporal::api::enums::v1::WorkflowExecutionStatus status);
  void ForceCloseWorkflowTask(RunState& run);
  void TerminateRun(RunState& run, const std::string& reason, const Payloads& details,
                    const std::string& identity);
  void OnRunTimeout(RunState& run);
  void OnStartBackoffDone(RunState& run);
  retry::RetryDecision WorkflowRetry(const RunState& run, const Failure& failure) const;
  void StartNextRunInChain(RunState& previous, NewRun params);
  NewRun RetryRunParams(const RunState& run, const Failure& failure, absl::Duration backoff,
                        std::string new_run_id) const;
  void RecordSignal(RunState& run, const std::string& name, const Payloads& input,
                    const std::string& identity, const std::string& request_id,
                    const temporal::api::common::v1::Header& header,
                    const temporal::api::common::v1::WorkflowExecution* external = nullptr);
  // Writes WorkflowExecutionCancelRequested and schedules a workflow task, unless the run is
  // closed or already asked to cancel. `external` is the requesting workflow, if any.
  void RecordCancelRequest(RunState& run, const std::string& reason, const std::string& identity,
                           int64_t external_initiated_event_id,
                           const temporal::api::common::v1::WorkflowExecution* external);

  // service_workflow_task.cc: workflow tasks.
  void ScheduleWorkflowTask(RunState& run);
  void DispatchWorkflowTask(RunState& run);
  void OnWorkflowTaskResponse(RunState& run);
  // Both consume the response: payloads that go into the run's state move out of its commands
  // once the events that record them are written.
  void ApplyWorkflowTaskResponse(RunState& run, WorkflowTaskResponse& response);
  void CompleteWorkflowTask(RunState& run, WorkflowTaskResponse& response);
  // Ends the started workflow task: drops its timeout and pending response and writes
  // WorkflowTaskFailed (with `failure` if given) unless the attempt is transient. Returns the
  // task as it was. Does not schedule the next attempt.
  service::WorkflowTaskState EndTaskAsFailed(
      RunState& run, temporal::api::enums::v1::WorkflowTaskFailedCause cause,
      const Failure* failure, absl::string_view identity);
  void FailWorkflowTask(RunState& run, temporal::api::enums::v1::WorkflowTaskFailedCause cause,
                        const Failure& failure);
  void DiscardWorkflowTaskResponse(RunState& run);
  void OnWorkflowTaskTimeout(RunState& run);
  // Into the run's history when `copy` is null, else into the worker's copy.
  void WriteTransientTaskEvents(RunState& run, temporal::api::history::v1::History* copy);
  absl::Duration WorkflowTaskRetryDelay(int32_t attempt) const;

  // service_commands.cc: one command -> its events.
  // Consumes `command` as ApplyWorkflowTaskResponse does.
  void ApplyCommand(RunState& run, Command& command, int64_t completed_id, bool* needs_new_task);
  void StartTimer(RunState& run, const temporal::api::command::v1::StartTimerCommandAttributes& a,
                  int64_t completed_id);
  void CancelTimer(RunState& run, const std::string& timer_id, int64_t completed_id);
  void OnTimerFired(RunState& run, const std::string& timer_id);
  // Moves `result` into the run's state once its event is written.
  void CompleteRun(RunState& run, Payloads& result, int64_t completed_id);
  void FailRun(RunState& run, const Failure& failure, int64_t completed_id);
  void CancelRun(RunState& run, const Payloads& details, int64_t completed_id);
  void ContinueAsNew(
      RunState& run,
      const temporal::api::command::v1::ContinueAsNewWorkflowExecutionCommandAttributes& a,
      int64_t completed_id);

  // service_children.cc: child workflows.
  void InitiateChild(
      RunState& run,
      const temporal::api::command::v1::StartChildWorkflowExecutionCommandAttributes& attributes,
      int64_t completed_id);
  void OnStartChild(RunState& parent, int64_t initiated_event_id);
  void OnCloseExecution(RunState& run);
  void ReportCloseToParent(const RunState& child);
  void ApplyParentClosePolicies(const RunState& parent);
  NewRun ChildRunParams(const RunState& parent, int64_t initiated_event_id, std::string run_id);

  // service_recovery.cc: restoring runs from their histories.
  // `attempts`: the run's stored activity attempt states, by scheduled event id.
  void ArmRestoredRun(RunState& run, const service::RestoredFacts& facts,
                      const absl::btree_map<int64_t, const ActivityAttemptState*>& attempts);
  // `restored`: the activity's stored attempt state, or null.
  void ArmRestoredActivity(RunState& run, ActivityState& activity,
                           const ActivityAttemptState* restored);
  // A child start found pending in a restored parent whose child run exists already (the
  // parent's ChildWorkflowExecutionStarted was buffered when the process died): records the
  // start, and the child's close if its chain has closed. False if there is no such run.
  bool AdoptRestoredChild(RunState& parent, int64_t initiated_event_id);
  // Checks what the restored runs' histories say about signals and cancellation requests
  // between them against each other, and schedules the deliveries a crash lost (run once, by
  // the first RunUntilIdle after restoring).
  void ReconcileRestoredDeliveries();

  // service_external.cc: signals and cancellation requests to other workflows.
  void InitiateSignalExternal(
      RunState& run,
      const temporal::api::command::v1::SignalExternalWorkflowExecutionCommandAttributes& a,
      int64_t completed_id);
  void InitiateCancelExternal(
      RunState& run,
      const temporal::api::command::v1::RequestCancelExternalWorkflowExecutionCommandAttributes& a,
      int64_t completed_id);
  void OnSignalExternal(RunState& sender, int64_t initiated_event_id);
  void OnCancelExternal(RunState& sender, int64_t initiated_event_id);
  // The run a signal or cancel request names, if it may receive it (not the sender itself; a
  // child of the sender when `child_workflow_only`); null otherwise.
  RunState* ExternalTarget(const RunState& sender,
                           const temporal::api::common::v1::WorkflowExecution& target,
                           bool child_workflow_only);

  // service_updates.cc: the update protocol.
  void AddUpdateRequests(RunState& run, int64_t started_event_id, WorkflowTaskRequest* request);
  void ApplyUpdateMessage(RunState& run, const temporal::api::protocol::v1::Message& message);
  void RejectUnprocessedUpdates(RunState& run);
  void AbortUpdates(RunState& run);
  static bool HasUndeliveredUpdates(const RunState& run);

  // service_activity.cc: activities.
  // Moves the input and header out of `attributes` into the activity's state.
  void ScheduleActivity(RunState& run,
                        temporal::api::command::v1::ScheduleActivityTaskCommandAttributes& attributes,
                        int64_t completed_id);
  void EnqueueAttempt(RunState& run, ActivityState& activity);
  void DispatchActivity(RunState& run, int64_t scheduled_event_id);
  void OnActivityOutcome(RunState& run, ActivityState& activity);
  void OnActivityTimeout(RunState& run, ActivityState& activity,
                         temporal::api::enums::v1::TimeoutType type);
  void OnActivityCancelNoticed(RunState& run, ActivityState& activity);
  // Returns true when the activity was canceled at once (it was not running).
  bool RequestCancelActivity(RunState& run, int64_t scheduled_event_id, int64_t completed_id);
  temporal::api::enums::v1::RetryState ActivityRetryState(const ActivityState& activity,
                                                          const Failure& failure,
                                                          absl::Duration* backoff) const;
  void RetryActivity(RunState& run, ActivityState& activity, const Failure& failure,
                     absl::Duration backoff);
  void KeepHeartbeatDetails(ActivityState& activity);
  void CancelAttemptItems(ActivityState& activity);
  void CancelActivityItems(ActivityState& activity);
  // Writes the (transient) ActivityTaskStarted if needed, then `close`, and drops the activity.
  void CloseActivity(RunState& run, ActivityState& activity, HistoryEvent close);

  // service_async_activity.cc: the attempt `ref` names, if it is running, deferred and has
  // not reported yet (and its run's index in `run_index`); `call` names the refused call in
  // the error.
  absl::StatusOr<ActivityState*> DeferredAttempt(const ActivityAttemptRef& ref,
                                                 absl::string_view call, size_t* run_index);

  Clock* clock_;
  WorkflowTaskHandler* workflows_;  // null while workers are crashed
  ActivityTaskHandler* activities_;
  ServiceOptions options_;
  ServiceEnv* env_;  // options_.env or default_env_
  ServiceEnv default_env_;
  std::vector<StepObserver*> observers_;
  // The step in progress, for observers: nesting depth, kind, sequence, and per touched run
  // (index) where its appended events start.
  int step_depth_ = 0;
  // Decoded events the runs' trimmed windows hold, as of each run's last trim (TrimHistories),
  // and how many the service keeps decoded for cached workers (about 15 MB of objects).
  int64_t decoded_window_events_ = 0;
  static constexpr int64_t kDecodedWindowBudget = 16 * 1024;
  // The first block of the arena a workflow task's recent events are decoded on, made when a
  // task first needs it (not inline: a service of that size costs every short-lived service,
  // a simulated seed's, a large allocation and a consolidation of malloc's free lists).
  static constexpr size_t kTaskArenaBlockSize = 16 * 1024;
  std::unique_ptr<char[]> task_arena_block_;
  bool task_arena_in_use_ = false;
  bool step_observed_ = false;  // the outermost step in progress is reported
  StepRecord step_;
  std::vector<std::pair<size_t, int>> step_touched_;
  // Some observer wants StepRecord::activity_attempts; the activities (run index, scheduled
  // event id) whose attempt changed since the last report.
  bool observers_want_attempts_ = false;
  std::vector<std::pair<size_t, int64_t>> attempt_changes_;
  std::vector<Step> ready_;  // scratch for PickNext
  std::vector<std::pair<service::DeadlineQueue*, DueKey>> ready_keys_;
  bool workflow_workers_polling_;
  bool activity_workers_polling_;

  service::IdGenerator run_ids_;
  service::IdGenerator request_ids_;
  int64_t next_task_id_;
  uint64_t next_seq_ = 0;
  bool in_run_until_idle_ = false;

  // Timers that fire on their own, and tasks waiting for a polling worker.
  service::DeadlineQueue timers_;
  service::DeadlineQueue workflow_dispatch_;
  service::DeadlineQueue activity_dispatch_;

  // Storage blocks of released histories, reused by new ones (declared before runs_, which
  // use it, so that it outlives them).
  history::EventBlockPool block_pool_;
  std::vector<std::unique_ptr<RunState>> runs_;  // never shrinks; index = RunState::index
  // Closed runs whose history is still held, in order of closing (retention releases from the
  // front), and what retention has done.
  std::deque<size_t> closed_kept_;
  std::vector<size_t> newly_closed_;  // closed in the step in progress
  RetentionStats retention_stats_;
  absl::btree_map<std::pair<std::string, std::string>, size_t> run_index_;  // (wid, rid)
  // wid -> latest. Looked up by every signal and never iterated, so hashed: nothing reads
  // its order.
  absl::flat_hash_map<std::string, size_t> current_run_;
  // (workflow id, update id) -> the run the update was last admitted to.
  absl::btree_map<std::pair<std::string, std::string>, size_t> update_index_;
  uint64_t next_update_seq_ = 0;
  // Gathered by RestoreRun until the next RunUntilIdle reconciles it; null otherwise.
  std::unique_ptr<service::RestoredDeliveries> restored_deliveries_;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_SERVICE_SERVICE_H_
