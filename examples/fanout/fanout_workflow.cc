#include "examples/fanout/fanout_workflow.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace lockstep::examples {
namespace {

// Every activity here is a pure computation: a short timeout, the service's default retries.
constexpr ActivityOptions kSquareOptions{.start_to_close_timeout = absl::Seconds(10)};

// Child `index` gets the numbers index*per_child+1 .. (index+1)*per_child, so the shares
// partition 1..n*per_child.
FanoutShare ShareOf(const FanoutInput& input, int64_t index) {
  FanoutShare share;
  share.numbers.reserve(static_cast<size_t>(input.per_child));
  for (int64_t k = 1; k <= input.per_child; ++k) {
    share.numbers.push_back(index * input.per_child + k);
  }
  return share;
}

}  // namespace

std::string FanoutChildId(const std::string& parent_id, int64_t index) {
  return absl::StrCat(parent_id, "-child-", index);
}

Task<FanoutResult> FanoutWorkflow(WorkflowContext& ctx, FanoutInput input) {
  if (input.n < 0 || input.n > kMaxFanoutChildren || input.per_child < 0 ||
      input.per_child > kMaxFanoutPerChild) {
    throw ApplicationFailure(
        absl::StrCat("fanout: n must be in [0, ", kMaxFanoutChildren, "] and per_child in [0, ",
                     kMaxFanoutPerChild, "], got n=", input.n, " per_child=", input.per_child),
        "InvalidInput", /*non_retryable=*/true);
  }
  // Reports are counted per child, not per signal: a child that reports twice (a retried
  // signal that got past deduplication) must not make the parent finish early.
  std::vector<bool> has_reported(static_cast<size_t>(input.n), false);
  int64_t reported = 0;
  ctx.SetSignalHandler(kDone, [&](const FanoutReport& report) {
    if (report.index < 0 || report.index >= input.n) return;
    if (has_reported[static_cast<size_t>(report.index)]) return;
    has_reported[static_cast<size_t>(report.index)] = true;
    ++reported;
  });
  ctx.SetQueryHandler(kProgress, [&reported] { return reported; });

  const std::string parent_id = ctx.info().workflow_id;
  std::vector<ChildWorkflowHandle<FanoutReport>> children;
  children.reserve(static_cast<size_t>(input.n));
  for (int64_t i = 0; i < input.n; ++i) {
    const std::string child_id = FanoutChildId(parent_id, i);
    children.push_back(ctx.StartChildWorkflow(kFanoutChild, {.workflow_id = child_id},
                                              FanoutChildInput{parent_id, i}));
  }

  // Signal a child only once it runs, as Temporal SDKs expect; the starts were all issued in
  // one workflow task, so waiting for them one by one costs no extra round trips.
  std::vector<Future<void>> sent;
  sent.reserve(children.size());
  for (int64_t i = 0; i < input.n; ++i) {
    co_await children[static_cast<size_t>(i)].Started();
    sent.push_back(children[static_cast<size_t>(i)].Signal(kWork, ShareOf(input, i)));
  }
  co_await WhenAll(std::move(sent));

  FanoutResult result;
  for (int64_t i = 0; i < input.n; ++i) {
    const FanoutReport report = co_await children[static_cast<size_t>(i)].Result();
    if (report.index != i) {
      throw ApplicationFailure(
          absl::StrCat("fanout: child ", i, " returned the report of child ", report.index),
          "WrongChild", /*non_retryable=*/true);
    }
    result.sum += report.sum;
    ++result.children;
  }
  // A child signals before it completes, but the signal and the completion are separate
  // events: both must have arrived before the parent may close.
  co_await ctx.WaitCondition([&reported, &input] { return reported == input.n; });
  result.reported = reported;
  co_return result;
}

Task<FanoutReport> FanoutChild(WorkflowContext& ctx, FanoutChildInput input) {
  std::optional<FanoutShare> share;
  ctx.SetSignalHandler(kWork, [&share](FanoutShare s) {
    if (!share) share = std::move(s);  // the first share counts
  });
  co_await ctx.WaitCondition([&share] { return share.has_value(); });

  std::vector<Future<int64_t>> squares;
  squares.reserve(share->numbers.size());
  for (int64_t x : share->numbers) {
    squares.push_back(ctx.ExecuteActivity(kSquare, kSquareOptions, x));
  }
  const std::vector<int64_t> results = co_await WhenAll(std::move(squares));
  FanoutReport report{.index = input.index, .sum = 0};
  for (int64_t square : results) report.sum += square;

  co_await ctx.SignalExternalWorkflow(input.parent_id, "", kDone, report);
  co_return report;
}

absl::Status RegisterFanout(Registry* registry) {
  if (auto s = registry->RegisterWorkflow(kFanout, &FanoutWorkflow); !s.ok()) return s;
  if (auto s = registry->RegisterWorkflow(kFanoutChild, &FanoutChild); !s.ok()) return s;
  return registry->RegisterActivity(kSquare,
                                    [](ActivityContext&, int64_t x) -> int64_t { return x * x; });
}

}  // namespace lockstep::examples
