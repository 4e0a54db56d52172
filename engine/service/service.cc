// Service: construction, lookups, the client API and the run loop. Workflow tasks, commands,
// activities and run lifecycle live in the other service_*.cc files.
#include "engine/service/service.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/service/failures.h"
#include "engine/service/request_utf8.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using service::DueKind;

// Stream ids for the two id sequences drawn from ServiceOptions::seed.
constexpr uint64_t kRunIdStream = 1;
constexpr uint64_t kRequestIdStream = 2;

}  // namespace

Service::Service(Clock* clock, WorkflowTaskHandler* workflows, ActivityTaskHandler* activities,
                 ServiceOptions options)
    : clock_(clock),
      workflows_(workflows),
      activities_(activities),
      options_(std::move(options)),
      env_(options_.env != nullptr ? options_.env : &default_env_),
      workflow_workers_polling_(options_.workflow_workers_polling),
      activity_workers_polling_(options_.activity_workers_polling),
      run_ids_(options_.seed, kRunIdStream),
      request_ids_(options_.seed, kRequestIdStream),
      next_task_id_(options_.first_task_id) {}

Service::~Service() = default;

// --- Lookups -------------------------------------------------------------------------------

absl::StatusOr<service::RunState*> Service::FindRun(const std::string& workflow_id,
                                                    const std::string& run_id) {
  absl::StatusOr<const RunState*> found = std::as_const(*this).FindRun(workflow_id, run_id);
  if (!found.ok()) return found.status();
  return const_cast<RunState*>(*found);
}

absl::StatusOr<const service::RunState*> Service::FindRun(const std::string& workflow_id,
                                                          const std::string& run_id) const {
  if (run_id.empty()) {
    auto it = current_run_.find(workflow_id);
    if (it == current_run_.end()) {
      return absl::NotFoundError(absl::StrCat("workflow not found for ID: ", workflow_id));
    }
    return runs_[it->second].get();
  }
  auto it = run_index_.find({workflow_id, run_id});
  if (it == run_index_.end()) {
    return absl::NotFoundError(
        absl::StrCat("workflow execution not found: ", workflow_id, "/", run_id));
  }
  return runs_[it->second].get();
}

service::RunState* Service::CurrentRun(const std::string& workflow_id) {
  auto it = current_run_.find(workflow_id);
  return it == current_run_.end() ? nullptr : runs_[it->second].get();
}

std::vector<temporal::api::common::v1::WorkflowExecution> Service::ListRuns() const {
  std::vector<temporal::api::common::v1::WorkflowExecution> out;
  out.reserve(runs_.size());
  for (const auto& run : runs_) out.push_back(run->execution());
  return out;
}

// --- Client API ----------------------------------------------------------------------------

absl::StatusOr<temporal::api::common::v1::WorkflowExecution> Service::StartWorkflow(
    const StartWorkflowRequest& request) {
  BeginStep(StepKind::kClientStartWorkflow, 0);
  const RunState* started = nullptr;
  absl::StatusOr<temporal::api::common::v1::WorkflowExecution> result =
      StartWorkflowStep(request, &started);
  EndStep(started);
  return result;
}

absl::StatusOr<temporal::api::common::v1::WorkflowExecution> Service::StartWorkflowStep(
    const StartWorkflowRequest& request, const RunState** started) {
  if (absl::Status status = ValidateStart(request); !status.ok()) return status;
  RunState* current = CurrentRun(request.workflow_id);
  bool dedupe_hit = false;
  absl::StatusOr<std::string> run_id = CheckIdReuse(current, request, &dedupe_hit);
  if (!run_id.ok()) return run_id.status();
  if (dedupe_hit) {
    *started = current;
    return current->execution();
  }
  RunState& run = CreateRun(NewRunFromRequest(request, *run_id));
  *started = &run;
  BeginRun(run);
  return run.execution();
}

absl::Status Service::SignalWorkflow(const SignalWorkflowRequest& request) {
  if (absl::Status s = service::CheckRequestUtf8(request); !s.ok()) return s;
  absl::StatusOr<RunState*> found = FindRun(request.workflow_id, request.run_id);
  if (!found.ok()) return found.status();
  RunState& run = **found;
  BeginStep(StepKind::kClientSignalWorkflow, 0);
  absl::Status status = SignalRun(run, request);
  EndStep(&run);
  return status;
}

absl::Status Service::SignalRun(RunState& run, const SignalWorkflowRequest& request) {
  // Temporal checks the request id before whether the run is open: a retried signal that
  // already landed succeeds even after the run closed.
  if (!request.request_id.empty() && run.signal_request_ids.contains(request.request_id)) {
    return absl::OkStatus();
  }
  if (!run.running()) return absl::NotFoundError("workflow execution already completed");
  RecordSignal(run, request.signal_name, request.input, request.identity, request.request_id,
               request.header);
  return absl::OkStatus();
}

absl::StatusOr<temporal::api::common::v1::WorkflowExecution> Service::SignalWithStartWorkflow(
    const SignalWithStartRequest& request) {
  BeginStep(StepKind::kClientSignalWithStart, 0);
  const RunState* target = nullptr;
  absl::StatusOr<temporal::api::common::v1::WorkflowExecution> result =
      SignalWithStartStep(request, &target);
  EndStep(target);
  return result;
}

absl::StatusOr<temporal::api::common::v1::WorkflowExecution> Service::SignalWithStartStep(
    const SignalWithStartRequest& request, const RunState** target) {
  const StartWorkflowRequest& start = request.start;
  if (absl::Status status = ValidateStart(start); !status.ok()) return status;
  if (absl::Status s = service::CheckRequestUtf8(request); !s.ok()) return s;
  RunState* current = CurrentRun(start.workflow_id);
  if (current != nullptr && current->running() &&
      start.id_reuse_policy != enums::WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING) {
    SignalWorkflowRequest signal;
    signal.workflow_id = current->workflow_id;
    signal.run_id = current->run_id;
    signal.signal_name = request.signal_name;
    signal.input = request.signal_input;
    signal.request_id = start.request_id;
    signal.identity = start.identity;
    signal.header = request.signal_header;
    *target = current;
    if (absl::Status status = SignalRun(*current, signal); !status.ok()) return status;
    return current->execution();
  }
  bool dedupe_hit = false;
  absl::StatusOr<std::string> run_id = CheckIdReuse(current, start, &dedupe_hit);
  if (!run_id.ok()) return run_id.status();
  if (dedupe_hit) {
    *target = current;
    return current->execution();
  }
  RunState& run = CreateRun(NewRunFromRequest(start, *run_id));
  *target = &run;
  RecordSignal(run, request.signal_name, request.signal_input, start.identity, start.request_id,
               request.signal_header);
  BeginRun(run);
  return run.execution();
}

absl::StatusOr<temporal::api::common::v1::Payloads> Service::QueryWorkflow(
    const std::string& workflow_id, const std::string& run_id, const std::string& query_type,
    const temporal::api::common::v1::Payloads& args) {
  absl::StatusOr<RunState*> found = FindRun(workflow_id, run_id);
  if (!found.ok()) return found.status();
  const RunState& run = **found;
  if (!run.completed_any_task) {
    // Temporal: a closed run without a completed task cannot answer; a running one makes the
    // query wait for its first task, which a synchronous call cannot do.
    return absl::FailedPreconditionError(
        run.running() ? "Workflow task is not completed yet; run the service until it is."
                      : "Workflow execution closed before WorkflowTaskStarted event");
  }
  if (workflows_ == nullptr) {
    // Temporal's query would wait for a worker and time out.
    return absl::UnavailableError(
        absl::StrCat("no workflow worker is attached to answer the query on ", workflow_id));
  }
  if (run.history_released) return ReleasedError(run);
  // The worker reads the whole history (to find the last completed task, or to rebuild the
  // run); it stays decoded until the run's next step trims it.
  if (absl::Status s = run.history.Materialize(); !s.ok()) return HistoryError(run, s);
  return workflows_->HandleQuery(run.workflow_id, run.run_id, run.history.decoded(), query_type,
                                 args);
}

absl::StatusOr<WorkflowDescription> Service::DescribeWorkflow(const std::string& workflow_id,
                                                              const std::string& run_id) const {
  absl::StatusOr<const RunState*> found = FindRun(workflow_id, run_id);
  if (!found.ok()) return found.status();
  const RunState& run = **found;
  WorkflowDescription d;
  d.execution = run.execution();
  d.workflow_type = run.workflow_type;
  d.task_queue = run.task_queue;
  d.status = run.status;
  d.history_length = run.history_released ? run.released_events : run.history.size();
  d.attempt = run.attempt;
  d.start_time = run.start_time;
  d.close_time = run.close_time;
  d.result = run.result;
  d.failure = run.failure;
  d.new_execution_run_id = run.new_execution_run_id;
  d.cancel_requested = run.cancel_requested;
  d.memo = run.memo;
  d.search_attributes = run.search_attributes;
  using Phase = service::WorkflowTaskState::Phase;
  if (run.task.phase != Phase::kNone) {
    d.workflow_task_state = run.task.phase == Phase::kStarted
                                ? enums::PENDING_WORKFLOW_TASK_STATE_STARTED
                                : enums::PENDING_WORKFLOW_TASK_STATE_SCHEDULED;
    d.workflow_task_attempt = run.task.attempt;
  }
  for (const auto& [id, a] : run.activities) {
    PendingActivityDescription p;
    p.scheduled_event_id = id;
    p.activity_id = a.activity_id;
    p.activity_type = a.activity_type;
    p.state = a.cancel_requested ? enums::PENDING_ACTIVITY_STATE_CANCEL_REQUESTED
              : a.started        ? enums::PENDING_ACTIVITY_STATE_STARTED
                                 : enums::PENDING_ACTIVITY_STATE_SCHEDULED;
    p.attempt = a.attempt;
    p.scheduled_time = a.attempt_scheduled_time;
    if (a.started) p.last_started_time = a.started_time;
    p.last_failure = a.last_failure;
    p.heartbeat_details = a.heartbeat_details;
    d.pending_activities.push_back(std::move(p));
  }
  for (const auto& [id, t] : run.timers) {
    d.pending_timers.push_back({t.timer_id, t.started_event_id, t.fire_time});
  }
  for (const auto& [id, c] : run.children) {
    d.pending_children.push_back(
        {c.workflow_id, c.run_id, c.workflow_type, c.initiated_event_id, c.parent_close_policy});
  }
  if (run.parent.has_value()) {
    d.parent_execution.emplace();
    d.parent_execution->set_workflow_id(run.parent->workflow_id);
    d.parent_execution->set_run_id(run.parent->run_id);
    d.parent_initiated_event_id = run.parent->initiated_event_id;
  }
  return d;
}

absl::Status Service::RequestCancelWorkflow(const CancelWorkflowRequest& request) {
  if (absl::Status s = service::CheckRequestUtf8(request); !s.ok()) return s;
  absl::StatusOr<RunState*> found = FindRun(request.workflow_id, request.run_id);
  if (!found.ok()) return found.status();
  BeginStep(StepKind::kClientCancelWorkflow, 0);
  RecordCancelRequest(**found, request.reason, request.identity, 0, nullptr);
  EndStep(*found);
  return absl::OkStatus();
}

void Service::RecordCancelRequest(RunState& run, const std::string& reason,
                                  const std::string& identity, int64_t external_initiated_event_id,
                                  const temporal::api::common::v1::WorkflowExecution* external) {
  if (!run.running() || run.cancel_requested) return;
  run.cancel_requested = true;
  HistoryEvent event = NewEvent(enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED);
  auto* attrs = event.mutable_workflow_execution_cancel_requested_event_attributes();
  attrs->set_cause(reason);
  attrs->set_external_initiated_event_id(external_initiated_event_id);
  if (external != nullptr) *attrs->mutable_external_workflow_execution() = *external;
  attrs->set_identity(identity);
  Record(run, std::move(event));
  // Unlike a signal, Temporal schedules the task even while the first task waits for its
  // start backoff (api.UpdateWorkflowWithNewWorkflowTask only checks for a pending task).
  if (run.awaiting_start_backoff) {
    timers_.Remove(&run.start_key);
    run.awaiting_start_backoff = false;
  }
  ScheduleWorkflowTask(run);
}

absl::Status Service::TerminateWorkflow(const TerminateWorkflowRequest& request) {
  if (absl::Status s = service::CheckRequestUtf8(request); !s.ok()) return s;
  absl::StatusOr<RunState*> found = FindRun(request.workflow_id, request.run_id);
  if (!found.ok()) return found.status();
  RunState& run = **found;
  if (!run.running()) return absl::NotFoundError("workflow execution already completed");
  BeginStep(StepKind::kClientTerminateWorkflow, 0);
  TerminateRun(run, request.reason, request.details, request.identity);
  EndStep(&run);
  return absl::OkStatus();
}

absl::StatusOr<const temporal::api::history::v1::History*> Service::GetHistory(
    const std::string& workflow_id, const std::string& run_id) const {
  absl::StatusOr<const RunState*> found = FindRun(workflow_id, run_id);
  if (!found.ok()) return found.status();
  const RunState& run = **found;
  if (run.history_released) return ReleasedError(run);
  if (absl::Status s = run.history.Pin(); !s.ok()) return HistoryError(run, s);
  return &run.history.decoded();
}

absl::Status Service::GetHistoryBinary(const std::string& workflow_id, const std::string& run_id,
                                       std::string* out) const {
  absl::StatusOr<const RunState*> found = FindRun(workflow_id, run_id);
  if (!found.ok()) return found.status();
  const RunState& run = **found;
  if (run.history_released) return ReleasedError(run);
  run.history.AppendBinary(out);
  return absl::OkStatus();
}

Service::HistoryMemory Service::history_memory() const {
  HistoryMemory m;
  for (const auto& owned : runs_) {
    const RunState& run = *owned;
    if (run.history_released) continue;
    ++m.runs;
    m.events += run.history.size();
    m.serialized_bytes += run.history.serialized_bytes();
    m.retained_bytes += static_cast<int64_t>(run.history.RetainedBytes());
    m.decoded_events += run.history.decoded().events_size();
  }
  return m;
}

void Service::Evict(const std::string& workflow_id, const std::string& run_id) {
  if (workflows_ != nullptr) workflows_->Evict(workflow_id, run_id);
}

void Service::EvictFromWorker(const RunState& run) {
  if (workflows_ != nullptr) workflows_->Evict(run.workflow_id, run.run_id);
}

// --- The agenda ----------------------------------------------------------------------------

namespace {

// Steps the environment may delay; the rest are deadlines (service_env.h).
bool Delayable(StepKind kind) {
  switch (kind) {
    case StepKind::kWorkflowTaskDispatch:
    case StepKind::kWorkflowStart:
    case StepKind::kUserTimer:
    case StepKind::kActivityDispatch:
    case StepKind::kStartChild:
    case StepKind::kSignalExternal:
    case StepKind::kCancelExternal:
    case StepKind::kCloseExecution:
      return true;
    default:
      return false;
  }
}

}  // namespace

Step Service::StepOf(const DueKey& key, const DueItem& item) const {
  const RunState& run = *runs_[item.run];
  Step step;
  step.kind = item.kind;
  step.workflow_id = run.workflow_id;
  step.run_id = run.run_id;
  step.task_queue = run.task_queue;
  step.ref = item.ref;
  step.timer_id = item.timer_id;
  step.timeout_type = item.timeout_type;
  step.due = key.when;
  step.seq = key.seq;
  if (item.kind == DueKind::kActivityDispatch || item.kind == DueKind::kActivityOutcome ||
      item.kind == DueKind::kActivityTimeout || item.kind == DueKind::kActivityCancelNoticed) {
    if (auto it = run.activities.find(item.ref); it != run.activities.end()) {
      step.task_queue = it->second.task_queue;
    }
  }
  return step;
}

service::DueKey Service::Schedule(service::DeadlineQueue* queue, absl::Time when, DueItem item) {
  if (Delayable(item.kind)) {
    const absl::Duration delay = env_->StepDelay(StepOf(DueKey{when, next_seq_}, item));
    if (delay > absl::ZeroDuration()) when += delay;
  }
  return queue->Add(when, next_seq_++, std::move(item));
}

bool Service::Dispatchable(const DueItem& item) const {
  if (item.kind == DueKind::kWorkflowTaskDispatch) {
    return env_->WorkflowWorkerPolls(runs_[item.run]->task_queue);
  }
  const RunState& run = *runs_[item.run];
  auto it = run.activities.find(item.ref);
  // A stale entry (its activity is gone) is harmless to run: Perform ignores it.
  return it == run.activities.end() || env_->ActivityWorkerPolls(it->second.task_queue);
}

const std::pair<const service::DueKey, service::DueItem>* Service::FirstRunnable(
    const service::DeadlineQueue& queue, std::optional<absl::Time> limit) const {
  const bool dispatch = &queue != &timers_;
  if (dispatch) {
    const bool polling = &queue == &workflow_dispatch_
                             ? workflow_workers_polling_ && workflows_ != nullptr
                             : activity_workers_polling_ && activities_ != nullptr;
    if (!polling) return nullptr;
  }
  for (const auto& entry : queue) {
    if (limit.has_value() && entry.first.when > *limit) return nullptr;
    if (!dispatch || Dispatchable(entry.second)) return &entry;
  }
  return nullptr;
}

bool Service::NextDue(absl::Time now, service::DeadlineQueue** queue, DueKey* key) {
  service::DeadlineQueue* const queues[] = {&timers_, &workflow_dispatch_, &activity_dispatch_};
  const std::pair<const DueKey, DueItem>* first = nullptr;
  for (service::DeadlineQueue* q : queues) {
    const auto* entry = FirstRunnable(*q, now);
    if (entry != nullptr && (first == nullptr || entry->first < first->first)) {
      first = entry;
      *queue = q;
    }
  }
  if (first == nullptr) return false;
  *key = first->first;
  if (!env_->OrdersSteps()) return true;
  // Every runnable entry due at the same instant, in order of creation.
  const absl::Time instant = first->first.when;
  ready_.clear();
  ready_keys_.clear();
  for (service::DeadlineQueue* q : queues) {
    if (FirstRunnable(*q, instant) == nullptr) continue;
    for (const auto& [k, item] : *q) {
      if (k.when > instant) break;
      if (k.when < instant || (q != &timers_ && !Dispatchable(item))) continue;
      ready_keys_.emplace_back(q, k);
    }
  }
  if (ready_keys_.size() < 2) return true;
  std::sort(ready_keys_.begin(), ready_keys_.end(),
            [](const auto& a, const auto& b) { return a.second.seq < b.second.seq; });
  for (const auto& [q, k] : ready_keys_) ready_.push_back(StepOf(k, q->Find(k)));
  size_t pick = env_->PickNext(absl::MakeConstSpan(ready_));
  if (pick >= ready_keys_.size()) pick = 0;
  *queue = ready_keys_[pick].first;
  *key = ready_keys_[pick].second;
  return true;
}

void Service::RunUntilIdle() {
  if (in_run_until_idle_) return;
  if (restored_deliveries_ != nullptr) ReconcileRestoredDeliveries();
  in_run_until_idle_ = true;
  const absl::Time now = Now();
  service::DeadlineQueue* queue = nullptr;
  DueKey key;
  while (NextDue(now, &queue, &key)) {
    const DueItem item = queue->Take(key);
    Perform(key, item);
  }
  in_run_until_idle_ = false;
}

std::optional<absl::Time> Service::NextDeadline() const {
  std::optional<absl::Time> earliest;
  for (const service::DeadlineQueue* q : {&timers_, &workflow_dispatch_, &activity_dispatch_}) {
    const auto* entry = FirstRunnable(*q, std::nullopt);
    if (entry != nullptr && (!earliest.has_value() || entry->first.when < *earliest)) {
      earliest = entry->first.when;
    }
  }
  return earliest;
}

// --- Steps and observers -------------------------------------------------------------------

void Service::BeginStep(StepKind kind, uint64_t seq) {
  if (step_depth_++ > 0) return;
  step_touched_.clear();
  if (observers_.empty()) return;
  step_observed_ = true;
  step_.kind = kind;
  step_.time = Now();
  step_.seq = seq;
  step_.appended.clear();
}

void Service::NoteAppend(const RunState& run) {
  for (const auto& [index, first] : step_touched_) {
    if (index == run.index) return;
  }
  step_touched_.emplace_back(run.index, run.history.size());
}

void Service::EndStep(const RunState* run) {
  if (--step_depth_ > 0) return;
  // Observers first: they read the events the step appended, a closing run's included.
  if (step_observed_) NotifyObservers(run);
  TrimHistories();
  if (!newly_closed_.empty() || !closed_kept_.empty()) ApplyRetention();
}

void Service::TrimHistories() {
  for (const auto& [index, first] : step_touched_) {
    RunState& run = *runs_[index];
    decoded_window_events_ -= run.counted_window;
    if (!run.keep_decoded) {
      // The events a cached worker's next task reads (those after the last completed task's
      // started event) stay decoded while the service's budget allows; beyond it they are held
      // serialized only and decoded when the task goes out, so that many workflows with
      // signals waiting do not hold them all as objects.
      const int pending_from = static_cast<int>(run.last_completed_started_event_id);
      const int64_t pending = run.history.size() - pending_from;
      const bool keep_pending =
          run.running() && pending > 0 && decoded_window_events_ + pending <= kDecodedWindowBudget;
      run.history.Trim(keep_pending ? pending_from : TrimPoint(run));
    }
    // Whole histories kept decoded on purpose (pinned, or for a worker that replays every
    // task) do not count against the budget for waiting events.
    run.counted_window =
        run.keep_decoded || run.history.pinned() ? 0 : run.history.decoded().events_size();
    decoded_window_events_ += run.counted_window;
  }
  step_touched_.clear();
}

int Service::TrimPoint(const RunState& run) const {
  // Observers of the next step read the event before the step's first (step_observer.h).
  return run.history.size() - (observers_.empty() ? 0 : 1);
}

void Service::AddStepObserver(StepObserver* observer) {
  if (observers_.empty()) {
    // Windows trimmed while nobody observed may be empty: the first observer reads each run's
    // last event too.
    for (const auto& owned : runs_) {
      history::EventLog& log = owned->history;
      if (log.size() > 0 && !owned->history_released) log.DecodeFrom(log.size() - 1).IgnoreError();
    }
  }
  observers_.push_back(observer);
  observers_want_attempts_ = observers_want_attempts_ || observer->WantsActivityAttempts();
}

void Service::NotifyObservers(const RunState* run) {
  step_observed_ = false;
  step_.workflow_id = run != nullptr ? absl::string_view(run->workflow_id) : absl::string_view();
  step_.run_id = run != nullptr ? absl::string_view(run->run_id) : absl::string_view();
  for (const auto& [index, first] : step_touched_) {
    const RunState& touched = *runs_[index];
    // The window holds every event of the step and the one before it (TrimHistories).
    touched.history.Seal();
    const int base = touched.history.decoded_first();
    step_.appended.push_back({touched.workflow_id, touched.run_id, &touched.history.decoded(),
                              first - base, touched.history.size() - base, &touched.history, base});
  }
  step_.activity_attempts.clear();
  if (!attempt_changes_.empty()) {
    std::sort(attempt_changes_.begin(), attempt_changes_.end());
    attempt_changes_.erase(std::unique(attempt_changes_.begin(), attempt_changes_.end()),
                           attempt_changes_.end());
    for (const auto& [index, scheduled_event_id] : attempt_changes_) {
      const RunState& changed = *runs_[index];
      auto it = changed.activities.find(scheduled_event_id);
      // Closed since (its close event, written or buffered, says so), or its run closed.
      if (!changed.running() || it == changed.activities.end()) continue;
      step_.activity_attempts.push_back({changed.workflow_id, changed.run_id,
                                         changed.history.size(), AttemptStateOf(it->second)});
    }
    attempt_changes_.clear();
  }
  for (StepObserver* observer : observers_) observer->OnStep(step_);
}

// --- Workers -------------------------------------------------------------------------------

void Service::CrashWorkers() {
  BeginStep(StepKind::kWorkersCrashed, 0);
  workflows_ = nullptr;
  activities_ = nullptr;
  using Phase = service::WorkflowTaskState::Phase;
  for (const auto& owned : runs_) {
    RunState& run = *owned;
    if (!run.running()) continue;
    if (run.task.phase == Phase::kStarted) {
      // The answer never arrives; the task times out. The dead worker needs no eviction.
      timers_.Remove(&run.task.response_key);
      run.task.response.reset();
      run.task.handler_called = false;
    }
    for (auto& [id, activity] : run.activities) {
      if (!activity.started) continue;
      KeepHeartbeatDetails(activity);
      timers_.Remove(&activity.outcome_key);
      timers_.Remove(&activity.cancel_noticed_key);
      const absl::Duration hb = activity.heartbeat_timeout;
      const absl::Duration interval = activity.timing.heartbeat_interval;
      if (hb > absl::ZeroDuration() && !activity.heartbeat_key.has_value() &&
          interval > absl::ZeroDuration()) {
        // The attempt heartbeated until now; its heartbeat timeout now runs from the last one.
        const int64_t beats = absl::ToInt64Nanoseconds(Now() - activity.started_time) /
                              absl::ToInt64Nanoseconds(interval);
        const absl::Time last = activity.started_time + beats * interval;
        DueItem item;
        item.kind = DueKind::kActivityTimeout;
        item.run = run.index;
        item.ref = id;
        item.timeout_type = enums::TIMEOUT_TYPE_HEARTBEAT;
        activity.heartbeat_key = Schedule(&timers_, last + hb, item);
      }
      activity.outcome = {};
      activity.timing = {};
    }
  }
  EndStep(nullptr);
}

void Service::AttachWorkers(WorkflowTaskHandler* workflows, ActivityTaskHandler* activities) {
  workflows_ = workflows;
  activities_ = activities;
}

enums::TimeoutType Service::FirstTimeoutType(const ActivityState& activity,
                                             enums::TimeoutType fired) const {
  // Temporal handles an activity's timeouts due at one instant in TimeoutType order
  // (START_TO_CLOSE, SCHEDULE_TO_START, SCHEDULE_TO_CLOSE, HEARTBEAT; timer_sequence.go),
  // whichever was set first.
  const absl::Time now = Now();
  enums::TimeoutType first = fired;
  auto consider = [&](const std::optional<DueKey>& key, enums::TimeoutType type) {
    if (key.has_value() && key->when <= now && type < first) first = type;
  };
  consider(activity.start_to_close_key, enums::TIMEOUT_TYPE_START_TO_CLOSE);
  consider(activity.schedule_to_start_key, enums::TIMEOUT_TYPE_SCHEDULE_TO_START);
  consider(activity.schedule_to_close_key, enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE);
  consider(activity.heartbeat_key, enums::TIMEOUT_TYPE_HEARTBEAT);
  return first;
}

void Service::Perform(const DueKey& key, const DueItem& item) {
  RunState& run = *runs_[item.run];
  BeginStep(item.kind, key.seq);
  PerformStep(run, item);
  EndStep(&run);
}

void Service::PerformStep(RunState& run, const DueItem& item) {
  // The entry has left its queue: its owner forgets the key it kept to cancel it.
  auto activity = [&]() -> ActivityState* {
    auto it = run.activities.find(item.ref);
    return it == run.activities.end() ? nullptr : &it->second;
  };
  switch (item.kind) {
    case DueKind::kWorkflowTaskDispatch:
      run.task.dispatch_key.reset();
      DispatchWorkflowTask(run);
      return;
    case DueKind::kWorkflowTaskResponse:
      run.task.response_key.reset();
      OnWorkflowTaskResponse(run);
      return;
    case DueKind::kWorkflowTaskTimeout:
      run.task.timeout_key.reset();
      OnWorkflowTaskTimeout(run);
      return;
    case DueKind::kWorkflowStart:
      run.start_key.reset();
      OnStartBackoffDone(run);
      return;
    case DueKind::kRunTimeout:
      run.run_timeout_key.reset();
      OnRunTimeout(run);
      return;
    case DueKind::kUserTimer:
      if (auto it = run.timers.find(item.timer_id); it != run.timers.end()) it->second.key.reset();
      OnTimerFired(run, item.timer_id);
      return;
    case DueKind::kActivityDispatch:
      if (ActivityState* a = activity()) a->dispatch_key.reset();
      DispatchActivity(run, item.ref);
      return;
    case DueKind::kActivityOutcome:
      if (ActivityState* a = activity()) {
        a->outcome_key.reset();
        OnActivityOutcome(run, *a);
      }
      return;
    case DueKind::kActivityTimeout:
      if (ActivityState* a = activity()) {
        switch (item.timeout_type) {
          case enums::TIMEOUT_TYPE_SCHEDULE_TO_START:
            a->schedule_to_start_key.reset();
            break;
          case enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE:
            a->schedule_to_close_key.reset();
            break;
          case enums::TIMEOUT_TYPE_START_TO_CLOSE:
            a->start_to_close_key.reset();
            break;
          default:
            a->heartbeat_key.reset();
            break;
        }
        OnActivityTimeout(run, *a, FirstTimeoutType(*a, item.timeout_type));
      }
      return;
    case DueKind::kActivityCancelNoticed:
      if (ActivityState* a = activity()) {
        a->cancel_noticed_key.reset();
        OnActivityCancelNoticed(run, *a);
      }
      return;
    case DueKind::kStartChild:
      OnStartChild(run, item.ref);
      return;
    case DueKind::kSignalExternal:
      OnSignalExternal(run, item.ref);
      return;
    case DueKind::kCancelExternal:
      OnCancelExternal(run, item.ref);
      return;
    case DueKind::kCloseExecution:
      OnCloseExecution(run);
      return;
    case StepKind::kClientStartWorkflow:
    case StepKind::kClientSignalWorkflow:
    case StepKind::kClientSignalWithStart:
    case StepKind::kClientCancelWorkflow:
    case StepKind::kClientTerminateWorkflow:
    case StepKind::kClientUpdateWorkflow:
    case StepKind::kWorkersCrashed:
      return;  // never on the agenda
  }
}

}  // namespace lockstep
