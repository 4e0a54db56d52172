#include "examples/buggy/eviction.h"

#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "temporal/api/enums/v1/event_type.pb.h"

namespace lockstep::examples::buggy {
namespace {

constexpr absl::Duration kGracePeriod = absl::Hours(1);
constexpr absl::Duration kDueAfterReminder = absl::Hours(6);
constexpr ActivityOptions kReminderOptions{.start_to_close_timeout = absl::Seconds(30)};

// No invoice of type `type` scheduled its reminder twice.
absl::Status CheckRemindedAtMostOnce(std::string_view type, const sim::RunView& run) {
  namespace enums = temporal::api::enums::v1;
  for (const sim::WorkflowResult& wf : run.workflows()) {
    if (wf.workflow_type != type) continue;
    int reminders = 0;
    for (const auto* history : wf.runs) {
      for (const auto& event : history->events()) {
        if (event.event_type() == enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
            event.activity_task_scheduled_event_attributes().activity_type().name() ==
                kSendReminder.name()) {
          ++reminders;
        }
      }
    }
    if (reminders > 1) {
      return absl::InternalError(
          absl::StrCat(wf.workflow_id, " was reminded ", reminders, " times"));
    }
  }
  return absl::OkStatus();
}

sim::Workload MakeWorkload(std::string name, std::string description,
                           const WorkflowDef<std::string(Invoice)>& workflow, bool clears_memo) {
  sim::Workload w;
  w.name = std::move(name);
  w.description = std::move(description);
  w.register_types = &RegisterEviction;
  const WorkflowDef<std::string(Invoice)> def = workflow;  // the closures keep a copy
  w.plan = [def](sim::Plan& plan) {
    const int64_t invoices = sim::UniformInt(plan.rng(), 1, 4);
    for (int64_t i = 1; i <= invoices; ++i) {
      Invoice invoice;
      // A number of the seed's own: the memo is process-wide, and a seed must not see what
      // another seed left in it.
      invoice.number = absl::StrCat(absl::Hex(plan.rng().Next(), absl::kZeroPad16));
      invoice.cents = sim::UniformInt(plan.rng(), 100, 100000);
      const std::string id = absl::StrCat("invoice-", i);
      const absl::Duration start = plan.Uniform(absl::ZeroDuration(), absl::Minutes(5));
      plan.Start(start, def, {.id = id}, invoice);
      // Four in five customers pay, a minute to half a day after the invoice: most within the
      // grace hour, some after the reminder, a few too late.
      if (!plan.rng().Chance(1, 5)) {
        plan.Signal(start + plan.LogUniform(absl::Minutes(1), absl::Hours(12)), id, kPaid);
      }
    }
  };
  if (clears_memo) {
    // The same seed or schedule run again (a rerun, --check-determinism, a property test's
    // shrinking) starts from the same memo.
    w.before_run = [](const std::vector<sim::ClientCall>& calls) {
      for (const sim::ClientCall& call : calls) {
        if (call.kind != sim::ClientCall::Kind::kStart || call.input.payloads_size() == 0) continue;
        absl::StatusOr<Invoice> invoice = FromPayload<Invoice>(call.input.payloads(0));
        if (invoice.ok()) RemindedInvoices().Forget(invoice->number);
      }
    };
  }
  w.activities[std::string(kSendReminder.name())] = {.min_latency = absl::Milliseconds(10),
                                                     .max_latency = absl::Seconds(2)};
  w.invariants.push_back({"no invoice is reminded twice", [def](const sim::RunView& run) {
                            return CheckRemindedAtMostOnce(def.name(), run);
                          }});
  // Faults through the whole life of an invoice (a reminder after an hour, closed within
  // seven more), then a day to finish.
  w.safety_phase = absl::Hours(12);
  w.liveness_bound = absl::Hours(24);
  return w;
}

}  // namespace

bool ReminderMemo::Add(const std::string& number) {
  std::lock_guard<std::mutex> lock(mu_);
  return numbers_.insert(number).second;
}

void ReminderMemo::Forget(const std::string& number) {
  std::lock_guard<std::mutex> lock(mu_);
  numbers_.erase(number);
}

ReminderMemo& RemindedInvoices() {
  static ReminderMemo* memo = new ReminderMemo();
  return *memo;
}

Task<std::string> InvoiceBuggy(WorkflowContext& ctx, Invoice invoice) {
  bool paid = false;
  ctx.SetSignalHandler(kPaid, [&paid] { paid = true; });
  // A payment that lands in the same task as the grace timer counts as in time.
  if (co_await ctx.WaitCondition([&paid] { return paid; }, kGracePeriod) || paid) {
    co_return "paid";
  }
  // BUG: "a restart must not remind the customer twice". A rebuild of this run from its
  // history finds the invoice here, skips the reminder the history recorded, and diverges.
  if (RemindedInvoices().Add(invoice.number)) {
    co_await ctx.ExecuteActivity(kSendReminder, kReminderOptions, invoice.number);
  }
  const bool paid_late =
      co_await ctx.WaitCondition([&paid] { return paid; }, kDueAfterReminder) || paid;
  RemindedInvoices().Forget(invoice.number);  // closed: the set need not keep it
  co_return paid_late ? "paid after a reminder" : "overdue";
}

Task<std::string> InvoiceWorkflow(WorkflowContext& ctx, Invoice invoice) {
  bool paid = false;
  ctx.SetSignalHandler(kPaid, [&paid] { paid = true; });
  if (co_await ctx.WaitCondition([&paid] { return paid; }, kGracePeriod) || paid) {
    co_return "paid";
  }
  // Replay does not send the reminder again: it matches this command with the history's
  // ActivityTaskScheduled. Run once, the code reminds once; no memo is needed.
  co_await ctx.ExecuteActivity(kSendReminder, kReminderOptions, invoice.number);
  const bool paid_late =
      co_await ctx.WaitCondition([&paid] { return paid; }, kDueAfterReminder) || paid;
  co_return paid_late ? "paid after a reminder" : "overdue";
}

absl::Status RegisterEviction(Registry* registry) {
  if (auto s = registry->RegisterWorkflow(kInvoiceBuggy, &InvoiceBuggy); !s.ok()) return s;
  if (auto s = registry->RegisterWorkflow(kInvoice, &InvoiceWorkflow); !s.ok()) return s;
  return registry->RegisterActivity(kSendReminder, [](ActivityContext&, std::string) {});
}

sim::Workload EvictionBuggyWorkload() {
  return MakeWorkload("eviction_buggy",
                      "planted bug: a workflow decides on a process-wide memo and diverges when "
                      "a worker rebuilds it",
                      kInvoiceBuggy, /*clears_memo=*/true);
}

sim::Workload EvictionWorkload() {
  return MakeWorkload("eviction",
                      "a workflow that keeps its state in the workflow (the fix of "
                      "eviction_buggy)",
                      kInvoice, /*clears_memo=*/false);
}

}  // namespace lockstep::examples::buggy
