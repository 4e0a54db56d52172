#include "engine/workflow/workflow_run.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/history/event_summary.h"
#include "engine/history/event_types.h"
#include "google/protobuf/util/message_differencer.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::command::v1::Command;
using temporal::api::history::v1::History;
using temporal::api::history::v1::HistoryEvent;

// Thrown through workflow code to abandon an activation once nondeterminism is found; it is
// not a std::exception, so ordinary catch clauses in workflow code do not swallow it, and the
// run records the finding before throwing so that even catch (...) cannot hide it.
struct NondeterminismAbort {};

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

void SetDuration(absl::Duration d, google::protobuf::Duration* out) {
  const int64_t nanos = absl::ToInt64Nanoseconds(d);
  out->set_seconds(nanos / 1000000000);
  out->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

std::string Where(SourceLocation where) {
  if (where.file_name() == nullptr || where.line() == 0) return "unknown location";
  return absl::StrCat(where.file_name(), ":", where.line());
}

// The event type a command is recorded as.
enums::EventType RecordedAs(enums::CommandType type) {
  switch (type) {
    case enums::COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK:
      return enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED;
    case enums::COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK:
      return enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED;
    case enums::COMMAND_TYPE_START_TIMER:
      return enums::EVENT_TYPE_TIMER_STARTED;
    case enums::COMMAND_TYPE_CANCEL_TIMER:
      return enums::EVENT_TYPE_TIMER_CANCELED;
    case enums::COMMAND_TYPE_RECORD_MARKER:
      return enums::EVENT_TYPE_MARKER_RECORDED;
    case enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
      return enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED;
    case enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
      return enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED;
    default:
      return enums::EVENT_TYPE_UNSPECIFIED;
  }
}

bool IsCommandEvent(enums::EventType type) {
  switch (type) {
    case enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
    case enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED:
    case enums::EVENT_TYPE_TIMER_STARTED:
    case enums::EVENT_TYPE_TIMER_CANCELED:
    case enums::EVENT_TYPE_MARKER_RECORDED:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      return true;
    default:
      return false;
  }
}

// The identity of a command event, in the same words as the identity of a command, so that
// the two compare as strings and read well in reports.
std::string EventIdentity(const HistoryEvent& e) {
  switch (e.event_type()) {
    case enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
      const auto& a = e.activity_task_scheduled_event_attributes();
      return absl::StrCat("activity ", a.activity_type().name(), " id=", a.activity_id());
    }
    case enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED:
      return absl::StrCat("cancel activity scheduled=",
                          e.activity_task_cancel_requested_event_attributes().scheduled_event_id());
    case enums::EVENT_TYPE_TIMER_STARTED:
      return absl::StrCat("timer id=", e.timer_started_event_attributes().timer_id());
    case enums::EVENT_TYPE_TIMER_CANCELED:
      return absl::StrCat("cancel timer id=", e.timer_canceled_event_attributes().timer_id());
    case enums::EVENT_TYPE_MARKER_RECORDED:
      return absl::StrCat("marker ", e.marker_recorded_event_attributes().marker_name());
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      return "complete workflow";
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      return "fail workflow";
    default:
      return history::EventTypeShortName(e.event_type());
  }
}

// `machine` describes the machine for the error message; it is only called on error, so
// the success path builds no strings.
template <typename State, typename Trigger, typename Describe, typename StateName,
          typename TriggerName>
absl::Status Transit(const machines::TransitionTable<State, Trigger>& table, State* state,
                     Trigger trigger, const Describe& machine, StateName state_name,
                     TriggerName trigger_name) {
  auto next = table.Next(*state, trigger);
  if (!next) {
    return absl::InvalidArgumentError(absl::StrCat(machine(), " in state ", state_name(*state),
                                                   " cannot take ", trigger_name(trigger)));
  }
  *state = *next;
  return absl::OkStatus();
}

temporal::api::failure::v1::Failure ActivityFailureOf(
    const std::string& activity_type, const std::string& activity_id, int64_t scheduled,
    int64_t started, const temporal::api::failure::v1::Failure& cause,
    enums::RetryState retry_state) {
  temporal::api::failure::v1::Failure f;
  f.set_message("activity error");
  f.set_source("Lockstep");
  auto* info = f.mutable_activity_failure_info();
  info->set_scheduled_event_id(scheduled);
  info->set_started_event_id(started);
  info->mutable_activity_type()->set_name(activity_type);
  info->set_activity_id(activity_id);
  info->set_retry_state(retry_state);
  *f.mutable_cause() = cause;
  return f;
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

}  // namespace

struct WorkflowRun::ActivityOp {
  machines::ActivityState state = machines::ActivityState::kCreated;
  std::string activity_id;
  std::string activity_type;
  int64_t scheduled_event_id = 0;
  Resolver<Payloads> resolver;
  SourceLocation where;
  PendingCommand* command = nullptr;  // while the schedule command is not yet recorded
};

struct WorkflowRun::TimerOp {
  machines::TimerState state = machines::TimerState::kCreated;
  std::string timer_id;
  int64_t started_event_id = 0;
  Resolver<void> resolver;
  SourceLocation where;
  PendingCommand* command = nullptr;
};

struct WorkflowRun::PendingCommand {
  Command command;
  std::function<absl::Status(const HistoryEvent&)> on_recorded;
  SourceLocation where;
  std::string identity;
  bool withdrawn = false;
};

struct WorkflowRun::ConditionWaiter {
  std::function<bool()> condition;
  Resolver<void> resolver;
};

// A history event waiting for the next activation. It points into the history being
// processed; events still pending when ProcessEvents returns are copied (see there), so a
// job never outlives what it points to.
struct WorkflowRun::Job {
  enum class Kind { kSignal, kActivityClosed, kTimerFired };
  Kind kind;
  const HistoryEvent* event;
  ActivityOp* activity = nullptr;
  TimerOp* timer = nullptr;
  bool owned = false;  // `event` points into owned_events_
};

WorkflowRun::WorkflowRun(const Registry* registry, WorkflowInfo info, RunOptions options)
    : registry_(registry),
      info_(std::move(info)),
      options_(std::move(options)),
      context_(this),
      prng_(Fnv1a64(info_.run_id)) {}

WorkflowRun::~WorkflowRun() {
  // Handlers and conditions may refer to the main coroutine's locals: drop them before the
  // coroutine frames go.
  conditions_.clear();
  signal_handlers_.clear();
  query_handlers_.clear();
  handler_tasks_.clear();
  main_.reset();
  // Futures of operations still pending hold each other through their callbacks.
  scheduler_.ReleaseAll();
  commands_.clear();
  activities_.clear();
  timers_.clear();
}

// ---------------------------------------------------------------------------------------
// Event processing

absl::StatusOr<std::optional<ActivationResult>> WorkflowRun::ProcessEvents(const History& history,
                                                                           int first_index,
                                                                           int end_index) {
  std::optional<ActivationResult> activation;
  end_index_ = end_index < 0 ? history.events_size() : std::min(end_index, history.events_size());
  for (int i = first_index; i < end_index_; ++i) {
    if (i % kPrefetchBatch == 0) PrefetchEvents(history, i + kPrefetchDistance, end_index_);
    const HistoryEvent& event = history.events(i);
    if (event.event_id() != last_event_id_ + 1) {
      return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(), " follows event ",
                                                     last_event_id_,
                                                     "; events must be fed in order"));
    }
    absl::Status s = ApplyEvent(history, i, &activation);
    if (!s.ok()) return s;
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

absl::Status WorkflowRun::ApplyEvent(const History& history, int index,
                                     std::optional<ActivationResult>* activation) {
  const HistoryEvent& event = history.events(index);
  switch (event.event_type()) {
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: {
      const auto& a = event.workflow_execution_started_event_attributes();
      input_ = a.input();
      if (info_.workflow_type.empty()) info_.workflow_type = a.workflow_type().name();
      if (info_.task_queue.empty()) info_.task_queue = a.task_queue().name();
      info_.attempt = a.attempt();
      const std::string& seed =
          a.original_execution_run_id().empty() ? info_.run_id : a.original_execution_run_id();
      prng_ = Prng(Fnv1a64(seed));
      return absl::OkStatus();
    }
    case enums::EVENT_TYPE_WORKFLOW_TASK_STARTED: {
      if (index + 1 < end_index_) {
        const auto next = history.events(index + 1).event_type();
        if (next == enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
          ActivationResult replayed;
          return Activate(history, index, /*replaying=*/true, &replayed);
        }
        // A task that failed or timed out left no commands: nothing to replay.
        return absl::OkStatus();
      }
      activation->emplace();
      return Activate(history, index, /*replaying=*/false, &**activation);
    }
    case enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
    case enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
    case enums::EVENT_TYPE_WORKFLOW_TASK_FAILED:
    case enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      return absl::OkStatus();
    case enums::EVENT_TYPE_ACTIVITY_TASK_STARTED:
    case enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
    case enums::EVENT_TYPE_ACTIVITY_TASK_FAILED:
    case enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
    case enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED:
      return ApplyActivityEvent(event);
    case enums::EVENT_TYPE_TIMER_FIRED:
      return ApplyTimerEvent(event);
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: {
      const auto& a = event.workflow_execution_signaled_event_attributes();
      (void)a;
      jobs_.push_back({Job::Kind::kSignal, &event});
      return absl::OkStatus();
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
      // Workflow-level cancellation reaches code with cancellation scopes (not yet built);
      // until then the request is recorded by the service and the code runs on.
      return absl::OkStatus();
    default:
      if (IsCommandEvent(event.event_type())) return MatchCommandEvent(event);
      return absl::UnimplementedError(absl::StrCat("event ", event.event_id(), " (",
                                                   history::EventTypeShortName(event.event_type()),
                                                   ") is not supported by this engine yet"));
  }
}

absl::Status WorkflowRun::Nondeterministic(Nondeterminism n) {
  static constexpr absl::string_view kKinds[] = {"missing command", "extra command",
                                                 "command mismatch", "result mismatch"};
  n.message = absl::StrCat(
      kKinds[static_cast<int>(n.kind)], ": ",
      n.event_id != 0 ? absl::StrCat("event ", n.event_id, " (", n.event_type, "): ") : "",
      "history has ", n.expected.empty() ? "nothing" : n.expected, ", workflow code issued ",
      n.actual.empty() ? "nothing" : n.actual,
      n.where.line() != 0 ? absl::StrCat(" at ", Where(n.where)) : "");
  absl::Status status = absl::FailedPreconditionError(absl::StrCat(
      "nondeterminism in ", info_.workflow_type, " ", info_.workflow_id, ": ", n.message));
  if (!nondeterminism_) nondeterminism_ = std::move(n);
  return status;
}

absl::Status WorkflowRun::MatchCommandEvent(const HistoryEvent& event) {
  while (!commands_.empty() && commands_.front().withdrawn) commands_.pop_front();
  const std::string event_identity = EventIdentity(event);
  if (commands_.empty()) {
    return Nondeterministic({Nondeterminism::Kind::kMissing, event.event_id(),
                             history::EventTypeShortName(event.event_type()), event_identity, "",
                             last_command_where_, ""});
  }
  PendingCommand& pending = commands_.front();
  if (RecordedAs(pending.command.command_type()) != event.event_type() ||
      pending.identity != event_identity) {
    return Nondeterministic({Nondeterminism::Kind::kMismatch, event.event_id(),
                             history::EventTypeShortName(event.event_type()), event_identity,
                             pending.identity, pending.where, ""});
  }
  absl::Status s = pending.on_recorded(event);
  commands_.pop_front();
  return s;
}

absl::Status WorkflowRun::ApplyActivityEvent(const HistoryEvent& event) {
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
    return absl::InvalidArgumentError(absl::StrCat(
        "event ", event.event_id(), " (", history::EventTypeShortName(event.event_type()),
        ") refers to scheduled event ", scheduled, ", which is no activity of this run"));
  }
  ActivityOp* op = it->second;
  absl::Status s = Transit(
      machines::ActivityTransitions(), &op->state, trigger,
      [op] { return absl::StrCat("activity ", op->activity_type, " id=", op->activity_id); },
      machines::ActivityStateName, machines::ActivityTriggerName);
  if (!s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(), ": ", s.message()));
  }
  if (trigger == ActivityTrigger::kStartedRecorded) return absl::OkStatus();
  // The result reaches the code at the next activation, as in Temporal.
  jobs_.push_back({Job::Kind::kActivityClosed, &event, op});
  return absl::OkStatus();
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

absl::Status WorkflowRun::ApplyTimerEvent(const HistoryEvent& event) {
  const int64_t started = event.timer_fired_event_attributes().started_event_id();
  auto it = timer_by_started_id_.find(started);
  if (it == timer_by_started_id_.end()) {
    return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(),
                                                   " (TimerFired) refers to started event ",
                                                   started, ", which is no timer of this run"));
  }
  TimerOp* op = it->second;
  absl::Status s = Transit(
      machines::TimerTransitions(), &op->state, machines::TimerTrigger::kFiredRecorded,
      [op] { return absl::StrCat("timer id=", op->timer_id); }, machines::TimerStateName,
      machines::TimerTriggerName);
  if (!s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(), ": ", s.message()));
  }
  jobs_.push_back({Job::Kind::kTimerFired, &event, nullptr, op});
  return absl::OkStatus();
}

absl::Status WorkflowRun::ExtraCommandsError() {
  for (const PendingCommand& pending : commands_) {
    if (pending.withdrawn) continue;
    return Nondeterministic(
        {Nondeterminism::Kind::kExtra, 0, "", "", pending.identity, pending.where, ""});
  }
  return absl::OkStatus();
}

absl::Status WorkflowRun::CheckAllCommandsRecorded() { return ExtraCommandsError(); }

void WorkflowRun::LookAheadMarkers(const History& history, int from) {
  recorded_side_effects_.clear();
  for (int i = from; i < end_index_; ++i) {
    const HistoryEvent& e = history.events(i);
    if (e.event_type() == enums::EVENT_TYPE_WORKFLOW_TASK_STARTED) break;
    if (e.event_type() != enums::EVENT_TYPE_MARKER_RECORDED) continue;
    const auto& a = e.marker_recorded_event_attributes();
    if (a.marker_name() != machines::kSideEffectMarker) continue;
    auto id_it = a.details().find(std::string(machines::kSideEffectIdKey));
    auto data_it = a.details().find(std::string(machines::kSideEffectDataKey));
    if (id_it == a.details().end() || data_it == a.details().end()) continue;
    auto id = FromPayloads<int64_t>(id_it->second);
    if (!id.ok()) continue;
    recorded_side_effects_[std::get<0>(*id)] = data_it->second;
  }
}

absl::Status WorkflowRun::Activate(const History& history, int index, bool replaying,
                                   ActivationResult* result) {
  if (absl::Status s = ExtraCommandsError(); !s.ok()) return s;
  commands_.clear();
  const HistoryEvent& started = history.events(index);
  now_ = ToTime(started.event_time());
  replaying_ = replaying;
  if (replaying) LookAheadMarkers(history, index + 2);

  if (!main_ && !closed_) {
    const WorkflowFunction* fn = registry_->FindWorkflow(info_.workflow_type);
    if (fn == nullptr) {
      return absl::NotFoundError(absl::StrCat("workflow type \"", info_.workflow_type,
                                              "\" is not registered with this worker"));
    }
    main_.emplace((*fn)(context_, input_));
    main_->Start(&scheduler_);
  }
  // Signals first, in history order, so handlers run before the code they unblock.
  std::vector<Job> jobs = std::move(jobs_);
  jobs_.clear();
  for (const Job& job : jobs) {
    if (job.kind == Job::Kind::kSignal && !closed_) {
      const auto& a = job.event->workflow_execution_signaled_event_attributes();
      DeliverSignal(a.signal_name(), a.input());
    }
  }
  for (const Job& job : jobs) {
    if (job.kind == Job::Kind::kActivityClosed) ResolveActivity(job.activity, *job.event);
    if (job.kind == Job::Kind::kTimerFired) job.timer->resolver.SetValue();
  }
  RunUntilBlocked();
  FinishIfDone();

  if (nondeterminism_) {
    return absl::FailedPreconditionError(absl::StrCat("nondeterminism in ", info_.workflow_type,
                                                      " ", info_.workflow_id, ": ",
                                                      nondeterminism_->message));
  }
  if (task_error_) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(task_error_);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    task_error_ = nullptr;
    if (replaying) {
      return absl::InternalError(
          absl::StrCat("replaying workflow task ", started.event_id(), " of ", info_.workflow_type,
                       " threw, although the recorded task completed: ", what));
    }
    result->task_failed = true;
    result->failure.set_message(what);
    result->failure.set_source("Lockstep");
    result->failure.mutable_application_failure_info()->set_type("CppException");
    return absl::OkStatus();
  }
  if (!replaying) {
    for (const PendingCommand& pending : commands_) {
      if (!pending.withdrawn) result->commands.push_back(pending.command);
    }
  }
  return absl::OkStatus();
}

void WorkflowRun::RunUntilBlocked() {
  while (true) {
    scheduler_.RunUntilBlocked();
    // Collect finished async signal handlers, in the order they started.
    for (auto it = handler_tasks_.begin(); it != handler_tasks_.end();) {
      if (!it->done()) {
        ++it;
        continue;
      }
      if (std::exception_ptr e = it->error(); e && !task_error_) task_error_ = e;
      it = handler_tasks_.erase(it);
    }
    if (task_error_ || nondeterminism_ || (main_ && main_->done())) return;
    // One condition at a time: the first that holds is resolved and the code it unblocks runs
    // before the others are asked again.
    bool progressed = false;
    for (auto it = conditions_.begin(); it != conditions_.end();) {
      if (it->resolver.resolved()) {  // canceled
        it = conditions_.erase(it);
        continue;
      }
      bool holds = false;
      try {
        holds = it->condition();
      } catch (...) {
        task_error_ = std::current_exception();
        return;
      }
      if (holds) {
        Resolver<void> resolver = it->resolver;
        conditions_.erase(it);
        resolver.SetValue();
        progressed = true;
        break;
      }
      ++it;
    }
    if (!progressed) return;
  }
}

void WorkflowRun::FinishIfDone() {
  if (closed_ || !main_ || !main_->done() || nondeterminism_) return;
  Command command;
  if (std::exception_ptr error = main_->error()) {
    try {
      std::rethrow_exception(error);
    } catch (const WorkflowFailure& failure) {
      command.set_command_type(enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION);
      *command.mutable_fail_workflow_execution_command_attributes()->mutable_failure() =
          failure.failure();
    } catch (const NondeterminismAbort&) {
      return;
    } catch (...) {
      if (!task_error_) task_error_ = error;
      return;
    }
  } else {
    command.set_command_type(enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION);
    *command.mutable_complete_workflow_execution_command_attributes()->mutable_result() =
        main_->result();
  }
  const bool failed = command.command_type() == enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION;
  auto state = std::make_shared<machines::CompletionState>(machines::CompletionState::kCreated);
  Payloads result;
  if (!failed) result = command.complete_workflow_execution_command_attributes().result();
  AddCommand(
      std::move(command),
      [this, state, failed, result = std::move(result)](const HistoryEvent& event) {
        auto next = machines::CompletionTransitions().Next(
            *state, machines::CompletionTrigger::kCloseRecorded);
        if (!next) return absl::InternalError("workflow completion recorded twice");
        *state = *next;
        // Same command, different result: not nondeterminism (Temporal does not compare
        // results), but worth telling whoever replays the history.
        const Payloads& recorded = event.workflow_execution_completed_event_attributes().result();
        if (!failed && !google::protobuf::util::MessageDifferencer::Equals(result, recorded)) {
          Nondeterminism n;
          n.kind = Nondeterminism::Kind::kResultMismatch;
          n.event_id = event.event_id();
          n.event_type = "WorkflowExecutionCompleted";
          n.expected = absl::StrCat("result ", history::EventSummaryOfPayloads(recorded));
          n.actual = absl::StrCat("result ", history::EventSummaryOfPayloads(result));
          n.message = absl::StrCat("result mismatch: event ", n.event_id, ": history has ",
                                   n.expected, ", workflow code returned ", n.actual);
          result_mismatch_ = std::move(n);
        }
        return absl::OkStatus();
      },
      {}, failed ? "fail workflow" : "complete workflow");
  closed_ = true;
  // The main coroutine's locals are gone: nothing that may refer to them runs again.
  conditions_.clear();
  signal_handlers_.clear();
  buffered_signals_.clear();
}

WorkflowRun::PendingCommand* WorkflowRun::AddCommand(
    Command command, std::function<absl::Status(const HistoryEvent&)> on_recorded,
    SourceLocation where, std::string identity) {
  if (where.line() != 0) last_command_where_ = where;
  commands_.push_back(
      {std::move(command), std::move(on_recorded), where, std::move(identity), false});
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

Future<Payloads> WorkflowRun::ScheduleActivity(const std::string& type,
                                               const ActivityOptions& options, Payloads input,
                                               SourceLocation where) {
  CheckMayIssueCommand(absl::StrCat("ExecuteActivity(\"", type, "\")"), where);
  if (options.start_to_close_timeout <= absl::ZeroDuration() &&
      options.schedule_to_close_timeout <= absl::ZeroDuration()) {
    throw std::invalid_argument(
        absl::StrCat("ExecuteActivity(\"", type, "\") at ", Where(where),
                     ": set start_to_close_timeout or schedule_to_close_timeout"));
  }
  const int64_t seq = next_activity_seq_++;
  ActivityOp& op = activities_.emplace_back();
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
    auto* p = a->mutable_retry_policy();
    const RetryPolicy& r = options.retry_policy;
    if (r.initial_interval > absl::ZeroDuration()) {
      SetDuration(r.initial_interval, p->mutable_initial_interval());
    }
    p->set_backoff_coefficient(r.backoff_coefficient);
    if (r.maximum_interval > absl::ZeroDuration()) {
      SetDuration(r.maximum_interval, p->mutable_maximum_interval());
    }
    p->set_maximum_attempts(r.maximum_attempts);
    for (absl::string_view t : r.non_retryable_error_types) {
      if (!t.empty()) p->add_non_retryable_error_types(std::string(t));
    }
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
        return Transit(
            machines::ActivityTransitions(), &op_ptr->state,
            machines::ActivityTrigger::kScheduleRecorded,
            [op_ptr] {
              return absl::StrCat("activity ", op_ptr->activity_type, " id=", op_ptr->activity_id);
            },
            machines::ActivityStateName, machines::ActivityTriggerName);
      },
      where, absl::StrCat("activity ", type, " id=", op.activity_id));
  future.SetCanceler([this, op_ptr, where] {
    using machines::ActivityState;
    CheckMayIssueCommand("Cancel() on an activity", where);
    const ActivityState before = op_ptr->state;
    if (before == ActivityState::kCreated) {
      op_ptr->command->withdrawn = true;
      op_ptr->command = nullptr;
    } else if (before == ActivityState::kScheduled || before == ActivityState::kStarted) {
      Command cancel;
      cancel.set_command_type(enums::COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK);
      cancel.mutable_request_cancel_activity_task_command_attributes()->set_scheduled_event_id(
          op_ptr->scheduled_event_id);
      AddCommand(
          std::move(cancel),
          [op_ptr](const HistoryEvent&) {
            return Transit(
                machines::ActivityTransitions(), &op_ptr->state,
                machines::ActivityTrigger::kCancelRecorded,
                [op_ptr] {
                  return absl::StrCat("activity ", op_ptr->activity_type,
                                      " id=", op_ptr->activity_id);
                },
                machines::ActivityStateName, machines::ActivityTriggerName);
          },
          where, absl::StrCat("cancel activity scheduled=", op_ptr->scheduled_event_id));
    } else {
      return;  // already closed or being canceled
    }
    (void)Transit(
        machines::ActivityTransitions(), &op_ptr->state, machines::ActivityTrigger::kCancelByCode,
        [] { return "activity"; }, machines::ActivityStateName, machines::ActivityTriggerName);
    op_ptr->resolver.SetError(std::make_exception_ptr(CanceledFailure("activity canceled")));
  });
  return future;
}

Future<void> WorkflowRun::StartTimer(absl::Duration duration, SourceLocation where) {
  CheckMayIssueCommand("Sleep/StartTimer", where);
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
        return Transit(
            machines::TimerTransitions(), &op_ptr->state, machines::TimerTrigger::kStartedRecorded,
            [op_ptr] { return absl::StrCat("timer id=", op_ptr->timer_id); },
            machines::TimerStateName, machines::TimerTriggerName);
      },
      where, absl::StrCat("timer id=", op.timer_id));
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
            return Transit(
                machines::TimerTransitions(), &op_ptr->state,
                machines::TimerTrigger::kCanceledRecorded,
                [op_ptr] { return absl::StrCat("timer id=", op_ptr->timer_id); },
                machines::TimerStateName, machines::TimerTriggerName);
          },
          where, absl::StrCat("cancel timer id=", op_ptr->timer_id));
    } else {
      return;
    }
    (void)Transit(
        machines::TimerTransitions(), &op_ptr->state, machines::TimerTrigger::kCancelByCode,
        [] { return "timer"; }, machines::TimerStateName, machines::TimerTriggerName);
    op_ptr->resolver.SetError(std::make_exception_ptr(CanceledFailure("timer canceled")));
  });
  return future;
}

Future<void> WorkflowRun::AddCondition(std::function<bool()> condition) {
  auto [future, resolver] = Future<void>::Make(&scheduler_);
  conditions_.push_back({std::move(condition), resolver});
  // Canceling a wait removes it: its condition may refer to a scope that is ending.
  future.SetCanceler([resolver = resolver]() mutable {
    resolver.SetError(std::make_exception_ptr(CanceledFailure("wait canceled")));
  });
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
  for (const Payloads& input : mine) StartHandler(signal_handlers_[name], input);
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
  StartHandler(it->second, input);
}

void WorkflowRun::StartHandler(std::function<Task<void>(const Payloads&)>& handler,
                               const Payloads& input) {
  try {
    Task<void> task = handler(input);
    if (task.valid()) {
      handler_tasks_.push_back(std::move(task));
      handler_tasks_.back().Start(&scheduler_);
    }
  } catch (...) {
    if (!task_error_) task_error_ = std::current_exception();
  }
}

Payloads WorkflowRun::RecordSideEffect(const std::function<Payloads()>& fn, SourceLocation where) {
  CheckMayIssueCommand("SideEffect", where);
  const int64_t id = next_side_effect_id_++;
  Payloads value;
  if (replaying_) {
    auto it = recorded_side_effects_.find(id);
    if (it == recorded_side_effects_.end()) {
      (void)Nondeterministic({Nondeterminism::Kind::kExtra, 0, "", "",
                              absl::StrCat("marker SideEffect #", id), where, ""});
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
      [state](const HistoryEvent&) {
        auto next = machines::RecordTransitions().Next(*state, machines::RecordTrigger::kRecorded);
        if (!next) return absl::InternalError("side effect recorded twice");
        *state = *next;
        return absl::OkStatus();
      },
      where, std::string("marker SideEffect"));
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
  } catch (const std::exception& e) {
    in_query_ = false;
    return absl::InvalidArgumentError(absl::StrCat("query \"", name, "\" threw: ", e.what()));
  }
  in_query_ = false;
  if (!google::protobuf::util::MessageDifferencer::Equals(first, second)) {
    return absl::FailedPreconditionError(
        absl::StrCat("query \"", name,
                     "\" changed workflow state: asked twice in a row it answered "
                     "differently; query handlers must only read"));
  }
  return first;
}

// ---------------------------------------------------------------------------------------
// WorkflowContext

const WorkflowInfo& WorkflowContext::info() const { return run_->info_; }

Future<Payloads> WorkflowContext::ScheduleActivity(const std::string& type,
                                                   const ActivityOptions& options, Payloads input,
                                                   SourceLocation where) {
  return run_->ScheduleActivity(type, options, std::move(input), where);
}

Future<void> WorkflowContext::Sleep(absl::Duration duration, SourceLocation where) {
  return run_->StartTimer(duration, where);
}

Future<void> WorkflowContext::WaitCondition(std::function<bool()> condition) {
  return run_->AddCondition(std::move(condition));
}

Future<bool> WorkflowContext::WaitCondition(std::function<bool()> condition, absl::Duration timeout,
                                            SourceLocation where) {
  Future<void> met = run_->AddCondition(std::move(condition));
  Future<void> timer = run_->StartTimer(timeout, where);
  auto [result, resolver] = Future<bool>::Make(met.scheduler());
  met.OnReady([met, timer, resolver = resolver]() mutable {
    if (met.failed()) return;  // canceled because the timer fired first
    timer.Cancel();
    resolver.SetValue(true);
  });
  timer.OnReady([timer, met, resolver = resolver]() mutable {
    if (timer.failed()) return;  // canceled because the condition held
    met.Cancel();
    resolver.SetValue(false);
  });
  return result;
}

void WorkflowContext::SetRawSignalHandler(std::string name,
                                          std::function<Task<void>(const Payloads&)> handler) {
  run_->SetSignalHandler(std::move(name), std::move(handler));
}

void WorkflowContext::SetRawQueryHandler(std::string name,
                                         std::function<Payloads(const Payloads&)> handler) {
  run_->SetQueryHandler(std::move(name), std::move(handler));
}

Payloads WorkflowContext::RecordSideEffect(const std::function<Payloads()>& fn,
                                           SourceLocation where) {
  return run_->RecordSideEffect(fn, where);
}

absl::Time WorkflowContext::Now() const { return run_->now_; }

uint64_t WorkflowContext::Random() { return run_->prng_.Next(); }

std::string WorkflowContext::NewUuid() {
  const uint64_t hi = (Random() & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  const uint64_t lo = (Random() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

bool WorkflowContext::IsReplaying() const { return run_->replaying_; }

void WorkflowContext::Log(absl::string_view message) {
  if (run_->replaying_ || !run_->options_.log_sink) return;
  run_->options_.log_sink(std::string(message));
}

}  // namespace lockstep
