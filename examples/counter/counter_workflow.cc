#include "examples/counter/counter_workflow.h"

#include "absl/strings/str_cat.h"
#include "engine/workflow/failure.h"

namespace lockstep::examples {

Task<int> CounterWorkflow(WorkflowContext& ctx, int target) {
  int count = 0;
  ctx.SetSignalHandler(kInc, [&count](int k) {
    // The increment comes from outside: a sum past INT_MAX would be undefined behaviour, so the
    // workflow fails instead, with a type a caller can match.
    if (__builtin_add_overflow(count, k, &count)) {
      throw ApplicationFailure(
          absl::StrCat("inc(", k, ") would take the count past the range of int"),
          "CounterOverflow", /*non_retryable=*/true);
    }
  });
  ctx.SetQueryHandler(kCount, [&count] { return count; });
  co_await ctx.ExecuteActivity(kGreet, {.start_to_close_timeout = absl::Seconds(10)}, "peer");
  co_await ctx.Sleep(absl::Seconds(1));
  co_await ctx.WaitCondition([&count, target] { return count >= target; });
  co_return count;
}

std::string Greet(ActivityContext& /*ctx*/, std::string name) { return "Hello, " + name + "!"; }

absl::Status RegisterCounter(Registry* registry) {
  if (auto s = registry->RegisterWorkflow(kCounter, &CounterWorkflow); !s.ok()) return s;
  return registry->RegisterActivity(kGreet, &Greet);
}

}  // namespace lockstep::examples
