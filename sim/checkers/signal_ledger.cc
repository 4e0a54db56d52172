#include "sim/checkers/signal_ledger.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "temporal/api/enums/v1/event_type.pb.h"

namespace lockstep::sim {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::history::v1::History;

// The runs of the continue-as-new chain that ends with the latest run, oldest first.
std::vector<const History*> LatestChain(const WorkflowResult& w) {
  std::vector<const History*> chain;
  for (size_t i = w.runs.size(); i-- > 0;) {
    chain.insert(chain.begin(), w.runs[i]);
    const History& h = *w.runs[i];
    if (h.events_size() == 0) break;
    const auto& started = h.events(0).workflow_execution_started_event_attributes();
    if (started.continued_execution_run_id().empty()) break;
  }
  return chain;
}

}  // namespace

std::vector<Finding> CheckSignalLedger(
    absl::Span<const SentSignal> sent, absl::Span<const WorkflowResult> workflows,
    const std::function<absl::StatusOr<int64_t>(const WorkflowResult&)>& signals_applied) {
  std::vector<Finding> findings;
  // request id -> times recorded, per workflow id; and duplicates within a run.
  std::map<std::string, std::map<std::string, int>, std::less<>> recorded;
  for (const WorkflowResult& w : workflows) {
    auto& ids = recorded[w.workflow_id];
    for (size_t r = 0; r < w.runs.size(); ++r) {
      std::set<std::string> in_run;
      for (const auto& event : w.runs[r]->events()) {
        if (event.event_type() != enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) continue;
        const auto& attrs = event.workflow_execution_signaled_event_attributes();
        ++ids[attrs.request_id()];
        if (!attrs.request_id().empty() && !in_run.insert(attrs.request_id()).second) {
          Finding f;
          f.checker = "signal_ledger";
          f.workflow_id = w.workflow_id;
          f.message = absl::StrCat("signal '", attrs.signal_name(), "' (request id ",
                                   attrs.request_id(), ") is recorded twice in run ", r + 1,
                                   " of the workflow (event ", event.event_id(),
                                   "): the service did not deduplicate a repeated delivery");
          findings.push_back(std::move(f));
        }
      }
    }
  }
  for (const SentSignal& s : sent) {
    if (!s.accepted) continue;
    auto w = recorded.find(s.workflow_id);
    if (w != recorded.end() && w->second.count(s.request_id) > 0) continue;
    Finding f;
    f.checker = "signal_ledger";
    f.workflow_id = s.workflow_id;
    f.message = absl::StrCat("signal '", s.signal_name, "' (request id ", s.request_id,
                             ") was accepted by the service but no run of the workflow "
                             "recorded it");
    findings.push_back(std::move(f));
  }
  if (signals_applied) {
    for (const WorkflowResult& w : workflows) {
      if (!w.completed()) continue;
      absl::StatusOr<int64_t> applied = signals_applied(w);
      if (!applied.ok()) {
        Finding f;
        f.checker = "signal_ledger";
        f.workflow_id = w.workflow_id;
        f.message = absl::StrCat("cannot read how many signals the workflow applied: ",
                                 applied.status().ToString());
        findings.push_back(std::move(f));
        continue;
      }
      const std::vector<const History*> chain = LatestChain(w);
      int64_t count = 0;
      for (const History* h : chain) {
        for (const auto& event : h->events()) {
          if (event.event_type() == enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) ++count;
        }
      }
      if (*applied == count) continue;
      Finding f;
      f.checker = "signal_ledger";
      f.workflow_id = w.workflow_id;
      f.message = absl::StrCat(
          "the workflow applied ", *applied, " signal(s) but its ", chain.size(),
          " run(s) recorded ", count, ": ",
          *applied < count ? "signals were lost (received but never applied)"
                           : "a signal was applied more than once");
      findings.push_back(std::move(f));
    }
  }
  return findings;
}

}  // namespace lockstep::sim
