// Service: workflow tasks — scheduling, dispatch to the WorkflowTaskHandler, completion,
// failure, timeout, and Temporal's transient retry attempts.
//
// Temporal (service/history/workflow/workflow_task_state_machine.go): a failed or timed-out
// attempt 1 writes WorkflowTaskFailed / WorkflowTaskTimedOut; later attempts are transient —
// their WorkflowTaskScheduled/Started events are given to the worker but written only if the
// attempt completes, and their failures write nothing. A transient task that sees new events
// by the time it starts becomes a normal attempt-1 task.
#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "engine/core/proto_time.h"
#include "engine/history/utf8_fields.h"
#include "engine/service/command_checker.h"
#include "engine/service/failures.h"
#include "engine/service/service.h"
#include "google/protobuf/arena.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using Phase = service::WorkflowTaskState::Phase;

// Marks the service's task arena block in use for a scope.
class ArenaUse {
 public:
  ArenaUse(bool* in_use, bool take) : in_use_(take ? in_use : nullptr) {
    if (in_use_ != nullptr) *in_use_ = true;
  }
  ~ArenaUse() {
    if (in_use_ != nullptr) *in_use_ = false;
  }
  ArenaUse(const ArenaUse&) = delete;
  ArenaUse& operator=(const ArenaUse&) = delete;

 private:
  bool* in_use_;
};

}  // namespace

absl::Duration Service::WorkflowTaskRetryDelay(int32_t attempt) const {
  const absl::Duration initial = options_.workflow_task_retry_initial_interval;
  if (attempt <= 2 || initial <= absl::ZeroDuration()) return absl::ZeroDuration();
  const absl::Duration maximum = options_.workflow_task_retry_maximum_interval;
  absl::Duration delay = initial;
  for (int32_t i = 3; i < attempt && delay < maximum; ++i) delay *= 2;
  return std::min(delay, maximum);
}

void Service::ScheduleWorkflowTask(RunState& run) {
  if (!run.running() || run.task.phase != Phase::kNone || run.awaiting_start_backoff ||
      run.recording_commands) {
    return;
  }
  if (!run.buffered.empty()) {
    // New events make the next task a normal attempt-1 task (AddWorkflowTaskScheduledEvent-
    // AsHeartbeat flushes the buffer first).
    FlushBuffered(run);
    run.next_task_attempt = 1;
  }
  service::WorkflowTaskState& task = run.task;
  task = {};
  task.phase = Phase::kScheduled;
  task.attempt = run.next_task_attempt;
  task.timeout = run.task_timeout;
  task.scheduled_time = Now();
  task.transient = task.attempt > 1;
  absl::Duration delay = absl::ZeroDuration();
  if (task.transient) {
    task.scheduled_event_id = NextEventId(run);
    task.transient_history_length = run.history.size();
    delay = WorkflowTaskRetryDelay(task.attempt);
  } else {
    auto* a = Append(run, enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
                  ->mutable_workflow_task_scheduled_event_attributes();
    a->mutable_task_queue()->set_name(run.task_queue);
    a->mutable_task_queue()->set_kind(enums::TASK_QUEUE_KIND_NORMAL);
    SetProtoDuration(task.timeout, a->mutable_start_to_close_timeout());
    a->set_attempt(task.attempt);
    task.scheduled_event_id = run.history.size();
  }
  DueItem item;
  item.kind = service::DueKind::kWorkflowTaskDispatch;
  item.run = run.index;
  task.dispatch_key = Schedule(&workflow_dispatch_, Now() + delay, std::move(item));
}

void Service::WriteTransientTaskEvents(RunState& run, temporal::api::history::v1::History* copy) {
  const service::WorkflowTaskState& task = run.task;
  HistoryEvent scheduled = NewEvent(enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
  SetProtoTime(task.scheduled_time, scheduled.mutable_event_time());
  auto* s = scheduled.mutable_workflow_task_scheduled_event_attributes();
  s->mutable_task_queue()->set_name(run.task_queue);
  s->mutable_task_queue()->set_kind(enums::TASK_QUEUE_KIND_NORMAL);
  SetProtoDuration(task.timeout, s->mutable_start_to_close_timeout());
  s->set_attempt(task.attempt);
  HistoryEvent started = NewEvent(enums::EVENT_TYPE_WORKFLOW_TASK_STARTED);
  SetProtoTime(task.started_time, started.mutable_event_time());
  auto* t = started.mutable_workflow_task_started_event_attributes();
  t->set_scheduled_event_id(task.scheduled_event_id);
  t->set_identity(options_.worker_identity);
  t->set_request_id(task.request_id);
  // The stored history's size (Temporal counts persisted events; transient ones are not).
  t->set_history_size_bytes(HistoryBytes(run));
  if (copy == nullptr) {
    AppendEvent(run, std::move(scheduled));
    AppendEvent(run, std::move(started));
    return;
  }
  // The worker's copy: ids as they will be if the attempt completes; no task ids yet.
  scheduled.set_event_id(copy->events_size() + 1);
  started.set_event_id(copy->events_size() + 2);
  *copy->add_events() = std::move(scheduled);
  *copy->add_events() = std::move(started);
}

void Service::DispatchWorkflowTask(RunState& run) {
  service::WorkflowTaskState& task = run.task;
  if (!run.running() || task.phase != Phase::kScheduled) return;
  const absl::Time now = Now();
  if (task.transient && run.history.size() != task.transient_history_length) {
    // New events arrived while the retry waited: it becomes a normal attempt-1 task.
    task.transient = false;
    task.attempt = 1;
    run.next_task_attempt = 1;
    task.scheduled_time = now;
    auto* a = Append(run, enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
                  ->mutable_workflow_task_scheduled_event_attributes();
    a->mutable_task_queue()->set_name(run.task_queue);
    a->mutable_task_queue()->set_kind(enums::TASK_QUEUE_KIND_NORMAL);
    SetProtoDuration(task.timeout, a->mutable_start_to_close_timeout());
    a->set_attempt(1);
    task.scheduled_event_id = run.history.size();
  }
  task.phase = Phase::kStarted;
  task.started_time = now;
  task.request_id = NextRequestId();
  // What the worker reads: the events after the last completed task's started event, all a
  // cached worker needs, and, when it asks, the whole history decoded. A transient attempt
  // gets a copy with the two transient events added (a worker's run is evicted after a failed
  // task, so it reads the whole copy anyway), made on the arena below.
  // The recent events are decoded for this task only, on an arena (one allocation for them
  // all, freed at once when the task returns); its first block is the service's own unless a
  // task dispatched from inside a handler is using it.
  std::optional<google::protobuf::Arena> arena;
  std::optional<ArenaUse> arena_use;
  auto task_arena = [&]() -> google::protobuf::Arena* {
    if (!arena.has_value()) {
      google::protobuf::ArenaOptions arena_options;
      if (!task_arena_in_use_) {
        if (task_arena_block_ == nullptr) {
          task_arena_block_ = std::make_unique_for_overwrite<char[]>(kTaskArenaBlockSize);
        }
        arena_options.initial_block = task_arena_block_.get();
        arena_options.initial_block_size = kTaskArenaBlockSize;
      }
      arena.emplace(arena_options);
      arena_use.emplace(&task_arena_in_use_, arena_options.initial_block != nullptr);
    }
    return &*arena;
  };
  absl::Status decoded_status;
  bool whole_read = false;
  temporal::api::history::v1::History* transient_copy = nullptr;
  if (task.transient) {
    transient_copy =
        google::protobuf::Arena::CreateMessage<temporal::api::history::v1::History>(task_arena());
    decoded_status = run.history.Materialize();
    if (decoded_status.ok()) {
      // The copy shares the run's decoded events instead of copying them: it lives on the
      // task arena, which never deletes a message it holds, and it is gone when the task
      // returns, while the run's events stay where they are until a Trim or a release, which
      // happen only when the outermost step ends (EndStep), after the handler. Only the two
      // transient events are the copy's own.
      const auto& events = run.history.decoded().events();
      auto* shared = transient_copy->mutable_events();
      shared->Reserve(events.size() + 2);
      for (const HistoryEvent& event : events) {
        shared->UnsafeArenaAddAllocated(const_cast<HistoryEvent*>(&event));
      }
    }
    WriteTransientTaskEvents(run, transient_copy);
    task.started_event_id = task.scheduled_event_id + 1;
  } else {
    const int64_t history_bytes = HistoryBytes(run);  // before the started event
    auto* a = Append(run, enums::EVENT_TYPE_WORKFLOW_TASK_STARTED)
                  ->mutable_workflow_task_started_event_attributes();
    a->set_scheduled_event_id(task.scheduled_event_id);
    a->set_identity(options_.worker_identity);
    a->set_request_id(task.request_id);
    a->set_history_size_bytes(history_bytes);
    task.started_event_id = run.history.size();
  }
  DueItem timeout;
  timeout.kind = service::DueKind::kWorkflowTaskTimeout;
  timeout.run = run.index;
  task.timeout_key = Schedule(&timers_, now + task.timeout, std::move(timeout));

  WorkflowTaskRequest request;
  request.namespace_name = options_.namespace_name;
  request.workflow_id = run.workflow_id;
  request.run_id = run.run_id;
  const bool transient = task.transient;
  if (transient) {
    request.recent = transient_copy;
    request.history = TaskHistory(transient_copy, decoded_status);
  } else {
    run.history.Seal();
    const int previous = static_cast<int>(run.last_completed_started_event_id);
    if (run.history.decoded_first() <= previous) {
      // Decoded already (kept for a worker that replays every task, or a run this short).
      request.recent = &run.history.decoded();
      request.recent_first_index = run.history.decoded_first();
    } else {
      auto* recent =
          google::protobuf::Arena::CreateMessage<temporal::api::history::v1::History>(task_arena());
      if (run.history.DecodeRange(previous, recent).ok()) {
        request.recent = recent;
        request.recent_first_index = previous;
      }
    }
    request.history = TaskHistory(
        [&run, &whole_read]() -> absl::StatusOr<const temporal::api::history::v1::History*> {
          whole_read = true;
          if (absl::Status s = run.history.Materialize(); !s.ok()) return HistoryError(run, s);
          return &run.history.decoded();
        });
  }
  request.previous_started_event_id = run.last_completed_started_event_id;
  request.attempt = task.attempt;
  AddUpdateRequests(run, task.started_event_id, &request);
  WorkflowTaskPlan plan = env_->PlanWorkflowTask(request);
  if (plan.lose) return;
  if (plan.fail) {
    EvictFromWorker(run);
    Failure failure;
    failure.set_message(plan.failure_message.empty()
                            ? "workflow task failed by the service environment"
                            : plan.failure_message);
    failure.set_source("Lockstep");
    failure.mutable_application_failure_info()->set_type("InjectedTaskFailure");
    FailWorkflowTask(run, enums::WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE,
                     failure);
    return;
  }

  task.handler_called = true;
  const std::string request_id = task.request_id;
  WorkflowTaskResponse response = workflows_->HandleWorkflowTask(request);
  // A full replay will likely come again (a test environment evicting after every task): keep
  // the history decoded for it. A task served from the worker's cache lets it go.
  run.keep_decoded = whole_read || transient;
  // The handler may have called back into the service (terminating this run, say).
  if (!run.running() || run.task.phase != Phase::kStarted || run.task.request_id != request_id) {
    return;
  }
  const absl::Duration latency = plan.latency;
  if (latency <= absl::ZeroDuration()) {
    ApplyWorkflowTaskResponse(run, response);
    return;
  }
  run.task.response = std::move(response);
  DueItem arrival;
  arrival.kind = service::DueKind::kWorkflowTaskResponse;
  arrival.run = run.index;
  run.task.response_key = Schedule(&timers_, now + latency, std::move(arrival));
}

void Service::OnWorkflowTaskResponse(RunState& run) {
  if (!run.running() || run.task.phase != Phase::kStarted || !run.task.response.has_value()) {
    return;
  }
  WorkflowTaskResponse response = std::move(*run.task.response);
  run.task.response.reset();
  ApplyWorkflowTaskResponse(run, response);
}

void Service::ApplyWorkflowTaskResponse(RunState& run, WorkflowTaskResponse& response) {
  if (response.failed) {
    if (history::FindInvalidUtf8(response.failure)) {
      // Not storable (utf8_fields.h): Temporal's server refuses the request it arrives in.
      DiscardWorkflowTaskResponse(run);
      return;
    }
    // RespondWorkflowTaskFailed. An SDK that gives no cause failed on its own code.
    const enums::WorkflowTaskFailedCause cause =
        response.failed_cause == enums::WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED
            ? enums::WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE
            : response.failed_cause;
    FailWorkflowTask(run, cause, response.failure);
    return;
  }
  CompleteWorkflowTask(run, response);
}

void Service::DiscardWorkflowTaskResponse(RunState& run) {
  // The completion RPC failed: nothing is written, the started task times out later, and the
  // worker, whose cached state ran ahead, drops it (once: the timeout need not evict again).
  EvictFromWorker(run);
  run.task.handler_called = false;
}

void Service::CompleteWorkflowTask(RunState& run, WorkflowTaskResponse& response) {
  service::WorkflowTaskState& task = run.task;
  std::vector<Command>& commands = response.commands;
  const auto& messages = response.messages;
  const int64_t completed_id = task.transient ? task.started_event_id + 1 : NextEventId(run);
  const service::CommandVerdict verdict = service::CheckCommands(
      run, commands, messages, completed_id + 1, options_.apply_default_activity_retry_policy);
  using Kind = service::CommandVerdict::Kind;
  if (verdict.kind == Kind::kReject ||
      (verdict.kind == Kind::kFailTask && task.transient &&
       verdict.cause != enums::WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND)) {
    // Temporal drops a failing transient completion rather than failing it again
    // (respondworkflowtaskcompleted/api.go): the attempt times out.
    DiscardWorkflowTaskResponse(run);
    return;
  }
  if (verdict.kind == Kind::kFailTask) {
    EvictFromWorker(run);
    FailWorkflowTask(run, verdict.cause, service::ServerFailure(verdict.message, false));
    return;
  }

  timers_.Remove(&task.timeout_key);
  timers_.Remove(&task.response_key);
  if (task.transient) WriteTransientTaskEvents(run, nullptr);
  auto* a = Append(run, enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
                ->mutable_workflow_task_completed_event_attributes();
  a->set_scheduled_event_id(task.scheduled_event_id);
  a->set_started_event_id(task.started_event_id);
  a->set_identity(options_.worker_identity);
  if (!response.sdk_metadata.sdk_name().empty()) *a->mutable_sdk_metadata() = response.sdk_metadata;
  run.completed_any_task = true;
  run.last_completed_started_event_id = task.started_event_id;
  run.next_task_attempt = 1;
  task = {};  // from here on events are written, not buffered

  bool needs_new_task = false;
  run.recording_commands = true;
  // A PROTOCOL_MESSAGE command places the update message it names; the messages no command
  // names follow the last command, in order (workflow_task_completed_handler.go handleCommands).
  std::vector<bool> taken(messages.size(), false);
  for (Command& command : commands) {
    if (command.command_type() == enums::COMMAND_TYPE_PROTOCOL_MESSAGE) {
      const std::string& id = command.protocol_message_command_attributes().message_id();
      for (size_t i = 0; i < messages.size(); ++i) {
        if (taken[i] || messages[i].id() != id) continue;
        taken[i] = true;
        ApplyUpdateMessage(run, messages[i]);
        break;
      }
      continue;
    }
    ApplyCommand(run, command, completed_id, &needs_new_task);
    if (!run.running()) break;  // a close command is always the last
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    if (!taken[i]) ApplyUpdateMessage(run, messages[i]);
  }
  run.recording_commands = false;
  if (!run.running()) return;
  RejectUnprocessedUpdates(run);
  const bool had_buffered = !run.buffered.empty();
  FlushBuffered(run);
  // Updates admitted while the task was out go with a new task (Temporal: a speculative one).
  if (had_buffered || needs_new_task || HasUndeliveredUpdates(run)) ScheduleWorkflowTask(run);
}

service::WorkflowTaskState Service::EndTaskAsFailed(RunState& run,
                                                    enums::WorkflowTaskFailedCause cause,
                                                    const Failure* failure,
                                                    absl::string_view identity) {
  const service::WorkflowTaskState task = run.task;
  timers_.Remove(&run.task.timeout_key);
  timers_.Remove(&run.task.response_key);
  run.task = {};
  if (!task.transient) {
    auto* a = Append(run, enums::EVENT_TYPE_WORKFLOW_TASK_FAILED)
                  ->mutable_workflow_task_failed_event_attributes();
    a->set_scheduled_event_id(task.scheduled_event_id);
    a->set_started_event_id(task.started_event_id);
    a->set_cause(cause);
    if (failure != nullptr) *a->mutable_failure() = *failure;
    a->set_identity(std::string(identity));
  }
  return task;
}

void Service::FailWorkflowTask(RunState& run, enums::WorkflowTaskFailedCause cause,
                               const Failure& failure) {
  const service::WorkflowTaskState task =
      EndTaskAsFailed(run, cause, &failure, options_.worker_identity);
  run.next_task_attempt = task.attempt + 1;
  ScheduleWorkflowTask(run);
}

void Service::OnWorkflowTaskTimeout(RunState& run) {
  if (!run.running() || run.task.phase != Phase::kStarted) return;
  const service::WorkflowTaskState task = run.task;
  timers_.Remove(&run.task.response_key);  // a late answer is refused
  run.task = {};
  if (task.handler_called) EvictFromWorker(run);
  if (!task.transient) {
    auto* a = Append(run, enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT)
                  ->mutable_workflow_task_timed_out_event_attributes();
    a->set_scheduled_event_id(task.scheduled_event_id);
    a->set_started_event_id(task.started_event_id);
    a->set_timeout_type(enums::TIMEOUT_TYPE_START_TO_CLOSE);
  }
  run.next_task_attempt = task.attempt + 1;
  ScheduleWorkflowTask(run);
}

}  // namespace lockstep
