#include "sim/faults.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace lockstep::sim {
namespace {

struct FaultInfo {
  absl::string_view name;
  absl::string_view description;
  // The rates a seed picks from when the kind is on. Per-step kinds (crash, eviction,
  // query) have low rates: a run takes hundreds of steps.
  std::array<Ratio, 3> ladder;
};

constexpr std::array<FaultInfo, kFaultCount> kFaults = {{
    {"signal_delay", "a signal reaches the service late (up to hours)", {{{1, 10}, {1, 3}, {1, 1}}}},
    {"signal_reorder", "signals to one workflow arrive out of the order they were sent",
     {{{1, 10}, {1, 3}, {1, 1}}}},
    {"signal_duplicate", "a signal is delivered twice with the same request id",
     {{{1, 10}, {1, 3}, {1, 1}}}},
    {"child_start_latency", "the service starts a child workflow late (up to minutes)",
     {{{1, 10}, {1, 3}, {1, 1}}}},
    {"child_start_failure", "a child workflow's start fails (WORKFLOW_ALREADY_EXISTS)",
     {{{1, 20}, {1, 5}, {1, 2}}}},
    {"activity_latency", "an activity attempt takes longer (up to its timeouts)",
     {{{1, 10}, {1, 3}, {1, 1}}}},
    {"activity_retryable_failure", "an activity attempt fails with a retryable failure",
     {{{1, 20}, {1, 5}, {1, 2}}}},
    {"activity_nonretryable_failure", "an activity attempt fails with a non-retryable failure",
     {{{1, 50}, {1, 10}, {1, 4}}}},
    {"activity_start_to_close_timeout", "an activity attempt outlives its start-to-close timeout",
     {{{1, 20}, {1, 5}, {1, 2}}}},
    {"activity_heartbeat_loss", "a heartbeating activity attempt stops heartbeating",
     {{{1, 20}, {1, 5}, {1, 2}}}},
    {"activity_worker_outage", "activity workers stop polling for a while (schedule-to-start)",
     {{{1, 200}, {1, 50}, {1, 10}}}},
    {"worker_crash_mid_activity", "every worker crashes while an activity attempt runs",
     {{{1, 50}, {1, 10}, {1, 4}}}},
    {"workflow_task_latency", "a workflow worker takes a while to answer a task",
     {{{1, 10}, {1, 3}, {1, 1}}}},
    {"workflow_task_failure", "a workflow worker fails a task without running it",
     {{{1, 20}, {1, 5}, {1, 3}}}},
    {"workflow_task_timeout", "a workflow task is lost and times out",
     {{{1, 20}, {1, 5}, {1, 3}}}},
    {"timer_delay", "a timer fires late (up to minutes)", {{{1, 10}, {1, 3}, {1, 1}}}},
    {"worker_crash", "every worker crashes between steps, and restarts later",
     {{{1, 500}, {1, 100}, {1, 20}}}},
    {"cache_eviction", "a workflow worker evicts an open run from its cache",
     {{{1, 100}, {1, 30}, {1, 10}}}},
    {"query", "a client queries an open run at a random point (twice, then rebuilt from history)",
     {{{1, 200}, {1, 50}, {1, 20}}}},
}};

absl::StatusOr<Ratio> ParseRatio(absl::string_view text, absl::string_view item) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  uint32_t n = 0;
  uint32_t d = 1;
  bool ok = parts.size() <= 2 && absl::SimpleAtoi(parts[0], &n);
  if (ok && parts.size() == 2) ok = absl::SimpleAtoi(parts[1], &d) && d > 0;
  if (!ok || n > d) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--faults: bad rate in '", item, "': expected N/D with 0 <= N <= D (e.g. 1/10)"));
  }
  return Ratio{n, d};
}

}  // namespace

absl::string_view FaultName(Fault fault) { return kFaults[static_cast<size_t>(fault)].name; }

absl::string_view FaultDescription(Fault fault) {
  return kFaults[static_cast<size_t>(fault)].description;
}

std::optional<Fault> FaultByName(absl::string_view name) {
  for (size_t i = 0; i < kFaultCount; ++i) {
    if (kFaults[i].name == name) return static_cast<Fault>(i);
  }
  return std::nullopt;
}

FaultSelection FaultSelection::All() {
  FaultSelection s;
  s.allowed.set();
  return s;
}

FaultSelection FaultSelection::None() { return FaultSelection(); }

absl::StatusOr<FaultSelection> FaultSelection::Parse(absl::string_view list) {
  FaultSelection s;
  for (absl::string_view item : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    item = absl::StripAsciiWhitespace(item);
    if (item == "all") {
      s.allowed.set();
      continue;
    }
    if (item == "none") {
      s = FaultSelection();
      continue;
    }
    const bool remove = absl::ConsumePrefix(&item, "-");
    std::vector<absl::string_view> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
    std::optional<Fault> fault = FaultByName(kv[0]);
    if (!fault.has_value()) {
      std::vector<absl::string_view> names;
      for (const FaultInfo& info : kFaults) names.push_back(info.name);
      return absl::InvalidArgumentError(
          absl::StrCat("--faults: unknown fault kind '", kv[0], "'; known: all, none, ",
                       absl::StrJoin(names, ", ")));
    }
    const size_t i = static_cast<size_t>(*fault);
    if (remove) {
      if (kv.size() == 2) {
        return absl::InvalidArgumentError(
            absl::StrCat("--faults: '-", item, "' removes a kind and takes no rate"));
      }
      s.allowed.reset(i);
      s.fixed[i].reset();
      continue;
    }
    s.allowed.set(i);
    s.fixed[i].reset();
    if (kv.size() == 2) {
      absl::StatusOr<Ratio> rate = ParseRatio(kv[1], item);
      if (!rate.ok()) return rate.status();
      s.fixed[i] = *rate;
    }
  }
  return s;
}

std::string FaultSelection::ToString() const {
  bool fixed_any = false;
  for (const auto& f : fixed) fixed_any |= f.has_value();
  if (!fixed_any && allowed.all()) return "all";
  if (!fixed_any && allowed.none()) return "none";
  std::vector<std::string> items;
  for (size_t i = 0; i < kFaultCount; ++i) {
    if (!allowed.test(i)) continue;
    if (fixed[i].has_value()) {
      items.push_back(absl::StrCat(kFaults[i].name, "=", fixed[i]->ToString()));
    } else {
      items.push_back(std::string(kFaults[i].name));
    }
  }
  if (items.empty()) return "none";
  return absl::StrJoin(items, ",");
}

FaultPlan FaultPlan::Swarm(const FaultSelection& selection, Prng& swarm) {
  FaultPlan plan;
  for (size_t i = 0; i < kFaultCount; ++i) {
    // Two draws for every kind, allowed or not, so that allowing one more kind does not
    // change the choices for the others.
    const bool on = swarm.Chance(1, 2);
    const Ratio rung = kFaults[i].ladder[swarm.Below(kFaults[i].ladder.size())];
    if (!selection.allowed.test(i)) continue;
    if (selection.fixed[i].has_value()) {
      plan.rates_[i] = *selection.fixed[i];
    } else if (on) {
      plan.rates_[i] = rung;
    }
  }
  return plan;
}

bool FaultPlan::any() const {
  for (const Ratio& r : rates_) {
    if (!r.never()) return true;
  }
  return false;
}

std::string FaultPlan::ToString() const {
  std::vector<std::string> items;
  for (size_t i = 0; i < kFaultCount; ++i) {
    if (rates_[i].never()) continue;
    items.push_back(absl::StrCat(kFaults[i].name, "=", rates_[i].ToString()));
  }
  if (items.empty()) return "none";
  return absl::StrJoin(items, " ");
}

}  // namespace lockstep::sim
