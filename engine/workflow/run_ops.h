// The per-operation state of a WorkflowRun (one struct per kind of command it issues),
// shared by the files that implement the run. Internal to engine/workflow.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_RUN_OPS_H_
#define LOCKSTEP_ENGINE_WORKFLOW_RUN_OPS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/workflow/workflow_run.h"
#include "temporal/api/protocol/v1/message.pb.h"
#include "temporal/api/update/v1/message.pb.h"

namespace lockstep {

struct WorkflowRun::ActivityOp {
  machines::ActivityState state = machines::ActivityState::kCreated;
  ActivityCancellationType cancellation_type = ActivityCancellationType::kTryCancel;
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

struct WorkflowRun::ChildOp {
  machines::ChildState state = machines::ChildState::kCreated;
  ChildWorkflowCancellationType cancellation_type =
      ChildWorkflowCancellationType::kWaitCancellationCompleted;
  std::string workflow_id;
  // The run chose the id (the code gave none): in another SDK's history, where ids are not
  // compared, the recorded one is adopted (WorkflowRun::AdoptedChildId).
  bool id_generated = false;
  std::string workflow_type;
  std::string run_id;  // once started
  int64_t initiated_event_id = 0;
  int64_t started_event_id = 0;
  bool cancel_on_start = false;  // canceled between initiation and start
  Resolver<ChildExecution> started;
  Resolver<Payloads> result;
  SourceLocation where;
  PendingCommand* command = nullptr;
};

struct WorkflowRun::LocalActivityOp {
  machines::LocalActivityState state = machines::LocalActivityState::kCreated;
  std::string activity_id;
  // Its number in one sequence with the activities, as sdk-core numbers local activities:
  // how its marker is found in histories of the SDKs built on sdk-core.
  int64_t shared_seq = 0;
  std::string activity_type;
  Payloads input;
  LocalActivityOptions options;
  Resolver<Payloads> resolver;
  SourceLocation where;
};

// A signal to, or a cancellation request for, another workflow.
struct WorkflowRun::ExternalOp {
  machines::ExternalState state = machines::ExternalState::kCreated;
  OwnedCommandKey key;  // the request's command, for messages
  int64_t initiated_event_id = 0;
  Resolver<void> resolver;
  PendingCommand* command = nullptr;
};

struct WorkflowRun::PendingCommand {
  temporal::api::command::v1::Command command;
  std::function<RunStatus(const temporal::api::history::v1::HistoryEvent&)> on_recorded;
  SourceLocation where;
  // What it is matched with its event by; its kind says which event type it is recorded as.
  OwnedCommandKey key;
  bool withdrawn = false;
  // Update protocol commands (PROTOCOL_MESSAGE) carry their message; their position among
  // commands is not compared (see MatchCommandEvent).
  std::optional<temporal::api::protocol::v1::Message> message;
};

// An update request, as delivered with a workflow task or as recorded in its acceptance.
struct WorkflowRun::UpdateRequest {
  temporal::api::update::v1::Request request;
  std::string message_id;
  int64_t sequencing_event_id = 0;
};

struct WorkflowRun::UpdateHandler {
  std::function<Task<Payloads>(const Payloads&)> run;
  std::function<void(const Payloads&)> validate;
};

struct WorkflowRun::ConditionWaiter {
  std::function<bool()> condition;
  Resolver<void> resolver;
};

// A history event waiting for the next activation. It points into the history being
// processed; events still pending when ProcessEvents returns are copied (see there), so a
// job never outlives what it points to.
struct WorkflowRun::Job {
  // kResolve: `resolve` applies the event (the less frequent kinds of operation).
  enum class Kind { kSignal, kActivityClosed, kTimerFired, kCancelRequested, kResolve };
  Kind kind;
  const temporal::api::history::v1::HistoryEvent* event;
  ActivityOp* activity = nullptr;
  TimerOp* timer = nullptr;
  bool owned = false;  // `event` points into owned_events_
  std::function<void(const temporal::api::history::v1::HistoryEvent&)> resolve = nullptr;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_RUN_OPS_H_
