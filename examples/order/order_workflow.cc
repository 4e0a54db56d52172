#include "examples/order/order_workflow.h"

#include "absl/strings/str_cat.h"

namespace lockstep::examples {

Task<std::string> OrderWorkflow(WorkflowContext& ctx, Order order) {
  std::string status = "awaiting approval";
  std::optional<bool> approved;
  ctx.SetSignalHandler(kApprove, [&approved](bool ok) {
    if (!approved) approved = ok;  // the first answer counts
  });
  ctx.SetQueryHandler(kStatus, [&status] { return status; });

  const bool answered = co_await ctx.WaitCondition([&approved] { return approved.has_value(); },
                                                   absl::Seconds(order.approval_timeout_seconds));
  if (!answered) {
    status = "expired";
    co_return status;
  }
  if (!*approved) {
    status = "rejected";
    co_return status;
  }

  status = "charging";
  ActivityOptions charge_options{.start_to_close_timeout = absl::Seconds(10),
                                 .has_retry_policy = true,
                                 .retry_policy = {.initial_interval = absl::Seconds(1),
                                                  .backoff_coefficient = 2,
                                                  .maximum_attempts = 5,
                                                  .non_retryable_error_types = {"CardDeclined"}}};
  const std::string charge_id =
      co_await ctx.ExecuteActivity(kChargeCard, charge_options, order.card, order.cents);
  status = "sending receipt";
  co_await ctx.ExecuteActivity(kSendReceipt, {.start_to_close_timeout = absl::Seconds(10)},
                               order.id, charge_id);
  status = "done";
  co_return charge_id;
}

std::string ChargeCard(const std::string& card, int64_t cents) {
  if (card == "declined") throw ApplicationFailure("card declined", "CardDeclined");
  return absl::StrCat("charge-", card, "-", cents);
}

absl::Status RegisterOrder(Registry* registry) {
  if (auto s = registry->RegisterWorkflow(kOrder, &OrderWorkflow); !s.ok()) return s;
  if (auto s = registry->RegisterActivity(kChargeCard,
                                          [](ActivityContext&, std::string card, int64_t cents)
                                              -> std::string { return ChargeCard(card, cents); });
      !s.ok()) {
    return s;
  }
  return registry->RegisterActivity(kSendReceipt,
                                    [](ActivityContext&, std::string, std::string) {});
}

}  // namespace lockstep::examples
