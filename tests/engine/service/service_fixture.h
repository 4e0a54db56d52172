// A test fixture owning a ManualClock, scripted workers and a Service. After every test it
// checks that every history the service wrote passes history::ValidateHistory.
#ifndef LOCKSTEP_TESTS_ENGINE_SERVICE_SERVICE_FIXTURE_H_
#define LOCKSTEP_TESTS_ENGINE_SERVICE_SERVICE_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/history/validate.h"
#include "engine/service/service.h"
#include "engine/service/virtual_time.h"
#include "gtest/gtest.h"
#include "tests/engine/service/fake_handlers.h"
#include "tests/testing/function_env.h"

namespace lockstep::testing {

class ServiceTest : public ::testing::Test {
 protected:
  // Tests that need options or scripted decisions call this first (the default service is
  // made lazily).
  void Configure(ServiceOptions options, EnvFunctions functions = {}) {
    env_ = FunctionEnv(std::move(functions));
    if (options.env == nullptr) options.env = &env_;
    service_ = std::make_unique<Service>(&clock_, &workflows_, &activities_, std::move(options));
  }
  Service& service() {
    if (service_ == nullptr) Configure({});
    return *service_;
  }

  StartWorkflowRequest StartRequest(std::string id = "wf", std::string type = "Workflow") {
    StartWorkflowRequest r;
    r.workflow_id = std::move(id);
    r.workflow_type = std::move(type);
    r.task_queue = "queue";
    r.identity = "client";
    return r;
  }

  temporal::api::common::v1::WorkflowExecution Start(std::string id = "wf") {
    auto started = service().StartWorkflow(StartRequest(std::move(id)));
    EXPECT_TRUE(started.ok()) << started.status();
    return started.ok() ? *started : temporal::api::common::v1::WorkflowExecution();
  }

  const History& HistoryOf(const std::string& id, const std::string& run_id = "") {
    auto h = service().GetHistory(id, run_id);
    EXPECT_TRUE(h.ok()) << h.status();
    static const History kEmpty;
    return h.ok() ? **h : kEmpty;
  }
  std::vector<std::string> TypesOf(const std::string& id, const std::string& run_id = "") {
    return EventTypes(HistoryOf(id, run_id));
  }
  // The last event of `type` in the run's history.
  const temporal::api::history::v1::HistoryEvent& Last(const std::string& id,
                                                       enums::EventType type) {
    const History& h = HistoryOf(id);
    for (int i = h.events_size() - 1; i >= 0; --i) {
      if (h.events(i).event_type() == type) return h.events(i);
    }
    ADD_FAILURE() << "no " << history::EventTypeShortName(type) << " in history of " << id;
    static const temporal::api::history::v1::HistoryEvent kNone;
    return kNone;
  }

  void RunFor(absl::Duration d) { RunUntil(service(), clock_, clock_.Now() + d); }
  void Idle() { service().RunUntilIdle(); }

  void TearDown() override {
    if (service_ == nullptr) return;
    for (const auto& run : service_->ListRuns()) {
      auto h = service_->GetHistory(run.workflow_id(), run.run_id());
      ASSERT_TRUE(h.ok());
      EXPECT_TRUE(
          history::ValidateHistory(**h, absl::StrCat(run.workflow_id(), "/", run.run_id())).ok())
          << history::ValidateHistory(**h, run.workflow_id());
    }
  }

  ManualClock clock_;
  FunctionEnv env_;
  ScriptedWorkflows workflows_;
  ScriptedActivities activities_;
  std::unique_ptr<Service> service_;
};

}  // namespace lockstep::testing

#endif  // LOCKSTEP_TESTS_ENGINE_SERVICE_SERVICE_FIXTURE_H_
