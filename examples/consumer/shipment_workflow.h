// The shipment workflow: this project's own workflow, written against Lockstep's public API
// (engine/workflow/registry.h and the WorkflowContext it hands to workflow code).
//
// shipmentWorkflow(Shipment):
//   1. waits until every parcel is packed: each signal `packed(n)` reports n more parcels;
//   2. books a courier with the activity `book_courier(id, parcels)`, which gives a tracking
//      number (retried: 3 attempts, 5 s apart at first);
//   3. sleeps until the pickup, `pickup_delay_seconds` later (a durable timer);
//   4. waits up to `delivery_timeout_seconds` for the signal `delivered(recipient)`.
// It returns "<tracking> delivered to <recipient>", or "<tracking> lost" when the timeout
// passes first. While it runs, the query `status` answers "packing", "booking",
// "awaiting pickup" or "in transit" (a closed workflow answers no queries).
#ifndef SHIPMENT_WORKFLOW_H_
#define SHIPMENT_WORKFLOW_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "engine/payload/payload.h"
#include "engine/workflow/registry.h"

namespace shipping {

struct Shipment {
  std::string id;
  int64_t parcels = 1;
  int64_t pickup_delay_seconds = 3600;
  int64_t delivery_timeout_seconds = 3 * 24 * 3600;
};
LOCKSTEP_JSON_FIELDS(Shipment, id, parcels, pickup_delay_seconds, delivery_timeout_seconds)

inline constexpr char kShipmentWorkflow[] = "shipmentWorkflow";
inline constexpr char kBookCourierActivity[] = "book_courier";
inline constexpr char kPackedSignal[] = "packed";
inline constexpr char kDeliveredSignal[] = "delivered";
inline constexpr char kStatusQuery[] = "status";

lockstep::Task<std::string> ShipmentWorkflow(lockstep::WorkflowContext& ctx, Shipment shipment);

// Registers shipmentWorkflow (all that replaying its histories needs).
absl::Status RegisterShipmentWorkflow(lockstep::Registry* registry);

// Registers the book_courier activity that always succeeds with the tracking number
// "TRK-<id>-<parcels>" (tests may register one of their own instead).
absl::Status RegisterCourierActivity(lockstep::Registry* registry);

}  // namespace shipping

#endif  // SHIPMENT_WORKFLOW_H_
