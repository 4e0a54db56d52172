#include "examples/order/order_simulation.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "examples/order/order_workflow.h"

namespace lockstep::examples {

sim::Workload OrderWorkload() {
  sim::Workload w;
  w.name = "order";
  w.description = "orders approved by signal, charged and receipted by flaky activities";
  w.register_types = &RegisterOrder;
  w.plan = [](sim::Plan& plan) {
    const int64_t orders = sim::UniformInt(plan.rng(), 1, 3);
    for (int64_t i = 1; i <= orders; ++i) {
      Order order;
      order.id = absl::StrCat("order-", i);
      order.card = plan.rng().Chance(1, 10) ? "declined" : absl::StrCat("card-", i);
      order.cents = sim::UniformInt(plan.rng(), 100, 100000);
      order.approval_timeout_seconds = 24 * 3600;
      const absl::Duration start = plan.Uniform(absl::ZeroDuration(), absl::Minutes(5));
      plan.Start(start, kOrder, {.id = order.id}, order);
      // Most approvals come in time; some come after the 24h deadline (the order expires).
      const int64_t answers = sim::UniformInt(plan.rng(), 0, 2);
      for (int64_t a = 0; a < answers; ++a) {
        const bool approve = !plan.rng().Chance(1, 5);
        plan.Signal(start + plan.LogUniform(absl::Seconds(1), absl::Hours(30)), order.id,
                    kApprove, approve);
      }
      plan.Query(start + plan.LogUniform(absl::Seconds(1), absl::Hours(24)), order.id, kStatus);
    }
  };
  w.activities[kChargeCardActivity] = {.min_latency = absl::Milliseconds(20),
                                       .max_latency = absl::Seconds(3),
                                       .retryable_failure = {1, 10}};
  w.activities[kSendReceiptActivity] = {.min_latency = absl::Milliseconds(5),
                                        .max_latency = absl::Seconds(1)};
  w.queries[kOrderWorkflow] = {kStatusQuery};
  w.invariants.push_back({"a completed order returns a known outcome", [](const sim::RunView& run) {
    for (const sim::WorkflowResult& wf : run.workflows()) {
      if (!wf.completed()) continue;
      absl::StatusOr<std::string> result = wf.ResultAs<std::string>();
      if (!result.ok()) return result.status();
      if (*result == "expired" || *result == "rejected") continue;
      if (result->rfind("charge-card-", 0) != 0) {
        return absl::InternalError(
            absl::StrCat(wf.workflow_id, " completed with an unexpected result '", *result, "'"));
      }
    }
    return absl::OkStatus();
  }});
  w.invariants.push_back({"a declined card never completes with a charge",
                          [](const sim::RunView& run) {
    for (const sim::WorkflowResult& wf : run.workflows()) {
      if (!wf.completed()) continue;
      absl::StatusOr<std::string> result = wf.ResultAs<std::string>();
      if (result.ok() && result->rfind("charge-declined", 0) == 0) {
        return absl::InternalError(absl::StrCat(wf.workflow_id, " charged a declined card"));
      }
    }
    return absl::OkStatus();
  }});
  w.safety_phase = absl::Hours(36);
  w.liveness_bound = absl::Hours(24 * 3);
  return w;
}

}  // namespace lockstep::examples
