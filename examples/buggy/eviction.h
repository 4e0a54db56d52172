// Planted bug: a workflow decides on state kept outside its history, and diverges from its
// history when a worker rebuilds it after a cache eviction or a crash.
//
// The workflow. `invoice(Invoice)` waits for the signal `paid`. If the invoice is still unpaid
// after a grace period of an hour, it sends the customer one reminder (the activity
// `sendReminder(number)`), then waits up to six more hours and returns "paid", "paid after a
// reminder" or "overdue".
//
// The mistake (invoiceBuggy): the workflow remembers which invoices it has reminded in a
// process-wide set (RemindedInvoices below), checks it before sending and forgets the invoice
// when it closes. Its author saw the workflow function run again from the start after a worker
// restart and took it for re-execution: the set is there so that "a restart does not remind the
// customer twice". But running again is replay: the worker rebuilds the run's state by running
// the code against the history, matching each command with the event it produced the first
// time. On a rebuild the set already holds the invoice, the code skips the reminder, and the
// next command (the six-hour timer) meets the history's ActivityTaskScheduled: the worker fails
// the task as nondeterministic, and every retry of it fails the same way, so the invoice never
// closes.
//
// Why it is realistic: the same mistake as reading the wall clock, a global counter or a
// configuration that changes, and it passes every test that keeps the worker's cache: a
// workflow only runs again from the start after an eviction or a crash.
//
// Why a process-wide set and not the wall clock: the simulator promises that a seed is an exact
// reproduction. A decision on wall time (or on the iteration order of a hash map keyed by
// pointers) is the same mistake, but its outcome changes from one run of the process to the
// next, so a failing seed would not fail again. The set changes only as the seed's own run
// changes it, so the divergence is as reproducible as the rest of the run. (Each invoice has a
// number drawn from the seed, and the buggy workload's before_run hook clears the set's entries
// for its numbers before each run, so running a seed or a schedule again in the same process
// starts from the same state.)
//
// How the simulator finds it: the cache_eviction and worker_crash faults make the worker rebuild
// an open run from its history; a rebuild after the reminder diverges. The replay checker
// reports the WorkflowTaskFailed (NON_DETERMINISTIC_ERROR) the worker recorded, and the liveness
// checker the invoice that never closes. An invoice whose reminder failed for good fails
// without forgetting its number, and the replay checker's own replay from scratch diverges the
// same way. Without faults every seed passes: the workflow only runs again from the start after
// an eviction or a crash.
//
// The fix (invoice): keep "reminded" in the workflow, a local variable. Replay rebuilds it with
// the rest of the run's state; where a decision needs outside data, get it through an activity
// or ctx.SideEffect, and the time through ctx.Now(), all of which replay from the history.
#ifndef LOCKSTEP_EXAMPLES_BUGGY_EVICTION_H_
#define LOCKSTEP_EXAMPLES_BUGGY_EVICTION_H_

#include <cstdint>
#include <mutex>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "engine/payload/payload.h"
#include "engine/workflow/definitions.h"
#include "engine/workflow/registry.h"
#include "sim/workload.h"

namespace lockstep::examples::buggy {

struct Invoice {
  std::string number;
  int64_t cents = 0;
};
LOCKSTEP_JSON_FIELDS(Invoice, number, cents)

inline constexpr WorkflowDef<std::string(Invoice)> kInvoiceBuggy{"invoiceBuggy"};
inline constexpr WorkflowDef<std::string(Invoice)> kInvoice{"invoice"};
inline constexpr ActivityDef<void(std::string)> kSendReminder{"sendReminder"};
inline constexpr SignalDef<void()> kPaid{"paid"};

// The buggy variant's process-wide memo of reminded invoices. Thread-safe.
class ReminderMemo {
 public:
  // Records the invoice; false if it was already there.
  bool Add(const std::string& number);
  void Forget(const std::string& number);

 private:
  std::mutex mu_;
  std::set<std::string> numbers_;
};
ReminderMemo& RemindedInvoices();

Task<std::string> InvoiceBuggy(WorkflowContext& ctx, Invoice invoice);
Task<std::string> InvoiceWorkflow(WorkflowContext& ctx, Invoice invoice);

// Registers both workflows and the activity.
absl::Status RegisterEviction(Registry* registry);

// "eviction_buggy" and "eviction": one to four invoices, most paid at a random time from a
// minute to half a day; invariant: no invoice is reminded twice.
sim::Workload EvictionBuggyWorkload();
sim::Workload EvictionWorkload();

}  // namespace lockstep::examples::buggy

#endif  // LOCKSTEP_EXAMPLES_BUGGY_EVICTION_H_
