// Scripted workers and command builders for the service tests.
//
// ScriptedWorkflows answers each workflow task with the next canned response (or asks a
// function); ScriptedActivities runs each activity type by a rule (fail N times, then succeed).
// Both record what they were asked, so tests can check what a worker would have seen.
#ifndef LOCKSTEP_TESTS_ENGINE_SERVICE_FAKE_HANDLERS_H_
#define LOCKSTEP_TESTS_ENGINE_SERVICE_FAKE_HANDLERS_H_

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/history/event_types.h"
#include "engine/history/history_builder.h"
#include "engine/core/proto_time.h"
#include "engine/core/task_handlers.h"
#include "temporal/api/update/v1/message.pb.h"

namespace lockstep::testing {

namespace enums = temporal::api::enums::v1;
using temporal::api::command::v1::Command;
using temporal::api::common::v1::Payloads;
using temporal::api::failure::v1::Failure;
using temporal::api::history::v1::History;

inline Payloads Json(absl::string_view json) {
  Payloads p;
  *p.add_payloads() = history::JsonPayload(json);
  return p;
}

inline std::vector<std::string> EventTypes(const History& history) {
  std::vector<std::string> out;
  for (const auto& e : history.events()) out.push_back(history::EventTypeShortName(e.event_type()));
  return out;
}

inline Failure ApplicationFailure(std::string message, std::string type = "",
                                  bool non_retryable = false) {
  Failure f;
  f.set_message(std::move(message));
  f.set_source("GoSDK");
  f.mutable_application_failure_info()->set_type(std::move(type));
  f.mutable_application_failure_info()->set_non_retryable(non_retryable);
  return f;
}

// --- Commands ------------------------------------------------------------------------------

struct ActivityCommandOptions {
  absl::Duration schedule_to_close = absl::ZeroDuration();
  absl::Duration schedule_to_start = absl::ZeroDuration();
  absl::Duration start_to_close = absl::Seconds(60);
  absl::Duration heartbeat = absl::ZeroDuration();
  std::optional<temporal::api::common::v1::RetryPolicy> retry_policy;
  std::string task_queue;  // empty: the workflow's
};

inline temporal::api::common::v1::RetryPolicy Policy(absl::Duration initial, double coefficient,
                                                     absl::Duration maximum, int32_t attempts,
                                                     std::vector<std::string> non_retryable = {}) {
  temporal::api::common::v1::RetryPolicy p;
  SetProtoDuration(initial, p.mutable_initial_interval());
  p.set_backoff_coefficient(coefficient);
  SetProtoDuration(maximum, p.mutable_maximum_interval());
  p.set_maximum_attempts(attempts);
  for (auto& t : non_retryable) p.add_non_retryable_error_types(std::move(t));
  return p;
}

inline Command ScheduleActivity(std::string id, std::string type,
                                const ActivityCommandOptions& o = {}, Payloads input = {}) {
  Command c;
  c.set_command_type(enums::COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK);
  auto* a = c.mutable_schedule_activity_task_command_attributes();
  a->set_activity_id(std::move(id));
  a->mutable_activity_type()->set_name(std::move(type));
  *a->mutable_input() = std::move(input);
  SetProtoDuration(o.schedule_to_close, a->mutable_schedule_to_close_timeout());
  SetProtoDuration(o.schedule_to_start, a->mutable_schedule_to_start_timeout());
  SetProtoDuration(o.start_to_close, a->mutable_start_to_close_timeout());
  SetProtoDuration(o.heartbeat, a->mutable_heartbeat_timeout());
  if (o.retry_policy.has_value()) *a->mutable_retry_policy() = *o.retry_policy;
  if (!o.task_queue.empty()) a->mutable_task_queue()->set_name(o.task_queue);
  return c;
}

inline Command RequestCancelActivity(int64_t scheduled_event_id) {
  Command c;
  c.set_command_type(enums::COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK);
  c.mutable_request_cancel_activity_task_command_attributes()->set_scheduled_event_id(
      scheduled_event_id);
  return c;
}

inline Command StartTimer(std::string id, absl::Duration d) {
  Command c;
  c.set_command_type(enums::COMMAND_TYPE_START_TIMER);
  c.mutable_start_timer_command_attributes()->set_timer_id(std::move(id));
  SetProtoDuration(
      d, c.mutable_start_timer_command_attributes()->mutable_start_to_fire_timeout());
  return c;
}

inline Command CancelTimer(std::string id) {
  Command c;
  c.set_command_type(enums::COMMAND_TYPE_CANCEL_TIMER);
  c.mutable_cancel_timer_command_attributes()->set_timer_id(std::move(id));
  return c;
}

inline Command RecordMarker(std::string name) {
  Command c;
  c.set_command_type(enums::COMMAND_TYPE_RECORD_MARKER);
  c.mutable_record_marker_command_attributes()->set_marker_name(std::move(name));
  return c;
}

inline Command CompleteWorkflow(absl::string_view result_json = "") {
  Command c;
  c.set_command_type(enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION);
  if (!result_json.empty()) {
    *c.mutable_complete_workflow_execution_command_attributes()->mutable_result() =
        Json(result_json);
  } else {
    c.mutable_complete_workflow_execution_command_attributes();
  }
  return c;
}

inline Command FailWorkflow(Failure failure) {
  Command c;
  c.set_command_type(enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION);
  *c.mutable_fail_workflow_execution_command_attributes()->mutable_failure() = std::move(failure);
  return c;
}

inline Command CancelWorkflow() {
  Command c;
  c.set_command_type(enums::COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION);
  c.mutable_cancel_workflow_execution_command_attributes();
  return c;
}

inline Command ContinueAsNew(Payloads input) {
  Command c;
  c.set_command_type(enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION);
  *c.mutable_continue_as_new_workflow_execution_command_attributes()->mutable_input() =
      std::move(input);
  return c;
}

struct ChildOptions {
  std::string task_queue;  // empty: the parent's
  temporal::api::enums::v1::ParentClosePolicy parent_close_policy =
      temporal::api::enums::v1::PARENT_CLOSE_POLICY_UNSPECIFIED;
  temporal::api::enums::v1::WorkflowIdReusePolicy id_reuse_policy =
      temporal::api::enums::v1::WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED;
  absl::Duration execution_timeout = absl::ZeroDuration();
  absl::Duration run_timeout = absl::ZeroDuration();
  absl::Duration task_timeout = absl::ZeroDuration();
  std::optional<temporal::api::common::v1::RetryPolicy> retry_policy;
};

inline Command StartChild(std::string workflow_id, std::string type, const ChildOptions& o = {},
                          Payloads input = {}) {
  Command c;
  c.set_command_type(enums::COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION);
  auto* a = c.mutable_start_child_workflow_execution_command_attributes();
  a->set_workflow_id(std::move(workflow_id));
  a->mutable_workflow_type()->set_name(std::move(type));
  if (!o.task_queue.empty()) a->mutable_task_queue()->set_name(o.task_queue);
  if (input.payloads_size() > 0) *a->mutable_input() = std::move(input);
  a->set_parent_close_policy(o.parent_close_policy);
  a->set_workflow_id_reuse_policy(o.id_reuse_policy);
  if (o.execution_timeout > absl::ZeroDuration()) {
    SetProtoDuration(o.execution_timeout, a->mutable_workflow_execution_timeout());
  }
  if (o.run_timeout > absl::ZeroDuration()) {
    SetProtoDuration(o.run_timeout, a->mutable_workflow_run_timeout());
  }
  if (o.task_timeout > absl::ZeroDuration()) {
    SetProtoDuration(o.task_timeout, a->mutable_workflow_task_timeout());
  }
  if (o.retry_policy.has_value()) *a->mutable_retry_policy() = *o.retry_policy;
  return c;
}

inline Command SignalExternal(std::string workflow_id, std::string run_id, std::string signal,
                              Payloads input = {}, bool child_workflow_only = false) {
  Command c;
  c.set_command_type(enums::COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION);
  auto* a = c.mutable_signal_external_workflow_execution_command_attributes();
  a->mutable_execution()->set_workflow_id(std::move(workflow_id));
  a->mutable_execution()->set_run_id(std::move(run_id));
  a->set_signal_name(std::move(signal));
  if (input.payloads_size() > 0) *a->mutable_input() = std::move(input);
  a->set_child_workflow_only(child_workflow_only);
  return c;
}

inline Command CancelExternal(std::string workflow_id, std::string run_id = "",
                              std::string reason = "", bool child_workflow_only = false) {
  Command c;
  c.set_command_type(enums::COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION);
  auto* a = c.mutable_request_cancel_external_workflow_execution_command_attributes();
  a->set_workflow_id(std::move(workflow_id));
  a->set_run_id(std::move(run_id));
  a->set_reason(std::move(reason));
  a->set_child_workflow_only(child_workflow_only);
  return c;
}

inline Command ProtocolMessage(std::string message_id) {
  Command c;
  c.set_command_type(enums::COMMAND_TYPE_PROTOCOL_MESSAGE);
  c.mutable_protocol_message_command_attributes()->set_message_id(std::move(message_id));
  return c;
}

// --- Update protocol messages (the worker's answers) -----------------------------------------

using temporal::api::protocol::v1::Message;

// A message answering `request_message` (same update) with `body`.
template <typename Body>
Message UpdateAnswer(const Message& request_message, std::string id, const Body& body) {
  Message m;
  m.set_id(std::move(id));
  m.set_protocol_instance_id(request_message.protocol_instance_id());
  m.mutable_body()->PackFrom(body);
  return m;
}

inline Message AcceptUpdate(const Message& request_message, std::string id) {
  temporal::api::update::v1::Acceptance acceptance;
  acceptance.set_accepted_request_message_id(request_message.id());
  acceptance.set_accepted_request_sequencing_event_id(request_message.event_id());
  request_message.body().UnpackTo(acceptance.mutable_accepted_request());
  return UpdateAnswer(request_message, std::move(id), acceptance);
}

inline Message RejectUpdate(const Message& request_message, std::string id, Failure failure) {
  temporal::api::update::v1::Rejection rejection;
  rejection.set_rejected_request_message_id(request_message.id());
  rejection.set_rejected_request_sequencing_event_id(request_message.event_id());
  request_message.body().UnpackTo(rejection.mutable_rejected_request());
  *rejection.mutable_failure() = std::move(failure);
  return UpdateAnswer(request_message, std::move(id), rejection);
}

// A Response to update `update_id` with a success result (or `failure`, if given).
inline Message CompleteUpdate(const std::string& update_id, std::string id,
                              absl::string_view result_json,
                              std::optional<Failure> failure = std::nullopt) {
  temporal::api::update::v1::Response response;
  response.mutable_meta()->set_update_id(update_id);
  if (failure.has_value()) {
    *response.mutable_outcome()->mutable_failure() = *failure;
  } else {
    *response.mutable_outcome()->mutable_success() = Json(result_json);
  }
  Message m;
  m.set_id(std::move(id));
  m.set_protocol_instance_id(update_id);
  m.mutable_body()->PackFrom(response);
  return m;
}

// --- Workflow worker -----------------------------------------------------------------------

inline WorkflowTaskResponse Respond(std::vector<Command> commands) {
  WorkflowTaskResponse r;
  r.commands = std::move(commands);
  return r;
}

inline WorkflowTaskResponse FailTask(std::string message) {
  WorkflowTaskResponse r;
  r.failed = true;
  r.failed_cause = enums::WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE;
  r.failure = ApplicationFailure(std::move(message));
  return r;
}

class ScriptedWorkflows : public WorkflowTaskHandler {
 public:
  struct Seen {
    std::string workflow_id;
    std::string run_id;
    int32_t attempt = 0;
    int64_t previous_started_event_id = 0;
    std::vector<std::string> event_types;  // the history the worker was given
    History history;
    std::vector<temporal::api::protocol::v1::Message> messages;
  };

  // Responses in order; once they run out, tasks get an empty response (no commands).
  void Then(WorkflowTaskResponse response) { script_.push_back(std::move(response)); }
  void Then(std::vector<Command> commands) { Then(Respond(std::move(commands))); }
  // Responses for the tasks of one workflow id, used before the shared queue.
  void ThenFor(const std::string& workflow_id, WorkflowTaskResponse response) {
    scripts_by_id_[workflow_id].push_back(std::move(response));
  }
  void ThenFor(const std::string& workflow_id, std::vector<Command> commands) {
    ThenFor(workflow_id, Respond(std::move(commands)));
  }
  // Overrides the queue: every task is answered by `fn`.
  void AnswerWith(std::function<WorkflowTaskResponse(const WorkflowTaskRequest&)> fn) {
    fn_ = std::move(fn);
  }
  void AnswerQueriesWith(
      std::function<absl::StatusOr<Payloads>(const History&, const std::string&)> fn) {
    query_fn_ = std::move(fn);
  }

  WorkflowTaskResponse HandleWorkflowTask(const WorkflowTaskRequest& request) override {
    Seen seen;
    seen.workflow_id = request.workflow_id;
    seen.run_id = request.run_id;
    seen.attempt = request.attempt;
    seen.previous_started_event_id = request.previous_started_event_id;
    seen.event_types = EventTypes(*request.history);
    seen.history = *request.history;
    seen.messages = request.messages;
    seen_.push_back(std::move(seen));
    if (fn_) return fn_(request);
    if (auto it = scripts_by_id_.find(request.workflow_id);
        it != scripts_by_id_.end() && !it->second.empty()) {
      WorkflowTaskResponse next = std::move(it->second.front());
      it->second.pop_front();
      return next;
    }
    if (script_.empty()) return {};
    WorkflowTaskResponse next = std::move(script_.front());
    script_.pop_front();
    return next;
  }

  absl::StatusOr<Payloads> HandleQuery(const std::string&, const std::string&,
                                       const History& history, const std::string& query_type,
                                       const Payloads&) override {
    ++queries_;
    if (query_fn_) return query_fn_(history, query_type);
    return Json(absl::StrCat(history.events_size()));
  }

  void Evict(const std::string& workflow_id, const std::string& run_id) override {
    evicted_.push_back(workflow_id + "/" + run_id);
  }

  const std::vector<Seen>& seen() const { return seen_; }
  const std::vector<std::string>& evicted() const { return evicted_; }
  int queries() const { return queries_; }

 private:
  std::deque<WorkflowTaskResponse> script_;
  std::map<std::string, std::deque<WorkflowTaskResponse>> scripts_by_id_;
  std::function<WorkflowTaskResponse(const WorkflowTaskRequest&)> fn_;
  std::function<absl::StatusOr<Payloads>(const History&, const std::string&)> query_fn_;
  std::vector<Seen> seen_;
  std::vector<std::string> evicted_;
  int queries_ = 0;
};

// --- Activity worker -----------------------------------------------------------------------

class ScriptedActivities : public ActivityTaskHandler {
 public:
  // Activities of `type` fail their first `failures` attempts ("activity attempt N failed",
  // application error `error_type`), then complete with `result_json`.
  void FailThenSucceed(const std::string& type, int failures, std::string result_json = "\"ok\"",
                       std::string error_type = "", bool non_retryable = false) {
    rules_[type] = [=](const ActivityTask& task) {
      ActivityOutcome o;
      if (task.attempt <= failures) {
        o.kind = ActivityOutcome::Kind::kFailed;
        o.failure = ApplicationFailure(absl::StrCat("activity attempt ", task.attempt, " failed"),
                                       error_type, non_retryable);
      } else {
        o.result = Json(result_json);
      }
      return o;
    };
  }
  void Always(const std::string& type, std::function<ActivityOutcome(const ActivityTask&)> fn) {
    rules_[type] = std::move(fn);
  }

  ActivityOutcome HandleActivityTask(const ActivityTask& task) override {
    tasks_.push_back(task);
    auto it = rules_.find(task.activity_type);
    if (it == rules_.end()) {
      ActivityOutcome o;
      o.result = Json("\"ok\"");
      return o;
    }
    return it->second(task);
  }

  const std::vector<ActivityTask>& tasks() const { return tasks_; }

 private:
  std::map<std::string, std::function<ActivityOutcome(const ActivityTask&)>> rules_;
  std::vector<ActivityTask> tasks_;
};

}  // namespace lockstep::testing

#endif  // LOCKSTEP_TESTS_ENGINE_SERVICE_FAKE_HANDLERS_H_
