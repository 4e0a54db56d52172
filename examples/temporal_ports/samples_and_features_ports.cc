// Ports of samples-go helloworld and the features repository's activity retry test.
#include <stdexcept>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "examples/temporal_ports/port_registrations.h"

namespace lockstep::ports {
namespace {

// samples-go helloworld: Workflow(name) returns Activity(name) = "Hello <name>!".
Task<std::string> HelloWorkflow(WorkflowContext& ctx, std::string name) {
  co_return co_await ctx.ExecuteActivity<std::string>(
      "Activity",
      {.schedule_to_close_timeout = absl::Seconds(60),
       .schedule_to_start_timeout = absl::Seconds(60),
       .start_to_close_timeout = absl::Seconds(60)},
      name);
}

std::string HelloActivity(ActivityContext&, std::string name) { return "Hello " + name + "!"; }

// features activity/retry_on_error: the activity always fails; 5 attempts; the workflow
// fails with the activity's failure.
Task<void> RetryOnErrorWorkflow(WorkflowContext& ctx) {
  ActivityOptions options{.schedule_to_close_timeout = absl::Minutes(1)};
  options.has_retry_policy = true;
  options.retry_policy = {
      .initial_interval = absl::Nanoseconds(1), .backoff_coefficient = 1, .maximum_attempts = 5};
  co_await ctx.ExecuteActivity<void>("AlwaysFailActivity", options);
}

int AlwaysFail(ActivityContext& ctx) {
  throw std::runtime_error(absl::StrCat("activity attempt ", ctx.attempt(), " failed"));
}

}  // namespace

absl::Status RegisterSamplesGoHelloWorld(Registry* r) {
  if (absl::Status s = r->RegisterWorkflow("Workflow", HelloWorkflow); !s.ok()) return s;
  return r->RegisterActivity("Activity", HelloActivity);
}

absl::Status RegisterFeaturesRetryOnError(Registry* r) {
  if (absl::Status s = r->RegisterWorkflow("Workflow", RetryOnErrorWorkflow); !s.ok()) return s;
  return r->RegisterActivity("AlwaysFailActivity", AlwaysFail);
}

}  // namespace lockstep::ports
