#include "examples/buggy/charge.h"

#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "examples/buggy/workload_util.h"

namespace lockstep::examples::buggy {
namespace {

// Ten seconds per attempt; no retry policy of its own, so the service's default applies:
// retried every 1s, 2s, 4s, ... up to 100s, without limit.
constexpr ActivityOptions kChargeOptions{.start_to_close_timeout = absl::Seconds(10)};

// What names one call of the activity: its run, its activity id, its attempt.
std::string AttemptId(const ActivityInfo& info) {
  return absl::StrCat(info.run_id, "/", info.activity_id, "/", info.attempt);
}

// Every order of type `type` was charged at most once, and a completed one exactly once,
// with the charge id it returned. Takes the seed's charges out of the provider.
absl::Status CheckChargedOnce(std::string_view type, PaymentProvider* provider,
                              const sim::RunView& run) {
  absl::Status status;
  for (const sim::WorkflowResult& wf : run.workflows()) {
    if (wf.workflow_type != type) continue;
    // Take every run's charges, whatever the verdict, so the ledger keeps nothing of this seed.
    std::vector<PaymentProvider::ChargeRecord> charges;
    for (const auto* history : wf.runs) {
      for (PaymentProvider::ChargeRecord& c : provider->Take(RunIdOf(*history))) {
        charges.push_back(std::move(c));
      }
    }
    if (!status.ok()) continue;
    if (charges.size() > 1) {
      std::string ids;
      for (const auto& c : charges) {
        absl::StrAppend(&ids, ids.empty() ? "" : ", ", c.charge_id);
      }
      status = absl::InternalError(
          absl::StrCat(wf.workflow_id, " was charged ", charges.size(), " times (", ids, ")"));
      continue;
    }
    if (!wf.completed()) continue;  // failed: at most once is all it owes
    absl::StatusOr<std::string> result = wf.ResultAs<std::string>();
    if (!result.ok()) {
      status = result.status();
    } else if (charges.empty()) {
      status = absl::InternalError(
          absl::StrCat(wf.workflow_id, " completed with ", *result, " but was never charged"));
    } else if (charges[0].charge_id != *result) {
      status = absl::InternalError(absl::StrCat(wf.workflow_id, " returned ", *result,
                                                " but was charged ", charges[0].charge_id));
    }
  }
  return status;
}

sim::Workload MakeWorkload(std::string name, std::string description,
                           const WorkflowDef<std::string(ChargeOrder)>& workflow,
                           PaymentProvider* provider) {
  sim::Workload w;
  w.name = std::move(name);
  w.description = std::move(description);
  w.register_types = &RegisterCharge;
  const WorkflowDef<std::string(ChargeOrder)> def = workflow;  // the closures keep a copy
  w.plan = [def](sim::Plan& plan) {
    const int64_t orders = sim::UniformInt(plan.rng(), 2, 5);
    for (int64_t i = 1; i <= orders; ++i) {
      ChargeOrder order;
      order.id = absl::StrCat("order-", i);
      order.account = absl::StrCat("acct-", i);
      order.cents = sim::UniformInt(plan.rng(), 100, 100000);
      plan.Start(plan.Uniform(absl::ZeroDuration(), absl::Minutes(10)), def, {.id = order.id},
                 order);
    }
  };
  // The provider answers in tens of milliseconds to a few seconds on its own, well within the
  // timeout: only a fault makes an attempt late.
  for (const auto* activity : {&kChargeCardBuggy, &kChargeCard}) {
    w.activities[std::string(activity->name())] = {.min_latency = absl::Milliseconds(20),
                                                   .max_latency = absl::Seconds(3)};
  }
  w.invariants.push_back(
      {"each order is charged exactly once", [def, provider](const sim::RunView& run) {
         return CheckChargedOnce(def.name(), provider, run);
       }});
  w.safety_phase = absl::Hours(4);
  w.liveness_bound = absl::Hours(24);
  return w;
}

}  // namespace

std::string PaymentProvider::Charge(const std::string& run_id, const std::string& attempt_id,
                                    const std::string& account, int64_t cents,
                                    const std::string& idempotency_key) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ChargeRecord>& charges = by_run_[run_id];
  if (!idempotency_key.empty()) {
    for (const ChargeRecord& c : charges) {
      if (c.idempotency_key == idempotency_key) return c.charge_id;
    }
  }
  charges.push_back({absl::StrCat("ch_", attempt_id), account, cents, idempotency_key});
  return charges.back().charge_id;
}

std::vector<PaymentProvider::ChargeRecord> PaymentProvider::Take(const std::string& run_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto node = by_run_.extract(run_id);
  if (node.empty()) return {};
  return std::move(node.mapped());
}

PaymentProvider& ProviderOfBuggyVariant() {
  static PaymentProvider* provider = new PaymentProvider();
  return *provider;
}

PaymentProvider& ProviderOfFixedVariant() {
  static PaymentProvider* provider = new PaymentProvider();
  return *provider;
}

Task<std::string> ChargeOrderBuggy(WorkflowContext& ctx, ChargeOrder order) {
  co_return co_await ctx.ExecuteActivity(kChargeCardBuggy, kChargeOptions, order.account,
                                         order.cents);
}

Task<std::string> ChargeOrderWorkflow(WorkflowContext& ctx, ChargeOrder order) {
  co_return co_await ctx.ExecuteActivity(kChargeCard, kChargeOptions, order.account, order.cents);
}

absl::Status RegisterCharge(Registry* registry) {
  if (auto s = registry->RegisterWorkflow(kChargeOrderBuggy, &ChargeOrderBuggy); !s.ok()) {
    return s;
  }
  if (auto s = registry->RegisterWorkflow(kChargeOrder, &ChargeOrderWorkflow); !s.ok()) return s;
  if (auto s = registry->RegisterActivity(
          kChargeCardBuggy,
          [](ActivityContext& ctx, std::string account, int64_t cents) -> std::string {
            // BUG: every attempt is a new charge; an attempt whose answer was late already
            // charged, and its retry charges again.
            return ProviderOfBuggyVariant().Charge(ctx.info().run_id, AttemptId(ctx.info()),
                                                   account, cents, /*idempotency_key=*/"");
          });
      !s.ok()) {
    return s;
  }
  return registry->RegisterActivity(
      kChargeCard, [](ActivityContext& ctx, std::string account, int64_t cents) -> std::string {
        // The same key for every attempt of this activity, and only for them.
        const std::string key = absl::StrCat(ctx.info().run_id, "/", ctx.info().activity_id);
        return ProviderOfFixedVariant().Charge(ctx.info().run_id, AttemptId(ctx.info()), account,
                                               cents, key);
      });
}

sim::Workload ChargeBuggyWorkload() {
  return MakeWorkload("charge_buggy",
                      "planted bug: a non-idempotent charge activity, retried after a timeout",
                      kChargeOrderBuggy, &ProviderOfBuggyVariant());
}

sim::Workload ChargeWorkload() {
  return MakeWorkload("charge",
                      "a charge activity with an idempotency key (the fix of charge_buggy)",
                      kChargeOrder, &ProviderOfFixedVariant());
}

}  // namespace lockstep::examples::buggy
