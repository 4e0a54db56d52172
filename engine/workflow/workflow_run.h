// WorkflowRun: one workflow execution's state on the worker, driven by its history.
//
// The run consumes history events in order. Events that answer earlier commands (activity
// results, timer fires) and signals become jobs for the next activation. A WorkflowTaskStarted
// event is an activation: the run applies its jobs (signals first, in history order, then
// the rest), resumes coroutines until every one is blocked, and collects the commands they
// issued. If the history shows that task completed, the activation is replay and its commands
// must match the command events that follow (ActivityTaskScheduled, TimerStarted, ...), in
// order; if it is the last event, the commands are the answer to the current workflow task.
// A task that failed or timed out in history is skipped, as its commands were never recorded.
//
// A fresh run fed a whole history and a cached run fed only the new events take the same path,
// which is what makes cache eviction (and the replayer) trustworthy.
//
// Errors come back as a RunError (run_error.h) in the RunResult of ProcessEvents:
//   - Nondeterminism (the code's commands disagree with the history): kNondeterminism, with
//     the details in RunError::nondeterminism.
//   - Anything other than a WorkflowFailure thrown by workflow code (the main coroutine, a
//     signal or update handler, an update validator, a condition) in the current task: no
//     RunError, but ActivationResult.task_failed (the service retries the task). During
//     replay it is kWorkflowCodeThrew instead, since the recorded task had succeeded.
//   - Events this engine does not support: kUnsupportedFeature; events that contradict the
//     run or each other: kCorruptHistory; a workflow type not registered: kUnknownWorkflowType.
// Every RunError names the event where the run stopped. A run that returned one is left
// where it stopped; callers discard it (the worker evicts it, the replayer reports).
#ifndef LOCKSTEP_ENGINE_WORKFLOW_WORKFLOW_RUN_H_
#define LOCKSTEP_ENGINE_WORKFLOW_WORKFLOW_RUN_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/core/activity_execution.h"
#include "engine/machines/activity_machine.h"
#include "engine/machines/child_workflow_machine.h"
#include "engine/machines/completion_machine.h"
#include "engine/machines/external_machine.h"
#include "engine/machines/local_activity_marker.h"
#include "engine/machines/marker_machine.h"
#include "engine/machines/mutable_side_effect_marker.h"
#include "engine/machines/timer_machine.h"
#include "engine/machines/version_marker.h"
#include "engine/util/prng.h"
#include "engine/util/source_location.h"
#include "engine/workflow/cancellation_scope.h"
#include "engine/workflow/command_key.h"
#include "engine/workflow/context.h"
#include "engine/workflow/registry.h"
#include "engine/workflow/run_error.h"
#include "engine/workflow/scheduler.h"
#include "engine/workflow/sdk_flags.h"
#include "engine/workflow/stable_deque.h"
#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/history/v1/message.pb.h"
#include "temporal/api/protocol/v1/message.pb.h"
#include "temporal/api/update/v1/message.pb.h"

namespace lockstep {

struct ActivationResult {
  std::vector<temporal::api::command::v1::Command> commands;
  // Answers to update requests (acceptances, rejections, responses), for the service.
  std::vector<temporal::api::protocol::v1::Message> messages;
  bool task_failed = false;
  temporal::api::failure::v1::Failure failure;  // why the task failed
};

// The SDK name Lockstep's worker reports on WorkflowTaskCompleted (sdk_metadata).
inline constexpr absl::string_view kLockstepSdkName = "lockstep";

// How command ids (activity, local activity and timer ids, child workflow ids) are compared
// with the history. Each SDK numbers them its own way (Go: the scheduling event's id; Java:
// UUIDs; core SDKs and Lockstep: per-kind counters), so a faithful port of a workflow
// recorded by another SDK cannot reproduce them; it is checked on everything else: kinds,
// order, activity and child types, signal names and targets, marker names and change ids.
enum class IdRule {
  kAuto,    // strict for histories Lockstep recorded (sdk_metadata.sdk_name), else kSdk
  kStrict,  // ids must match
  kSdk,     // ids are not compared
};

struct RunOptions {
  // Receives Log() lines when not replaying; may be empty.
  std::function<void(const std::string&)> log_sink;
  IdRule id_rule = IdRule::kAuto;
  // Runs every local activity attempt (activity_execution.h); not owned, must outlive the
  // run. Null: each attempt runs at once, with zero latency.
  ActivityExecutionEnv* activity_env = nullptr;
  // For replay tools that run one task live against a recording (replay at every task
  // boundary): whether the recording's worker was still running the local activity
  // (`activity_id`, number `shared_seq` in the sequence it shares with activities) when the
  // live task completed, i.e. its marker is in a later task because the SDK heartbeated the
  // task meanwhile. If it returns true the activity is not run: it stays pending, as a worker
  // leaves one that is still running, and resolves from its marker when that later task is
  // replayed. Unset: live tasks run every local activity to its end.
  std::function<bool(const std::string& activity_id, int64_t shared_seq)>
      local_activity_outlives_task;
};

class WorkflowRun : private internal::ScopeHost {
 public:
  WorkflowRun(const Registry* registry, WorkflowInfo info, RunOptions options = {});
  ~WorkflowRun() override;
  WorkflowRun(const WorkflowRun&) = delete;
  WorkflowRun& operator=(const WorkflowRun&) = delete;

  // Processes history.events()[first_index, end_index) (end_index < 0: to the end), as if the
  // history ended at end_index. Returns the current task's activation when the last event
  // processed is a WorkflowTaskStarted with nothing after it, nullopt otherwise.
  RunResult<std::optional<ActivationResult>> ProcessEvents(
      const temporal::api::history::v1::History& history, int first_index, int end_index = -1);

  // Update requests that came with the workflow task about to be processed (not replay: the
  // requests of recorded tasks are read from their acceptance events).
  void AddUpdateRequests(std::vector<temporal::api::protocol::v1::Message> messages);

  // Answers a query from current state. Detects handlers that issue commands or whose answer
  // changes when asked twice. Whatever a handler throws becomes the error (InvalidArgument,
  // naming it), leaving the run as it was.
  absl::StatusOr<Payloads> Query(const std::string& name, const Payloads& args);

  // Checks, after the whole history was processed, that every command the code issued was
  // recorded (used by replay of closed histories); kNondeterminism (an extra command) if not.
  RunStatus CheckAllCommandsRecorded();

  int64_t last_event_id() const { return last_event_id_; }
  bool closed() const { return closed_; }
  // Set when the replayed completion's result differs from the recorded one. Not an error:
  // ProcessEvents succeeds (Temporal does not compare results), and callers decide whether
  // to warn or fail.
  const std::optional<Nondeterminism>& result_mismatch() const { return result_mismatch_; }
  const WorkflowInfo& info() const { return info_; }

  // Per-operation state (run_ops.h), opaque outside the engine.
  struct ActivityOp;
  struct TimerOp;
  struct ChildOp;
  struct ExternalOp;
  struct UpdateRequest;
  struct LocalActivityOp;
  struct UpdateHandler;

 private:
  friend class WorkflowContext;
  struct PendingCommand;
  struct ConditionWaiter;
  struct Job;

  // ScopeHost.
  Scheduler* scope_scheduler() override { return &scheduler_; }
  internal::ScopeState* NewScope(internal::ScopeState* parent) override;
  void StartInScope(internal::ScopeState* scope, Task<void> task) override;
  // The scope of the code running now (the root scope outside coroutines).
  internal::ScopeState* CurrentScope() const;
  // Adds `future` to the current scope; false (and nothing added) if that scope is canceled,
  // in which case the operation must not start.
  template <typename T>
  bool JoinCurrentScope(const Future<T>& future) {
    internal::ScopeState* scope = CurrentScope();
    if (scope->canceled()) return false;
    scope->Add(future.cancelable());
    return true;
  }
  template <typename T>
  Future<T> CanceledAtOnce(const std::string& what) {
    auto [future, resolver] = Future<T>::Make(&scheduler_);
    resolver.SetError(std::make_exception_ptr(CanceledFailure(what)));
    return future;
  }

  // Context entry points.
  Future<Payloads> ScheduleActivity(const std::string& type, const ActivityOptions& options,
                                    Payloads input, SourceLocation where);
  Future<void> StartTimer(absl::Duration duration, SourceLocation where);
  Future<void> AddCondition(std::function<bool()> condition);
  void SetSignalHandler(std::string name, std::function<Task<void>(const Payloads&)> handler);
  void SetQueryHandler(std::string name, std::function<Payloads(const Payloads&)> handler);
  Payloads RecordSideEffect(const std::function<Payloads()>& fn, SourceLocation where);
  // MutableSideEffect (run_mutable_side_effect.cc): `next_value` runs live only; it gets the
  // id's current value (null if none) and returns the new value, or nullopt if it equals the
  // current one. Returns the value of this call.
  Payloads RecordMutableSideEffect(
      const std::string& id,
      const std::function<std::optional<Payloads>(const Payloads* current)>& next_value,
      SourceLocation where);
  int GetVersion(const std::string& change_id, int min_supported, int max_supported,
                 SourceLocation where);
  void DeprecatePatch(const std::string& change_id, SourceLocation where);
  void UpsertSearchAttributes(temporal::api::common::v1::SearchAttributes attributes,
                              SourceLocation where);
  void UpsertMemo(temporal::api::common::v1::Memo memo, SourceLocation where);
  // Issues a command whose only event is its record (markers, upserts).
  struct ChildStart {
    Future<ChildExecution> started;
    Future<Payloads> result;
    std::string workflow_id;
  };
  ChildStart StartChild(const std::string& type, const ChildWorkflowOptions& options,
                        Payloads input, SourceLocation where);
  void CancelChild(ChildOp* op);
  Future<void> SignalExternal(const std::string& workflow_id, const std::string& run_id,
                              const std::string& signal, Payloads input, bool child_only,
                              SourceLocation where);
  // Issues a signal or cancellation request command and tracks it until its outcome.
  Future<void> IssueExternal(temporal::api::command::v1::Command command, SourceLocation where,
                             ExternalOp** op);
  Future<void> CancelExternal(const std::string& workflow_id, const std::string& run_id,
                              bool child_only, bool join_scope, SourceLocation where);
  Future<Payloads> ScheduleLocalActivity(const std::string& type,
                                         const LocalActivityOptions& options, Payloads input,
                                         SourceLocation where);
  // Resolves the pending local activities this activation can: live, by running them; in
  // replay, from their markers in the task being replayed. Returns how many it resolved.
  int ResolveLocalActivities();
  // Sets strict_ids_ from the first WorkflowTaskCompleted (see IdRule); later calls do nothing.
  void DecideIdRule(const temporal::api::history::v1::HistoryEvent& completed);
  // Unless ids are compared strictly: the first unclaimed local activity marker of the task
  // whose id is not a number (an SDK that does not number them), or end().
  std::map<std::string, machines::LocalActivityMarker>::iterator UnnumberedLocalActivityMarker();
  // sdk-core's markers are kept under "#<seq>" (their shared sequence number), apart from the
  // ids of other SDKs' markers.
  static constexpr char kCoreMarkerKeyPrefix = '#';
  static std::string CoreMarkerKey(int64_t seq);
  // Runs the local activity (with its retries) and returns its outcome, as its marker records.
  machines::LocalActivityMarker ExecuteLocalActivity(LocalActivityOp* op);
  // Issues the marker command for `marker` and resolves the code's Future with its outcome.
  void RecordLocalActivity(LocalActivityOp* op, machines::LocalActivityMarker marker);
  void SetUpdateHandler(std::string name, UpdateHandler handler);
  void DeliverUpdate(const UpdateRequest& request, bool validate);
  void RejectUpdate(const UpdateRequest& request, temporal::api::failure::v1::Failure failure);
  Task<void> RunUpdateHandler(Task<Payloads> body, std::string update_id);
  void CompleteUpdate(const std::string& update_id, temporal::api::update::v1::Outcome outcome);
  // The update requests of the task being activated: live, those that came with it; in
  // replay, those its acceptance events recorded (collected by LookAhead).
  std::vector<UpdateRequest> TakeUpdateRequests(bool replaying);
  static UpdateRequest RecordedUpdateRequest(
      const temporal::api::history::v1::HistoryEvent& accepted);
  void RejectUnhandledUpdates(bool replaying);
  RunStatus ApplyChildEvent(const temporal::api::history::v1::HistoryEvent& event);
  RunStatus ApplyExternalEvent(const temporal::api::history::v1::HistoryEvent& event);
  // `key`: see AddCommand.
  void AddRecordOnlyCommand(temporal::api::command::v1::Command command, SourceLocation where,
                            const CommandKey* key = nullptr);
  // Throws QueryViolation when a query handler or update validator runs: they must not
  // change the workflow. `what` names the call; the second form names it as
  // function("argument") and formats that only when it throws.
  void CheckMayIssueCommand(absl::string_view what, SourceLocation where) const;
  void CheckMayIssueCommand(absl::string_view function, absl::string_view argument,
                            SourceLocation where) const;

  // Event processing.
  RunStatus ApplyEvent(const temporal::api::history::v1::History& history, int index,
                       std::optional<ActivationResult>* activation);
  RunStatus MatchCommandEvent(const temporal::api::history::v1::HistoryEvent& event);
  RunStatus ApplyActivityEvent(const temporal::api::history::v1::HistoryEvent& event);
  RunStatus ApplyTimerEvent(const temporal::api::history::v1::HistoryEvent& event);
  void ResolveActivity(ActivityOp* op, const temporal::api::history::v1::HistoryEvent& event);
  RunStatus Activate(const temporal::api::history::v1::History& history, int index, bool replaying,
                     ActivationResult* result);
  // Reads, in one pass over the command events of the task being replayed, what the code's
  // calls will be resolved from: side effect, version and local activity markers, and the
  // update requests the task accepted.
  void LookAhead(const temporal::api::history::v1::History& history, int from);
  // Mutable side effects (run_mutable_side_effect.cc).
  void PreloadMutableSideEffect(machines::MutableSideEffectMarker marker);
  const Payloads* CurrentMutableSideEffect(const std::string& id, int call);
  void RecordMutableSideEffectMarker(const std::string& id, int call, Payloads value,
                                     SourceLocation where);
  RunError UnrecordedMutableSideEffect(const std::string& id, SourceLocation where);
  void RunUntilBlocked();
  void DeliverSignal(const std::string& name, const Payloads& input);
  void StartHandler(std::function<Task<void>(const Payloads&)>& handler, const Payloads& input,
                    absl::string_view signal_name);
  // Sorts what a signal handler threw: a WorkflowFailure into handler_failure_, anything else
  // into task_error_. The first error of the task wins.
  void NoteHandlerError(std::exception_ptr error, absl::string_view origin);
  // Keeps the first exception of the task that is not a way to fail the workflow, and what
  // threw it.
  void NoteTaskError(std::exception_ptr error, absl::string_view thrower);
  // Starts `task` in `scope` as StartInScope does, `kind` and `name` saying what it is
  // (HandlerOrigin).
  void StartTask(internal::ScopeState* scope, Task<void> task, const char* kind,
                 std::string name = {});
  // The stop condition of a task's run loop: the task failed, the code diverged, or the
  // workflow's outcome is decided.
  bool TaskDecided() const {
    return task_error_ || handler_failure_ || nondeterminism_ || (main_ && main_->done());
  }
  void FinishIfDone();
  // The scheduler's RunUntilBlocked, noting completion_position_ when it must be known.
  void RunScheduler();
  RunStatus ExtraCommandsError();
  // Records `n` (unless a nondeterminism was already found: the first one is what is
  // reported) and returns the error for the recorded one.
  RunError Nondeterministic(Nondeterminism n);
  RunError NondeterminismError() const;  // for nondeterminism_, which must be set
  // Issues `command`; `on_recorded` runs when replay matches it with its event. `key`
  // identifies it for that match; null: read from the command (KeyOfCommand), which is right
  // for every command but local activity and version markers and update messages.
  PendingCommand* AddCommand(
      temporal::api::command::v1::Command command,
      std::function<RunStatus(const temporal::api::history::v1::HistoryEvent&)> on_recorded,
      SourceLocation where, const CommandKey* key = nullptr);

  const Registry* registry_;
  WorkflowInfo info_;
  RunOptions options_;
  WorkflowContext context_;
  Scheduler scheduler_;
  Prng prng_;

  Payloads input_;
  std::optional<Task<Payloads>> main_;
  bool closed_ = false;  // the completion command was issued
  bool replaying_ = false;
  bool in_query_ = false;
  absl::Time now_;
  int64_t last_event_id_ = 0;
  int64_t last_completed_event_id_ = 0;  // the last WorkflowTaskCompleted processed
  // The SDK flags of the recorded tasks so far (sdk_flags.h), and what they decide for the
  // activation being replayed: whether commands issued after the workflow function ended are
  // dropped, and how many commands came before that end (-1: not yet).
  SdkFlags sdk_flags_;
  bool drop_after_completion_ = false;
  int64_t completion_position_ = -1;
  bool conditions_together_ = false;  // resolve every satisfied condition before running
  int end_index_ = 0;              // where the history ends for the ProcessEvents call in progress
  std::exception_ptr task_error_;  // a non-workflow exception from a handler or condition
  std::string task_error_thrower_;  // what threw it (RunError::thrower)
  // A WorkflowFailure a signal handler threw: it fails the workflow as if the main coroutine
  // had thrown it, as Temporal's SDKs do (temporalio/sdk-java#1616, temporalio/features#482).
  std::exception_ptr handler_failure_;

  internal::StableDeque<PendingCommand> commands_;  // issued, not yet matched with history
  internal::StableDeque<ActivityOp> activities_;
  internal::StableDeque<TimerOp> timers_;
  absl::flat_hash_map<int64_t, ActivityOp*> activity_by_scheduled_id_;
  absl::flat_hash_map<int64_t, TimerOp*> timer_by_started_id_;
  internal::StableDeque<ChildOp> children_;
  internal::StableDeque<ExternalOp> externals_;
  std::map<int64_t, ChildOp*> child_by_initiated_id_;
  // Another SDK chooses child ids its own way (TypeScript draws UUIDs): where ids are not
  // compared, a child's recorded id replaces the one the run generated, and requests the code
  // then addresses to the generated id (a handle's Signal, a cancellation) go to the recorded
  // one. Generated id -> recorded id.
  std::map<std::string, std::string> adopted_child_ids_;
  const std::string& AdoptedChildId(const std::string& workflow_id) const;
  std::map<int64_t, ExternalOp*> external_by_initiated_id_;
  int64_t next_child_seq_ = 1;
  internal::StableDeque<LocalActivityOp> local_activities_;
  std::vector<LocalActivityOp*> pending_local_activities_;  // in the order they were asked
  std::map<std::string, machines::LocalActivityMarker> recorded_local_activities_;  // look-ahead
  std::vector<std::string> recorded_local_activity_ids_;  // the same ids, in history order
  int64_t next_local_activity_seq_ = 1;
  std::map<std::string, UpdateHandler> update_handlers_;
  std::vector<temporal::api::protocol::v1::Message> incoming_updates_;  // live task's requests
  std::vector<UpdateRequest> recorded_updates_;  // look-ahead of the replayed task
  std::vector<UpdateRequest> buffered_updates_;  // waiting for their handler in this task
  std::vector<temporal::api::protocol::v1::Message> rejections_;  // for the current task
  SourceLocation last_command_where_;                             // for reports of missing commands
  int64_t next_activity_seq_ = 1;
  int64_t next_timer_seq_ = 1;
  int64_t next_side_effect_id_ = 1;
  std::map<int64_t, Payloads> recorded_side_effects_;  // from look-ahead during replay
  // Mutable side effects: calls so far per id; recorded values per id by call count; the
  // "side-effect-id"s of the markers of the task being replayed (look-ahead).
  std::map<std::string, int> mutable_side_effect_calls_;
  std::map<std::string, std::map<int, Payloads>> mutable_side_effects_;
  std::set<std::string> recorded_mutable_side_effect_ids_;
  // The current task: its WorkflowTaskStarted event id, the commands issued in it so far
  // (withdrawn ones included, as Go's getNextID counts them), and, replaying, the history and
  // index its command events start at.
  int64_t task_started_event_id_ = 0;
  int64_t commands_this_task_ = 0;
  const temporal::api::history::v1::History* lookahead_history_ = nullptr;
  int lookahead_from_ = 0;
  // Versioning: the version each change id has in this run, the version markers of the task
  // being replayed (look-ahead), and the TemporalChangeVersion search attribute's value.
  std::map<std::string, int> versions_;
  std::map<std::string, machines::VersionMarker> recorded_versions_;
  std::vector<std::string> change_versions_;
  bool upsert_change_version_ = true;
  // As upserted so far (starting from the values the run was started with).
  temporal::api::common::v1::SearchAttributes search_attributes_;
  temporal::api::common::v1::Memo memo_;

  std::vector<Job> jobs_;
  std::vector<Job> activation_jobs_;  // the jobs being applied by Activate (see there)
  internal::StableDeque<temporal::api::history::v1::HistoryEvent>
      owned_events_;  // see ProcessEvents
  internal::StableDeque<ConditionWaiter> conditions_;
  std::map<std::string, std::function<Task<void>(const Payloads&)>> signal_handlers_;
  std::vector<std::pair<std::string, Payloads>> buffered_signals_;
  std::map<std::string, std::function<Payloads(const Payloads&)>> query_handlers_;
  // Async handlers and scope bodies in flight, with what they are (for the report if one
  // throws: RunError::thrower).
  // Kept as a kind and a name and put into words only if the task throws: signal delivery
  // is a hot path.
  struct HandlerTask {
    Task<void> task;
    const char* kind;  // "signal handler", ...
    std::string name;  // the signal's or update's, or empty
  };
  static std::string HandlerOrigin(const char* kind, absl::string_view name);
  internal::StableDeque<HandlerTask> handler_tasks_;

  internal::StableDeque<std::unique_ptr<internal::ScopeState>> scopes_;
  internal::ScopeState* root_scope_ = nullptr;
  bool cancel_requested_ = false;  // the workflow's cancellation was requested

  bool strict_ids_ = true;  // decided at the first WorkflowTaskCompleted (see IdRule)
  bool id_rule_decided_ = false;

  // The first nondeterminism found; found while workflow code runs (a side effect replay
  // has no marker for), it stops the activation through NondeterminismAbort and is reported
  // when the activation returns.
  std::optional<Nondeterminism> nondeterminism_;
  std::optional<Nondeterminism> result_mismatch_;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_WORKFLOW_RUN_H_
