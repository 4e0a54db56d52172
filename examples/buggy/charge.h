// Planted bug: a charge activity that is not idempotent, under a retry policy.
//
// The workflow. `chargeOrder(order)` charges the order's account through the activity
// `chargeCard(account, cents)`, which calls a payment provider and returns the charge id, and
// returns that id. The activity has a 10-second start-to-close timeout and the service's
// default retry policy (retry until it succeeds).
//
// The payment provider is a fake (PaymentProvider below): a process-wide ledger, shared by
// every seed a process runs, on as many threads as the campaign has jobs. Every charge is
// filed under the workflow run that asked for it (the activity names its run: ActivityInfo's
// run id), and run ids come from the seed, so a seed's invariant reads its own charges and no
// other seed's. The invariant takes the charges it read out of the ledger, so the same seed run
// again in the same process (a campaign's rerun of a failing seed, --check-determinism) starts
// from an empty ledger and does exactly what it did the first time. (Charge ids name the attempt
// that made them, not a position in the ledger, so even charges left by a seed that stopped
// before its invariants ran change only what a rerun counts, never what it does.)
//
// The mistake (chargeOrderBuggy, activity chargeCardBuggy): the activity charges on every
// attempt. An attempt whose answer comes after the start-to-close timeout (a slow network, a
// provider that took 11 seconds) is retried, and the retry charges the customer again: the
// first charge went through, only its answer was late. The workflow completes normally, with
// the second charge's id; nothing in its history shows the first.
//
// Why it is realistic: the activity is correct when every call either fails or answers in
// time, which is what a test against a local fake sees; at-least-once execution only shows
// with timeouts and retries, and the retry policy is a default nobody wrote down.
//
// How the simulator finds it: the activity_start_to_close_timeout fault runs an attempt and
// then delivers its answer after the timeout, so the service has already scheduled a retry;
// worker_crash_mid_activity and worker_crash do the same with a crash (the worker dies after the
// charge and before its answer reaches the service, and the attempt times out). The workload's
// invariant "each order is charged exactly once" reads the ledger and reports the order charged
// twice, with the attempts that made the charges.
//
// The fix (chargeOrder, activity chargeCard): an idempotency key, the same for every attempt
// of one activity and different for every other: "<workflow run id>/<activity id>" (Temporal's
// advice). The provider keeps the charge made under a key and answers a repeated key with it
// instead of charging again.
#ifndef LOCKSTEP_EXAMPLES_BUGGY_CHARGE_H_
#define LOCKSTEP_EXAMPLES_BUGGY_CHARGE_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/payload/payload.h"
#include "engine/workflow/definitions.h"
#include "engine/workflow/registry.h"
#include "sim/workload.h"

namespace lockstep::examples::buggy {

struct ChargeOrder {
  std::string id;
  std::string account;
  int64_t cents = 0;
};
LOCKSTEP_JSON_FIELDS(ChargeOrder, id, account, cents)

inline constexpr WorkflowDef<std::string(ChargeOrder)> kChargeOrderBuggy{"chargeOrderBuggy"};
inline constexpr WorkflowDef<std::string(ChargeOrder)> kChargeOrder{"chargeOrder"};
inline constexpr ActivityDef<std::string(std::string, int64_t)> kChargeCardBuggy{"chargeCardBuggy"};
inline constexpr ActivityDef<std::string(std::string, int64_t)> kChargeCard{"chargeCard"};

// A fake payment provider. Thread-safe.
class PaymentProvider {
 public:
  struct ChargeRecord {
    std::string charge_id;
    std::string account;
    int64_t cents = 0;
    std::string idempotency_key;  // empty: none given
  };

  // Charges `cents` to `account` on behalf of the workflow run `run_id` and returns the
  // charge's id. With a non-empty `idempotency_key` already used for the run, charges nothing
  // and returns the id of the charge made under that key. `attempt_id` names the call (the
  // activity attempt) and makes the charge id, so that a seed's charge ids do not depend on
  // what else the ledger holds.
  std::string Charge(const std::string& run_id, const std::string& attempt_id,
                     const std::string& account, int64_t cents, const std::string& idempotency_key);

  // Removes and returns the charges made for the run.
  std::vector<ChargeRecord> Take(const std::string& run_id);

 private:
  std::mutex mu_;
  std::map<std::string, std::vector<ChargeRecord>> by_run_;
};

// The providers of the two variants (each its own, so that the two workloads may run the same
// seed, and so the same run ids, at the same time).
PaymentProvider& ProviderOfBuggyVariant();
PaymentProvider& ProviderOfFixedVariant();

Task<std::string> ChargeOrderBuggy(WorkflowContext& ctx, ChargeOrder order);
Task<std::string> ChargeOrderWorkflow(WorkflowContext& ctx, ChargeOrder order);

// Registers both workflows and both activities.
absl::Status RegisterCharge(Registry* registry);

// "charge_buggy" and "charge": two to five orders; invariant: every order is charged at most
// once, and a completed order exactly once, with the charge id it returned.
sim::Workload ChargeBuggyWorkload();
sim::Workload ChargeWorkload();

}  // namespace lockstep::examples::buggy

#endif  // LOCKSTEP_EXAMPLES_BUGGY_CHARGE_H_
