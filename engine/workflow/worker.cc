#include "engine/workflow/worker.h"

#include "absl/strings/str_cat.h"
#include "engine/workflow/activity_runner.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;

std::string Key(const std::string& workflow_id, const std::string& run_id) {
  return absl::StrCat(workflow_id, "\n", run_id);
}

WorkflowTaskResponse Failed(enums::WorkflowTaskFailedCause cause, std::string message,
                            std::string type) {
  WorkflowTaskResponse response;
  response.failed = true;
  response.failed_cause = cause;
  response.failure.set_message(std::move(message));
  response.failure.set_source("Lockstep");
  response.failure.mutable_application_failure_info()->set_type(std::move(type));
  return response;
}

// The task failure for a run that could not process the task's history. Nondeterminism is
// Temporal's NON_DETERMINISTIC_ERROR; everything else this worker could not handle.
WorkflowTaskResponse FailedBy(const RunError& error) {
  switch (error.kind) {
    case RunError::Kind::kNondeterminism:
      return Failed(enums::WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR, error.message,
                    "NondeterminismError");
    case RunError::Kind::kCorruptHistory:
    case RunError::Kind::kUnsupportedFeature:
    case RunError::Kind::kWorkflowCodeThrew:
    case RunError::Kind::kUnknownWorkflowType:
      break;
  }
  return Failed(enums::WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE, error.message,
                "WorkerError");
}

}  // namespace

Worker::Worker(const Registry* registry, WorkerOptions options)
    : registry_(registry), options_(std::move(options)) {}

std::unique_ptr<WorkflowRun> Worker::NewRun(const std::string& workflow_id,
                                            const std::string& run_id,
                                            const std::string& namespace_name) const {
  WorkflowInfo info;
  info.namespace_name = namespace_name;
  info.workflow_id = workflow_id;
  info.run_id = run_id;
  RunOptions run_options;
  run_options.log_sink = options_.log_sink;
  run_options.activity_env = options_.activity_env;
  return std::make_unique<WorkflowRun>(registry_, std::move(info), std::move(run_options));
}

WorkflowTaskResponse Worker::HandleWorkflowTask(const WorkflowTaskRequest& request) {
  ++stats_.workflow_tasks;
  const std::string key = Key(request.workflow_id, request.run_id);
  auto it = cache_.find(key);
  int first_index = 0;
  const temporal::api::history::v1::History* events = nullptr;
  if (it != cache_.end() && request.previous_started_event_id != 0 &&
      it->second->last_event_id() == request.previous_started_event_id) {
    ++stats_.cache_hits;
    first_index = static_cast<int>(request.previous_started_event_id);
    // A cached run reads only the events after its last task: the decoded end of the history
    // the service hands over, when it reaches back far enough.
    if (request.recent != nullptr && first_index >= request.recent_first_index) {
      events = request.recent;
      first_index -= request.recent_first_index;
    }
  } else {
    if (it != cache_.end()) cache_.erase(it);
    ++stats_.full_replays;
    it = cache_.emplace(key, NewRun(request.workflow_id, request.run_id, request.namespace_name))
             .first;
  }
  if (events == nullptr) {
    absl::StatusOr<const temporal::api::history::v1::History*> whole = request.history.Get();
    if (!whole.ok()) {
      cache_.erase(it);
      ++stats_.failed_tasks;
      return Failed(enums::WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE,
                    std::string(whole.status().message()), "WorkerError");
    }
    events = *whole;
  }
  WorkflowRun& run = *it->second;
  run.AddUpdateRequests(request.messages);
  auto activation = run.ProcessEvents(*events, first_index);

  WorkflowTaskResponse response;
  if (!activation.ok()) {
    const RunError& error = activation.error();
    if (error.nondeterminism) last_nondeterminism_ = error.nondeterminism;
    response = FailedBy(error);
  } else if (!activation->has_value()) {
    response = Failed(enums::WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE,
                      "workflow task history does not end with WorkflowTaskStarted", "WorkerError");
  } else if ((*activation)->task_failed) {
    response.failed = true;
    response.failed_cause = enums::WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE;
    response.failure = (*activation)->failure;
  } else {
    response.commands = std::move((*activation)->commands);
    response.messages = std::move((*activation)->messages);
    // Every completion says who recorded it (the same whether the run was cached or not).
    response.sdk_metadata.set_sdk_name(std::string(kSdkName));
    response.sdk_metadata.set_sdk_version(std::string(kSdkVersion));
  }
  if (response.failed) ++stats_.failed_tasks;
  if (response.failed || run.closed() || options_.evict_after_every_task) cache_.erase(it);
  return response;
}

absl::StatusOr<Payloads> Worker::HandleQuery(const std::string& workflow_id,
                                             const std::string& run_id,
                                             const temporal::api::history::v1::History& history,
                                             const std::string& query_type, const Payloads& args) {
  // Queries answer from the state after the last completed workflow task, as in Temporal, and
  // the answer must not depend on whether the run is cached. Events after the last
  // WorkflowTaskCompleted (a task in flight, signals or results not yet handed to the workflow)
  // do not count.
  int end = history.events_size();
  int64_t last_completed = 0;
  for (int i = history.events_size(); i-- > 0;) {
    if (history.events(i).event_type() ==
        temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
      end = i + 1;
      last_completed = history.events(i).event_id();
      break;
    }
  }
  auto it = cache_.find(Key(workflow_id, run_id));
  // A cached run that has processed only completed tasks is that state. One that ran a task
  // whose completion is not recorded yet (the worker's answer is still on its way) is ahead of
  // it: rebuild instead, and leave the cached run alone.
  if (it != cache_.end() && it->second->last_event_id() < last_completed) {
    return it->second->Query(query_type, args);
  }
  std::unique_ptr<WorkflowRun> run = NewRun(workflow_id, run_id, "");
  auto processed = run->ProcessEvents(history, 0, end);
  if (!processed.ok()) return ToStatus(processed.error());
  return run->Query(query_type, args);
}

void Worker::Evict(const std::string& workflow_id, const std::string& run_id) {
  cache_.erase(Key(workflow_id, run_id));
}

ActivityOutcome Worker::HandleActivityTask(const ActivityTask& task) {
  ++stats_.activity_tasks;
  return RunActivity(*registry_, task);
}

}  // namespace lockstep
