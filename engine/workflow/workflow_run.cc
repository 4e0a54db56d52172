#include "engine/workflow/workflow_run.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/history/event_summary.h"
#include "engine/history/event_types.h"
#include "engine/machines/local_activity_marker.h"
#include "engine/machines/marker_details.h"
#include "engine/machines/marker_machine.h"
#include "engine/machines/mutable_side_effect_marker.h"
#include "engine/machines/version_marker.h"
#include "engine/workflow/exception_text.h"
#include "engine/workflow/run_internal.h"
#include "engine/workflow/run_ops.h"
#include "engine/workflow/sdk_flags.h"

namespace lockstep {
namespace enums = temporal::api::enums::v1;
using run_internal::ActivityFailureOf;
using run_internal::AtEvent;
using run_internal::IsCommandEvent;
using run_internal::NondeterminismAbort;
using run_internal::SetDuration;
using run_internal::ToTime;
using run_internal::Transit;
using run_internal::Where;
using temporal::api::command::v1::Command;
using temporal::api::history::v1::History;
using temporal::api::history::v1::HistoryEvent;

namespace {

// Why a recorded marker may be what differs: replay reads nothing from it, either because
// no SDK feature Lockstep has writes markers of that name, or because the details of a name
// it knows are in a format it does not read. Empty for markers it reads.
std::string MarkerCause(const HistoryEvent& event, const CommandKey& key) {
  if (event.event_type() != enums::EVENT_TYPE_MARKER_RECORDED ||
      key.kind != CommandKey::Kind::kMarker) {
    return "";
  }
  const std::string& name = event.marker_recorded_event_attributes().marker_name();
  if (name == machines::kSideEffectMarker) return "";
  if (name == machines::kLocalActivityMarker || name == machines::kCoreLocalActivityMarker ||
      name == machines::kVersionMarker || name == machines::kCorePatchMarker ||
      name == machines::kMutableSideEffectMarker) {
    return absl::StrCat("event ", event.event_id(), " is a ", name,
                        " marker whose details Lockstep cannot read (a format of an SDK version "
                        "it does not know, or a damaged event), so replay cannot pair it with "
                        "the code's call; the code may well be right.");
  }
  return absl::StrCat("event ", event.event_id(), " is a marker named \"", name,
                      "\", which no Lockstep feature records (it replays LocalActivity, "
                      "core_local_activity, Version, core_patch, SideEffect and "
                      "MutableSideEffect markers): the recording SDK used a feature Lockstep "
                      "does not have; the code may well be right.");
}

// Each payload's metadata, sorted by key: "encoding=json/plain; ..." ("no payloads" if none).
std::string MetadataText(const Payloads& payloads) {
  if (payloads.payloads_size() == 0) return "no payloads";
  std::vector<std::string> parts;
  for (const Payload& p : payloads.payloads()) {
    std::vector<std::pair<std::string, std::string>> fields(p.metadata().begin(),
                                                            p.metadata().end());
    std::sort(fields.begin(), fields.end());
    parts.push_back(absl::StrJoin(fields, ", ", absl::PairFormatter("=")));
  }
  return absl::StrJoin(parts, "; ");
}

// A history larger than the cache (Temporal allows 51,200 events, ~35 MB as messages) replays
// at the speed of memory: each event is a tree of small objects (attributes, payloads, their
// metadata map, strings), each found through the one before, so every step waits for a miss
// and a 51,200-event history replayed at 40% of the per-event rate of a 5,000-event one.
// Histories parsed or loaded onto an arena (history_list.h) lie in event order, each event's
// objects between it and the next event, so ProcessEvents fetches the address range of the
// events a little ahead, a few events at a time. Where the range is not events' trees (other
// layouts) only the first event is fetched.
constexpr int kPrefetchDistance = 16;  // events between the one applied and those fetched
constexpr int kPrefetchBatch = 4;      // events fetched together
constexpr std::uintptr_t kMaxPrefetchBytes = kPrefetchBatch * 4096;

void PrefetchEvents(const History& history, int first, int end) {
  if (first + kPrefetchBatch >= end) return;
  const auto from = reinterpret_cast<std::uintptr_t>(&history.events(first));
  const auto to = reinterpret_cast<std::uintptr_t>(&history.events(first + kPrefetchBatch));
  if (to <= from || to - from > kMaxPrefetchBytes) {
    __builtin_prefetch(&history.events(first));
    return;
  }
  for (std::uintptr_t line = from; line < to; line += 64) {
    __builtin_prefetch(reinterpret_cast<const void*>(line));
  }
}

// The machine transitions of activities and timers as the history drives them.
RunStatus ActivityTransit(WorkflowRun::ActivityOp* op, machines::ActivityTrigger trigger) {
  return Transit(
      machines::ActivityTransitions(), &op->state, trigger,
      [op] { return CommandKey::Activity(op->activity_type, op->activity_id).ToString(); },
      machines::ActivityStateName, machines::ActivityTriggerName);
}

RunStatus TimerTransit(WorkflowRun::TimerOp* op, machines::TimerTrigger trigger) {
  return Transit(
      machines::TimerTransitions(), &op->state, trigger,
      [op] { return CommandKey::Timer(op->timer_id).ToString(); }, machines::TimerStateName,
      machines::TimerTriggerName);
}

}  // namespace

WorkflowRun::WorkflowRun(const Registry* registry, WorkflowInfo info, RunOptions options)
    : registry_(registry),
      info_(std::move(info)),
      options_(std::move(options)),
      context_(this),
      prng_(Fnv1a64(info_.run_id)) {
  root_scope_ = NewScope(nullptr);
  scheduler_.set_current_scope(root_scope_);
}

internal::ScopeState* WorkflowRun::NewScope(internal::ScopeState* parent) {
  internal::ScopeHost* host = this;
  scopes_.push_back(std::make_unique<internal::ScopeState>(host, parent));
  internal::ScopeState* scope = scopes_.back().get();
  if (parent != nullptr) parent->AddChild(scope);
  return scope;
}

void WorkflowRun::StartInScope(internal::ScopeState* scope, Task<void> task) {
  StartTask(scope, std::move(task), "a coroutine started by CancellationScope::Run");
}

void WorkflowRun::StartTask(internal::ScopeState* scope, Task<void> task, const char* kind,
                            std::string name) {
  handler_tasks_.push_back({std::move(task), kind, std::move(name)});
  handler_tasks_.back().task.Start(&scheduler_, scope);
}

std::string WorkflowRun::HandlerOrigin(const char* kind, absl::string_view name) {
  return name.empty() ? std::string(kind) : absl::StrCat(kind, " \"", name, "\"");
}

internal::ScopeState* WorkflowRun::CurrentScope() const {
  internal::ScopeState* scope = scheduler_.current_scope();
  return scope != nullptr ? scope : root_scope_;
}

WorkflowRun::~WorkflowRun() {
  // Handlers and conditions may refer to the main coroutine's locals: drop them before the
  // coroutine frames go.
  conditions_.clear();
  signal_handlers_.clear();
  query_handlers_.clear();
  update_handlers_.clear();
  handler_tasks_.clear();
  main_.reset();
  // Futures of operations still pending hold each other through their callbacks, and
  // scopes hold the futures.
  for (auto& scope : scopes_) scope->Release();
  scheduler_.ReleaseAll();
  commands_.clear();
  activities_.clear();
  timers_.clear();
}

// ---------------------------------------------------------------------------------------
// Event processing

RunResult<std::optional<ActivationResult>> WorkflowRun::ProcessEvents(const History& history,
                                                                      int first_index,
                                                                      int end_index) {
  std::optional<ActivationResult> activation;
  end_index_ = end_index < 0 ? history.events_size() : std::min(end_index, history.events_size());
  for (int i = first_index; i < end_index_; ++i) {
    if (i % kPrefetchBatch == 0) PrefetchEvents(history, i + kPrefetchDistance, end_index_);
    const HistoryEvent& event = history.events(i);
    if (event.event_id() != last_event_id_ + 1) {
      return RunError::Of(RunError::Kind::kCorruptHistory,
                          absl::StrCat("event ", event.event_id(), " follows event ",
                                       last_event_id_, "; events must be fed in order"),
                          event.event_id());
    }
    if (RunStatus s = ApplyEvent(history, i, &activation); !s.ok()) return std::move(s).error();
    last_event_id_ = event.event_id();
  }
  // Jobs left for an activation in a later call must not point into the caller's history.
  for (Job& job : jobs_) {
    if (job.owned) continue;
    owned_events_.push_back(*job.event);
    job.event = &owned_events_.back();
    job.owned = true;
  }
  if (jobs_.empty()) owned_events_.clear();
  return activation;
}

RunStatus WorkflowRun::ApplyEvent(const History& history, int index,
                                  std::optional<ActivationResult>* activation) {
  const HistoryEvent& event = history.events(index);
  switch (event.event_type()) {
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: {
      const auto& a = event.workflow_execution_started_event_attributes();
      input_ = a.input();
      search_attributes_ = a.search_attributes();
      memo_ = a.memo();
      if (info_.workflow_type.empty()) info_.workflow_type = a.workflow_type().name();
      if (info_.task_queue.empty()) info_.task_queue = a.task_queue().name();
      info_.attempt = a.attempt();
      info_.parent_workflow_id = a.parent_workflow_execution().workflow_id();
      info_.parent_run_id = a.parent_workflow_execution().run_id();
      info_.continued_run_id = a.continued_execution_run_id();
      const std::string& seed =
          a.original_execution_run_id().empty() ? info_.run_id : a.original_execution_run_id();
      prng_ = Prng(Fnv1a64(seed));
      return {};
    }
    case enums::EVENT_TYPE_WORKFLOW_TASK_STARTED: {
      if (index + 1 < end_index_) {
        const auto next = history.events(index + 1).event_type();
        if (next == enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
          // The replayed activation resolves local activities from markers, by id or not,
          // and follows the SDK flags its own completion records.
          DecideIdRule(history.events(index + 1));
          sdk_flags_.Observe(history.events(index + 1).workflow_task_completed_event_attributes());
          ActivationResult replayed;
          return Activate(history, index, /*replaying=*/true, &replayed);
        }
        // A task that failed or timed out left no commands: nothing to replay.
        return {};
      }
      activation->emplace();
      return Activate(history, index, /*replaying=*/false, &**activation);
    }
    case enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
      DecideIdRule(event);
      sdk_flags_.Observe(event.workflow_task_completed_event_attributes());
      last_completed_event_id_ = event.event_id();
      return {};
    case enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
    case enums::EVENT_TYPE_WORKFLOW_TASK_FAILED:
    case enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      return {};
    case enums::EVENT_TYPE_ACTIVITY_TASK_STARTED:
    case enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
    case enums::EVENT_TYPE_ACTIVITY_TASK_FAILED:
    case enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
    case enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED:
      return ApplyActivityEvent(event);
    case enums::EVENT_TYPE_TIMER_FIRED:
      return ApplyTimerEvent(event);
    case enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED:
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED:
      return ApplyChildEvent(event);
    case enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED:
    case enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED:
    case enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
    case enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED:
      return ApplyExternalEvent(event);
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
      jobs_.push_back({Job::Kind::kSignal, &event});
      return {};
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
      // Reaches the code at the next activation, as a cancellation of the root scope.
      jobs_.push_back({Job::Kind::kCancelRequested, &event});
      return {};
    default:
      if (IsCommandEvent(event.event_type())) return MatchCommandEvent(event);
      return RunError::Of(RunError::Kind::kUnsupportedFeature,
                          absl::StrCat("event ", event.event_id(), " (",
                                       history::EventTypeShortName(event.event_type()),
                                       ") is not supported by this engine yet"),
                          event.event_id());
  }
}

void WorkflowRun::DecideIdRule(const HistoryEvent& completed) {
  if (id_rule_decided_) return;
  id_rule_decided_ = true;
  strict_ids_ = options_.id_rule == IdRule::kStrict ||
                (options_.id_rule == IdRule::kAuto &&
                 completed.workflow_task_completed_event_attributes().sdk_metadata().sdk_name() ==
                     kLockstepSdkName);
}

RunError WorkflowRun::Nondeterministic(Nondeterminism n) {
  static constexpr absl::string_view kKinds[] = {"missing command", "extra command",
                                                 "command mismatch", "result mismatch"};
  if (!nondeterminism_ && n.cause.empty()) {
    if (std::vector<std::string> old = sdk_flags_.UnmodeledBehaviours(); !old.empty()) {
      n.cause = absl::StrCat(
          "the history's SDK (", sdk_flags_.sdk_name().empty() ? "sdk-core" : sdk_flags_.sdk_name(),
          ") behaved in ways replay does not reproduce, which may be the difference rather "
          "than the code: ",
          absl::StrJoin(old, "; "), ".");
    }
  }
  if (!nondeterminism_) {
    n.message = absl::StrCat(
        kKinds[static_cast<int>(n.kind)], ": ",
        n.event_id != 0 ? absl::StrCat("event ", n.event_id, " (", n.event_type, "): ") : "",
        "history has ", n.expected.empty() ? "nothing" : n.expected, ", workflow code issued ",
        n.actual.empty() ? "nothing" : n.actual,
        n.where.line() != 0 ? absl::StrCat(" at ", Where(n.where)) : "");
    nondeterminism_ = std::move(n);
  }
  return NondeterminismError();
}

RunError WorkflowRun::NondeterminismError() const {
  RunError error;
  error.kind = RunError::Kind::kNondeterminism;
  error.message = absl::StrCat("nondeterminism in ", info_.workflow_type, " ", info_.workflow_id,
                               ": ", nondeterminism_->message);
  error.event_id = nondeterminism_->event_id;
  error.nondeterminism = nondeterminism_;
  return error;
}

RunStatus WorkflowRun::MatchCommandEvent(const HistoryEvent& event) {
  while (!commands_.empty() && commands_.front().withdrawn) commands_.pop_front();
  DecodedMarker decoded;
  const CommandKey event_key = KeyOfEvent(event, &decoded);
  // Update acceptances and responses float: SDKs that send no protocol message commands
  // leave their events after all the task's commands, so only their presence is compared.
  // Every other command event is matched with the first pending command that is not one.
  const bool update_event = run_internal::IsUpdateEvent(event.event_type());
  PendingCommand* pending = nullptr;
  PendingCommand* first_update = nullptr;
  for (PendingCommand& p : commands_) {
    if (p.withdrawn) continue;
    const bool update_command = run_internal::IsUpdateEvent(p.key.key().event_type);
    if (update_command && first_update == nullptr) first_update = &p;
    if (update_event) {
      if (update_command && p.key.key().Matches(event_key, strict_ids_)) {
        pending = &p;
        break;
      }
    } else if (!update_command) {
      pending = &p;
      break;
    }
  }
  // A DeprecatePatch marker the code no longer asks for is tolerated: removing the call once
  // the patch is deprecated is the point of deprecating it.
  if (decoded.version && decoded.version->deprecated &&
      (pending == nullptr || !pending->key.key().Matches(event_key, strict_ids_))) {
    return {};
  }
  if (update_event && pending == nullptr) pending = first_update;
  if (pending == nullptr) {
    return Nondeterministic({Nondeterminism::Kind::kMissing, event.event_id(),
                             history::EventTypeShortName(event.event_type()), event_key.ToString(),
                             "", last_command_where_, "", MarkerCause(event, event_key)});
  }
  if (!pending->key.key().Matches(event_key, strict_ids_)) {
    return Nondeterministic({Nondeterminism::Kind::kMismatch, event.event_id(),
                             history::EventTypeShortName(event.event_type()), event_key.ToString(),
                             pending->key.key().ToString(), pending->where, "",
                             MarkerCause(event, event_key)});
  }
  RunStatus s = pending->on_recorded(event);
  pending->withdrawn = true;  // matched: neither sent again nor left over
  while (!commands_.empty() && commands_.front().withdrawn) commands_.pop_front();
  return s;
}

RunStatus WorkflowRun::ApplyActivityEvent(const HistoryEvent& event) {
  using machines::ActivityTrigger;
  int64_t scheduled = 0;
  ActivityTrigger trigger;
  switch (event.event_type()) {
    case enums::EVENT_TYPE_ACTIVITY_TASK_STARTED:
      scheduled = event.activity_task_started_event_attributes().scheduled_event_id();
      trigger = ActivityTrigger::kStartedRecorded;
      break;
    case enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      scheduled = event.activity_task_completed_event_attributes().scheduled_event_id();
      trigger = ActivityTrigger::kCompletedRecorded;
      break;
    case enums::EVENT_TYPE_ACTIVITY_TASK_FAILED:
      scheduled = event.activity_task_failed_event_attributes().scheduled_event_id();
      trigger = ActivityTrigger::kFailedRecorded;
      break;
    case enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
      scheduled = event.activity_task_timed_out_event_attributes().scheduled_event_id();
      trigger = ActivityTrigger::kTimedOutRecorded;
      break;
    default:
      scheduled = event.activity_task_canceled_event_attributes().scheduled_event_id();
      trigger = ActivityTrigger::kCanceledRecorded;
      break;
  }
  auto it = activity_by_scheduled_id_.find(scheduled);
  if (it == activity_by_scheduled_id_.end()) {
    return run_internal::UnknownOperation(event, "scheduled", scheduled, "activity");
  }
  ActivityOp* op = it->second;
  if (RunStatus s = ActivityTransit(op, trigger); !s.ok()) {
    return AtEvent(event, std::move(s).error());
  }
  if (trigger == ActivityTrigger::kStartedRecorded) return {};
  // The result reaches the code at the next activation, as in Temporal.
  jobs_.push_back({Job::Kind::kActivityClosed, &event, op});
  return {};
}

void WorkflowRun::ResolveActivity(ActivityOp* op, const HistoryEvent& event) {
  switch (event.event_type()) {
    case enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      op->resolver.SetValue(event.activity_task_completed_event_attributes().result());
      break;
    case enums::EVENT_TYPE_ACTIVITY_TASK_FAILED: {
      const auto& a = event.activity_task_failed_event_attributes();
      op->resolver.SetError(std::make_exception_ptr(ActivityFailure(
          ActivityFailureOf(op->activity_type, op->activity_id, a.scheduled_event_id(),
                            a.started_event_id(), a.failure(), a.retry_state()))));
      break;
    }
    case enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: {
      const auto& a = event.activity_task_timed_out_event_attributes();
      op->resolver.SetError(std::make_exception_ptr(ActivityFailure(
          ActivityFailureOf(op->activity_type, op->activity_id, a.scheduled_event_id(),
                            a.started_event_id(), a.failure(), a.retry_state()))));
      break;
    }
    default:
      op->resolver.SetError(std::make_exception_ptr(CanceledFailure("activity canceled")));
  }
}

RunStatus WorkflowRun::ApplyTimerEvent(const HistoryEvent& event) {
  const int64_t started = event.timer_fired_event_attributes().started_event_id();
  auto it = timer_by_started_id_.find(started);
  if (it == timer_by_started_id_.end()) {
    return run_internal::UnknownOperation(event, "started", started, "timer");
  }
  TimerOp* op = it->second;
  if (RunStatus s = TimerTransit(op, machines::TimerTrigger::kFiredRecorded); !s.ok()) {
    return AtEvent(event, std::move(s).error());
  }
  jobs_.push_back({Job::Kind::kTimerFired, &event, nullptr, op});
  return {};
}

RunStatus WorkflowRun::ExtraCommandsError() {
  for (const PendingCommand& pending : commands_) {
    if (pending.withdrawn) continue;
    // Reported at the completion of the task that issued it: its recorded commands end there
    // (0 if no task completed yet).
    return Nondeterministic({Nondeterminism::Kind::kExtra, last_completed_event_id_,
                             last_completed_event_id_ != 0 ? "WorkflowTaskCompleted" : "", "",
                             pending.key.key().ToString(), pending.where, "", ""});
  }
  return {};
}

RunStatus WorkflowRun::CheckAllCommandsRecorded() { return ExtraCommandsError(); }

void WorkflowRun::LookAhead(const History& history, int from) {
  recorded_side_effects_.clear();
  lookahead_history_ = &history;
  lookahead_from_ = from;
  recorded_versions_.clear();
  recorded_local_activities_.clear();
  recorded_local_activity_ids_.clear();
  recorded_updates_.clear();
  for (int i = from; i < end_index_; ++i) {
    const HistoryEvent& e = history.events(i);
    if (e.event_type() == enums::EVENT_TYPE_WORKFLOW_TASK_STARTED) break;
    if (e.event_type() == enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) {
      recorded_updates_.push_back(RecordedUpdateRequest(e));
      continue;
    }
    if (e.event_type() != enums::EVENT_TYPE_MARKER_RECORDED) continue;
    if (auto local = machines::ReadLocalActivityMarker(e)) {
      std::string key = local->core_seq ? CoreMarkerKey(*local->core_seq) : local->activity_id;
      recorded_local_activity_ids_.push_back(key);
      recorded_local_activities_.emplace(std::move(key), *std::move(local));
      continue;
    }
    if (auto version = machines::ReadVersionMarker(e)) {
      // Older Go histories upsert TemporalChangeVersion without saying so in the marker.
      if (i + 1 < end_index_ && machines::UpsertsChangeVersion(history.events(i + 1))) {
        version->search_attribute_updated = true;
      }
      recorded_versions_.emplace(version->change_id, *std::move(version));
      continue;
    }
    if (auto mutable_side_effect = machines::ReadMutableSideEffectMarker(e)) {
      PreloadMutableSideEffect(*std::move(mutable_side_effect));
      continue;
    }
    const auto& a = e.marker_recorded_event_attributes();
    if (a.marker_name() != machines::kSideEffectMarker) continue;
    auto id = machines::MarkerDetail<int64_t>(a, machines::kSideEffectIdKey);
    auto data_it = a.details().find(std::string(machines::kSideEffectDataKey));
    if (!id || data_it == a.details().end()) continue;
    recorded_side_effects_[*id] = data_it->second;
  }
}

RunStatus WorkflowRun::Activate(const History& history, int index, bool replaying,
                                ActivationResult* result) {
  if (RunStatus s = ExtraCommandsError(); !s.ok()) return s;
  commands_.clear();
  const HistoryEvent& started = history.events(index);
  now_ = ToTime(started.event_time());
  replaying_ = replaying;
  task_started_event_id_ = started.event_id();
  commands_this_task_ = 0;
  // Go's ProcessWorkflowTask resets mutableSideEffectsRecorded at every task.
  recorded_mutable_side_effect_ids_.clear();
  lookahead_history_ = nullptr;
  if (replaying) LookAhead(history, index + 2);
  // Recorded by sdk-core before MoveTerminalCommands: what the code issues after the workflow
  // function ended, in this activation, was never sent (sdk_flags.h).
  drop_after_completion_ =
      replaying && !sdk_flags_.Follows(SdkBehaviour::kCommandsAfterCompletionKept);
  completion_position_ = -1;
  rejections_.clear();
  std::vector<UpdateRequest> updates = TakeUpdateRequests(replaying);

  if (!main_ && !closed_) {
    const WorkflowFunction* fn = registry_->FindWorkflow(info_.workflow_type);
    if (fn == nullptr) {
      return RunError::Of(RunError::Kind::kUnknownWorkflowType,
                          absl::StrCat("workflow type \"", info_.workflow_type,
                                       "\" is not registered with this worker"),
                          started.event_id());
    }
    // A coroutine throws only once it runs; a raw workflow function may throw at the call.
    // The input moves into the function: it is called once per run (a run whose task failed,
    // as one whose function threw here, is not activated again: workers evict it).
    try {
      main_.emplace((*fn)(context_, std::move(input_)));
      main_->Start(&scheduler_, root_scope_);
    } catch (...) {
      main_.reset();
      NoteTaskError(std::current_exception(), "the workflow function");
    }
  }
  // Signals first, in history order, so handlers run before the code they unblock.
  // The buffers trade places, so that jobs_ collects the next activation's jobs in the one
  // this activation's jobs were collected in the time before: no allocation per activation.
  activation_jobs_.swap(jobs_);
  const std::vector<Job>& jobs = activation_jobs_;
  // Lockstep applies every job, then runs the coroutines; replaying, a task recorded by an
  // SDK that ran them between jobs does as it did (sdk_flags.h).
  const ActivationOrder order = replaying ? sdk_flags_.Order() : ActivationOrder::kOneBatch;
  conditions_together_ = replaying && sdk_flags_.ResolvesSatisfiedConditionsTogether();
  bool signaled = false;
  for (const Job& job : jobs) {
    if (job.kind == Job::Kind::kSignal && !closed_) {
      const auto& a = job.event->workflow_execution_signaled_event_attributes();
      DeliverSignal(a.signal_name(), a.input());
      signaled = true;
      if (order == ActivationOrder::kPerJob) RunUntilBlocked();
    }
  }
  // Then updates, which Temporal sequences after every event before the task.
  for (const UpdateRequest& update : updates) {
    DeliverUpdate(update, /*validate=*/!replaying);
    if (order == ActivationOrder::kPerJob) RunUntilBlocked();
  }
  if (order == ActivationOrder::kPerJobGroup && (signaled || !updates.empty())) {
    RunUntilBlocked();
  }
  // The workflow's cancellation comes in history order with what resolves operations, except
  // where a replayed SDK decided otherwise (sdk_flags.h, CancelTiming).
  const CancelTiming cancel_timing =
      replaying ? sdk_flags_.Cancel() : CancelTiming::kInHistoryOrder;
  auto deliver_cancel = [this](const Job& job) {
    if (job.kind == Job::Kind::kCancelRequested && !closed_) {
      cancel_requested_ = true;
      root_scope_->Cancel();
    }
  };
  if (cancel_timing == CancelTiming::kFirst) {
    for (const Job& job : jobs) deliver_cancel(job);
  }
  for (const Job& job : jobs) {
    if (job.kind == Job::Kind::kSignal) continue;
    if (job.kind == Job::Kind::kActivityClosed) ResolveActivity(job.activity, *job.event);
    if (job.kind == Job::Kind::kTimerFired) job.timer->resolver.SetValue();
    if (job.kind == Job::Kind::kResolve) job.resolve(*job.event);
    if (cancel_timing == CancelTiming::kInHistoryOrder) deliver_cancel(job);
    if (order == ActivationOrder::kPerJob) RunUntilBlocked();
  }
  if (cancel_timing == CancelTiming::kLast) {
    for (const Job& job : jobs) deliver_cancel(job);
  }
  activation_jobs_.clear();  // keeps the buffer
  RunUntilBlocked();
  // Local activities run (or are read back) once the code is blocked, and what they unblock
  // runs in the same task.
  // Not once the main function has returned: its locals, which handlers may use, are gone.
  while (!TaskDecided() && ResolveLocalActivities() > 0) {
    RunUntilBlocked();
  }
  FinishIfDone();
  RejectUnhandledUpdates(replaying);

  // Nondeterminism first: the code may have caught the NondeterminismAbort and thrown
  // something else, or nothing.
  if (nondeterminism_) return NondeterminismError();
  if (task_error_) {
    const std::string what = DescribeException(task_error_);
    task_error_ = nullptr;
    if (replaying) {
      RunError error = RunError::Of(
          RunError::Kind::kWorkflowCodeThrew,
          absl::StrCat("replaying workflow task ", started.event_id(), " of ", info_.workflow_type,
                       " threw, although the recorded task completed: ", what),
          started.event_id());
      error.thrower = std::move(task_error_thrower_);
      error.exception = what;
      return error;
    }
    result->task_failed = true;
    result->failure.set_message(what);
    result->failure.set_source("Lockstep");
    result->failure.mutable_application_failure_info()->set_type("CppException");
    return {};
  }
  if (!replaying) {
    // The bodies move out: from here on a pending command is matched by its key alone.
    for (PendingCommand& pending : commands_) {
      if (pending.withdrawn) continue;
      result->commands.push_back(std::move(pending.command));
      if (pending.message) result->messages.push_back(std::move(*pending.message));
    }
    for (auto& rejection : rejections_) result->messages.push_back(std::move(rejection));
    rejections_.clear();
  }
  return {};
}

void WorkflowRun::RunScheduler() {
  if (drop_after_completion_ && completion_position_ < 0 && main_ && !main_->done()) {
    // Stop where the workflow function ends, to know which commands came after it.
    scheduler_.RunUntilBlockedOr([this] { return main_->done(); });
    if (main_->done()) completion_position_ = static_cast<int64_t>(commands_.size());
  }
  scheduler_.RunUntilBlocked();
}

void WorkflowRun::RunUntilBlocked() {
  while (true) {
    RunScheduler();
    // Collect finished async signal handlers, in the order they started.
    for (auto it = handler_tasks_.begin(); it != handler_tasks_.end();) {
      if (!it->task.done()) {
        ++it;
        continue;
      }
      if (std::exception_ptr e = it->task.error()) {
        NoteHandlerError(e, HandlerOrigin(it->kind, it->name));
      }
      it = handler_tasks_.erase(it);
    }
    if (TaskDecided()) return;
    // One condition at a time: the first that holds is resolved and the code it unblocks runs
    // before the others are asked again. Replaying an SDK that asked them all first
    // (conditions_together_), every one that holds is resolved, then their code runs.
    absl::InlinedVector<Resolver<void>, 1> satisfied;
    for (auto it = conditions_.begin(); it != conditions_.end();) {
      if (it->resolver.resolved()) {  // canceled
        it = conditions_.erase(it);
        continue;
      }
      bool holds = false;
      try {
        holds = it->condition();
      } catch (...) {
        NoteTaskError(std::current_exception(), "a WaitCondition condition");
        return;
      }
      if (holds) {
        satisfied.push_back(it->resolver);
        it = conditions_.erase(it);
        if (!conditions_together_) break;
        continue;
      }
      ++it;
    }
    if (satisfied.empty()) return;
    for (Resolver<void>& resolver : satisfied) resolver.SetValue();
  }
}

void WorkflowRun::FinishIfDone() {
  if (closed_ || nondeterminism_ || task_error_) return;
  if (!handler_failure_ && (!main_ || !main_->done())) return;
  if (!handler_failure_ && completion_position_ >= 0) {
    // sdk-core before MoveTerminalCommands cut the activation's commands at the first
    // terminal one: those issued after the workflow function ended were never sent.
    if (static_cast<size_t>(completion_position_) < commands_.size()) {
      for (auto it = commands_.begin() + completion_position_; it != commands_.end(); ++it) {
        it->withdrawn = true;
      }
    }
  }
  Command command;
  if (std::exception_ptr error = handler_failure_ ? handler_failure_ : main_->error()) {
    try {
      std::rethrow_exception(error);
    } catch (const CanceledFailure& canceled) {
      if (cancel_requested_) {
        // The code let the cancellation end it: the workflow is canceled, not failed.
        command.set_command_type(enums::COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION);
        command.mutable_cancel_workflow_execution_command_attributes();
      } else {
        command.set_command_type(enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION);
        *command.mutable_fail_workflow_execution_command_attributes()->mutable_failure() =
            canceled.failure();
      }
    } catch (const WorkflowFailure& failure) {
      command.set_command_type(enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION);
      *command.mutable_fail_workflow_execution_command_attributes()->mutable_failure() =
          failure.failure();
    } catch (const ContinueAsNewRequest& request) {
      command.set_command_type(enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION);
      auto* a = command.mutable_continue_as_new_workflow_execution_command_attributes();
      *a = request.attributes();
      if (a->workflow_type().name().empty())
        a->mutable_workflow_type()->set_name(info_.workflow_type);
      if (a->task_queue().name().empty()) a->mutable_task_queue()->set_name(info_.task_queue);
    } catch (const NondeterminismAbort&) {
      return;
    } catch (...) {
      NoteTaskError(error, "the workflow function");
      return;
    }
  } else {
    command.set_command_type(enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION);
    *command.mutable_complete_workflow_execution_command_attributes()->mutable_result() =
        main_->result();
  }
  const bool failed = command.command_type() != enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION;
  auto state = std::make_shared<machines::CompletionState>(machines::CompletionState::kCreated);
  Payloads result;
  if (!failed) result = command.complete_workflow_execution_command_attributes().result();
  AddCommand(
      std::move(command),
      [this, state, failed, result = std::move(result)](const HistoryEvent& event) -> RunStatus {
        auto next = machines::CompletionTransitions().Next(
            *state, machines::CompletionTrigger::kCloseRecorded);
        if (!next) {
          return RunError::Of(RunError::Kind::kCorruptHistory, "workflow completion recorded twice",
                              event.event_id());
        }
        *state = *next;
        // Same command, different result: not nondeterminism (Temporal does not compare
        // results), but worth telling whoever replays the history.
        const Payloads& recorded = event.workflow_execution_completed_event_attributes().result();
        if (!failed && !SamePayloads(result, recorded)) {
          Nondeterminism n;
          n.kind = Nondeterminism::Kind::kResultMismatch;
          n.event_id = event.event_id();
          n.event_type = "WorkflowExecutionCompleted";
          n.expected = absl::StrCat("result ", history::EventSummaryOfPayloads(recorded));
          n.actual = absl::StrCat("result ", history::EventSummaryOfPayloads(result));
          if (n.expected == n.actual) {
            // Values that read the same differ in their encoding or metadata: say which.
            absl::StrAppend(&n.expected, " (", MetadataText(recorded), ")");
            absl::StrAppend(&n.actual, " (", MetadataText(result), ")");
          }
          n.message = absl::StrCat("result mismatch: event ", n.event_id, ": history has ",
                                   n.expected, ", workflow code returned ", n.actual);
          result_mismatch_ = std::move(n);
        }
        return {};
      },
      {});
  closed_ = true;
  // The main coroutine's locals are gone: nothing that may refer to them runs again.
  conditions_.clear();
  signal_handlers_.clear();
  buffered_signals_.clear();
}

WorkflowRun::PendingCommand* WorkflowRun::AddCommand(
    Command command, std::function<RunStatus(const HistoryEvent&)> on_recorded,
    SourceLocation where, const CommandKey* key) {
  if (where.line() != 0) last_command_where_ = where;
  ++commands_this_task_;
  OwnedCommandKey owned(key != nullptr ? *key : KeyOfCommand(command));
  commands_.push_back(
      {std::move(command), std::move(on_recorded), where, std::move(owned), false, std::nullopt});
  return &commands_.back();
}

// ---------------------------------------------------------------------------------------
// What workflow code calls (through WorkflowContext)

void WorkflowRun::CheckMayIssueCommand(absl::string_view what, SourceLocation where) const {
  if (in_query_) {
    throw QueryViolation(absl::StrCat("a query handler called ", what, " at ", Where(where),
                                      "; queries must not change the workflow"));
  }
}

void WorkflowRun::CheckMayIssueCommand(absl::string_view function, absl::string_view argument,
                                       SourceLocation where) const {
  if (in_query_) CheckMayIssueCommand(absl::StrCat(function, "(\"", argument, "\")"), where);
}

Future<Payloads> WorkflowRun::ScheduleActivity(const std::string& type,
                                               const ActivityOptions& options, Payloads input,
                                               SourceLocation where) {
  CheckMayIssueCommand("ExecuteActivity", type, where);
  if (options.start_to_close_timeout <= absl::ZeroDuration() &&
      options.schedule_to_close_timeout <= absl::ZeroDuration()) {
    throw std::invalid_argument(
        absl::StrCat("ExecuteActivity(\"", type, "\") at ", Where(where),
                     ": set start_to_close_timeout or schedule_to_close_timeout"));
  }
  if (CurrentScope()->canceled()) {
    return CanceledAtOnce<Payloads>(
        absl::StrCat("activity ", type, " not started: its cancellation scope is canceled"));
  }
  const int64_t seq = next_activity_seq_++;
  ActivityOp& op = activities_.emplace_back();
  op.cancellation_type = options.cancellation_type;
  op.activity_id =
      options.activity_id.empty() ? absl::StrCat(seq) : std::string(options.activity_id);
  op.activity_type = type;
  op.where = where;

  Command command;
  command.set_command_type(enums::COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK);
  auto* a = command.mutable_schedule_activity_task_command_attributes();
  a->set_activity_id(op.activity_id);
  a->mutable_activity_type()->set_name(type);
  a->mutable_task_queue()->set_name(options.task_queue.empty() ? info_.task_queue
                                                               : std::string(options.task_queue));
  *a->mutable_input() = std::move(input);
  if (options.schedule_to_close_timeout > absl::ZeroDuration()) {
    SetDuration(options.schedule_to_close_timeout, a->mutable_schedule_to_close_timeout());
  }
  if (options.schedule_to_start_timeout > absl::ZeroDuration()) {
    SetDuration(options.schedule_to_start_timeout, a->mutable_schedule_to_start_timeout());
  }
  if (options.start_to_close_timeout > absl::ZeroDuration()) {
    SetDuration(options.start_to_close_timeout, a->mutable_start_to_close_timeout());
  }
  if (options.heartbeat_timeout > absl::ZeroDuration()) {
    SetDuration(options.heartbeat_timeout, a->mutable_heartbeat_timeout());
  }
  if (options.has_retry_policy) {
    run_internal::RetryPolicyToProto(options.retry_policy, a->mutable_retry_policy());
  }

  auto [future, resolver] = Future<Payloads>::Make(&scheduler_);
  op.resolver = resolver;
  ActivityOp* op_ptr = &op;
  op.command = AddCommand(
      std::move(command),
      [this, op_ptr](const HistoryEvent& event) {
        op_ptr->command = nullptr;
        op_ptr->scheduled_event_id = event.event_id();
        activity_by_scheduled_id_[event.event_id()] = op_ptr;
        return ActivityTransit(op_ptr, machines::ActivityTrigger::kScheduleRecorded);
      },
      where);
  future.SetCanceler([this, op_ptr, where] {
    using machines::ActivityState;
    CheckMayIssueCommand("Cancel() on an activity", where);
    const ActivityState before = op_ptr->state;
    if (before == ActivityState::kCreated) {
      op_ptr->command->withdrawn = true;
      op_ptr->command = nullptr;
    } else if (op_ptr->cancellation_type == ActivityCancellationType::kAbandon) {
      // No command: the activity runs on, and whatever it reports moves only the machine.
      op_ptr->resolver.SetError(std::make_exception_ptr(CanceledFailure("activity abandoned")));
      return;
    } else if (before == ActivityState::kScheduled || before == ActivityState::kStarted) {
      Command cancel;
      cancel.set_command_type(enums::COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK);
      cancel.mutable_request_cancel_activity_task_command_attributes()->set_scheduled_event_id(
          op_ptr->scheduled_event_id);
      AddCommand(
          std::move(cancel),
          [op_ptr](const HistoryEvent&) {
            return ActivityTransit(op_ptr, machines::ActivityTrigger::kCancelRecorded);
          },
          where);
    } else {
      // Already closed or being canceled. Closed by an event of this very task, whose job comes
      // after the cancellation: Temporal's SDKs end a try-cancel Future at the cancellation,
      // before that event is delivered, so the code sees the cancellation, not the result.
      if (op_ptr->cancellation_type == ActivityCancellationType::kTryCancel) {
        op_ptr->resolver.SetError(std::make_exception_ptr(CanceledFailure("activity canceled")));
      }
      return;
    }
    (void)Transit(
        machines::ActivityTransitions(), &op_ptr->state, machines::ActivityTrigger::kCancelByCode,
        [] { return "activity"; }, machines::ActivityStateName, machines::ActivityTriggerName);
    // Waiting for the cancellation to complete: the activity's closing event resolves it.
    if (op_ptr->cancellation_type == ActivityCancellationType::kWaitCancellationCompleted &&
        before != ActivityState::kCreated) {
      return;
    }
    op_ptr->resolver.SetError(std::make_exception_ptr(CanceledFailure("activity canceled")));
  });
  JoinCurrentScope(future);
  return future;
}

Future<void> WorkflowRun::StartTimer(absl::Duration duration, SourceLocation where) {
  CheckMayIssueCommand("Sleep/StartTimer", where);
  if (CurrentScope()->canceled()) {
    return CanceledAtOnce<void>("timer not started: its cancellation scope is canceled");
  }
  TimerOp& op = timers_.emplace_back();
  op.timer_id = absl::StrCat(next_timer_seq_++);
  op.where = where;
  Command command;
  command.set_command_type(enums::COMMAND_TYPE_START_TIMER);
  auto* a = command.mutable_start_timer_command_attributes();
  a->set_timer_id(op.timer_id);
  SetDuration(duration, a->mutable_start_to_fire_timeout());

  auto [future, resolver] = Future<void>::Make(&scheduler_);
  op.resolver = resolver;
  TimerOp* op_ptr = &op;
  op.command = AddCommand(
      std::move(command),
      [this, op_ptr](const HistoryEvent& event) {
        op_ptr->command = nullptr;
        op_ptr->started_event_id = event.event_id();
        timer_by_started_id_[event.event_id()] = op_ptr;
        return TimerTransit(op_ptr, machines::TimerTrigger::kStartedRecorded);
      },
      where);
  future.SetCanceler([this, op_ptr, where] {
    using machines::TimerState;
    CheckMayIssueCommand("Cancel() on a timer", where);
    if (op_ptr->state == TimerState::kCreated) {
      op_ptr->command->withdrawn = true;
      op_ptr->command = nullptr;
    } else if (op_ptr->state == TimerState::kStarted) {
      Command cancel;
      cancel.set_command_type(enums::COMMAND_TYPE_CANCEL_TIMER);
      cancel.mutable_cancel_timer_command_attributes()->set_timer_id(op_ptr->timer_id);
      AddCommand(
          std::move(cancel),
          [op_ptr](const HistoryEvent&) {
            return TimerTransit(op_ptr, machines::TimerTrigger::kCanceledRecorded);
          },
          where);
    } else {
      return;
    }
    (void)Transit(
        machines::TimerTransitions(), &op_ptr->state, machines::TimerTrigger::kCancelByCode,
        [] { return "timer"; }, machines::TimerStateName, machines::TimerTriggerName);
    op_ptr->resolver.SetError(std::make_exception_ptr(CanceledFailure("timer canceled")));
  });
  JoinCurrentScope(future);
  return future;
}

Future<void> WorkflowRun::AddCondition(std::function<bool()> condition) {
  if (CurrentScope()->canceled()) {
    return CanceledAtOnce<void>("wait not started: its cancellation scope is canceled");
  }
  auto [future, resolver] = Future<void>::Make(&scheduler_);
  conditions_.push_back({std::move(condition), resolver});
  // Canceling a wait removes it: its condition may refer to a scope that is ending.
  future.SetCanceler([resolver = resolver]() mutable {
    resolver.SetError(std::make_exception_ptr(CanceledFailure("wait canceled")));
  });
  JoinCurrentScope(future);
  return future;
}

void WorkflowRun::SetSignalHandler(std::string name,
                                   std::function<Task<void>(const Payloads&)> handler) {
  auto& slot = signal_handlers_[name];
  slot = std::move(handler);
  // Deliver what arrived before the handler existed, in arrival order.
  std::vector<std::pair<std::string, Payloads>> still_buffered;
  std::vector<Payloads> mine;
  for (auto& [signal, input] : buffered_signals_) {
    if (signal == name) {
      mine.push_back(std::move(input));
    } else {
      still_buffered.emplace_back(std::move(signal), std::move(input));
    }
  }
  buffered_signals_ = std::move(still_buffered);
  for (const Payloads& input : mine) StartHandler(signal_handlers_[name], input, name);
}

void WorkflowRun::SetQueryHandler(std::string name,
                                  std::function<Payloads(const Payloads&)> handler) {
  query_handlers_[std::move(name)] = std::move(handler);
}

void WorkflowRun::DeliverSignal(const std::string& name, const Payloads& input) {
  auto it = signal_handlers_.find(name);
  if (it == signal_handlers_.end()) {
    buffered_signals_.emplace_back(name, input);
    return;
  }
  StartHandler(it->second, input, name);
}

void WorkflowRun::StartHandler(std::function<Task<void>(const Payloads&)>& handler,
                               const Payloads& input, absl::string_view signal_name) {
  // Handlers run in the root scope, wherever the code that delivers them runs.
  internal::ScopeState* outer = scheduler_.set_current_scope(root_scope_);
  try {
    Task<void> task = handler(input);
    if (task.valid()) {
      StartTask(root_scope_, std::move(task), "signal handler", std::string(signal_name));
    }
  } catch (...) {
    NoteHandlerError(std::current_exception(), HandlerOrigin("signal handler", signal_name));
  }
  scheduler_.set_current_scope(outer);
}

void WorkflowRun::NoteHandlerError(std::exception_ptr error, absl::string_view origin) {
  if (task_error_ || handler_failure_) return;
  try {
    std::rethrow_exception(error);
  } catch (const WorkflowFailure&) {
    handler_failure_ = error;
  } catch (...) {
    NoteTaskError(error, origin);
  }
}

void WorkflowRun::NoteTaskError(std::exception_ptr error, absl::string_view thrower) {
  if (task_error_) return;
  task_error_ = std::move(error);
  task_error_thrower_ = std::string(thrower);
}

Payloads WorkflowRun::RecordSideEffect(const std::function<Payloads()>& fn, SourceLocation where) {
  CheckMayIssueCommand("SideEffect", where);
  const int64_t id = next_side_effect_id_++;
  Payloads value;
  if (replaying_) {
    auto it = recorded_side_effects_.find(id);
    if (it == recorded_side_effects_.end()) {
      (void)Nondeterministic({Nondeterminism::Kind::kExtra, 0, "", "",
                              absl::StrCat("marker SideEffect #", id), where, "", ""});
      throw NondeterminismAbort{};
    }
    value = it->second;
  } else {
    value = fn();
  }
  Command command;
  command.set_command_type(enums::COMMAND_TYPE_RECORD_MARKER);
  auto* a = command.mutable_record_marker_command_attributes();
  a->set_marker_name(std::string(machines::kSideEffectMarker));
  (*a->mutable_details())[std::string(machines::kSideEffectIdKey)] = ToPayloads(id);
  (*a->mutable_details())[std::string(machines::kSideEffectDataKey)] = value;
  auto state = std::make_shared<machines::RecordState>(machines::RecordState::kCreated);
  AddCommand(
      std::move(command),
      [state](const HistoryEvent& event) -> RunStatus {
        auto next = machines::RecordTransitions().Next(*state, machines::RecordTrigger::kRecorded);
        if (!next) {
          return RunError::Of(RunError::Kind::kCorruptHistory, "side effect recorded twice",
                              event.event_id());
        }
        *state = *next;
        return {};
      },
      where);
  return value;
}

absl::StatusOr<Payloads> WorkflowRun::Query(const std::string& name, const Payloads& args) {
  if (closed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("workflow ", info_.workflow_id,
                     " has completed; its query handlers may refer to state "
                     "that no longer exists, so queries are answered only while it runs"));
  }
  auto it = query_handlers_.find(name);
  if (it == query_handlers_.end()) {
    std::vector<std::string> known;
    for (const auto& [n, h] : query_handlers_) known.push_back(n);
    return absl::NotFoundError(
        absl::StrCat("no query handler \"", name,
                     "\" (registered: ", known.empty() ? "none" : absl::StrJoin(known, ", "), ")"));
  }
  in_query_ = true;
  Payloads first, second;
  try {
    first = it->second(args);
    second = it->second(args);
  } catch (const QueryViolation& e) {
    in_query_ = false;
    return absl::FailedPreconditionError(absl::StrCat("query \"", name, "\": ", e.what()));
  } catch (...) {
    // Anything else the handler threw, a std::exception or not, is the query's error; the
    // run is as it was (a query changes nothing), so the worker keeps it.
    in_query_ = false;
    return absl::InvalidArgumentError(
        absl::StrCat("query \"", name, "\" threw: ", DescribeCurrentException()));
  }
  in_query_ = false;
  if (!SamePayloads(first, second)) {
    return absl::FailedPreconditionError(
        absl::StrCat("query \"", name,
                     "\" changed workflow state: asked twice in a row it answered "
                     "differently; query handlers must only read"));
  }
  return first;
}

}  // namespace lockstep
