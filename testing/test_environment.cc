#include "testing/test_environment.h"

#include <stdexcept>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace lockstep::testing {
namespace {

Task<Payloads> FailUnregistered(std::string message) {
  throw ApplicationFailure(message, "WorkflowNotRegistered", true);
  co_return Payloads();
}

}  // namespace

// The environment's decisions on top of the caller's schedule: mocked activities answer at the
// activity execution seam (remote and local attempts alike), and every attempt is counted.
class TestEnvironment::Schedule : public ServiceEnvWrapper {
 public:
  Schedule(ServiceEnv* base, TestEnvironment* env) : ServiceEnvWrapper(base), env_(env) {}

  ActivityAttempt RunActivityAttempt(const ActivityTask& task,
                                     absl::FunctionRef<ActivityOutcome()> run) override {
    ++env_->activity_attempts_[task.activity_type];
    auto mock = env_->activity_mocks_.find(task.activity_type);
    if (mock != env_->activity_mocks_.end()) return mock->second->Answer(task);
    return ServiceEnvWrapper::RunActivityAttempt(task, run);
  }

 private:
  TestEnvironment* env_;
};

TestEnvironment::TestEnvironment(TestEnvironmentOptions options)
    : options_(std::move(options)), clock_(options_.start_time) {
  ServiceEnv* base = options_.schedule;
  if (base == nullptr) {
    default_schedule_ = std::make_unique<ServiceEnv>();
    base = default_schedule_.get();
  }
  schedule_ = std::make_unique<Schedule>(base, this);
}

TestEnvironment::~TestEnvironment() = default;

absl::Status TestEnvironment::CheckNotStarted(absl::string_view what) const {
  if (service_ == nullptr) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      what, ": the first workflow has started; register every type before starting one"));
}

ActivityMock& TestEnvironment::OnActivity(absl::string_view type) {
  auto it = activity_mocks_.find(type);
  if (it == activity_mocks_.end()) {
    it = activity_mocks_
             .emplace(std::string(type), std::make_unique<ActivityMock>(std::string(type)))
             .first;
  }
  return *it->second;
}

WorkflowMock& TestEnvironment::OnWorkflow(absl::string_view type) {
  auto it = workflow_mocks_.find(type);
  if (it != workflow_mocks_.end()) return *it->second;
  if (service_ != nullptr && worker_registry_.FindWorkflow(std::string(type)) == nullptr) {
    // The worker's registry is fixed: a type it does not know cannot be dispatched to a mock.
    throw std::logic_error(absl::StrCat(
        "OnWorkflow(\"", type,
        "\"): mock workflow types before the first workflow starts (this type was neither "
        "registered nor mocked then)"));
  }
  return *workflow_mocks_
              .emplace(std::string(type), std::make_unique<WorkflowMock>(std::string(type)))
              .first->second;
}

Task<Payloads> TestEnvironment::Dispatch(const std::string& type, WorkflowContext& ctx,
                                         Payloads input) {
  if (!ctx.info().parent_workflow_id.empty()) {
    auto mock = workflow_mocks_.find(type);
    if (mock != workflow_mocks_.end()) return mock->second->Run(ctx, std::move(input));
  }
  const WorkflowFunction* fn = registry_.FindWorkflow(type);
  if (fn == nullptr) {
    // Mocked only, started without a parent: fail the run as an unregistered type would.
    return FailUnregistered(absl::StrCat(
        "workflow type \"", type,
        "\" is only mocked (as a child workflow) in this test environment"));
  }
  return (*fn)(ctx, std::move(input));
}

absl::Status TestEnvironment::CheckRegistrationsUnchanged() const {
  if (registry_.WorkflowTypes().size() != registered_workflows_ ||
      registry_.ActivityTypes().size() != registered_activities_) {
    return absl::FailedPreconditionError(
        "a workflow or activity was registered after the first workflow started; register "
        "every type before starting one");
  }
  return absl::OkStatus();
}

absl::Status TestEnvironment::Init() {
  if (service_ != nullptr) return absl::OkStatus();
  std::vector<std::string> workflow_types = registry_.WorkflowTypes();
  registered_workflows_ = workflow_types.size();
  for (const auto& [type, mock] : workflow_mocks_) {
    if (registry_.FindWorkflow(type) == nullptr) workflow_types.push_back(type);
  }
  for (const std::string& type : workflow_types) {
    absl::Status s = worker_registry_.RegisterRawWorkflow(
        type, [this, type](WorkflowContext& ctx, Payloads input) {
          return Dispatch(type, ctx, std::move(input));
        });
    if (!s.ok()) return s;
  }
  const std::vector<std::string> activity_types = registry_.ActivityTypes();
  registered_activities_ = activity_types.size();
  for (const std::string& type : activity_types) {
    const ActivityFunction* fn = registry_.FindActivity(type);
    absl::Status s = worker_registry_.RegisterRawActivity(
        type, [fn](ActivityContext& ctx, const Payloads& input) { return (*fn)(ctx, input); });
    if (!s.ok()) return s;
  }

  worker_ = MakeWorker();
  ServiceOptions service_options = options_.service;
  service_options.env = schedule_.get();
  service_ = std::make_unique<Service>(&clock_, worker_.get(), worker_.get(), service_options);
  return absl::OkStatus();
}

std::unique_ptr<Worker> TestEnvironment::MakeWorker() {
  WorkerOptions worker_options;
  worker_options.evict_after_every_task = options_.evict_after_every_task;
  worker_options.log_sink = options_.log_sink;
  worker_options.activity_env = schedule_.get();
  return std::make_unique<Worker>(&worker_registry_, worker_options);
}

void TestEnvironment::CrashWorkers() {
  if (absl::Status s = Init(); !s.ok()) throw std::logic_error(std::string(s.message()));
  if (workers_crashed_) return;
  service_->CrashWorkers();
  // The service has detached the worker: it is never called again and may go.
  worker_.reset();
  workers_crashed_ = true;
}

void TestEnvironment::RestartWorkers() {
  if (!workers_crashed_) return;
  worker_ = MakeWorker();
  service_->AttachWorkers(worker_.get(), worker_.get());
  workers_crashed_ = false;
}

void TestEnvironment::Evict(const std::string& workflow_id, const std::string& run_id) {
  if (workers_crashed_ || worker_ == nullptr) return;
  worker_->Evict(workflow_id, run_id);
}

Service& TestEnvironment::service() {
  if (absl::Status s = Init(); !s.ok()) throw std::logic_error(std::string(s.message()));
  return *service_;
}

Worker& TestEnvironment::worker() {
  if (absl::Status s = Init(); !s.ok()) throw std::logic_error(std::string(s.message()));
  if (worker_ == nullptr) throw std::logic_error("worker(): the workers have crashed");
  return *worker_;
}

StartWorkflowRequest TestEnvironment::MakeStartRequest(std::string type,
                                                       const StartWorkflowOptions& options,
                                                       Payloads input) {
  StartWorkflowRequest request;
  ++workflows_started_;
  request.workflow_id =
      options.id.empty() ? absl::StrCat(type, "-", workflows_started_) : options.id;
  request.workflow_type = std::move(type);
  request.task_queue = options.task_queue.empty() ? options_.task_queue : options.task_queue;
  request.input = std::move(input);
  request.execution_timeout = options.execution_timeout;
  request.run_timeout = options.run_timeout;
  request.task_timeout = options.task_timeout;
  request.retry_policy = options.retry_policy;
  request.id_reuse_policy = options.id_reuse_policy;
  return request;
}

WorkflowHandle TestEnvironment::MakeHandle(const StartWorkflowRequest& request,
                                           std::string run_id) {
  WorkflowHandle handle;
  handle.env_ = this;
  handle.workflow_id_ = request.workflow_id;
  handle.run_id_ = std::move(run_id);
  handle.workflow_type_ = request.workflow_type;
  handle.start_ = request;
  return handle;
}

absl::StatusOr<WorkflowHandle> TestEnvironment::StartWorkflowRaw(
    std::string type, const StartWorkflowOptions& options, Payloads input) {
  if (absl::Status s = Init(); !s.ok()) return s;
  if (absl::Status s = CheckRegistrationsUnchanged(); !s.ok()) return s;
  if (worker_registry_.FindWorkflow(type) == nullptr) {
    return absl::NotFoundError(absl::StrCat("StartWorkflow: workflow type \"", type,
                                            "\" is not registered in this test environment"));
  }
  StartWorkflowRequest request = MakeStartRequest(std::move(type), options, std::move(input));
  auto started = service_->StartWorkflow(request);
  if (!started.ok()) return started.status();
  return MakeHandle(request, started->run_id());
}

absl::StatusOr<WorkflowHandle> TestEnvironment::SignalWithStartWorkflowRaw(
    std::string type, const StartWorkflowOptions& options, std::string signal,
    Payloads signal_input, Payloads input) {
  if (absl::Status s = Init(); !s.ok()) return s;
  if (absl::Status s = CheckRegistrationsUnchanged(); !s.ok()) return s;
  if (worker_registry_.FindWorkflow(type) == nullptr) {
    return absl::NotFoundError(absl::StrCat("SignalWithStartWorkflow: workflow type \"", type,
                                            "\" is not registered in this test environment"));
  }
  SignalWithStartRequest request;
  request.start = MakeStartRequest(std::move(type), options, std::move(input));
  request.signal_name = std::move(signal);
  request.signal_input = std::move(signal_input);
  auto started = service_->SignalWithStartWorkflow(request);
  if (!started.ok()) return started.status();
  return MakeHandle(request.start, started->run_id());
}

absl::StatusOr<WorkflowHandle> TestEnvironment::GetHandle(absl::string_view workflow_id) {
  if (absl::Status s = Init(); !s.ok()) return s;
  auto description = service_->DescribeWorkflow(std::string(workflow_id), "");
  if (!description.ok()) return description.status();
  StartWorkflowRequest request;
  request.workflow_id = std::string(workflow_id);
  request.workflow_type = description->workflow_type;
  request.task_queue = description->task_queue;
  return MakeHandle(request, description->execution.run_id());
}

void TestEnvironment::RegisterDelayedCallback(absl::Duration delay,
                                              std::function<void()> callback) {
  callbacks_.emplace(std::make_pair(clock_.Now() + delay, callbacks_registered_++),
                     std::move(callback));
}

void TestEnvironment::RunDue() {
  if (absl::Status s = Init(); !s.ok()) throw std::logic_error(std::string(s.message()));
  while (true) {
    bool ran = false;
    while (!callbacks_.empty() && callbacks_.begin()->first.first <= clock_.Now()) {
      std::function<void()> callback = std::move(callbacks_.begin()->second);
      callbacks_.erase(callbacks_.begin());
      in_callback_ = true;
      callback();
      in_callback_ = false;
      ran = true;
    }
    service_->RunUntilIdle();
    // A step may not register callbacks, but a callback may have made steps due now; loop
    // until both are quiet.
    if (!ran) return;
  }
}

std::optional<absl::Time> TestEnvironment::NextEvent() const {
  std::optional<absl::Time> next = service_->NextDeadline();
  if (!callbacks_.empty()) {
    const absl::Time callback = callbacks_.begin()->first.first;
    if (!next.has_value() || callback < *next) next = callback;
  }
  return next;
}

void TestEnvironment::RunUntilIdle() {
  if (in_callback_) {
    // Inside a callback the loop around it runs what the callback made due.
    service_->RunUntilIdle();
    return;
  }
  RunDue();
}

void TestEnvironment::AdvanceTime(absl::Duration duration) {
  if (in_callback_) throw std::logic_error("AdvanceTime: not from a delayed callback");
  const absl::Time target = clock_.Now() + duration;
  RunDue();
  while (true) {
    std::optional<absl::Time> next = NextEvent();
    if (!next.has_value() || *next > target) break;
    clock_.AdvanceTo(*next);
    RunDue();
  }
  clock_.AdvanceTo(target);
  RunDue();
}

absl::Status TestEnvironment::RunUntil(absl::FunctionRef<bool()> done, absl::string_view what) {
  if (in_callback_) {
    return absl::FailedPreconditionError(
        absl::StrCat("waiting for ", what, " from a delayed callback: callbacks may not wait"));
  }
  if (absl::Status s = Init(); !s.ok()) return s;
  const absl::Time start = clock_.Now();
  while (true) {
    RunDue();
    if (done()) return absl::OkStatus();
    // Only the error paths below format the time (this loop runs once per deadline).
    auto now = [this] {
      return absl::FormatTime(absl::RFC3339_full, clock_.Now(), absl::UTCTimeZone());
    };
    if (!options_.time_skipping) {
      return absl::FailedPreconditionError(
          absl::StrCat(what, " has not happened by ", now(),
                       " and time skipping is off: move time with AdvanceTime"));
    }
    std::optional<absl::Time> next = NextEvent();
    if (!next.has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(
          what, " cannot happen: nothing is pending at ", now(),
          " (no timer, timeout, retry, activity or callback); the workflow waits for something "
          "only the test can send, such as a signal or an update, or failed a workflow task "
          "(see its history)"));
    }
    if (*next - start > options_.max_time_skip) {
      return absl::DeadlineExceededError(absl::StrCat(
          what, " has not happened after ", absl::FormatDuration(options_.max_time_skip),
          " of virtual time (TestEnvironmentOptions::max_time_skip); it is now ", now()));
    }
    clock_.AdvanceTo(*next);
  }
}

int TestEnvironment::ActivityAttempts(absl::string_view type) const {
  auto it = activity_attempts_.find(type);
  return it == activity_attempts_.end() ? 0 : it->second;
}

}  // namespace lockstep::testing
