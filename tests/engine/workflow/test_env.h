// An in-process service, a worker and a manual clock wired together for engine tests.
#ifndef LOCKSTEP_TESTS_ENGINE_WORKFLOW_TEST_ENV_H_
#define LOCKSTEP_TESTS_ENGINE_WORKFLOW_TEST_ENV_H_

#include <memory>
#include <string>
#include <vector>

#include "engine/history/event_types.h"
#include "engine/history/validate.h"
#include "engine/core/clock.h"
#include "engine/service/service.h"
#include "engine/service/virtual_time.h"
#include "engine/workflow/registry.h"
#include "engine/workflow/worker.h"
#include "gtest/gtest.h"
#include "tests/testing/function_env.h"

namespace lockstep::testing {

class TestEnv {
 public:
  // Scheduling decisions come from `service_options.env` when set, else from `functions`.
  explicit TestEnv(WorkerOptions worker_options = {}, ServiceOptions service_options = {},
                   EnvFunctions functions = {})
      : worker_options_(std::move(worker_options)),
        service_options_(std::move(service_options)),
        env_(std::move(functions)) {
    if (service_options_.env == nullptr) service_options_.env = &env_;
  }

  Registry& registry() { return registry_; }
  ManualClock& clock() { return clock_; }

  // The worker and service are made on first use, after the test registered its types.
  Worker& worker() {
    Init();
    return *worker_;
  }
  Service& service() {
    Init();
    return *service_;
  }

  temporal::api::common::v1::WorkflowExecution Start(const std::string& type, const std::string& id,
                                                     Payloads input = {},
                                                     std::string task_queue = "q") {
    StartWorkflowRequest request;
    request.workflow_id = id;
    request.workflow_type = type;
    request.task_queue = std::move(task_queue);
    request.input = std::move(input);
    auto started = service().StartWorkflow(request);
    EXPECT_TRUE(started.ok()) << started.status();
    return started.ok() ? *started : temporal::api::common::v1::WorkflowExecution();
  }

  void Signal(const std::string& id, const std::string& name, Payloads input = {},
              std::string request_id = "") {
    SignalWorkflowRequest request;
    request.workflow_id = id;
    request.signal_name = name;
    request.input = std::move(input);
    request.request_id = std::move(request_id);
    auto s = service().SignalWorkflow(request);
    EXPECT_TRUE(s.ok()) << s;
  }

  void RunUntilIdle() { service().RunUntilIdle(); }
  // Runs, moving virtual time from deadline to deadline, until nothing is pending (or `limit`).
  void RunToEnd(absl::Duration limit = absl::Hours(24 * 365)) {
    RunUntil(service(), clock_, clock_.Now() + limit);
  }

  const temporal::api::history::v1::History& History(const std::string& id,
                                                     const std::string& run_id = "") {
    auto h = service().GetHistory(id, run_id);
    EXPECT_TRUE(h.ok()) << h.status();
    static const temporal::api::history::v1::History kEmpty;
    if (!h.ok()) return kEmpty;
    EXPECT_TRUE(history::ValidateHistory(**h, id).ok()) << history::ValidateHistory(**h, id);
    return **h;
  }

  std::vector<std::string> EventTypes(const std::string& id) {
    std::vector<std::string> types;
    for (const auto& e : History(id).events()) {
      types.push_back(history::EventTypeShortName(e.event_type()));
    }
    return types;
  }

  int Count(const std::string& id, temporal::api::enums::v1::EventType type) {
    int n = 0;
    for (const auto& e : History(id).events()) n += e.event_type() == type;
    return n;
  }

  const temporal::api::history::v1::HistoryEvent& Last(const std::string& id) {
    const auto& h = History(id);
    return h.events(h.events_size() - 1);
  }

 private:
  void Init() {
    if (service_) return;
    worker_ = std::make_unique<Worker>(&registry_, worker_options_);
    service_ = std::make_unique<Service>(&clock_, worker_.get(), worker_.get(), service_options_);
  }

  WorkerOptions worker_options_;
  ServiceOptions service_options_;
  FunctionEnv env_;
  Registry registry_;
  ManualClock clock_;
  std::unique_ptr<Worker> worker_;
  std::unique_ptr<Service> service_;
};

}  // namespace lockstep::testing

#endif  // LOCKSTEP_TESTS_ENGINE_WORKFLOW_TEST_ENV_H_
