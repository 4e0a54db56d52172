// TestEnvironment: unit tests of workflow code on Lockstep's in-process service, in virtual
// time, deterministic. The same service, workers and schedule seam (ServiceEnv) the simulator
// drives: a unit test and a simulation differ only in who decides the schedule.
//
//   TestEnvironment env;
//   ASSERT_OK(env.RegisterWorkflow(kOrderWorkflow, &OrderWorkflow));
//   env.OnActivity(kChargeCard).Fail(ApplicationFailure("busy", "Unavailable")).Times(2)
//       .Return("ch_1");
//   env.RegisterDelayedCallback(absl::Hours(1), [&] { ASSERT_OK(handle.Signal(kApprove, true)); });
//   EXPECT_THAT(env.ExecuteWorkflow(kOrderWorkflow, {}, order), IsOkAndHolds("ch_1"));
//
// Contract:
//   - Virtual time. The clock starts at options.start_time and moves only here. With time
//     skipping (the default), a call that waits (ExecuteWorkflow, WorkflowHandle::Result and
//     Update) jumps from deadline to deadline whenever nothing is due now, so a workflow that
//     sleeps for 30 days completes in milliseconds; it gives up with DeadlineExceeded after
//     options.max_time_skip of virtual time, and with FailedPrecondition when nothing is
//     pending at all (the workflow waits for something only the test could send). With time
//     skipping off, time moves only through AdvanceTime and waiting calls run what is due now.
//   - Delayed callbacks run at their virtual time, before the service's steps due at that
//     instant, in order of time and then of registration. They may signal, query, cancel,
//     terminate, start workflows and register more callbacks, but not wait.
//   - Replay is always checked: by default every run is evicted from the worker's cache after
//     each workflow task, so every task replays the run's whole history through the same code
//     path as a worker restart, and nondeterminism fails the test's workflow task (and shows as
//     a workflow that never completes, reported by the waiting call).
//   - Registration and workflow mocks are fixed when the first workflow starts; registering or
//     mocking a new workflow type later is an error (absl::Status or std::logic_error). Activity
//     mocks may be set or changed at any time and apply from the next attempt.
//   - Determinism: ids, run ids and the schedule depend only on the options and the calls
//     made, so the same test writes the same histories byte for byte on every run.
//   - Single-threaded: use an environment from one thread.
#ifndef LOCKSTEP_TESTING_TEST_ENVIRONMENT_H_
#define LOCKSTEP_TESTING_TEST_ENVIRONMENT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <tuple>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/core/clock.h"
#include "engine/payload/payload.h"
#include "engine/service/service.h"
#include "engine/service/service_env.h"
#include "engine/workflow/definitions.h"
#include "engine/workflow/registry.h"
#include "engine/workflow/worker.h"
#include "temporal/api/common/v1/message.pb.h"
#include "testing/activity_mock.h"
#include "testing/workflow_handle.h"
#include "testing/workflow_mock.h"
#include "testing/workflow_status.h"

namespace lockstep::testing {

struct TestEnvironmentOptions {
  // Jump to the next deadline when nothing is due (see the contract above).
  bool time_skipping = true;
  // Evict every run after each workflow task, so every task replays the whole history.
  bool evict_after_every_task = true;
  // The task queue of workflows started without one.
  std::string task_queue = "test";
  absl::Time start_time = absl::FromUnixSeconds(1704067200);  // 2024-01-01T00:00:00Z
  // The most virtual time one waiting call may skip (guards a workflow that never ends).
  absl::Duration max_time_skip = absl::Hours(24 * 365 * 10);
  // The service's options; `service.env` is ignored (decisions come from `schedule`).
  ServiceOptions service = {};
  // Scheduling decisions the test does not make itself (activity mocks are applied on top):
  // the simulator's or a test's own ServiceEnv. Null: the default schedule. Must outlive the
  // environment.
  ServiceEnv* schedule = nullptr;
  // Receives workflow Log() lines.
  std::function<void(const std::string&)> log_sink = {};
};

// How a test starts a workflow; empty / zero: the environment's defaults.
struct StartWorkflowOptions {
  std::string id = {};  // empty: "<type>-<n>", n counting starts in this environment
  std::string task_queue = {};  // empty: TestEnvironmentOptions::task_queue
  absl::Duration execution_timeout = absl::ZeroDuration();
  absl::Duration run_timeout = absl::ZeroDuration();
  absl::Duration task_timeout = absl::ZeroDuration();
  std::optional<temporal::api::common::v1::RetryPolicy> retry_policy = {};
  temporal::api::enums::v1::WorkflowIdReusePolicy id_reuse_policy =
      temporal::api::enums::v1::WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED;
};

class TestEnvironment {
 public:
  explicit TestEnvironment(TestEnvironmentOptions options = {});
  TestEnvironment(const TestEnvironment&) = delete;
  TestEnvironment& operator=(const TestEnvironment&) = delete;
  ~TestEnvironment();

  // --- Registration (before the first workflow starts).
  template <typename F>
  absl::Status RegisterWorkflow(std::string type, F fn) {
    if (absl::Status s = CheckNotStarted("RegisterWorkflow"); !s.ok()) return s;
    return registry_.RegisterWorkflow(std::move(type), std::move(fn));
  }
  template <typename R, typename... Args, typename F>
  absl::Status RegisterWorkflow(const WorkflowDef<R(Args...)>& def, F fn) {
    if (absl::Status s = CheckNotStarted("RegisterWorkflow"); !s.ok()) return s;
    return registry_.RegisterWorkflow(def, std::move(fn));
  }
  template <typename F>
  absl::Status RegisterActivity(std::string type, F fn) {
    if (absl::Status s = CheckNotStarted("RegisterActivity"); !s.ok()) return s;
    return registry_.RegisterActivity(std::move(type), std::move(fn));
  }
  template <typename R, typename... Args, typename F>
  absl::Status RegisterActivity(const ActivityDef<R(Args...)>& def, F fn) {
    if (absl::Status s = CheckNotStarted("RegisterActivity"); !s.ok()) return s;
    return registry_.RegisterActivity(def, std::move(fn));
  }
  // The registry the workers use, for registration helpers that take a Registry* (such as an
  // application's own RegisterAll). Registering into it after the first start has no effect
  // on the workers and makes the next start fail.
  Registry* registry() { return &registry_; }

  // --- Mocks.
  // The activity mock for `type`, made on first use (activity_mock.h).
  ActivityMock& OnActivity(absl::string_view type);
  template <typename Sig>
  TypedActivityMock<Sig> OnActivity(const ActivityDef<Sig>& def) {
    return TypedActivityMock<Sig>(&OnActivity(def.name_string()));
  }
  // The child workflow mock for `type`, made on first use (workflow_mock.h). Throws
  // std::logic_error for a type neither registered nor mocked before the first start.
  WorkflowMock& OnWorkflow(absl::string_view type);
  template <typename Sig>
  TypedWorkflowMock<Sig> OnWorkflow(const WorkflowDef<Sig>& def) {
    return TypedWorkflowMock<Sig>(&OnWorkflow(def.name_string()));
  }

  // --- Workflows.
  template <typename... Args>
  absl::StatusOr<WorkflowHandle> StartWorkflow(absl::string_view type,
                                               const StartWorkflowOptions& options,
                                               const Args&... args) {
    return StartWorkflowRaw(std::string(type), options, ToPayloads(args...));
  }
  template <typename R, typename... Declared, typename... Args>
  absl::StatusOr<WorkflowHandle> StartWorkflow(const WorkflowDef<R(Declared...)>& def,
                                               const StartWorkflowOptions& options,
                                               const Args&... args) {
    static_assert(kArgumentsMatch<std::tuple<Declared...>, Args...>,
                  "StartWorkflow: the arguments do not match the WorkflowDef's signature");
    return StartWorkflowRaw(def.name_string(), options,
                            ToPayloads(static_cast<const Declared&>(args)...));
  }
  // Starts the workflow and waits for its result (WorkflowHandle::Result).
  template <typename R = Payloads, typename... Args>
  StatusOrValue<R> ExecuteWorkflow(absl::string_view type, const StartWorkflowOptions& options,
                                   const Args&... args) {
    absl::StatusOr<WorkflowHandle> handle = StartWorkflow(type, options, args...);
    if (!handle.ok()) return handle.status();
    return handle->template Result<R>();
  }
  template <typename R, typename... Declared, typename... Args>
  StatusOrValue<R> ExecuteWorkflow(const WorkflowDef<R(Declared...)>& def,
                                   const StartWorkflowOptions& options, const Args&... args) {
    absl::StatusOr<WorkflowHandle> handle = StartWorkflow(def, options, args...);
    if (!handle.ok()) return handle.status();
    return handle->template Result<R>();
  }
  // Signals the open run of `options.id`, or starts the workflow with `input` and the signal.
  absl::StatusOr<WorkflowHandle> SignalWithStartWorkflowRaw(std::string type,
                                                            const StartWorkflowOptions& options,
                                                            std::string signal,
                                                            Payloads signal_input,
                                                            Payloads input);
  absl::StatusOr<WorkflowHandle> StartWorkflowRaw(std::string type,
                                                  const StartWorkflowOptions& options,
                                                  Payloads input);
  // A handle on the latest run of `workflow_id` (a child workflow's, say).
  absl::StatusOr<WorkflowHandle> GetHandle(absl::string_view workflow_id);

  // --- Time.
  absl::Time Now() const { return clock_.Now(); }
  // Runs `callback` once virtual time reaches Now() + `delay` (see the contract above).
  void RegisterDelayedCallback(absl::Duration delay, std::function<void()> callback);
  // Runs everything due now (callbacks, then the service's steps), until nothing is.
  void RunUntilIdle();
  // Moves virtual time forward by `duration`, running everything that falls due on the way,
  // in order, whatever the time-skipping setting.
  void AdvanceTime(absl::Duration duration);
  // Runs, skipping time, until `done()` holds (OK), nothing is pending (FailedPrecondition
  // naming `what`), or max_time_skip passes (DeadlineExceeded). With time skipping off, runs
  // only what is due now. Not from a delayed callback.
  absl::Status RunUntil(absl::FunctionRef<bool()> done, absl::string_view what);

  // --- Workers.
  // Every worker crashes (Service::CrashWorkers): workflow tasks and activity attempts in
  // flight are lost and time out; nothing is dispatched until RestartWorkers. The crashed
  // worker's cache is gone. Not from inside a workflow or activity; no-op when crashed.
  void CrashWorkers();
  // Fresh workers with empty caches attach and the next run of the loop dispatches what
  // waited (each run's next task replays its whole history). No-op when not crashed.
  void RestartWorkers();
  bool workers_crashed() const { return workers_crashed_; }
  // The worker drops the run from its cache (its next task replays the whole history).
  // No-op while the workers are crashed.
  void Evict(const std::string& workflow_id, const std::string& run_id);

  // --- Inspection.
  // Activity attempts that reached the execution seam, mocked or not, by activity type.
  int ActivityAttempts(absl::string_view type) const;
  template <typename Sig>
  int ActivityAttempts(const ActivityDef<Sig>& def) const {
    return ActivityAttempts(def.name_string());
  }
  const TestEnvironmentOptions& options() const { return options_; }
  // The service and worker under test (made at the first start; worker() throws
  // std::logic_error while the workers are crashed).
  Service& service();
  Worker& worker();

 private:
  friend class WorkflowHandle;
  class Schedule;

  absl::Status CheckNotStarted(absl::string_view what) const;
  // Makes the worker's registry (registrations plus mock dispatch), the worker and the service,
  // once; later calls return at once (RunDue calls it at every deadline).
  absl::Status Init();
  std::unique_ptr<Worker> MakeWorker();
  // FailedPrecondition if a type was registered after Init (checked where a run starts).
  absl::Status CheckRegistrationsUnchanged() const;
  StartWorkflowRequest MakeStartRequest(std::string type, const StartWorkflowOptions& options,
                                        Payloads input);
  WorkflowHandle MakeHandle(const StartWorkflowRequest& request, std::string run_id);
  // Runs due callbacks and service steps at Now() until neither has anything due.
  void RunDue();
  std::optional<absl::Time> NextEvent() const;
  // The workflow function the worker runs for `type`: the mock for child runs if there is
  // one, else the registered function.
  Task<Payloads> Dispatch(const std::string& type, WorkflowContext& ctx, Payloads input);

  TestEnvironmentOptions options_;
  Registry registry_;
  Registry worker_registry_;
  size_t registered_workflows_ = 0;
  size_t registered_activities_ = 0;
  std::map<std::string, std::unique_ptr<ActivityMock>, std::less<>> activity_mocks_;
  std::map<std::string, std::unique_ptr<WorkflowMock>, std::less<>> workflow_mocks_;
  std::map<std::string, int, std::less<>> activity_attempts_;
  ManualClock clock_;
  std::unique_ptr<ServiceEnv> default_schedule_;
  std::unique_ptr<Schedule> schedule_;
  std::unique_ptr<Worker> worker_;
  std::unique_ptr<Service> service_;
  // Delayed callbacks by (time, registration order).
  std::map<std::pair<absl::Time, int64_t>, std::function<void()>> callbacks_;
  int64_t callbacks_registered_ = 0;
  bool in_callback_ = false;
  int64_t workflows_started_ = 0;
  bool workers_crashed_ = false;
};

}  // namespace lockstep::testing

#endif  // LOCKSTEP_TESTING_TEST_ENVIRONMENT_H_
