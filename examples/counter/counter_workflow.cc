#include "examples/counter/counter_workflow.h"

namespace lockstep::examples {

Task<int> CounterWorkflow(WorkflowContext& ctx, int target) {
  int count = 0;
  ctx.SetSignalHandler(kInc, [&count](int k) { count += k; });
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
