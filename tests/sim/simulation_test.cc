// The simulator's driver end to end: a clean workload passes many seeds, runs are
// reproducible, and each checker catches the mistake it exists for.
#include "sim/simulation.h"

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "examples/order/order_simulation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockstep::sim {
namespace simulation_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Describe(const SeedResult& r) {
  std::string out = absl::StrCat("seed ", r.seed, " faults ", r.fault_plan, ":");
  for (const Finding& f : r.findings) absl::StrAppend(&out, "\n  ", f.Headline());
  return out;
}

const Finding* FindChecker(const SeedResult& r, absl::string_view checker) {
  for (const Finding& f : r.findings) {
    if (f.checker == checker) return &f;
  }
  return nullptr;
}

TEST(SimulationTest, OrderWorkloadPassesWithEveryFault) {
  const Workload workload = examples::OrderWorkload();
  Simulation sim(&workload);
  Coverage coverage;
  int64_t steps = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    SeedResult r = sim.Run(seed);
    EXPECT_FALSE(r.failed()) << Describe(r);
    EXPECT_GT(r.steps, 0);
    steps += r.steps;
    coverage.Merge(r.coverage);
  }
  // Every fault kind the order workload can meet was injected somewhere in 200 seeds.
  for (Fault f : {Fault::kSignalDelay, Fault::kSignalReorder, Fault::kSignalDuplicate,
                  Fault::kActivityLatency, Fault::kActivityRetryableFailure,
                  Fault::kActivityNonRetryableFailure, Fault::kActivityStartToCloseTimeout,
                  Fault::kWorkerCrashMidActivity, Fault::kWorkflowTaskLatency,
                  Fault::kWorkflowTaskFailure, Fault::kWorkflowTaskTimeout, Fault::kTimerDelay,
                  Fault::kWorkerCrash, Fault::kCacheEviction, Fault::kQuery}) {
    EXPECT_GT(coverage.faults[static_cast<size_t>(f)], 0) << FaultName(f);
  }
  EXPECT_GT(steps, 200 * 10);
  // The engine's state machines: the order workflow schedules activities and timers (and
  // cancels its approval timer), never children or external signals.
  const std::vector<MachineTable>& tables = MachineTables();
  auto rows_hit = [&](absl::string_view name) {
    for (size_t m = 0; m < tables.size(); ++m) {
      if (tables[m].name != name) continue;
      int hit = 0;
      for (int64_t n : coverage.machine_rows[m]) hit += n > 0 ? 1 : 0;
      return hit;
    }
    return -1;
  };
  EXPECT_GE(rows_hit("activity"), 3);
  EXPECT_GE(rows_hit("timer"), 3);
  EXPECT_EQ(rows_hit("child_workflow"), 0);
  EXPECT_EQ(rows_hit("external"), 0);
  EXPECT_EQ(rows_hit("completion"), 1);
}

TEST(SimulationTest, SameSeedSameRun) {
  const Workload workload = examples::OrderWorkload();
  Simulation sim(&workload, {.record = true});
  for (uint64_t seed : {3u, 77u, 1234u}) {
    SeedResult a = sim.Run(seed);
    SeedResult b = sim.Run(seed);
    EXPECT_EQ(a.fingerprint, b.fingerprint);
    EXPECT_EQ(a.fault_plan, b.fault_plan);
    EXPECT_EQ(a.steps, b.steps);
    EXPECT_EQ(a.virtual_time, b.virtual_time);
    ASSERT_EQ(a.histories.size(), b.histories.size());
    for (size_t i = 0; i < a.histories.size(); ++i) {
      EXPECT_EQ(a.histories[i].history.SerializeAsString(),
                b.histories[i].history.SerializeAsString());
    }
  }
  // Different seeds take different paths.
  EXPECT_NE(sim.Run(3).fingerprint, sim.Run(4).fingerprint);
}

TEST(SimulationTest, DeterminismSelfCheckPassesOnDeterministicCode) {
  const Workload workload = examples::OrderWorkload();
  Simulation sim(&workload, {.check_determinism = true});
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SeedResult r = sim.Run(seed);
    EXPECT_EQ(FindChecker(r, "determinism"), nullptr) << Describe(r);
  }
}

// An activity whose answer depends on a process-wide counter: two runs of one seed in one
// process see different values.
std::atomic<int> ticket_counter{0};
constexpr WorkflowDef<int()> kTicket{"ticket"};
constexpr ActivityDef<int()> kNextTicket{"next_ticket"};

Task<int> Ticket(WorkflowContext& ctx) {
  co_await ctx.Sleep(absl::Minutes(1));
  co_return co_await ctx.ExecuteActivity(kNextTicket, {.start_to_close_timeout = absl::Seconds(5)});
}

TEST(SimulationTest, DeterminismSelfCheckNamesTheFirstStepThatDiffers) {
  Workload w;
  w.name = "ticket";
  w.register_types = [](Registry* r) -> absl::Status {
    if (auto s = r->RegisterWorkflow(kTicket, &Ticket); !s.ok()) return s;
    return r->RegisterActivity(kNextTicket, [](ActivityContext&) { return ++ticket_counter; });
  };
  w.plan = [](Plan& plan) { plan.Start(absl::ZeroDuration(), kTicket, {.id = "ticket"}); };
  Simulation sim(&w, {.faults = FaultSelection::None(), .check_determinism = true});
  SeedResult r = sim.Run(1);
  const Finding* f = FindChecker(r, "determinism");
  ASSERT_NE(f, nullptr) << Describe(r);
  // The runs agree until the activity's answer is recorded, one minute in.
  EXPECT_THAT(f->message, HasSubstr("differs: first run: 2024-01-01T00:01:00"));
  EXPECT_THAT(f->message, HasSubstr("ActivityOutcome of workflow ticket"));
  EXPECT_THAT(f->message,
              HasSubstr("the first event that differs: event 12 ACTIVITY_TASK_COMPLETED of "
                        "workflow ticket (same type, different content)"));
}

// A workflow whose decisions depend on process memory that outlives a cache eviction: the
// run diverges from its history when the worker rebuilds it.
std::mutex seen_mutex;
std::set<std::string>* seen_runs = new std::set<std::string>();

constexpr WorkflowDef<int()> kForgetful{"forgetful"};
constexpr ActivityDef<int()> kStep{"step"};

Task<int> Forgetful(WorkflowContext& ctx) {
  bool first_time;
  {
    std::lock_guard<std::mutex> lock(seen_mutex);
    first_time = seen_runs->insert(ctx.info().run_id).second;
  }
  int total = 0;
  if (first_time) total += co_await ctx.ExecuteActivity(kStep, {.start_to_close_timeout = absl::Seconds(5)});
  co_await ctx.Sleep(absl::Minutes(1));
  total += co_await ctx.ExecuteActivity(kStep, {.start_to_close_timeout = absl::Seconds(5)});
  co_return total;
}

Workload ForgetfulWorkload() {
  Workload w;
  w.name = "forgetful";
  w.register_types = [](Registry* r) -> absl::Status {
    if (auto s = r->RegisterWorkflow(kForgetful, &Forgetful); !s.ok()) return s;
    return r->RegisterActivity(kStep, [](ActivityContext&) { return 1; });
  };
  w.plan = [](Plan& plan) { plan.Start(absl::ZeroDuration(), kForgetful, {.id = "forgetful"}); };
  return w;
}

TEST(SimulationTest, ReplayCheckerCatchesDivergenceAfterEviction) {
  const Workload workload = ForgetfulWorkload();
  auto selection = FaultSelection::Parse("cache_eviction=1/1");
  ASSERT_TRUE(selection.ok());
  Simulation sim(&workload, {.faults = *selection});
  SeedResult r = sim.Run(1);
  const Finding* f = FindChecker(r, "replay");
  ASSERT_NE(f, nullptr) << Describe(r);
  EXPECT_EQ(f->workflow_id, "forgetful");
  EXPECT_THAT(f->message, HasSubstr("NON_DETERMINISTIC"));

  // Without evictions the worker never rebuilds the run, but the checker's own replay from
  // scratch still catches the dependence on process state. (The same seed gives the same run
  // id: forget the first run's, so that the live run takes its first-time path again.)
  {
    std::lock_guard<std::mutex> lock(seen_mutex);
    seen_runs->clear();
  }
  Simulation calm(&workload, {.faults = FaultSelection::None()});
  SeedResult quiet = calm.Run(1);
  const Finding* from_scratch = FindChecker(quiet, "replay");
  ASSERT_NE(from_scratch, nullptr) << Describe(quiet);
  EXPECT_THAT(from_scratch->message, HasSubstr("replay from scratch is not clean"));
  EXPECT_THAT(from_scratch->message, Not(HasSubstr("NON_DETERMINISTIC")));
}

// A query handler with a side effect.
constexpr WorkflowDef<int()> kNosy{"nosy"};
constexpr QueryDef<int()> kPeek{"peek"};
constexpr SignalDef<void()> kDone{"done"};

Task<int> Nosy(WorkflowContext& ctx) {
  int peeks = 0;
  bool done = false;
  ctx.SetQueryHandler(kPeek, [&peeks] { return ++peeks; });
  ctx.SetSignalHandler(kDone, [&done] { done = true; });
  co_await ctx.WaitCondition([&done] { return done; });
  co_return peeks;
}

TEST(SimulationTest, QueryPurityCheckerCatchesAQueryThatChangesState) {
  Workload w;
  w.name = "nosy";
  w.register_types = [](Registry* r) { return r->RegisterWorkflow(kNosy, &Nosy); };
  w.plan = [](Plan& plan) {
    plan.Start(absl::ZeroDuration(), kNosy, {.id = "nosy"});
    plan.Query(absl::Minutes(1), "nosy", kPeek);
    plan.Signal(absl::Minutes(2), "nosy", kDone);
  };
  Simulation sim(&w, {.faults = FaultSelection::None()});
  SeedResult r = sim.Run(5);
  const Finding* f = FindChecker(r, "query_purity");
  ASSERT_NE(f, nullptr) << Describe(r);
  EXPECT_THAT(f->message, HasSubstr("changed workflow state"));
}

// A workflow that waits for a signal nobody sends.
constexpr WorkflowDef<int()> kWaiter{"waiter"};

Task<int> Waiter(WorkflowContext& ctx) {
  bool done = false;
  ctx.SetSignalHandler(kDone, [&done] { done = true; });
  co_await ctx.WaitCondition([&done] { return done; });
  co_return 1;
}

TEST(SimulationTest, LivenessCheckerNamesWhatAStuckWorkflowWaitsOn) {
  Workload w;
  w.name = "waiter";
  w.register_types = [](Registry* r) { return r->RegisterWorkflow(kWaiter, &Waiter); };
  w.plan = [](Plan& plan) { plan.Start(absl::ZeroDuration(), kWaiter, {.id = "waiter"}); };
  Simulation sim(&w, {.faults = FaultSelection::None()});
  SeedResult r = sim.Run(1);
  const Finding* f = FindChecker(r, "liveness");
  ASSERT_NE(f, nullptr) << Describe(r);
  EXPECT_EQ(f->workflow_id, "waiter");
  EXPECT_THAT(f->message, HasSubstr("waits for a signal"));
}

// Counts signals, but applies only the first of each burst.
constexpr WorkflowDef<int()> kCounter{"counter"};
constexpr SignalDef<void()> kTick{"tick"};

Task<int> LossyCounter(WorkflowContext& ctx) {
  int ticks = 0;
  bool done = false;
  ctx.SetSignalHandler(kTick, [&ticks] { ticks = std::min(ticks + 1, 2); });
  ctx.SetSignalHandler(kDone, [&done] { done = true; });
  co_await ctx.WaitCondition([&done] { return done; });
  co_return ticks + 1;  // the done signal counts too
}

TEST(SimulationTest, SignalLedgerCatchesLostSignals) {
  Workload w;
  w.name = "counter";
  w.register_types = [](Registry* r) { return r->RegisterWorkflow(kCounter, &LossyCounter); };
  w.plan = [](Plan& plan) {
    plan.Start(absl::ZeroDuration(), kCounter, {.id = "counter"});
    for (int i = 1; i <= 4; ++i) plan.Signal(absl::Minutes(i), "counter", kTick);
    plan.Signal(absl::Hours(1), "counter", kDone);
  };
  w.signals_applied = [](const WorkflowResult& r) -> absl::StatusOr<int64_t> {
    auto v = r.ResultAs<int>();
    if (!v.ok()) return v.status();
    return *v;
  };
  Simulation sim(&w, {.faults = FaultSelection::None()});
  SeedResult r = sim.Run(1);
  const Finding* f = FindChecker(r, "signal_ledger");
  ASSERT_NE(f, nullptr) << Describe(r);
  EXPECT_THAT(f->message, HasSubstr("applied 3 signal(s) but its 1 run(s) recorded 5"));
}

TEST(SimulationTest, DuplicateDeliveryIsDeduplicated) {
  // Every signal delivered twice: the service must record each once (the ledger checks it).
  Workload w;
  w.name = "counter";
  w.register_types = [](Registry* r) { return r->RegisterWorkflow(kCounter, &LossyCounter); };
  w.plan = [](Plan& plan) {
    plan.Start(absl::ZeroDuration(), kCounter, {.id = "counter"});
    plan.Signal(absl::Minutes(1), "counter", kTick);
    plan.Signal(absl::Hours(1), "counter", kDone);
  };
  w.signals_applied = [](const WorkflowResult& r) -> absl::StatusOr<int64_t> {
    auto v = r.ResultAs<int>();
    if (!v.ok()) return v.status();
    return *v;
  };
  auto selection = FaultSelection::Parse("signal_duplicate=1/1");
  ASSERT_TRUE(selection.ok());
  Simulation sim(&w, {.faults = *selection});
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SeedResult r = sim.Run(seed);
    EXPECT_FALSE(r.failed()) << Describe(r);
    EXPECT_GT(r.coverage.faults[static_cast<size_t>(Fault::kSignalDuplicate)], 0);
  }
}

TEST(SimulationTest, UserInvariantsAreChecked) {
  Workload w = examples::OrderWorkload();
  w.invariants.push_back({"no order is ever rejected", [](const RunView& run) {
    for (const WorkflowResult& wf : run.workflows()) {
      auto result = wf.ResultAs<std::string>();
      if (result.ok() && *result == "rejected") {
        return absl::InternalError(absl::StrCat(wf.workflow_id, " was rejected"));
      }
    }
    return absl::OkStatus();
  }});
  Simulation sim(&w);
  bool found = false;
  for (uint64_t seed = 1; seed <= 100 && !found; ++seed) {
    SeedResult r = sim.Run(seed);
    const Finding* f = FindChecker(r, "invariant");
    if (f == nullptr) continue;
    found = true;
    EXPECT_EQ(f->invariant, "no order is ever rejected");
    EXPECT_THAT(f->message, HasSubstr("was rejected"));
  }
  EXPECT_TRUE(found);
}

// A cart: items added by update (validated), closed by a signal; a cancel ends it early.
constexpr WorkflowDef<int()> kCart{"cart"};
constexpr UpdateDef<int(int)> kAddItems{"add_items"};
constexpr SignalDef<void()> kClose{"close"};

Task<int> Cart(WorkflowContext& ctx) {
  int items = 0;
  bool closed = false;
  ctx.SetUpdateHandler(
      kAddItems,
      [&items](int n) {
        items += n;
        return items;
      },
      [](int n) {
        if (n <= 0) throw ApplicationFailure("must add at least one item", "BadCount");
      });
  ctx.SetSignalHandler(kClose, [&closed] { closed = true; });
  co_await ctx.WaitCondition([&closed] { return closed; });
  co_return items;
}

TEST(SimulationTest, PlansSendUpdatesSignalWithStartAndCancels) {
  Workload w;
  w.name = "carts";
  w.register_types = [](Registry* r) { return r->RegisterWorkflow(kCart, &Cart); };
  w.plan = [](Plan& plan) {
    // cart-1: updates (one rejected by the validator), then closed by signal.
    plan.Start(absl::ZeroDuration(), kCart, {.id = "cart-1"});
    plan.Update(absl::Minutes(1), "cart-1", kAddItems, 2);
    plan.Update(absl::Minutes(2), "cart-1", kAddItems, 0);
    plan.Update(absl::Minutes(3), "cart-1", kAddItems, 3);
    plan.Signal(absl::Minutes(4), "cart-1", kClose);
    // cart-2: started by signal-with-start, then canceled.
    plan.SignalWithStartRaw(absl::Minutes(1), "cart", {.id = "cart-2"}, "noop", Payloads(),
                            Payloads());
    plan.Cancel(absl::Minutes(2), "cart-2");
  };
  w.invariants.push_back({"cart-1 holds the accepted items", [](const RunView& run) {
    const WorkflowResult* cart = run.Find("cart-1");
    if (cart == nullptr) return absl::InternalError("no cart-1");
    auto items = cart->ResultAs<int>();
    if (!items.ok()) return items.status();
    if (*items != 5) return absl::InternalError(absl::StrCat("cart-1 holds ", *items));
    return absl::OkStatus();
  }});
  Simulation sim(&w, {.faults = FaultSelection::None(), .record = true});
  SeedResult r = sim.Run(1);
  EXPECT_FALSE(r.failed()) << Describe(r);
  int updates_accepted = 0;
  bool canceled = false;
  bool signal_with_start = false;
  for (const RecordedHistory& h : r.histories) {
    for (const auto& e : h.history.events()) {
      updates_accepted += e.event_type() ==
                          temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED;
      canceled |= e.event_type() ==
                  temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED;
      signal_with_start |=
          h.workflow_id == "cart-2" &&
          e.event_type() == temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED;
    }
  }
  // The validator's rejection leaves no event (as in Temporal); two updates were accepted.
  EXPECT_EQ(updates_accepted, 2);
  EXPECT_TRUE(canceled);
  EXPECT_TRUE(signal_with_start);
}

TEST(SimulationTest, ReproduceCommandNamesEverythingThatShapesTheRun) {
  const Workload workload = examples::OrderWorkload();
  auto selection = FaultSelection::Parse("all,-worker_crash");
  ASSERT_TRUE(selection.ok());
  Simulation sim(&workload, {.faults = *selection, .strategy = StrategyKind::kPct});
  EXPECT_EQ(sim.ReproduceCommand("lockstep sim", 42),
            absl::StrCat("lockstep sim --workflow order --seed 42 --faults ",
                         selection->ToString(), " --strategy pct --pct-depth 3"));
}

}  // namespace
}  // namespace simulation_test
}  // namespace lockstep::sim
