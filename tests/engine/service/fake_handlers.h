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
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/history/event_types.h"
#include "engine/history/history_builder.h"
#include "engine/service/proto_time.h"
#include "engine/service/task_handlers.h"

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
};

inline temporal::api::common::v1::RetryPolicy Policy(absl::Duration initial, double coefficient,
                                                     absl::Duration maximum, int32_t attempts,
                                                     std::vector<std::string> non_retryable = {}) {
  temporal::api::common::v1::RetryPolicy p;
  service::SetProtoDuration(initial, p.mutable_initial_interval());
  p.set_backoff_coefficient(coefficient);
  service::SetProtoDuration(maximum, p.mutable_maximum_interval());
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
  service::SetProtoDuration(o.schedule_to_close, a->mutable_schedule_to_close_timeout());
  service::SetProtoDuration(o.schedule_to_start, a->mutable_schedule_to_start_timeout());
  service::SetProtoDuration(o.start_to_close, a->mutable_start_to_close_timeout());
  service::SetProtoDuration(o.heartbeat, a->mutable_heartbeat_timeout());
  if (o.retry_policy.has_value()) *a->mutable_retry_policy() = *o.retry_policy;
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
  service::SetProtoDuration(
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
  };

  // Responses in order; once they run out, tasks get an empty response (no commands).
  void Then(WorkflowTaskResponse response) { script_.push_back(std::move(response)); }
  void Then(std::vector<Command> commands) { Then(Respond(std::move(commands))); }
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
    seen_.push_back(std::move(seen));
    if (fn_) return fn_(request);
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
