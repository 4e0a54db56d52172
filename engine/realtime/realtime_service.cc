#include "engine/realtime/realtime_service.h"

#include <chrono>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/service/activity_attempt_ref.h"
#include "engine/workflow/activity_runner.h"

namespace lockstep {
namespace {

using temporal::api::common::v1::Payloads;
using temporal::api::common::v1::WorkflowExecution;
using temporal::api::history::v1::History;

// Activities as the registry's functions: RunActivity reads the registry only, so the pool's
// threads may call it at once (a Worker's HandleActivityTask also counts, which they may not).
class RegistryActivities : public ActivityTaskHandler {
 public:
  explicit RegistryActivities(const Registry* registry) : registry_(registry) {}
  ActivityOutcome HandleActivityTask(const ActivityTask& task) override {
    return RunActivity(*registry_, task);
  }

 private:
  const Registry* registry_;
};

// Calls `fn` after every step.
class StepCounter : public StepObserver {
 public:
  explicit StepCounter(absl::AnyInvocable<void()> fn) : fn_(std::move(fn)) {}
  void OnStep(const StepRecord& step) override {
    (void)step;
    fn_();
  }

 private:
  absl::AnyInvocable<void()> fn_;
};

// Waits on `cv` until `done` holds or `deadline` passes; whether `done` holds. A deadline too
// far away for the system clock's time points (an infinite grace or timeout) waits without one.
template <typename Pred>
bool WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, absl::Time deadline,
               Pred done) {
  if (deadline >= absl::Now() + absl::Hours(24 * 365 * 100)) {
    cv.wait(lock, done);
    return true;
  }
  return cv.wait_until(lock, absl::ToChronoTime(deadline), done);
}

}  // namespace

// The real-time service environment: every remote activity attempt is deferred to the pool
// (its outcome is reported through Service::CompleteActivityAttempt); every other decision is
// the default one (no delays, ties in order of creation, every queue polled).
class RealTimeService::Env : public ServiceEnv {
 public:
  explicit Env(RealTimeService* owner) : owner_(owner) {}

  ActivityAttempt RunActivityAttempt(const ActivityTask& task,
                                     absl::FunctionRef<ActivityOutcome()> run) override {
    // A local activity belongs to its workflow task, which waits for it on this thread.
    if (task.local) return {run(), ActivityTiming{}};
    {
      std::lock_guard<std::mutex> lock(owner_->mu_);
      ++owner_->in_flight_;
      ++owner_->stats_.activity_attempts;
    }
    if (!owner_->pool_.Submit(
            [owner = owner_, task]() mutable { owner->RunAttempt(std::move(task)); })) {
      // Only once the pool stopped, after the loop: unreachable while the loop runs.
      std::lock_guard<std::mutex> lock(owner_->mu_);
      --owner_->in_flight_;
      owner_->changed_.notify_all();
    }
    ActivityAttempt attempt;
    attempt.deferred = true;
    return attempt;
  }

 private:
  RealTimeService* owner_;
};

RealTimeService::RealTimeService(const Registry* registry, RealTimeOptions options)
    : owned_worker_(std::make_unique<Worker>(registry, options.worker)),
      owned_activities_(std::make_unique<RegistryActivities>(registry)),
      workflows_(owned_worker_.get()),
      activities_(owned_activities_.get()),
      options_(std::move(options)),
      pool_(options_.activity_threads) {
  Start();
}

RealTimeService::RealTimeService(WorkflowTaskHandler* workflows, ActivityTaskHandler* activities,
                                 RealTimeOptions options)
    : workflows_(workflows),
      activities_(activities),
      options_(std::move(options)),
      pool_(options_.activity_threads) {
  Start();
}

RealTimeService::~RealTimeService() { Shutdown(absl::ZeroDuration()); }

void RealTimeService::Start() {
  env_ = std::make_unique<Env>(this);
  ServiceOptions service_options = options_.service;
  service_options.env = env_.get();
  service_ = std::make_unique<Service>(&clock_, workflows_, activities_, service_options);
  if (options_.store != nullptr && options_.recover) {
    // Before the recorder is attached: restoring writes nothing, and the recorder then appends
    // after what is stored. No other thread runs yet.
    absl::StatusOr<store::RecoverySummary> recovered =
        store::RecoverService(*options_.store, service_.get());
    if (recovered.ok()) {
      recovery_ = *std::move(recovered);
    } else {
      std::lock_guard<std::mutex> lock(mu_);
      failure_ = absl::Status(recovered.status().code(),
                              absl::StrCat("recovery from the history store failed, so the "
                                           "real-time service stopped: ",
                                           recovered.status().message()));
      accepting_ = false;
    }
  }
  if (options_.store != nullptr) {
    recorder_ = std::make_unique<store::StoreRecorder>(options_.store);
    service_->AddStepObserver(recorder_.get());
  }
  progress_ = std::make_unique<StepCounter>([this] {
    std::lock_guard<std::mutex> lock(mu_);
    ++steps_;
    changed_.notify_all();
  });
  service_->AddStepObserver(progress_.get());
  loop_ = std::thread([this] { Loop(); });
}

// --- The loop ---------------------------------------------------------------------------------

void RealTimeService::Loop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    loop_id_ = std::this_thread::get_id();
  }
  for (;;) {
    std::deque<Posted> batch;
    {
      std::lock_guard<std::mutex> lock(mu_);
      batch.swap(posted_);
    }
    for (Posted& item : batch) std::move(item)(status().ok() ? service_.get() : nullptr);
    if (status().ok()) {
      service_->RunUntilIdle();
      CheckStore();
    }
    const std::optional<absl::Time> next = status().ok() ? service_->NextDeadline() : std::nullopt;
    std::unique_lock<std::mutex> lock(mu_);
    auto has_work = [this] { return stop_ || !posted_.empty(); };
    if (!posted_.empty()) continue;
    if (stop_) return;
    WaitUntil(loop_wake_, lock, next.value_or(absl::InfiniteFuture()), has_work);
  }
}

absl::Status RealTimeService::Post(Posted item, bool client) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failure_.ok()) return failure_;
    if (stop_ || (client && !accepting_)) {
      return absl::FailedPreconditionError(
          "the real-time service is shutting down: client calls are no longer accepted");
    }
    posted_.push_back(std::move(item));
  }
  loop_wake_.notify_one();
  return absl::OkStatus();
}

bool RealTimeService::OnLoopThread() const {
  std::lock_guard<std::mutex> lock(mu_);
  return loop_id_ == std::this_thread::get_id();
}

template <typename R>
R RealTimeService::Call(absl::FunctionRef<R(Service&)> fn, bool client) {
  if (OnLoopThread()) {
    return R(absl::FailedPreconditionError(
        "a RealTimeService call was made on its loop thread (from a workflow task or query "
        "handler), where it would wait for itself"));
  }
  std::optional<R> answer;
  bool done = false;
  absl::Status posted = Post(
      [this, fn, &answer, &done](Service* service) {
        std::optional<R> got;
        if (service != nullptr) {
          got.emplace(fn(*service));
          CheckStore();
        }
        std::lock_guard<std::mutex> lock(mu_);
        if (!failure_.ok()) {
          answer.emplace(failure_);
        } else {
          answer = std::move(got);
        }
        done = true;
        changed_.notify_all();
      },
      client);
  if (!posted.ok()) return R(std::move(posted));
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&done] { return done; });
  return std::move(*answer);
}

void RealTimeService::CheckStore() {
  if (recorder_ == nullptr || recorder_->status().ok()) return;
  absl::Status failure;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failure_.ok()) return;
    failure_ = absl::Status(
        recorder_->status().code(),
        absl::StrCat("the history store failed, so the real-time service stopped (nothing more "
                     "is performed or written): ",
                     recorder_->status().message()));
    accepting_ = false;
    failure = failure_;
    changed_.notify_all();
  }
  std::fprintf(stderr, "lockstep: %s\n", failure.ToString().c_str());
}

// --- Activities ------------------------------------------------------------------------------

void RealTimeService::RunAttempt(ActivityTask task) {
  const ActivityAttemptRef ref = ActivityAttemptRef::Of(task);
  task.heartbeat = [this, ref](const Payloads& details) {
    absl::StatusOr<bool> cancel = Call<absl::StatusOr<bool>>(
        [&ref, &details](Service& service) {
          return service.RecordActivityHeartbeat(ref, details);
        },
        /*client=*/false);
    if (cancel.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.heartbeats;
    }
    return cancel.ok() && *cancel;
  };
  ActivityOutcome outcome = activities_->HandleActivityTask(task);
  task.heartbeat = nullptr;
  absl::Status posted = Post(
      [this, ref, outcome = std::move(outcome)](Service* service) mutable {
        const bool accepted =
            service != nullptr && service->CompleteActivityAttempt(ref, std::move(outcome)).ok();
        std::lock_guard<std::mutex> lock(mu_);
        --in_flight_;
        ++(accepted ? stats_.outcomes_recorded : stats_.stale_outcomes);
        changed_.notify_all();
      },
      /*client=*/false);
  if (!posted.ok()) {
    // The loop has stopped: Shutdown's grace ran out (it counted this attempt as abandoned).
    std::lock_guard<std::mutex> lock(mu_);
    --in_flight_;
    changed_.notify_all();
  }
}

// --- Shutdown ----------------------------------------------------------------------------------

void RealTimeService::Shutdown(absl::Duration grace) {
  std::lock_guard<std::mutex> shutdown_lock(shutdown_mu_);
  if (shut_down_) return;
  shut_down_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    accepting_ = false;
    changed_.notify_all();
  }
  // No new workflow task or activity attempt from here on; what waits stays in the history.
  (void)Post(
      [](Service* service) {
        if (service == nullptr) return;
        service->SetWorkflowWorkersPolling(false);
        service->SetActivityWorkersPolling(false);
      },
      /*client=*/false);
  {
    std::unique_lock<std::mutex> lock(mu_);
    WaitUntil(changed_, lock, absl::Now() + grace,
              [this] { return in_flight_ == 0 || !failure_.ok(); });
    stats_.abandoned_attempts = in_flight_;
    stop_ = true;
  }
  loop_wake_.notify_one();
  loop_.join();
  pool_.Stop();
  std::lock_guard<std::mutex> lock(mu_);
  stopped_ = true;
}

const Service* RealTimeService::stopped_service() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopped_ ? service_.get() : nullptr;
}

// --- Client calls -----------------------------------------------------------------------------

absl::StatusOr<WorkflowExecution> RealTimeService::StartWorkflow(
    const StartWorkflowRequest& request) {
  return Call<absl::StatusOr<WorkflowExecution>>(
      [&request](Service& s) { return s.StartWorkflow(request); }, true);
}

absl::Status RealTimeService::SignalWorkflow(const SignalWorkflowRequest& request) {
  return Call<absl::Status>([&request](Service& s) { return s.SignalWorkflow(request); }, true);
}

absl::StatusOr<WorkflowExecution> RealTimeService::SignalWithStartWorkflow(
    const SignalWithStartRequest& request) {
  return Call<absl::StatusOr<WorkflowExecution>>(
      [&request](Service& s) { return s.SignalWithStartWorkflow(request); }, true);
}

absl::StatusOr<Payloads> RealTimeService::QueryWorkflow(const std::string& workflow_id,
                                                        const std::string& run_id,
                                                        const std::string& query_type,
                                                        const Payloads& args) {
  return Call<absl::StatusOr<Payloads>>(
      [&](Service& s) { return s.QueryWorkflow(workflow_id, run_id, query_type, args); }, true);
}

absl::StatusOr<WorkflowDescription> RealTimeService::DescribeWorkflow(
    const std::string& workflow_id, const std::string& run_id) {
  return Call<absl::StatusOr<WorkflowDescription>>(
      [&](Service& s) { return s.DescribeWorkflow(workflow_id, run_id); }, true);
}

absl::Status RealTimeService::RequestCancelWorkflow(const CancelWorkflowRequest& request) {
  return Call<absl::Status>([&request](Service& s) { return s.RequestCancelWorkflow(request); },
                            true);
}

absl::Status RealTimeService::TerminateWorkflow(const TerminateWorkflowRequest& request) {
  return Call<absl::Status>([&request](Service& s) { return s.TerminateWorkflow(request); }, true);
}

absl::StatusOr<UpdateStatus> RealTimeService::UpdateWorkflow(const UpdateWorkflowRequest& request) {
  return Call<absl::StatusOr<UpdateStatus>>(
      [&request](Service& s) { return s.UpdateWorkflow(request); }, true);
}

absl::StatusOr<UpdateStatus> RealTimeService::GetUpdateStatus(const std::string& workflow_id,
                                                              const std::string& update_id) {
  return Call<absl::StatusOr<UpdateStatus>>(
      [&](Service& s) { return s.GetUpdateStatus(workflow_id, update_id); }, true);
}

absl::StatusOr<std::vector<WorkflowExecution>> RealTimeService::ListRuns() {
  return Call<absl::StatusOr<std::vector<WorkflowExecution>>>(
      [](Service& s) { return absl::StatusOr<std::vector<WorkflowExecution>>(s.ListRuns()); },
      true);
}

absl::StatusOr<History> RealTimeService::GetHistory(const std::string& workflow_id,
                                                    const std::string& run_id) {
  return Call<absl::StatusOr<History>>(
      [&](Service& s) -> absl::StatusOr<History> {
        absl::StatusOr<const History*> history = s.GetHistory(workflow_id, run_id);
        if (!history.ok()) return history.status();
        return **history;
      },
      true);
}

absl::StatusOr<WorkflowDescription> RealTimeService::WaitForClose(const std::string& workflow_id,
                                                                  const std::string& run_id,
                                                                  absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    int64_t seen = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen = steps_;
    }
    absl::StatusOr<WorkflowDescription> description = DescribeWorkflow(workflow_id, run_id);
    if (!description.ok()) return description.status();
    if (description->status != temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_RUNNING) {
      return description;
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (!WaitUntil(changed_, lock, deadline,
                   [this, seen] { return steps_ > seen || !accepting_; })) {
      return absl::DeadlineExceededError(absl::StrCat("run ", workflow_id, "/", run_id,
                                                      " still running after ",
                                                      absl::FormatDuration(timeout)));
    }
  }
}

absl::Status RealTimeService::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failure_;
}

RealTimeStats RealTimeService::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace lockstep
