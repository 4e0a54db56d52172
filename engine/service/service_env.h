// The service environment: the one place where every scheduling decision of the in-process
// service is made. A unit test, a simulation and a property test run the same service and
// differ only in the environment they give it (who decides the schedule).
//
// The service asks the environment:
//   - StepDelay: how much later than it would naturally be due a step happens (a worker
//     picking up a workflow or activity task, a child start, an external signal or cancel
//     delivery, a closed run's report to its parent, a timer fire, a delayed first task);
//   - PickNext: which of several steps due at the same virtual instant runs first;
//   - WorkflowWorkerPolls / ActivityWorkerPolls: whether a worker polls a task queue now;
//   - PlanWorkflowTask: whether a dispatched workflow task is lost or failed, and how long the
//     worker takes to answer it;
//   - RunActivityAttempt (activity_execution.h): each activity attempt's outcome, latency and
//     heartbeats; the workflow worker asks the same for local activities;
//   - FailChildStart: whether a child workflow's start fails, and with which cause.
//
// The base class decides exactly as the service did before it existed: no delays, ties in
// order of creation, every queue polled, every task delivered at once, activities run with
// zero latency, children started. Histories written with it are byte-identical to those.
//
// Contract for implementations:
//   - Deterministic: a decision may depend only on its arguments, the calls made so far and
//     the implementation's own seeded state; never on wall time, addresses or hash order.
//   - Calls happen synchronously inside the service, in the order of its steps; an
//     implementation must not call back into the service from them (the service is in the
//     middle of a step). To change the world (send a signal, crash workers), act between
//     RunUntilIdle calls.
//   - Steps that are deadlines (workflow task, activity and run timeouts, the service's
//     heartbeat bookkeeping, the arrival of an answer whose latency the environment chose)
//     are never delayed: they are the contract the workflow was given.
//   - Polling answers are read whenever the service looks for work (RunUntilIdle,
//     NextDeadline); an implementation that starts polling a queue it did not poll before
//     makes the caller's next RunUntilIdle dispatch what waited there.
#ifndef LOCKSTEP_ENGINE_SERVICE_SERVICE_ENV_H_
#define LOCKSTEP_ENGINE_SERVICE_SERVICE_ENV_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "engine/core/activity_execution.h"
#include "engine/core/task_handlers.h"
#include "temporal/api/enums/v1/failed_cause.pb.h"
#include "temporal/api/enums/v1/workflow.pb.h"

namespace lockstep {

// What a step does. The first group are steps of the service's agenda (due at a virtual time);
// the second are the client calls, reported to step observers (step_observer.h) but never
// scheduled.
enum class StepKind {
  kWorkflowTaskDispatch,   // a workflow worker picks up the run's scheduled workflow task
  kWorkflowTaskResponse,   // the worker's answer arrives (non-zero workflow task latency)
  kWorkflowTaskTimeout,    // start-to-close of the started workflow task
  kWorkflowStart,          // first workflow task of a run with a start backoff (retry, CAN)
  kRunTimeout,             // workflow run timeout or execution expiration
  kUserTimer,              // a TimerStarted timer fires
  kActivityDispatch,       // an activity worker picks up an attempt
  kActivityOutcome,        // the attempt's result arrives
  kActivityTimeout,        // one of the four activity timeouts
  kActivityCancelNoticed,  // a heartbeating attempt learns that cancellation was requested
  // Work Temporal does in transfer tasks, after the workflow task completion that caused it
  // has been recorded (ref = the initiated event id in the run):
  kStartChild,      // start the child run and tell the parent
  kSignalExternal,  // signal the target run and tell the sender
  kCancelExternal,  // ask the target run to cancel and tell the sender
  kCloseExecution,  // a run closed: report to its parent, apply its children's close policy
  // Client calls.
  kClientStartWorkflow,
  kClientSignalWorkflow,
  kClientSignalWithStart,
  kClientCancelWorkflow,
  kClientTerminateWorkflow,
  kClientUpdateWorkflow,
  // Workers crashed (Service::CrashWorkers).
  kWorkersCrashed,
};

// A short stable name ("WorkflowTaskDispatch"), for traces and reports.
absl::string_view StepKindName(StepKind kind);

// A step as the environment sees it. The string views point into the service and are valid
// for the duration of the call only.
struct Step {
  StepKind kind = StepKind::kUserTimer;
  absl::string_view workflow_id;
  absl::string_view run_id;
  // The task queue of the run (workflow task steps) or of the activity (activity steps).
  absl::string_view task_queue;
  // The activity's scheduled event id, or the initiated event id of a child start, external
  // signal or cancel; 0 otherwise.
  int64_t ref = 0;
  absl::string_view timer_id;  // kUserTimer
  temporal::api::enums::v1::TimeoutType timeout_type =
      temporal::api::enums::v1::TIMEOUT_TYPE_UNSPECIFIED;  // kActivityTimeout
  // When the step is due (including any delay), and its sequence number: steps are created
  // with increasing numbers, and by default run in (due, seq) order.
  absl::Time due;
  uint64_t seq = 0;
};

// How a dispatched workflow task goes.
struct WorkflowTaskPlan {
  // The worker loses the task (it crashed, or its answer got lost): the handler is not
  // called and the task times out (start-to-close) and is retried, as in Temporal.
  bool lose = false;
  // The worker fails the task without running it (as an SDK does when it cannot process a
  // task): the handler is not called, the worker evicts the run, and the service records
  // WorkflowTaskFailed (WORKFLOW_WORKER_UNHANDLED_FAILURE with `failure_message`, or a
  // message saying the environment failed it) and retries. Ignored when `lose` is set.
  bool fail = false;
  std::string failure_message;
  // How long the worker takes to answer, in virtual time. While the task is out, new events
  // are buffered (written after the task's own events), as in Temporal.
  absl::Duration latency = absl::ZeroDuration();
};

// A child workflow about to be started by the service (the StartChildWorkflowExecution
// transfer task).
struct ChildStartInfo {
  absl::string_view parent_workflow_id;
  absl::string_view parent_run_id;
  int64_t initiated_event_id = 0;
  absl::string_view workflow_id;
  absl::string_view workflow_type;
  absl::string_view task_queue;
};

class ServiceEnv : public ActivityExecutionEnv {
 public:
  ~ServiceEnv() override = default;

  // Extra virtual time before `step` (whose `due` is its natural time) happens. Asked once,
  // when the service creates the step; not asked for deadlines (see above). Negative values
  // count as zero.
  virtual absl::Duration StepDelay(const Step& step) {
    (void)step;
    return absl::ZeroDuration();
  }

  // Whether PickNext is to be asked. False (the default) runs steps due at one instant in
  // order of creation without listing them, which costs nothing.
  virtual bool OrdersSteps() const { return false; }
  // Called only when OrdersSteps(): `ready` holds every step due at the earliest instant at
  // which something is due (at least two), in order of creation. Returns the index of the
  // one to run now; the others stay due and are offered again (with anything the chosen step
  // made due at that instant). An index out of range counts as 0.
  virtual size_t PickNext(absl::Span<const Step> ready) {
    (void)ready;
    return 0;
  }

  // Whether a worker polls `task_queue` now. A task in a queue nobody polls waits (its
  // schedule-to-start timeout, if any, runs).
  virtual bool WorkflowWorkerPolls(absl::string_view task_queue) {
    (void)task_queue;
    return true;
  }
  virtual bool ActivityWorkerPolls(absl::string_view task_queue) {
    (void)task_queue;
    return true;
  }

  // Asked once per dispatched workflow task, before the worker sees it.
  virtual WorkflowTaskPlan PlanWorkflowTask(const WorkflowTaskRequest& request) {
    (void)request;
    return {};
  }

  // Asked when a child's start is due. A cause makes the start fail: the parent gets
  // StartChildWorkflowExecutionFailed with it (Temporal writes WORKFLOW_ALREADY_EXISTS when
  // the id is in use and NAMESPACE_NOT_FOUND for an unknown namespace) and no child run is
  // made. nullopt: start it (it may still fail on its own, e.g. the id is in use).
  virtual std::optional<temporal::api::enums::v1::StartChildWorkflowExecutionFailedCause>
  FailChildStart(const ChildStartInfo& child) {
    (void)child;
    return std::nullopt;
  }
};

// Forwards every decision to `base` (leveldb's EnvWrapper): derive from it and override the
// decisions to change, keeping the rest. `base` must outlive the wrapper.
class ServiceEnvWrapper : public ServiceEnv {
 public:
  explicit ServiceEnvWrapper(ServiceEnv* base) : base_(base) {}
  ServiceEnv* base() const { return base_; }

  absl::Duration StepDelay(const Step& step) override { return base_->StepDelay(step); }
  bool OrdersSteps() const override { return base_->OrdersSteps(); }
  size_t PickNext(absl::Span<const Step> ready) override { return base_->PickNext(ready); }
  bool WorkflowWorkerPolls(absl::string_view task_queue) override {
    return base_->WorkflowWorkerPolls(task_queue);
  }
  bool ActivityWorkerPolls(absl::string_view task_queue) override {
    return base_->ActivityWorkerPolls(task_queue);
  }
  WorkflowTaskPlan PlanWorkflowTask(const WorkflowTaskRequest& request) override {
    return base_->PlanWorkflowTask(request);
  }
  ActivityAttempt RunActivityAttempt(const ActivityTask& task,
                                     absl::FunctionRef<ActivityOutcome()> run) override {
    return base_->RunActivityAttempt(task, run);
  }
  std::optional<temporal::api::enums::v1::StartChildWorkflowExecutionFailedCause> FailChildStart(
      const ChildStartInfo& child) override {
    return base_->FailChildStart(child);
  }

 private:
  ServiceEnv* base_;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_SERVICE_SERVICE_ENV_H_
