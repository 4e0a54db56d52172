// Compiled (never linked or run) by check_compile.cmake: each LOCKSTEP_CASE_* selects one
// workflow body. The TEMPORARY_* cases pass a temporary lambda that captures a shared_ptr by
// value to a call that is co_awaited, which g++ before 13 destroys twice; the guard in
// engine/workflow/awaited_callable.h must reject each of them. LOCKSTEP_CASE_SAFE holds the
// forms that must keep compiling: the same lambdas named first, and temporaries that are
// trivially destructible.
#include <memory>

#include "engine/workflow/cancellation_scope.h"
#include "engine/workflow/context.h"
#include "engine/workflow/task.h"

namespace lockstep {

struct State {
  bool ready = false;
};

class Holder {
 public:
  Task<void> Wait(WorkflowContext& ctx) {
    co_await ctx.WaitCondition([this] { return ready_; });
  }

 private:
  bool ready_ = false;
};

Task<void> Workflow(WorkflowContext& ctx) {
  auto state = std::make_shared<State>();
#if defined(LOCKSTEP_CASE_TEMPORARY_WAIT)
  co_await ctx.WaitCondition([state] { return state->ready; });
#elif defined(LOCKSTEP_CASE_TEMPORARY_WAIT_TIMEOUT)
  co_await ctx.WaitCondition([state] { return state->ready; }, absl::Seconds(5));
#elif defined(LOCKSTEP_CASE_TEMPORARY_RUN)
  co_await ctx.NewDetachedCancellationScope().Run([state]() -> Task<void> {
    state->ready = true;
    co_return;
  });
#elif defined(LOCKSTEP_CASE_SAFE)
  auto done = [state] { return state->ready; };
  co_await ctx.WaitCondition(done);
  co_await ctx.WaitCondition(done, absl::Seconds(5));
  const auto const_done = done;
  co_await ctx.WaitCondition(const_done);
  auto body = [state]() -> Task<void> {
    state->ready = true;
    co_return;
  };
  co_await ctx.NewDetachedCancellationScope().Run(body);
  // Trivially destructible temporaries: destroying them twice does nothing.
  co_await ctx.WaitCondition([&state] { return state->ready; });
  co_await ctx.WaitCondition([&] { return state->ready; }, absl::Seconds(5));
  int target = 3;  // not const: a constant would need no capture
  int count = 0;
  co_await ctx.WaitCondition([&count, target] { return count >= target; });
  co_await ctx.NewCancellationScope().Run(
      [&ctx]() -> Task<void> { co_await ctx.Sleep(absl::Seconds(1)); });
  Holder holder;
  co_await holder.Wait(ctx);
#else
#error "define one LOCKSTEP_CASE_*"
#endif
}

}  // namespace lockstep
