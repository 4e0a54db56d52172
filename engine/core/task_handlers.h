// The contract between the in-process service and the workers it dispatches tasks to.
//
// The service owns histories, timers, retries and timeouts; it hands a workflow task (the
// history so far, ending with the WorkflowTaskStarted event) to a WorkflowTaskHandler and
// records the commands it returns as events, exactly as a Temporal server does. Activity tasks
// go to an ActivityTaskHandler, which runs the activity and reports its outcome; how long the
// attempt takes in virtual time is an ActivityTiming decision of the environment
// (activity_execution.h), not the activity's.
#ifndef LOCKSTEP_ENGINE_CORE_TASK_HANDLERS_H_
#define LOCKSTEP_ENGINE_CORE_TASK_HANDLERS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/common/v1/message.pb.h"
#include "temporal/api/enums/v1/failed_cause.pb.h"
#include "temporal/api/failure/v1/message.pb.h"
#include "temporal/api/history/v1/message.pb.h"
#include "temporal/api/protocol/v1/message.pb.h"
#include "temporal/api/sdk/v1/task_complete_metadata.pb.h"

namespace lockstep {

// The whole history of a run as a workflow task hands it over. The service stores histories
// serialized, so it decodes the whole one only when a handler asks (a worker without the run
// cached); until then this costs nothing. Valid during the HandleWorkflowTask call only.
class TaskHistory {
 public:
  using History = temporal::api::history::v1::History;
  using Resolver = std::function<absl::StatusOr<const History*>()>;

  TaskHistory() = default;
  // An already decoded history (or the reason there is none).
  TaskHistory(const History* history, absl::Status status = absl::OkStatus())  // NOLINT
      : resolved_(true), history_(history), status_(std::move(status)) {}
  explicit TaskHistory(Resolver resolve) : resolve_(std::move(resolve)) {}

  // The history, decoded on the first call; an error if it could not be (a stored event that
  // does not decode, naming the run).
  absl::StatusOr<const History*> Get() const {
    if (!resolved_) {
      resolved_ = true;
      absl::StatusOr<const History*> got =
          resolve_ ? resolve_() : absl::StatusOr<const History*>(nullptr);
      if (got.ok()) {
        history_ = *got;
      } else {
        status_ = got.status();
      }
    }
    if (!status_.ok()) return status_;
    if (history_ == nullptr) return absl::FailedPreconditionError("the task carries no history");
    return history_;
  }
  // For tests and tools that know it is there: an empty history when Get() fails.
  const History& operator*() const {
    absl::StatusOr<const History*> got = Get();
    return got.ok() ? **got : History::default_instance();
  }
  const History* operator->() const { return &**this; }

 private:
  Resolver resolve_;
  mutable bool resolved_ = false;
  mutable const History* history_ = nullptr;
  mutable absl::Status status_;
};

struct WorkflowTaskRequest {
  std::string namespace_name;
  std::string workflow_id;
  std::string run_id;
  // The whole history of the run, ending with this task's WorkflowTaskStarted event.
  TaskHistory history;
  // The end of the same history, already decoded: events from index `recent_first_index`
  // (0-based, event id - 1) to WorkflowTaskStarted. It always includes every event after
  // previous_started_event_id, all a worker with the run cached reads. Null: use `history`.
  const temporal::api::history::v1::History* recent = nullptr;
  int recent_first_index = 0;
  // The started event id of the last workflow task this worker completed for this run (0 if
  // none): a worker with the run cached only needs the events after it.
  int64_t previous_started_event_id = 0;
  int32_t attempt = 1;
  // Update requests to deliver with this task, in order of admission (Temporal's update
  // protocol, temporal.api.protocol.v1): body = Any(temporal.api.update.v1.Request),
  // id = "<update_id>/request", protocol_instance_id = update_id, event_id (the sequencing id)
  // = this task's WorkflowTaskStarted event id - 1, as Temporal's server sets it: the request is
  // to be handled after every event of the history up to the one before WorkflowTaskStarted.
  // A request not answered (the task failed or timed out) comes again with the next task.
  std::vector<temporal::api::protocol::v1::Message> messages;
};

struct WorkflowTaskResponse {
  // Commands in the order the workflow issued them; recorded as events in that order.
  std::vector<temporal::api::command::v1::Command> commands;
  // Answers to update requests; body = Any of temporal.api.update.v1.Acceptance (writes
  // WorkflowExecutionUpdateAccepted), Rejection (writes nothing; the caller gets the failure)
  // or Response (writes WorkflowExecutionUpdateCompleted). A PROTOCOL_MESSAGE command naming
  // a message's id places that message's event at the command's position; messages no command
  // names are applied after all commands, in this order (as Temporal's server does for SDKs
  // that send no protocol message commands). A request sent with this task that gets no
  // answer is rejected by the service ("UnprocessedUpdate"), as Temporal's server does.
  std::vector<temporal::api::protocol::v1::Message> messages;
  // Who completed the task (Temporal's RespondWorkflowTaskCompleted.sdk_metadata); written
  // on WorkflowTaskCompleted when sdk_name is set. Replayers use it to tell histories recorded
  // by Lockstep from those recorded by other SDKs.
  temporal::api::sdk::v1::WorkflowTaskCompletedMetadata sdk_metadata;
  // When set, the task failed (commands are ignored): the service records WorkflowTaskFailed
  // with this cause and failure and schedules the task again.
  bool failed = false;
  temporal::api::enums::v1::WorkflowTaskFailedCause failed_cause =
      temporal::api::enums::v1::WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED;
  temporal::api::failure::v1::Failure failure;
};

class WorkflowTaskHandler {
 public:
  virtual ~WorkflowTaskHandler() = default;
  virtual WorkflowTaskResponse HandleWorkflowTask(const WorkflowTaskRequest& request) = 0;
  // Answers a query against the run's state after its last completed workflow task.
  virtual absl::StatusOr<temporal::api::common::v1::Payloads> HandleQuery(
      const std::string& workflow_id, const std::string& run_id,
      const temporal::api::history::v1::History& history, const std::string& query_type,
      const temporal::api::common::v1::Payloads& args) = 0;
  // Drops any cached state of the run; its next task replays the whole history.
  virtual void Evict(const std::string& workflow_id, const std::string& run_id) = 0;
};

struct ActivityTask {
  std::string workflow_id;
  std::string run_id;
  std::string workflow_type;
  std::string activity_id;
  std::string activity_type;
  std::string task_queue;
  temporal::api::common::v1::Payloads input;
  int32_t attempt = 1;
  int64_t scheduled_event_id = 0;
  absl::Time scheduled_time;  // of the first attempt
  absl::Time current_attempt_scheduled_time;
  absl::Duration heartbeat_timeout;                       // zero: none
  temporal::api::common::v1::Payloads heartbeat_details;  // from the previous attempt
  // Zero: none. A local activity has no schedule-to-start or heartbeat timeout.
  absl::Duration schedule_to_close_timeout;
  absl::Duration start_to_close_timeout;
  // A local activity: run by the workflow worker inside a workflow task, retried there, and
  // recorded as a marker; scheduled_event_id is 0 and activity_id is its sequence number.
  bool local = false;
  // Live heartbeats, for a driver that runs attempts while the service goes on (the real-time
  // one, engine/realtime/): called by each heartbeat of the attempt with its details, from the
  // attempt's thread; returns whether cancellation of the activity was requested. Null (the
  // service's own tasks): heartbeats reach the service only with the outcome.
  std::function<bool(const temporal::api::common::v1::Payloads&)> heartbeat;
};

struct ActivityOutcome {
  enum class Kind { kCompleted, kFailed, kCanceled };
  Kind kind = Kind::kCompleted;
  // kCompleted: the result. kCanceled: the cancellation details (accepted only once the
  // workflow asked to cancel the activity; otherwise the service ignores the answer and the
  // attempt times out, as Temporal refuses RespondActivityTaskCanceled).
  temporal::api::common::v1::Payloads result;
  temporal::api::failure::v1::Failure failure;  // kFailed (application_failure_info carries
                                                // non_retryable and the error type)
  temporal::api::common::v1::Payloads heartbeat_details;  // last heartbeat of this attempt
  bool heartbeated = false;
};

class ActivityTaskHandler {
 public:
  virtual ~ActivityTaskHandler() = default;
  virtual ActivityOutcome HandleActivityTask(const ActivityTask& task) = 0;
};

// How long one activity attempt takes in virtual time, and whether it heartbeats often enough
// to satisfy a heartbeat timeout. Tests and the simulator choose this; the default is zero
// latency.
struct ActivityTiming {
  absl::Duration latency = absl::ZeroDuration();
  // Time between heartbeats while the attempt runs; zero: the attempt does not heartbeat.
  absl::Duration heartbeat_interval = absl::ZeroDuration();
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_CORE_TASK_HANDLERS_H_
