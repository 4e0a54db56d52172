// Worker: runs workflow tasks and activity tasks for the in-process service.
//
// Workflow runs are cached between tasks; a cached run is fed only the events after the last
// task it processed. A run that is not cached (first task, eviction, worker restart) is
// rebuilt by replaying its whole history, through the same code path. A task that fails
// (nondeterminism, an exception from workflow code) evicts the run, so its retry starts from
// the history again, as Temporal's SDKs do.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_WORKER_H_
#define LOCKSTEP_ENGINE_WORKFLOW_WORKER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "engine/core/activity_execution.h"
#include "engine/core/task_handlers.h"
#include "engine/workflow/registry.h"
#include "engine/workflow/workflow_run.h"

namespace lockstep {

// What the worker reports as its SDK on every WorkflowTaskCompleted (sdk_metadata); the
// replayer compares command ids strictly only in histories that carry this name.
inline constexpr absl::string_view kSdkName = kLockstepSdkName;
inline constexpr absl::string_view kSdkVersion = "0.1.0";

struct WorkerOptions {
  // Evict every run after each workflow task, so that every task replays the whole history.
  bool evict_after_every_task = false;
  // Receives workflow Log() lines (not during replay).
  std::function<void(const std::string&)> log_sink;
  // Given to every run this worker makes (RunOptions::activity_env): the seam local activity
  // attempts go through. Not owned, must outlive the worker. Null: run at once, zero latency.
  // Remote attempts reach the seam in the service, whose `run` is HandleActivityTask; giving
  // both the same env lets one schedule decide every attempt.
  ActivityExecutionEnv* activity_env = nullptr;
};

struct WorkerStats {
  int64_t workflow_tasks = 0;
  int64_t cache_hits = 0;
  int64_t full_replays = 0;  // tasks that rebuilt the run from its history
  int64_t failed_tasks = 0;
  int64_t activity_tasks = 0;
};

class Worker : public WorkflowTaskHandler, public ActivityTaskHandler {
 public:
  explicit Worker(const Registry* registry, WorkerOptions options = {});

  WorkflowTaskResponse HandleWorkflowTask(const WorkflowTaskRequest& request) override;
  absl::StatusOr<Payloads> HandleQuery(const std::string& workflow_id, const std::string& run_id,
                                       const temporal::api::history::v1::History& history,
                                       const std::string& query_type,
                                       const Payloads& args) override;
  void Evict(const std::string& workflow_id, const std::string& run_id) override;
  // Runs the activity (activity_runner.h: what it throws becomes the outcome's failure).
  ActivityOutcome HandleActivityTask(const ActivityTask& task) override;

  const WorkerStats& stats() const { return stats_; }
  size_t cached_runs() const { return cache_.size(); }
  // The nondeterminism that failed the last task that failed by nondeterminism, if any (for
  // reports); kept from the RunError of that task.
  const Nondeterminism* last_nondeterminism() const {
    return last_nondeterminism_ ? &*last_nondeterminism_ : nullptr;
  }

 private:
  std::unique_ptr<WorkflowRun> NewRun(const std::string& workflow_id, const std::string& run_id,
                                      const std::string& namespace_name) const;

  const Registry* registry_;
  WorkerOptions options_;
  // Keyed by "workflow_id\nrun_id"; ordered so nothing depends on hash order.
  std::map<std::string, std::unique_ptr<WorkflowRun>> cache_;
  WorkerStats stats_;
  std::optional<Nondeterminism> last_nondeterminism_;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_WORKER_H_
