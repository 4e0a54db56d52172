// The order workflow: approval by signal with a deadline, a card charge with retries, a
// receipt, and a status query.
//
// orderWorkflow(order):
//   1. waits up to `approval_timeout` (default 24h) for the signal `approve(bool)`;
//      no answer -> returns "expired"; approve(false) -> returns "rejected";
//   2. runs `charge_card(card, cents)` (retried up to 5 attempts, 1s initial interval; a
//      "CardDeclined" failure is not retried) -> a charge id;
//   3. runs `send_receipt(order_id, charge_id)`;
//   4. returns the charge id.
// The query `status` answers one of: "awaiting approval", "charging", "sending receipt",
// "done", "expired", "rejected".
#ifndef LOCKSTEP_EXAMPLES_ORDER_ORDER_WORKFLOW_H_
#define LOCKSTEP_EXAMPLES_ORDER_ORDER_WORKFLOW_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "engine/payload/payload.h"
#include "engine/workflow/definitions.h"
#include "engine/workflow/registry.h"

namespace lockstep::examples {

struct Order {
  std::string id;
  std::string card;
  int64_t cents = 0;
  int64_t approval_timeout_seconds = 24 * 3600;
};
LOCKSTEP_JSON_FIELDS(Order, id, card, cents, approval_timeout_seconds)

inline constexpr char kOrderWorkflow[] = "orderWorkflow";
inline constexpr char kChargeCardActivity[] = "charge_card";
inline constexpr char kSendReceiptActivity[] = "send_receipt";
inline constexpr char kApproveSignal[] = "approve";
inline constexpr char kStatusQuery[] = "status";

// The same names with their signatures, for workflow code, registration and tests.
inline constexpr WorkflowDef<std::string(Order)> kOrder{kOrderWorkflow};
inline constexpr ActivityDef<std::string(std::string, int64_t)> kChargeCard{kChargeCardActivity};
inline constexpr ActivityDef<void(std::string, std::string)> kSendReceipt{kSendReceiptActivity};
inline constexpr SignalDef<void(bool)> kApprove{kApproveSignal};
inline constexpr QueryDef<std::string()> kStatus{kStatusQuery};

Task<std::string> OrderWorkflow(WorkflowContext& ctx, Order order);

// The default charge_card: "charge-<card>-<cents>", or a non-retryable CardDeclined
// ApplicationFailure for the card "declined".
std::string ChargeCard(const std::string& card, int64_t cents);

// Registers the workflow with the default activities: charge_card succeeds with
// "charge-<card>-<cents>" unless the card is "declined" (non-retryable CardDeclined);
// send_receipt does nothing.
absl::Status RegisterOrder(Registry* registry);

}  // namespace lockstep::examples

#endif  // LOCKSTEP_EXAMPLES_ORDER_ORDER_WORKFLOW_H_
