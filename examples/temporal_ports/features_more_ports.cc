// Ports of the features repository's recorded workflows (Java activity retries, the Go
// metrics feature, the Go activity start race) and samples-go's rainbow-statuses fixture,
// as described in tests/data/temporal.
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "examples/temporal_ports/port_registrations.h"

namespace lockstep::ports {
namespace {

// features activity/retry_on_error, Java 1.0.6 (feature.java): SimpleWorkflow runs AlwaysFail
// with 5 attempts and fails with its failure.
Task<void> JavaRetryOnErrorWorkflow(WorkflowContext& ctx) {
  ActivityOptions options{.schedule_to_close_timeout = absl::Minutes(1)};
  options.has_retry_policy = true;
  options.retry_policy = {
      .initial_interval = absl::Seconds(1), .backoff_coefficient = 1, .maximum_attempts = 5};
  co_await ctx.ExecuteActivity<void>("AlwaysFail", options);
}

void AlwaysFail(ActivityContext& ctx) {
  throw std::runtime_error(absl::StrCat("activity attempt ", ctx.attempt(), " failed"));
}

// features telemetry/metrics, Go 1.11 (feature_pre1.12.0.go): two CommaJoin activities, the
// second joining the first's result (the metric counter it increments leaves no event).
Task<std::string> MetricsWorkflow(WorkflowContext& ctx) {
  const ActivityOptions options{.schedule_to_close_timeout = absl::Minutes(1)};
  const std::vector<std::string> first{"foo", "bar"};
  const std::string joined = co_await ctx.ExecuteActivity<std::string>("CommaJoin", options, first);
  const std::vector<std::string> second{joined, "baz"};
  co_return co_await ctx.ExecuteActivity<std::string>("CommaJoin", options, second);
}

std::string CommaJoin(ActivityContext&, std::vector<std::string> parts) {
  return absl::StrJoin(parts, ", ");
}

// features bugs/go/activity_start_race (feature.go): each pass starts SleepActivity without
// waiting for it, then waits for a "resume" signal (next pass) or the workflow's cancellation
// (return successfully).
Task<void> ActivityStartRaceWorkflow(WorkflowContext& ctx) {
  int resumes = 0;
  // The signal carries a binary/null payload: its argument is not read.
  ctx.SetRawSignalHandler("resume", [&resumes](const Payloads&) -> Task<void> {
    ++resumes;
    return Task<void>();
  });
  for (;;) {
    ctx.ExecuteActivity<void>("SleepActivity", {.start_to_close_timeout = absl::Minutes(1)});
    bool canceled = false;
    try {
      co_await ctx.WaitCondition([&] { return resumes > 0 || ctx.IsCancelRequested(); });
    } catch (const CanceledFailure&) {
      canceled = true;
    }
    if (canceled || ctx.IsCancelRequested()) co_return;
    --resumes;
  }
}

void SleepActivity(ActivityContext&) {}

// samples-go temporal-fixtures/rainbow-statuses (workflow.go): the activity chosen by the
// requested status, with one attempt of at most an hour; its failure fails the workflow.
// The recording asked for RUNNING (1), whose LongActivity outlives its timeout.
Task<void> RainbowStatusesWorkflow(WorkflowContext& ctx, int status) {
  ActivityOptions options{.start_to_close_timeout = absl::Hours(1)};
  options.has_retry_policy = true;
  options.retry_policy = {.maximum_attempts = 1};
  namespace enums = temporal::api::enums::v1;
  switch (status) {
    case enums::WORKFLOW_EXECUTION_STATUS_COMPLETED:
      co_await ctx.ExecuteActivity<void>("CompletedActivity", options);
      break;
    case enums::WORKFLOW_EXECUTION_STATUS_FAILED:
      co_await ctx.ExecuteActivity<void>("FailedActivity", options);
      break;
    case enums::WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
      ctx.ContinueAsNew({}, static_cast<int>(enums::WORKFLOW_EXECUTION_STATUS_COMPLETED));
    case enums::WORKFLOW_EXECUTION_STATUS_RUNNING:
    case enums::WORKFLOW_EXECUTION_STATUS_CANCELED:
    case enums::WORKFLOW_EXECUTION_STATUS_TERMINATED:
    case enums::WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
      co_await ctx.ExecuteActivity<void>("LongActivity", options);
      break;
    default:
      break;
  }
}

void CompletedActivity(ActivityContext&) {}
void FailedActivity(ActivityContext&) { throw std::runtime_error("failed activity"); }
void LongActivity(ActivityContext&) {}  // sleeps a day: the service's timing decides

}  // namespace

absl::Status RegisterFeaturesJavaRetryOnError(Registry* r) {
  if (absl::Status s = r->RegisterWorkflow("SimpleWorkflow", JavaRetryOnErrorWorkflow); !s.ok()) {
    return s;
  }
  return r->RegisterActivity("AlwaysFail", AlwaysFail);
}

absl::Status RegisterFeaturesMetrics(Registry* r) {
  if (absl::Status s = r->RegisterWorkflow("Workflow", MetricsWorkflow); !s.ok()) return s;
  return r->RegisterActivity("CommaJoin", CommaJoin);
}

absl::Status RegisterFeaturesActivityStartRace(Registry* r) {
  if (absl::Status s = r->RegisterWorkflow("Workflow", ActivityStartRaceWorkflow); !s.ok()) {
    return s;
  }
  return r->RegisterActivity("SleepActivity", SleepActivity);
}

absl::Status RegisterSamplesGoRainbowStatuses(Registry* r) {
  for (absl::Status s : {r->RegisterWorkflow("RainbowStatusesWorkflow", RainbowStatusesWorkflow),
                         r->RegisterActivity("CompletedActivity", CompletedActivity),
                         r->RegisterActivity("FailedActivity", FailedActivity),
                         r->RegisterActivity("LongActivity", LongActivity)}) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace lockstep::ports
