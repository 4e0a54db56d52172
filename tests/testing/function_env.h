// A service environment whose decisions are functions, for tests: set the ones a test needs;
// every unset one decides as the default environment does.
#ifndef LOCKSTEP_TESTS_TESTING_FUNCTION_ENV_H_
#define LOCKSTEP_TESTS_TESTING_FUNCTION_ENV_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <utility>

#include "engine/service/service_env.h"

namespace lockstep::testing {

// The decisions, as an aggregate (so tests can use designated initializers).
struct EnvFunctions {
  // Latency and heartbeat interval of each activity attempt (the attempt itself runs).
  std::function<ActivityTiming(const ActivityTask&)> activity_timing = nullptr;
  std::function<absl::Duration(const WorkflowTaskRequest&)> workflow_task_latency = nullptr;
  std::function<bool(const WorkflowTaskRequest&)> drop_workflow_task = nullptr;
  std::function<bool(const WorkflowTaskRequest&)> fail_workflow_task = nullptr;
  // The whole attempt, instead of activity_timing: `run` runs the activity.
  std::function<ActivityAttempt(const ActivityTask&, absl::FunctionRef<ActivityOutcome()> run)>
      activity_attempt = nullptr;
  std::function<absl::Duration(const Step&)> step_delay = nullptr;
  std::function<size_t(absl::Span<const Step>)> pick_next = nullptr;
  std::function<std::optional<temporal::api::enums::v1::StartChildWorkflowExecutionFailedCause>(
      const ChildStartInfo&)>
      fail_child_start = nullptr;
  std::function<bool(absl::string_view)> workflow_worker_polls = nullptr;
  std::function<bool(absl::string_view)> activity_worker_polls = nullptr;
};

class FunctionEnv : public ServiceEnv, public EnvFunctions {
 public:
  FunctionEnv() = default;
  explicit FunctionEnv(EnvFunctions functions) : EnvFunctions(std::move(functions)) {}

  absl::Duration StepDelay(const Step& step) override {
    return step_delay ? step_delay(step) : absl::ZeroDuration();
  }
  bool OrdersSteps() const override { return static_cast<bool>(pick_next); }
  size_t PickNext(absl::Span<const Step> ready) override {
    return pick_next ? pick_next(ready) : 0;
  }
  bool WorkflowWorkerPolls(absl::string_view task_queue) override {
    return workflow_worker_polls ? workflow_worker_polls(task_queue) : true;
  }
  bool ActivityWorkerPolls(absl::string_view task_queue) override {
    return activity_worker_polls ? activity_worker_polls(task_queue) : true;
  }
  WorkflowTaskPlan PlanWorkflowTask(const WorkflowTaskRequest& request) override {
    WorkflowTaskPlan plan;
    plan.lose = drop_workflow_task && drop_workflow_task(request);
    plan.fail = !plan.lose && fail_workflow_task && fail_workflow_task(request);
    if (!plan.lose && !plan.fail && workflow_task_latency) plan.latency = workflow_task_latency(request);
    return plan;
  }
  ActivityAttempt RunActivityAttempt(const ActivityTask& task,
                                     absl::FunctionRef<ActivityOutcome()> run) override {
    if (activity_attempt) return activity_attempt(task, run);
    ActivityAttempt attempt{run(), ActivityTiming{}};
    if (activity_timing) attempt.timing = activity_timing(task);
    return attempt;
  }
  std::optional<temporal::api::enums::v1::StartChildWorkflowExecutionFailedCause> FailChildStart(
      const ChildStartInfo& child) override {
    return fail_child_start ? fail_child_start(child) : std::nullopt;
  }
};

}  // namespace lockstep::testing

#endif  // LOCKSTEP_TESTS_TESTING_FUNCTION_ENV_H_
