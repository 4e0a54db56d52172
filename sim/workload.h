// A workload: what a simulation runs, written in C++ by the project that owns the workflows.
//
//   sim::Workload OrderWorkload() {
//     sim::Workload w;
//     w.name = "order";
//     w.register_types = &examples::RegisterOrder;
//     w.plan = [](sim::Plan& plan) {
//       const int orders = sim::UniformInt(plan.rng(), 1, 3);
//       for (int i = 0; i < orders; ++i) {
//         const std::string id = absl::StrCat("order-", i);
//         plan.Start(sim::UniformDuration(plan.rng(), absl::ZeroDuration(), absl::Minutes(5)),
//                    kOrder, {.id = id}, Order{...});
//         plan.Signal(plan.LogUniform(absl::Seconds(1), absl::Hours(30)), id, kApprove, true);
//       }
//     };
//     w.activities[kChargeCardActivity] = {.min_latency = absl::Milliseconds(50),
//                                          .max_latency = absl::Seconds(5)};
//     w.invariants.push_back({"charged at most once", [](const sim::RunView& run) {...}});
//     return w;
//   }
//
// Contract:
//   - `plan` is called once per seed with a Plan whose rng() is the seed's workload stream; it
//     must draw only from it (no wall clock, no other randomness), so a seed names one plan.
//     Times are offsets from the run's start in virtual time.
//   - Draw at most once per full expression: bind each draw to a named local before the call.
//     C++ leaves the order of a call's arguments unspecified (g++ evaluates them right to left,
//     clang left to right), so `plan.Signal(plan.Uniform(...), id, kAdd, UniformInt(plan.rng(),
//     1, 60))` gives the same seed a different plan under each compiler. Comparing one seed's
//     histories from a g++ build and a clang build catches it (`make sim-determinism` does so
//     for the example workloads).
//   - Client calls happen at their time, in order of time and then of planning. A call that
//     fails (a signal to a workflow not started yet or already closed, a start whose id is
//     taken) is recorded as rejected; it is not a failure of the run.
//   - Invariants are checked once the run has ended (every workflow closed, or the liveness
//     bound passed) and see every workflow the plan started, with its whole chain of runs.
//   - `signals_applied`, if set, says how many signals a closed workflow applied (read from its
//     result): the signal ledger then checks that count against the signals its histories
//     recorded.
#ifndef LOCKSTEP_SIM_WORKLOAD_H_
#define LOCKSTEP_SIM_WORKLOAD_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/payload/payload.h"
#include "engine/util/prng.h"
#include "engine/workflow/definitions.h"
#include "engine/workflow/registry.h"
#include "sim/faults.h"
#include "sim/random.h"
#include "temporal/api/common/v1/message.pb.h"
#include "temporal/api/enums/v1/workflow.pb.h"
#include "temporal/api/failure/v1/message.pb.h"
#include "temporal/api/history/v1/message.pb.h"
#include "testing/test_environment.h"

namespace lockstep::sim {

using temporal::api::common::v1::Payloads;

// One client call the plan makes.
struct ClientCall {
  enum class Kind { kStart, kSignal, kSignalWithStart, kQuery, kUpdate, kCancel };
  Kind kind = Kind::kStart;
  absl::Duration at = absl::ZeroDuration();
  std::string workflow_id;
  std::string workflow_type;  // kStart, kSignalWithStart
  std::string name;           // the signal, query or update
  testing::StartWorkflowOptions options;  // kStart, kSignalWithStart (options.id = workflow_id)
  Payloads input;         // workflow input (starts) or the signal/query/update arguments
  Payloads start_input;   // kSignalWithStart: the workflow input (input is the signal's)
};

absl::string_view ClientCallKindName(ClientCall::Kind kind);

// The client calls of one seed, made by Workload::plan.
class Plan {
 public:
  explicit Plan(Prng* rng) : rng_(rng) {}

  // The seed's workload stream, and shorthands for drawing times from it.
  Prng& rng() { return *rng_; }
  absl::Duration Uniform(absl::Duration lo, absl::Duration hi) {
    return UniformDuration(*rng_, lo, hi);
  }
  absl::Duration LogUniform(absl::Duration lo, absl::Duration hi) {
    return LogUniformDuration(*rng_, lo, hi);
  }

  // Starts a workflow; an empty options.id becomes "<type>-<n>" (n counts the plan's starts).
  // Returns the workflow id.
  std::string StartRaw(absl::Duration at, std::string type, testing::StartWorkflowOptions options,
                       Payloads input);
  template <typename R, typename... Declared, typename... Args>
  std::string Start(absl::Duration at, const WorkflowDef<R(Declared...)>& def,
                    testing::StartWorkflowOptions options, const Args&... args) {
    static_assert(kArgumentsMatch<std::tuple<Declared...>, Args...>,
                  "Plan::Start: the arguments do not match the WorkflowDef's signature");
    return StartRaw(at, def.name_string(), std::move(options),
                    ToPayloads(static_cast<const Declared&>(args)...));
  }

  // Signals the workflow's current run (each signal has its own request id).
  void SignalRaw(absl::Duration at, std::string workflow_id, std::string signal, Payloads input);
  template <typename... Declared, typename... Args>
  void Signal(absl::Duration at, std::string workflow_id, const SignalDef<void(Declared...)>& def,
              const Args&... args) {
    static_assert(kArgumentsMatch<std::tuple<Declared...>, Args...>,
                  "Plan::Signal: the arguments do not match the SignalDef's signature");
    SignalRaw(at, std::move(workflow_id), def.name_string(),
              ToPayloads(static_cast<const Declared&>(args)...));
  }

  // Signals the open run of options.id, or starts one with `start_input` and the signal.
  void SignalWithStartRaw(absl::Duration at, std::string type,
                          testing::StartWorkflowOptions options, std::string signal,
                          Payloads signal_input, Payloads start_input);

  // A query whose answer must be pure: asked twice, and again of the run rebuilt from its
  // history (checkers/query_purity.h), it must give the same answer and append nothing.
  void QueryRaw(absl::Duration at, std::string workflow_id, std::string query, Payloads args);
  template <typename R, typename... Declared, typename... Args>
  void Query(absl::Duration at, std::string workflow_id, const QueryDef<R(Declared...)>& def,
             const Args&... args) {
    QueryRaw(at, std::move(workflow_id), def.name_string(),
             ToPayloads(static_cast<const Declared&>(args)...));
  }

  // Sends an update (its outcome is recorded; a rejection is not a failure of the run).
  void UpdateRaw(absl::Duration at, std::string workflow_id, std::string update, Payloads args);
  template <typename R, typename... Declared, typename... Args>
  void Update(absl::Duration at, std::string workflow_id, const UpdateDef<R(Declared...)>& def,
              const Args&... args) {
    UpdateRaw(at, std::move(workflow_id), def.name_string(),
              ToPayloads(static_cast<const Declared&>(args)...));
  }

  void Cancel(absl::Duration at, std::string workflow_id);

  std::vector<ClientCall>& calls() { return calls_; }
  const std::vector<ClientCall>& calls() const { return calls_; }

 private:
  ClientCall& Add(ClientCall::Kind kind, absl::Duration at, std::string workflow_id,
                  std::string name, Payloads input);
  // A start or signal-with-start: an empty options.id becomes "<type>-<n>".
  ClientCall& AddStart(ClientCall::Kind kind, absl::Duration at, std::string type,
                       testing::StartWorkflowOptions options, std::string signal,
                       Payloads input);

  Prng* rng_;
  std::vector<ClientCall> calls_;
  int starts_ = 0;
};

// The end of one workflow id as the invariants see it.
struct WorkflowResult {
  std::string workflow_id;
  std::string workflow_type;
  std::string run_id;  // the latest run
  temporal::api::enums::v1::WorkflowExecutionStatus status =
      temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_UNSPECIFIED;
  std::optional<Payloads> result;  // completed
  std::optional<temporal::api::failure::v1::Failure> failure;  // failed
  // Every run of the id, oldest first (continue-as-new, retries, a new start after close).
  std::vector<const temporal::api::history::v1::History*> runs;
  bool started_by_plan = false;  // false: a child or a workflow started by another workflow

  bool closed() const {
    return status != temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_UNSPECIFIED &&
           status != temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_RUNNING;
  }
  bool completed() const {
    return status == temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_COMPLETED;
  }
  // The completed result decoded as T (an error if the workflow did not complete).
  template <typename T>
  absl::StatusOr<T> ResultAs() const {
    if (!result.has_value()) {
      return absl::FailedPreconditionError(
          absl::StrCat("workflow ", workflow_id, " did not complete"));
    }
    auto decoded = FromPayloads<T>(*result);
    if (!decoded.ok()) return decoded.status();
    return std::get<0>(*std::move(decoded));
  }
};

// What the run did, for invariants.
class RunView {
 public:
  RunView(uint64_t seed, std::vector<WorkflowResult> workflows, std::vector<ClientCall> calls,
          std::vector<absl::Status> call_outcomes)
      : seed_(seed),
        workflows_(std::move(workflows)),
        calls_(std::move(calls)),
        call_outcomes_(std::move(call_outcomes)) {}

  uint64_t seed() const { return seed_; }
  // Every workflow id that ran (started by the plan or by workflows), in order of first start.
  const std::vector<WorkflowResult>& workflows() const { return workflows_; }
  const WorkflowResult* Find(absl::string_view workflow_id) const;
  // The plan's calls (after signal faults: delayed, reordered, duplicated) in the order they
  // were made, and what the service answered to each.
  const std::vector<ClientCall>& calls() const { return calls_; }
  const std::vector<absl::Status>& call_outcomes() const { return call_outcomes_; }

 private:
  uint64_t seed_;
  std::vector<WorkflowResult> workflows_;
  std::vector<ClientCall> calls_;
  std::vector<absl::Status> call_outcomes_;
};

struct Invariant {
  std::string name;
  std::function<absl::Status(const RunView&)> check;
};

// How an activity behaves on its own, before any fault: every attempt's latency is drawn
// log-uniformly from [min_latency, max_latency] (zero: instant), and it fails at these rates.
struct ActivityBehavior {
  absl::Duration min_latency = absl::ZeroDuration();
  absl::Duration max_latency = absl::ZeroDuration();
  Ratio retryable_failure = {};
  Ratio nonretryable_failure = {};
};

struct Workload {
  std::string name;  // what `lockstep sim --workflow` takes
  std::string description;
  std::function<absl::Status(Registry*)> register_types;
  std::function<void(Plan&)> plan;
  // Called before every run, seeded or scheduled, with the calls it will make: puts back state
  // outside the engine that its workflows or activities touch (a process-wide memo, a fake
  // database), so that a run never sees what an earlier run left there and the same seed or
  // schedule runs the same way again. Runs of a campaign with several jobs call it from
  // several threads at once.
  std::function<void(const std::vector<ClientCall>& calls)> before_run;
  // Which call lists the plan could have made (an error says why not), for property tests:
  // shrinking a failing schedule removes calls and simplifies their payloads, and keeps a
  // smaller schedule only if this accepts its calls. Without it, a shrunk schedule is kept
  // only if its calls still pass without faults whenever the original's did (property.h).
  std::function<absl::Status(const std::vector<ClientCall>& calls)> valid_calls;
  std::map<std::string, ActivityBehavior, std::less<>> activities;
  std::vector<Invariant> invariants;
  std::function<absl::StatusOr<int64_t>(const WorkflowResult&)> signals_applied;
  // Queries (without arguments) the query fault may ask of an open run, by workflow type.
  std::map<std::string, std::vector<std::string>, std::less<>> queries;
  // Faults are on for this long after the start; then they heal and the liveness phase
  // begins: every workflow must close within liveness_bound of virtual time.
  absl::Duration safety_phase = absl::Hours(24);
  absl::Duration liveness_bound = absl::Hours(24 * 7);
  // The fault kinds that apply when a campaign does not choose (--faults).
  FaultSelection faults = FaultSelection::All();
  // Task queue of the workers (workflows and activities alike).
  std::string task_queue = "sim";
};

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_WORKLOAD_H_
