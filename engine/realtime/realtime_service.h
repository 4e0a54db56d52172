// RealTimeService: the engine in production mode. The same Service (engine/service/service.h)
// the tests and the simulator drive in virtual time, driven here by the system clock: timers
// fire on real time, activities run on a thread pool, clients call from any thread.
//
//   Registry registry;  // workflows and activities, as for a Worker
//   RealTimeService service(&registry, {.activity_threads = 8});
//   auto run = service.StartWorkflow(request);
//   auto closed = service.WaitForClose(run->workflow_id(), run->run_id(), absl::Minutes(1));
//   service.Shutdown(absl::Seconds(30));
//
// Only the injected parts differ from a unit test: the clock (SystemClock), the service
// environment (the real-time one below: activity attempts deferred to the pool, their
// outcomes reported back through Service::CompleteActivityAttempt, Temporal's asynchronous
// activity completion) and, optionally, a durable history store.
//
// Threading:
//   - One loop thread owns the Service. It runs what is due (RunUntilIdle), then sleeps until
//     the service's next deadline or until something is posted to it. Workflow code (the
//     WorkflowTaskHandler, queries included) runs only there, one task at a time.
//   - Activity attempts run on `activity_threads` pool threads, concurrently; each attempt's
//     outcome is posted back to the loop, which records it. An attempt that outlives one of
//     its timeouts is retried (or closed) by the service meanwhile; its late outcome is then
//     refused as stale and dropped (stats().stale_outcomes). Local activities run inside
//     their workflow task, on the loop thread.
//   - Client calls are thread-safe: each is posted to the loop thread, performed there between
//     steps, and its answer returned to the caller, who blocks until then. They must not be
//     called from the loop thread (a workflow task handler or query handler): that would wait
//     for itself, so they return FailedPrecondition there. Activities may call them.
//
// Shutdown(grace): client calls are refused from its start (FailedPrecondition, "the service
// is shutting down"); workers stop polling, so no new workflow task or activity attempt is
// dispatched; attempts already running get up to `grace` to finish and their outcomes are
// recorded; then the loop stops and every thread is joined. Attempts still running after
// `grace` are abandoned: their outcomes are dropped (the history shows them still running, as
// a Temporal history does when its worker stops) and queued attempts never start, but Shutdown
// still waits for running activity functions to return, since a thread cannot be interrupted.
// The destructor shuts down with no grace if the caller did not.
//
// Persistence: with RealTimeOptions::store, a StoreRecorder (engine/store/store_recorder.h)
// writes every step's events to the store, one Commit per step. A failed commit stops the
// service at once and loudly: the loop performs no further step, the error is written to
// stderr, status() returns it, and every client call from then on (and any call waiting on the
// loop) returns it. Histories in memory may then be ahead of the store; the store holds every
// step before the failed one, whole, and nothing of the failed one.
//
// Recovery: with RealTimeOptions::recover, the store's runs are restored before the loop
// starts, and the open ones resume (see the option).
//
// Determinism: none is promised here. Histories depend on the wall clock and on how threads
// interleave. Replaying them is deterministic, like any history (replay/).
#ifndef LOCKSTEP_ENGINE_REALTIME_REALTIME_SERVICE_H_
#define LOCKSTEP_ENGINE_REALTIME_REALTIME_SERVICE_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/core/task_handlers.h"
#include "engine/realtime/activity_pool.h"
#include "engine/realtime/system_clock.h"
#include "engine/service/service.h"
#include "engine/store/history_store.h"
#include "engine/store/store_recorder.h"
#include "engine/store/store_recovery.h"
#include "engine/workflow/registry.h"
#include "engine/workflow/worker.h"
#include "temporal/api/common/v1/message.pb.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep {

struct RealTimeOptions {
  // Threads that run activity attempts; < 1 counts as 1.
  int activity_threads = 4;
  // The service's options. `service.env` is ignored: the driver's environment decides.
  ServiceOptions service = {};
  // The workflow worker's options (the Registry constructor only).
  WorkerOptions worker = {};
  // Where every step's events are written, or null. Used on the loop thread only; must outlive
  // the RealTimeService and must not be used by anyone else until Shutdown returns.
  store::HistoryStore* store = nullptr;
  // With `store`: before the loop starts, every run the store holds is restored into the
  // service (store::RecoverService, docs/recovery.md), so the runs an earlier process left open
  // go on (their first workflow task replays the whole history; timers, activities and child
  // starts are armed again), and new steps are appended after the stored events. Runs that
  // cannot be read or restored are skipped and listed in recovery(). A store whose runs cannot
  // be listed stops the service as a failed commit does (status()).
  bool recover = false;
};

// What the driver has done so far.
struct RealTimeStats {
  int64_t activity_attempts = 0;   // handed to the pool
  int64_t outcomes_recorded = 0;   // reported to the service and accepted
  int64_t stale_outcomes = 0;      // reported after the attempt ended (refused by the service)
  int64_t heartbeats = 0;          // live heartbeats recorded
  int64_t abandoned_attempts = 0;  // running or queued when Shutdown's grace ran out
};

class RealTimeService {
 public:
  // Workflows run on a Worker over `registry`, activities as the registry's functions on the
  // pool. `registry` must not change and must outlive the service.
  explicit RealTimeService(const Registry* registry, RealTimeOptions options = {});
  // Custom handlers: `workflows` is called on the loop thread only; `activities` is called from
  // the pool threads concurrently and must be thread-safe. Both must outlive the service.
  RealTimeService(WorkflowTaskHandler* workflows, ActivityTaskHandler* activities,
                  RealTimeOptions options = {});
  RealTimeService(const RealTimeService&) = delete;
  RealTimeService& operator=(const RealTimeService&) = delete;
  // Shutdown(absl::ZeroDuration()) unless Shutdown was called.
  ~RealTimeService();

  // --- Client API: Service's calls (service.h has their errors), performed on the loop
  // thread. Every one also returns FailedPrecondition after Shutdown began or from the loop
  // thread, and the store's error once a commit failed.
  [[nodiscard]] absl::StatusOr<temporal::api::common::v1::WorkflowExecution> StartWorkflow(
      const StartWorkflowRequest& request);
  [[nodiscard]] absl::Status SignalWorkflow(const SignalWorkflowRequest& request);
  [[nodiscard]] absl::StatusOr<temporal::api::common::v1::WorkflowExecution>
  SignalWithStartWorkflow(const SignalWithStartRequest& request);
  [[nodiscard]] absl::StatusOr<temporal::api::common::v1::Payloads> QueryWorkflow(
      const std::string& workflow_id, const std::string& run_id, const std::string& query_type,
      const temporal::api::common::v1::Payloads& args);
  [[nodiscard]] absl::StatusOr<WorkflowDescription> DescribeWorkflow(const std::string& workflow_id,
                                                                     const std::string& run_id);
  [[nodiscard]] absl::Status RequestCancelWorkflow(const CancelWorkflowRequest& request);
  [[nodiscard]] absl::Status TerminateWorkflow(const TerminateWorkflowRequest& request);
  [[nodiscard]] absl::StatusOr<UpdateStatus> UpdateWorkflow(const UpdateWorkflowRequest& request);
  [[nodiscard]] absl::StatusOr<UpdateStatus> GetUpdateStatus(const std::string& workflow_id,
                                                             const std::string& update_id);
  [[nodiscard]] absl::StatusOr<std::vector<temporal::api::common::v1::WorkflowExecution>>
  ListRuns();
  // A copy of the run's history as it is now.
  [[nodiscard]] absl::StatusOr<temporal::api::history::v1::History> GetHistory(
      const std::string& workflow_id, const std::string& run_id);

  // Waits until the run (run_id empty: the current run of the id, as it is when asked) is
  // closed and returns its description; DeadlineExceeded after `timeout`. Errors as
  // DescribeWorkflow.
  [[nodiscard]] absl::StatusOr<WorkflowDescription> WaitForClose(const std::string& workflow_id,
                                                                 const std::string& run_id,
                                                                 absl::Duration timeout);

  // Graceful shutdown (see the contract above). Returns once every thread is joined. Later
  // calls return at once. Must not be called from the loop thread or from an activity.
  void Shutdown(absl::Duration grace);

  // The service itself, for reading what it holds (histories, descriptions) once Shutdown has
  // returned, when no other thread touches it any more; null before.
  const Service* stopped_service() const;

  // OK, or why the service stopped on its own (a failed store commit, a failed recovery).
  absl::Status status() const;
  RealTimeStats stats() const;
  // What RealTimeOptions::recover restored (all zero without it). Set before the loop starts;
  // read it from any thread.
  const store::RecoverySummary& recovery() const { return recovery_; }

 private:
  class Env;  // the real-time ServiceEnv (realtime_service.cc)
  // Work for the loop thread. Called with the service, or with null when the service has
  // stopped (a failed commit): the item must then answer without it.
  using Posted = absl::AnyInvocable<void(Service*) &&>;

  void Start();
  void Loop();
  // Queues `item` for the loop. `client` items are refused once shutdown began; others (the
  // pool's outcomes and heartbeats) only once the loop is stopping; all of them once a commit
  // failed. The reason when refused. An item accepted is always performed.
  absl::Status Post(Posted item, bool client);
  // Performs `fn` on the loop thread and returns its answer (R: absl::Status or StatusOr);
  // `client` as for Post.
  template <typename R>
  R Call(absl::FunctionRef<R(Service&)> fn, bool client);
  // Runs one activity attempt on a pool thread and posts its outcome to the loop.
  void RunAttempt(ActivityTask task);
  // On the loop thread: after a step, stops the service if the store's last commit failed.
  void CheckStore();
  // On the loop thread, whenever a step ran (a step observer).
  void NoteStep();
  bool OnLoopThread() const;

  std::unique_ptr<Worker> owned_worker_;  // the Registry constructor's
  std::unique_ptr<ActivityTaskHandler> owned_activities_;
  WorkflowTaskHandler* workflows_;
  ActivityTaskHandler* activities_;
  RealTimeOptions options_;
  SystemClock clock_;
  std::unique_ptr<Env> env_;
  std::unique_ptr<store::StoreRecorder> recorder_;
  store::RecoverySummary recovery_;
  std::unique_ptr<StepObserver> progress_;
  std::unique_ptr<Service> service_;  // used on the loop thread only
  realtime::ActivityPool pool_;

  // Standard primitives rather than absl::Mutex: ThreadSanitizer sees through them even when
  // absl is a prebuilt, uninstrumented library.
  mutable std::mutex mu_;
  std::condition_variable loop_wake_;  // posted_ or stop_ changed (the loop waits on it)
  // Anything a caller may wait for changed: an answer, in_flight_, steps_, accepting_.
  std::condition_variable changed_;
  std::deque<Posted> posted_ ABSL_GUARDED_BY(mu_);
  bool accepting_ ABSL_GUARDED_BY(mu_) = true;  // client calls
  bool stop_ ABSL_GUARDED_BY(mu_) = false;      // the loop is to exit
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;   // Shutdown returned
  absl::Status failure_ ABSL_GUARDED_BY(mu_);   // a failed commit
  int64_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;  // attempts whose outcome was not posted back
  int64_t steps_ ABSL_GUARDED_BY(mu_) = 0;      // steps performed (WaitForClose waits on it)
  RealTimeStats stats_ ABSL_GUARDED_BY(mu_);
  std::thread::id loop_id_ ABSL_GUARDED_BY(mu_);  // set by the loop when it starts
  std::thread loop_;
  std::mutex shutdown_mu_;  // serializes Shutdown calls
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_REALTIME_REALTIME_SERVICE_H_
