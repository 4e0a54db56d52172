// The same inputs give byte-identical histories: run twice in one process, and, through the
// golden hashes below, across compilers and optimization levels (CI runs this test in a g++
// release build and a clang debug build with sanitizers; both must print the same bytes).
//
// If a deliberate change to what the engine records moves these hashes, update them in the
// same commit and say why in its message.
#include "engine/history/history_file.h"
#include "engine/history/json_writer.h"
#include "engine/util/prng.h"
#include "examples/counter/counter_workflow.h"
#include "examples/order/order_workflow.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"
#include "tests/testing/function_env.h"

namespace lockstep {
namespace {

using ::lockstep::testing::FunctionEnv;

using testing::TestEnv;

// A fixed script over both examples: signals, a retried activity, timers, a query.
std::string ScriptedHistories() {
  ServiceOptions service_options;
  FunctionEnv service_options_env;
  service_options.env = &service_options_env;
  service_options.seed = 7;
  service_options_env.activity_timing = [](const ActivityTask& task) {
    return ActivityTiming{.latency = absl::Milliseconds(250 * task.attempt)};
  };
  TestEnv env({}, service_options);
  EXPECT_TRUE(examples::RegisterCounter(&env.registry()).ok());
  EXPECT_TRUE(
      env.registry().RegisterWorkflow(examples::kOrderWorkflow, &examples::OrderWorkflow).ok());
  int charges = 0;
  EXPECT_TRUE(env.registry()
                  .RegisterActivity(
                      examples::kChargeCardActivity,
                      [&charges](ActivityContext&, std::string card, int64_t cents) -> std::string {
                        if (++charges < 3) throw std::runtime_error("gateway busy");
                        return card + "/" + std::to_string(cents);
                      })
                  .ok());
  EXPECT_TRUE(env.registry()
                  .RegisterActivity(examples::kSendReceiptActivity,
                                    [](ActivityContext&, std::string, std::string) {})
                  .ok());
  env.Start(examples::kCounterWorkflow, "counter", ToPayloads(6));
  env.Start(examples::kOrderWorkflow, "order",
            ToPayloads(examples::Order{
                .id = "o-9", .card = "4242", .cents = 995, .approval_timeout_seconds = 600}));
  env.RunUntilIdle();
  for (int i = 0; i < 3; ++i) {
    env.clock().Advance(absl::Milliseconds(700));
    env.Signal("counter", examples::kIncSignal, ToPayloads(i + 1));
    env.RunUntilIdle();
  }
  env.Signal("order", examples::kApproveSignal, ToPayloads(true));
  env.RunToEnd();
  std::string out;
  for (const char* id : {"counter", "order"}) {
    out += history::SerializeHistoryBinary(env.History(id));
    out += history::HistoryToJson(env.History(id));
  }
  return out;
}

TEST(Determinism, SameScriptSameBytes) {
  const std::string first = ScriptedHistories();
  EXPECT_EQ(first, ScriptedHistories());
}

TEST(Determinism, GoldenHashAcrossCompilers) {
  const std::string bytes = ScriptedHistories();
  // FNV-1a of both histories in binary and JSON form.
  EXPECT_EQ(Fnv1a64(std::string_view(bytes.data(), bytes.size())), 2721093236842507466ULL)
      << "size " << bytes.size();
}

}  // namespace
}  // namespace lockstep
