#include "shipment_workflow.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace shipping {

lockstep::Task<std::string> ShipmentWorkflow(lockstep::WorkflowContext& ctx, Shipment shipment) {
  std::string status = "packing";
  int64_t packed = 0;
  std::optional<std::string> recipient;
  ctx.SetSignalHandler<int64_t>(kPackedSignal, [&packed](int64_t parcels) { packed += parcels; });
  // A delivery reported before the pickup is kept: the courier may be faster than the timer.
  ctx.SetSignalHandler<std::string>(kDeliveredSignal, [&recipient](std::string who) {
    if (!recipient) recipient = std::move(who);  // the first report counts
  });
  ctx.SetQueryHandler<>(kStatusQuery, [&status] { return status; });

  co_await ctx.WaitCondition([&] { return packed >= shipment.parcels; });

  status = "booking";
  const lockstep::ActivityOptions booking{
      .start_to_close_timeout = absl::Seconds(30),
      .has_retry_policy = true,
      .retry_policy = {.initial_interval = absl::Seconds(5),
                       .backoff_coefficient = 2,
                       .maximum_attempts = 3}};
  const std::string tracking = co_await ctx.ExecuteActivity<std::string>(
      kBookCourierActivity, booking, shipment.id, shipment.parcels);

  status = "awaiting pickup";
  co_await ctx.Sleep(absl::Seconds(shipment.pickup_delay_seconds));

  status = "in transit";
  const bool delivered =
      co_await ctx.WaitCondition([&recipient] { return recipient.has_value(); },
                                 absl::Seconds(shipment.delivery_timeout_seconds));
  if (!delivered) co_return absl::StrCat(tracking, " lost");
  co_return absl::StrCat(tracking, " delivered to ", *recipient);
}

absl::Status RegisterShipmentWorkflow(lockstep::Registry* registry) {
  return registry->RegisterWorkflow(kShipmentWorkflow, &ShipmentWorkflow);
}

absl::Status RegisterCourierActivity(lockstep::Registry* registry) {
  return registry->RegisterActivity(
      kBookCourierActivity, [](lockstep::ActivityContext&, std::string id, int64_t parcels) {
        return absl::StrCat("TRK-", id, "-", parcels);
      });
}

}  // namespace shipping
