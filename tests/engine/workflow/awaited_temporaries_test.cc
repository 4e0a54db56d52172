// Temporaries in co_await expressions (docs/engine.md, "Temporaries in co_await
// expressions"). g++ before 13 destroys aggregate-initialized temporaries of a full-expression
// that contains co_await twice; these tests run the forms the engine relies on or recommends
// and check that what they own is released exactly once.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/payload/struct_mapping.h"
#include "engine/workflow/awaited_callable.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using testing::TestEnv;

// Longer than any small-string buffer, so that each copy owns heap memory a second
// destruction would free again.
constexpr char kLongActivity[] = "an-activity-whose-name-does-not-fit-a-small-string-buffer";
constexpr char kLongText[] = "a payload long enough to live on the heap, not inside the string";

struct Parcel {
  std::string label;
  int64_t weight = 0;
};
LOCKSTEP_JSON_FIELDS(Parcel, label, weight)

std::string StringResult(TestEnv& env, const std::string& id) {
  const auto& e = env.Last(id);
  EXPECT_EQ(e.event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
      << history::EventTypeShortName(e.event_type());
  auto v = FromPayloads<std::string>(e.workflow_execution_completed_event_attributes().result());
  return v.ok() ? std::get<0>(*v) : "<" + std::string(v.status().message()) + ">";
}

// Runs `workflow` with a shared_ptr, sends it the signals "set" 1 and then 2, and checks
// its result and that it released every copy of the pointer exactly once.
template <typename Workflow>
void ExpectRunsAndReleasesOnce(Workflow workflow) {
  auto probe = std::make_shared<int>(0);
  {
    TestEnv env;
    ASSERT_TRUE(
        env.registry()
            .RegisterWorkflow(
                "wf", [&probe, workflow](WorkflowContext& ctx) { return workflow(ctx, probe); })
            .ok());
    env.Start("wf", "w");
    env.RunUntilIdle();
    env.Signal("w", "set", ToPayloads(1));
    env.RunUntilIdle();
    env.Signal("w", "set", ToPayloads(2));
    env.RunToEnd();
    EXPECT_EQ(StringResult(env, "w"), "1 20");
  }
  // One release too many would have left 0 here (and freed the int under `probe`).
  EXPECT_EQ(probe.use_count(), 1);
}

// The recommended forms: lambdas that capture a shared_ptr by value, named before the
// co_await, for both WaitCondition overloads and CancellationScope::Run.
Task<std::string> NamedLambdas(WorkflowContext& ctx, std::shared_ptr<int> state) {
  ctx.SetSignalHandler<int>("set", [&state](int v) { *state = v; });
  auto positive = [state] { return *state > 0; };
  co_await ctx.WaitCondition(positive);
  auto above_one = [state] { return *state > 1; };
  const bool met = co_await ctx.WaitCondition(above_one, absl::Minutes(1));
  auto body = [state, &ctx]() -> Task<int> {
    co_await ctx.Sleep(absl::Seconds(1));
    co_return *state * 10;
  };
  const int ran = co_await ctx.NewCancellationScope().Run(body);
  co_return absl::StrCat(met, " ", ran);
}

TEST(AwaitedTemporaries, NamedLambdasCapturingASharedPtrReleaseItOnce) {
  ExpectRunsAndReleasesOnce(&NamedLambdas);
}

#if !LOCKSTEP_AWAITED_CALLABLE_GUARD
// Where the guard is off (no compiler bug, no LOCKSTEP_STRICT_AWAITED_CALLABLES), temporaries
// compile; the compiler must then release their captures once, as the standard says.
Task<std::string> TemporaryLambdas(WorkflowContext& ctx, std::shared_ptr<int> state) {
  ctx.SetSignalHandler<int>("set", [&state](int v) { *state = v; });
  co_await ctx.WaitCondition([state] { return *state > 0; });
  const bool met = co_await ctx.WaitCondition([state] { return *state > 1; }, absl::Minutes(1));
  const int ran = co_await ctx.NewCancellationScope().Run([state, &ctx]() -> Task<int> {
    co_await ctx.Sleep(absl::Seconds(1));
    co_return *state * 10;
  });
  co_return absl::StrCat(met, " ", ran);
}

TEST(AwaitedTemporaries, TemporaryLambdasReleaseTheirCapturesOnceWhereAllowed) {
  ExpectRunsAndReleasesOnce(&TemporaryLambdas);
}
#endif

// The shapes of nearly every activity call: the name becomes a Located (made by a
// constructor, which g++ 12 destroys once), the options are brace-initialized (destroyed
// twice by g++ 12, harmless as they are trivially destructible), a std::string argument
// made by a constructor. An aggregate argument holding a string is named first.
TEST(AwaitedTemporaries, ActivityCallTemporariesWithHeapStringsAreDestroyedOnce) {
  TestEnv env;
  ASSERT_TRUE(env.registry()
                  .RegisterActivity(kLongActivity,
                                    [](ActivityContext&, std::string text, Parcel parcel) {
                                      return absl::StrCat(text.size(), " ", parcel.label.size(),
                                                          " ", parcel.weight);
                                    })
                  .ok());
  ASSERT_TRUE(
      env.registry()
          .RegisterWorkflow("wf",
                            [](WorkflowContext& ctx) -> Task<std::string> {
                              const Parcel parcel{.label = kLongText, .weight = 7};
                              std::string first = co_await ctx.ExecuteActivity<std::string>(
                                  kLongActivity,
                                  {.task_queue = "q",
                                   .start_to_close_timeout = absl::Seconds(10),
                                   .has_retry_policy = true,
                                   .retry_policy = {.maximum_attempts = 2}},
                                  std::string(kLongText), parcel);
                              std::string second = co_await ctx.ExecuteActivity<std::string>(
                                  std::string(kLongActivity),
                                  {.start_to_close_timeout = absl::Seconds(10)}, kLongText, parcel);
                              co_return first + " | " + second;
                            })
          .ok());
  env.Start("wf", "w");
  env.RunToEnd();
  const std::string sizes = absl::StrCat(sizeof(kLongText) - 1, " ", sizeof(kLongText) - 1, " 7");
  EXPECT_EQ(StringResult(env, "w"), sizes + " | " + sizes);
}

}  // namespace
}  // namespace lockstep
