// Compile-fail cases for typed definitions (engine/workflow/definitions.h): each CASE_* macro
// selects one mismatch that must not compile; CASE_VALID must compile, so the cases fail for
// the mismatch and not for a broken include or flag. Driven by
// tests/engine/workflow/compile_fail/check_compile.cmake (tests/test_environment/CMakeLists.txt).
#include <cstdint>
#include <string>

#include "engine/workflow/context.h"
#include "engine/workflow/registry.h"
#include "testing/test_environment.h"

namespace lockstep {

inline constexpr ActivityDef<std::string(std::string, int64_t)> kCharge{"charge"};
inline constexpr SignalDef<void(bool)> kApprove{"approve"};
inline constexpr QueryDef<std::string()> kStatus{"status"};
inline constexpr WorkflowDef<std::string(std::string)> kOrder{"order"};

Task<std::string> Order(WorkflowContext& ctx, std::string card) {
  const ActivityOptions options{.start_to_close_timeout = absl::Seconds(5)};
  std::string status = "new";
  ctx.SetQueryHandler(kStatus, [&] { return status; });
#if defined(CASE_ACTIVITY_ARGUMENT_TYPE)
  std::string id = co_await ctx.ExecuteActivity(kCharge, options, int64_t{1250}, card);
#elif defined(CASE_ACTIVITY_ARGUMENT_COUNT)
  std::string id = co_await ctx.ExecuteActivity(kCharge, options, card);
#elif defined(CASE_ACTIVITY_RESULT_TYPE)
  int id = co_await ctx.ExecuteActivity(kCharge, options, card, int64_t{1250});
#elif defined(CASE_SIGNAL_HANDLER)
  ctx.SetSignalHandler(kApprove, [&](const std::string& answer) { status = answer; });
  std::string id = co_await ctx.ExecuteActivity(kCharge, options, card, int64_t{1250});
#elif defined(CASE_QUERY_HANDLER)
  ctx.SetQueryHandler(kStatus, [&] { return 42; });
  std::string id = co_await ctx.ExecuteActivity(kCharge, options, card, int64_t{1250});
#else
  ctx.SetSignalHandler(kApprove, [&](bool ok) { status = ok ? "approved" : "rejected"; });
  std::string id = co_await ctx.ExecuteActivity(kCharge, options, card, 1250);
#endif
  co_return id;
}

void Register(testing::TestEnvironment& env, testing::WorkflowHandle& handle) {
#if defined(CASE_REGISTER_ACTIVITY)
  (void)env.RegisterActivity(kCharge, [](ActivityContext&, int64_t cents) {
    return std::to_string(cents);
  });
#elif defined(CASE_REGISTER_WORKFLOW)
  (void)env.RegisterWorkflow(kOrder, [](WorkflowContext&, int) -> Task<std::string> {
    co_return "";
  });
#elif defined(CASE_MOCK_RETURN)
  env.OnActivity(kCharge).Return(42);
#elif defined(CASE_SIGNAL_FROM_TEST)
  (void)handle.Signal(kApprove, "yes");
#else
  (void)env.RegisterWorkflow(kOrder, &Order);
  (void)env.RegisterActivity(kCharge, [](ActivityContext&, std::string card, int64_t cents) {
    return card + std::to_string(cents);
  });
  env.OnActivity(kCharge).Return("ch_1");
  (void)handle.Signal(kApprove, true);
#endif
}

}  // namespace lockstep
