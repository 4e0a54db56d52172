#include "sim/simulation.h"

#include <algorithm>
#include <exception>
#include <map>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/machines/activity_machine.h"
#include "engine/machines/child_workflow_machine.h"
#include "engine/machines/completion_machine.h"
#include "engine/machines/external_machine.h"
#include "engine/machines/local_activity_marker.h"
#include "engine/machines/marker_machine.h"
#include "engine/machines/timer_machine.h"
#include "engine/machines/transition_table.h"
#include "engine/service/service.h"
#include "sim/checkers/history_valid.h"
#include "sim/checkers/invariants.h"
#include "sim/checkers/liveness.h"
#include "sim/checkers/query_purity.h"
#include "sim/checkers/replay_clean.h"
#include "sim/checkers/signal_ledger.h"
#include "sim/random.h"
#include "sim/schedule.h"
#include "sim/schedule_script.h"
#include "sim/sim_env.h"
#include "sim/step_hasher.h"
#include "sim/trace_recorder.h"
#include "temporal/api/enums/v1/event_type.pb.h"

namespace lockstep::sim {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::history::v1::History;

bool IsCloseEvent(int type) {
  switch (type) {
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
      return true;
    default:
      return false;
  }
}

// Counts the engine's state-machine transitions into a Coverage while installed on this thread.
class MachineCoverage : public machines::TransitionObserver {
 public:
  explicit MachineCoverage(Coverage* coverage)
      : coverage_(coverage), previous_(machines::SetTransitionObserver(this)) {}
  ~MachineCoverage() override { machines::SetTransitionObserver(previous_); }

  void OnTransition(absl::string_view table, size_t row, size_t rows) override {
    (void)rows;
    // Tables are few: find by name, starting from the last one hit.
    const std::vector<MachineTable>& tables = MachineTables();
    if (tables[last_].name != table) {
      for (size_t i = 0; i < tables.size(); ++i) {
        if (tables[i].name == table) last_ = i;
      }
      if (tables[last_].name != table) return;
    }
    std::vector<int64_t>& hits = coverage_->machine_rows[last_];
    if (row < hits.size()) ++hits[row];
  }

 private:
  Coverage* coverage_;
  machines::TransitionObserver* previous_;
  size_t last_ = 0;
};

// One seed's run: the harness, the simulator's schedule and the per-step bookkeeping.
class SeedRun : public StepObserver {
 public:
  // With `script`, the run follows it (its seed is the schedule's); with `record_schedule`, the
  // run's decisions are kept as a schedule in the result.
  SeedRun(const Simulation& sim, const Registry* registry, uint64_t seed, bool record,
          bool keep_digests, const ScheduleScript* script, bool record_schedule)
      : sim_(sim),
        record_(record),
        workload_(sim.workload()),
        script_(script),
        random_(seed),
        plan_(script == nullptr ? FaultPlan::Swarm(sim.faults(), random_.stream(Stream::kSwarm))
                                : FaultPlan()),
        strategy_(MakeStrategy(sim.options().strategy, &random_.stream(Stream::kSchedule),
                               sim.options().pct)),
        sim_env_(&random_, plan_, strategy_.get(), &workload_),
        hasher_(keep_digests),
        env_(EnvOptions(seed)),
        registry_(registry) {
    result_.seed = seed;
    result_.fault_plan = script == nullptr ? plan_.ToString() : "as scheduled";
    if (script != nullptr) sim_env_.set_script(script);
    if (record_schedule) {
      recording_ = std::make_unique<Schedule>();
      recording_->set_workload(workload_.name);
      recording_->set_seed(seed);
      sim_env_.set_recording(recording_.get());
    }
  }

  SeedResult Run();
  std::vector<StepDigest> TakeDigests() { return hasher_.digests(); }

  // Per-step bookkeeping: open runs, coverage, and the faults whose opportunity is a step.
  void OnStep(const StepRecord& step) override;

 private:
  struct OpenRun {
    std::string workflow_id;
    std::string run_id;
    std::string workflow_type;
  };

  testing::TestEnvironmentOptions EnvOptions(uint64_t seed) {
    testing::TestEnvironmentOptions o;
    o.time_skipping = true;
    o.evict_after_every_task = false;
    o.task_queue = workload_.task_queue;
    o.service.seed = seed;
    // The checkers read every history at the end of the seed.
    o.service.keep_histories_decoded = true;
    o.schedule = &sim_env_;
    o.max_time_skip = workload_.safety_phase + workload_.liveness_bound;
    o.log_sink = [](const std::string&) {};
    return o;
  }

  void Setup();
  void PlanCalls();
  // Signal faults, in plan order, each from the signals stream: delayed, swapped with another
  // signal to the same workflow, delivered twice (the copy shares the request id).
  void AddSignalFaults();
  // The faults whose opportunity is a step, drawn from the seed or read from the schedule.
  void StepFaults();
  void CrashSoon(absl::Duration downtime);
  void EvictSoon(const OpenRun& run);
  void QuerySoon(const OpenRun& run, const std::string& name);
  const OpenRun* FindOpen(absl::string_view workflow_id) const;
  void MakeCall(size_t index);
  void Heal();
  void Crash(absl::Duration downtime);
  void Finish(const absl::Status& ran);
  bool Done() const { return calls_made_ == calls_.size() && open_.empty(); }
  // A simulator-side happening on the timeline (recorded runs only).
  void Mark(absl::string_view workflow_id, absl::string_view what);
  void AddFinding(Finding f) {
    if (f.at == absl::InfinitePast()) f.at = env_.Now();
    result_.findings.push_back(std::move(f));
  }

  const Simulation& sim_;
  bool record_;
  const Workload& workload_;
  const ScheduleScript* script_;          // null: decisions drawn from the seed
  std::unique_ptr<Schedule> recording_;  // with record_schedule
  // With a script or a recording: the step just taken, as the workflow it belongs to and its
  // number among that workflow's steps (step faults are keyed by it).
  Occurrences step_numbers_;
  std::string step_workflow_;
  int64_t step_number_ = 0;
  Random random_;
  FaultPlan plan_;
  std::unique_ptr<Strategy> strategy_;
  SimEnv sim_env_;
  StepHasher hasher_;
  testing::TestEnvironment env_;
  const Registry* registry_;
  absl::Time start_;

  std::vector<ClientCall> calls_;
  std::vector<std::string> request_ids_;  // per call (signals)
  std::vector<int64_t> requests_;         // per call: the number in its request id
  std::vector<absl::Status> outcomes_;
  size_t calls_made_ = 0;
  std::vector<std::string> plan_ids_;  // workflow ids the plan starts, first-start order
  std::vector<OpenRun> open_;
  bool crash_pending_ = false;
  std::unique_ptr<TraceRecorder> trace_;  // with record_
  // An empty-cache worker over the same registry: the query purity checker's rebuilds.
  std::unique_ptr<Worker> rebuilder_;
  SeedResult result_;
};

void SeedRun::Setup() {
  if (registry_ != nullptr) {
    *env_.registry() = *registry_;
  } else if (workload_.register_types) {
    absl::Status s = workload_.register_types(env_.registry());
    if (!s.ok()) throw std::runtime_error(absl::StrCat("registering the workload's types: ",
                                                       s.ToString()));
  }
  rebuilder_ = std::make_unique<Worker>(env_.registry());
  Service& service = env_.service();
  service.AddStepObserver(&hasher_);
  service.AddStepObserver(this);
  if (record_) {
    trace_ = std::make_unique<TraceRecorder>(env_.Now());
    service.AddStepObserver(trace_.get());
  }
  sim_env_.set_clock(service.clock());
  sim_env_.set_crash_requester([this](absl::Time at, std::optional<absl::Duration> downtime,
                                      v1::ActivityAttempt* record) {
    if (crash_pending_) return;
    crash_pending_ = true;
    env_.RegisterDelayedCallback(at - env_.Now(), [this, downtime, record] {
      crash_pending_ = false;
      const absl::Duration d =
          downtime.has_value() ? *downtime
                               : LogUniformDuration(random_.stream(Stream::kWorkers),
                                                    absl::Seconds(1), absl::Minutes(5));
      if (record != nullptr) record->set_crash_downtime(ScheduleDuration(d));
      Crash(d);
    });
  });
  start_ = env_.Now();
}

void SeedRun::PlanCalls() {
  if (script_ != nullptr) {
    for (const ScheduleScript::ScriptedCall& c : script_->calls()) {
      calls_.push_back(c.call);
      requests_.push_back(c.request);
    }
  } else {
    Plan plan(&random_.stream(Stream::kWorkload));
    if (workload_.plan) workload_.plan(plan);
    calls_ = std::move(plan.calls());
    for (size_t i = 0; i < calls_.size(); ++i) requests_.push_back(static_cast<int64_t>(i));
    AddSignalFaults();
  }
  // In order of time, then of planning.
  std::vector<size_t> order(calls_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return calls_[a].at < calls_[b].at; });
  std::vector<ClientCall> sorted;
  std::vector<int64_t> requests;
  sorted.reserve(order.size());
  requests.reserve(order.size());
  request_ids_.reserve(order.size());
  for (size_t i : order) {
    sorted.push_back(std::move(calls_[i]));
    requests.push_back(requests_[i]);
  }
  calls_ = std::move(sorted);
  requests_ = std::move(requests);
  for (int64_t r : requests_) request_ids_.push_back(absl::StrCat("sim-", result_.seed, "-call-", r));
  if (workload_.before_run) workload_.before_run(calls_);
  outcomes_.assign(calls_.size(), absl::OkStatus());
  for (size_t i = 0; i < calls_.size(); ++i) {
    const ClientCall& c = calls_[i];
    if (recording_ != nullptr) *recording_->add_calls() = CallToProto(c, requests_[i]);
    if ((c.kind == ClientCall::Kind::kStart || c.kind == ClientCall::Kind::kSignalWithStart) &&
        std::find(plan_ids_.begin(), plan_ids_.end(), c.workflow_id) == plan_ids_.end()) {
      plan_ids_.push_back(c.workflow_id);
    }
    env_.RegisterDelayedCallback(std::max(c.at, absl::ZeroDuration()), [this, i] { MakeCall(i); });
  }
}

void SeedRun::AddSignalFaults() {
  // Signal faults, in plan order, each from the signals stream.
  Prng& rng = random_.stream(Stream::kSignals);
  const size_t planned = calls_.size();
  for (size_t i = 0; i < planned; ++i) {
    if (calls_[i].kind != ClientCall::Kind::kSignal) continue;
    if (sim_env_.Roll(Fault::kSignalDelay, Stream::kSignals)) {
      calls_[i].at += LogUniformDuration(rng, absl::Milliseconds(1), absl::Hours(6));
    }
    if (sim_env_.Roll(Fault::kSignalReorder, Stream::kSignals)) {
      std::vector<size_t> peers;
      for (size_t j = 0; j < planned; ++j) {
        if (j != i && calls_[j].kind == ClientCall::Kind::kSignal &&
            calls_[j].workflow_id == calls_[i].workflow_id) {
          peers.push_back(j);
        }
      }
      if (!peers.empty()) std::swap(calls_[i].at, calls_[peers[rng.Below(peers.size())]].at);
    }
    if (sim_env_.Roll(Fault::kSignalDuplicate, Stream::kSignals)) {
      ClientCall again = calls_[i];
      again.at += LogUniformDuration(rng, absl::Milliseconds(1), absl::Minutes(10));
      calls_.push_back(std::move(again));
      requests_.push_back(requests_[i]);
    }
  }
}

StartWorkflowRequest ToStartRequest(const ClientCall& c, absl::string_view default_queue) {
  StartWorkflowRequest r;
  r.workflow_id = c.workflow_id;
  r.workflow_type = c.workflow_type;
  r.task_queue = c.options.task_queue.empty() ? std::string(default_queue) : c.options.task_queue;
  r.execution_timeout = c.options.execution_timeout;
  r.run_timeout = c.options.run_timeout;
  r.task_timeout = c.options.task_timeout;
  r.retry_policy = c.options.retry_policy;
  r.id_reuse_policy = c.options.id_reuse_policy;
  return r;
}

void SeedRun::MakeCall(size_t index) {
  ++calls_made_;
  const ClientCall& c = calls_[index];
  Service& service = env_.service();
  absl::Status status;
  switch (c.kind) {
    case ClientCall::Kind::kStart: {
      StartWorkflowRequest r = ToStartRequest(c, workload_.task_queue);
      r.input = c.input;
      r.request_id = request_ids_[index];
      status = service.StartWorkflow(r).status();
      break;
    }
    case ClientCall::Kind::kSignal: {
      SignalWorkflowRequest r;
      r.workflow_id = c.workflow_id;
      r.signal_name = c.name;
      r.input = c.input;
      r.request_id = request_ids_[index];
      status = service.SignalWorkflow(r);
      break;
    }
    case ClientCall::Kind::kSignalWithStart: {
      SignalWithStartRequest r;
      r.start = ToStartRequest(c, workload_.task_queue);
      r.start.input = c.start_input;
      r.start.request_id = request_ids_[index];
      r.signal_name = c.name;
      r.signal_input = c.input;
      status = service.SignalWithStartWorkflow(r).status();
      break;
    }
    case ClientCall::Kind::kQuery: {
      bool asked = false;
      if (auto f = CheckQueryPure(service, *rebuilder_, c.workflow_id, c.name, c.input, &asked)) {
        AddFinding(std::move(*f));
      }
      if (!asked) status = absl::FailedPreconditionError("not asked: no open run answered");
      break;
    }
    case ClientCall::Kind::kUpdate: {
      UpdateWorkflowRequest r;
      r.workflow_id = c.workflow_id;
      r.update_id = request_ids_[index];
      r.name = c.name;
      r.args = c.input;
      status = service.UpdateWorkflow(r).status();
      break;
    }
    case ClientCall::Kind::kCancel: {
      CancelWorkflowRequest r;
      r.workflow_id = c.workflow_id;
      r.request_id = request_ids_[index];
      status = service.RequestCancelWorkflow(r);
      break;
    }
  }
  outcomes_[index] = status;
}

void SeedRun::Crash(absl::Duration downtime) {
  if (sim_env_.healed() || env_.workers_crashed()) return;
  env_.CrashWorkers();
  env_.RegisterDelayedCallback(downtime, [this] {
    Mark("", "workers restarted");
    env_.RestartWorkers();
  });
}

void SeedRun::Heal() {
  Mark("", "faults healed: liveness phase");
  sim_env_.Heal();
  env_.RestartWorkers();
}

void SeedRun::Mark(absl::string_view workflow_id, absl::string_view what) {
  if (trace_ != nullptr) trace_->AddInstant(workflow_id, "simulator", what, env_.Now());
}

void SeedRun::OnStep(const StepRecord& step) {
  Coverage& cov = result_.coverage;
  ++cov.steps[static_cast<size_t>(step.kind) % Coverage::kStepKinds];
  for (const AppendedEvents& appended : step.appended) {
    for (int i = appended.first; i < appended.end; ++i) {
      const int type = appended.history->events(i).event_type();
      const int prev = i > 0 ? appended.history->events(i - 1).event_type() : 0;
      ++cov.events[type % Coverage::kEventTypes];
      ++cov.transitions[{prev, type}];
      if (type == enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) {
        open_.push_back({std::string(appended.workflow_id), std::string(appended.run_id),
                         appended.history->events(i)
                             .workflow_execution_started_event_attributes()
                             .workflow_type()
                             .name()});
      } else if (IsCloseEvent(type)) {
        for (size_t k = 0; k < open_.size(); ++k) {
          if (open_[k].run_id == appended.run_id && open_[k].workflow_id == appended.workflow_id) {
            open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(k));
            break;
          }
        }
      }
    }
  }
  if (script_ != nullptr || recording_ != nullptr) {
    step_workflow_ = std::string(step.workflow_id);
    step_number_ = step_numbers_.Next(step_workflow_);
  }
  if (sim_env_.healed() || open_.empty()) return;
  StepFaults();
}

const SeedRun::OpenRun* SeedRun::FindOpen(absl::string_view workflow_id) const {
  for (const OpenRun& run : open_) {
    if (run.workflow_id == workflow_id) return &run;
  }
  return nullptr;
}

void SeedRun::CrashSoon(absl::Duration downtime) {
  env_.RegisterDelayedCallback(absl::ZeroDuration(), [this, downtime] { Crash(downtime); });
}

void SeedRun::EvictSoon(const OpenRun& run) {
  env_.RegisterDelayedCallback(absl::ZeroDuration(),
                               [this, id = run.workflow_id, rid = run.run_id] {
                                 Mark(id, "evicted from the worker's cache");
                                 env_.Evict(id, rid);
                               });
}

void SeedRun::QuerySoon(const OpenRun& run, const std::string& name) {
  env_.RegisterDelayedCallback(absl::ZeroDuration(), [this, id = run.workflow_id, name] {
    Mark(id, absl::StrCat("query ", name));
    if (auto f = CheckQueryPure(env_.service(), *rebuilder_, id, name, Payloads())) {
      AddFinding(std::move(*f));
    }
  });
}

void SeedRun::StepFaults() {
  // Into the recording, keyed by the step just taken.
  auto record = [this](v1::StepFault::Kind kind, absl::string_view workflow_id,
                       absl::string_view name, absl::Duration duration) {
    if (recording_ == nullptr) return;
    RecordStepFault(step_workflow_, step_number_, kind, workflow_id, name, duration,
                    recording_.get());
  };
  // They act from a callback, outside the step.
  if (script_ != nullptr) {
    for (const ScheduleScript::StepFaultEntry& e :
         script_->StepFaults(step_workflow_, step_number_)) {
      record(e.kind, e.workflow_id, e.name, e.duration);
      switch (e.kind) {
        case v1::StepFault::KIND_WORKER_CRASH:
          sim_env_.CountInjection(Fault::kWorkerCrash);
          CrashSoon(e.duration);
          break;
        case v1::StepFault::KIND_CACHE_EVICTION:
          if (const OpenRun* run = FindOpen(e.workflow_id)) {
            sim_env_.CountInjection(Fault::kCacheEviction);
            EvictSoon(*run);
          }
          break;
        case v1::StepFault::KIND_ACTIVITY_OUTAGE:
          sim_env_.CountInjection(Fault::kActivityWorkerOutage);
          sim_env_.StopActivityPolling(env_.Now() + e.duration);
          break;
        default:
          if (const OpenRun* run = FindOpen(e.workflow_id)) {
            sim_env_.CountInjection(Fault::kQuery);
            QuerySoon(*run, e.name);
          }
          break;
      }
    }
    return;
  }
  Prng& workers = random_.stream(Stream::kWorkers);
  if (sim_env_.Roll(Fault::kWorkerCrash, Stream::kWorkers)) {
    const absl::Duration downtime =
        LogUniformDuration(workers, absl::Seconds(1), absl::Minutes(5));
    record(v1::StepFault::KIND_WORKER_CRASH, "", "", downtime);
    CrashSoon(downtime);
  }
  if (sim_env_.Roll(Fault::kCacheEviction, Stream::kWorkers)) {
    const OpenRun& run = open_[workers.Below(open_.size())];
    record(v1::StepFault::KIND_CACHE_EVICTION, run.workflow_id, "", absl::ZeroDuration());
    EvictSoon(run);
  }
  if (sim_env_.Roll(Fault::kActivityWorkerOutage, Stream::kWorkers)) {
    const absl::Duration outage = LogUniformDuration(workers, absl::Seconds(1), absl::Hours(1));
    record(v1::StepFault::KIND_ACTIVITY_OUTAGE, "", "", outage);
    sim_env_.StopActivityPolling(env_.Now() + outage);
  }
  if (!workload_.queries.empty() && sim_env_.Roll(Fault::kQuery, Stream::kQueries)) {
    Prng& q = random_.stream(Stream::kQueries);
    const OpenRun& run = open_[q.Below(open_.size())];
    auto names = workload_.queries.find(run.workflow_type);
    if (names != workload_.queries.end() && !names->second.empty()) {
      const std::string& name = names->second[q.Below(names->second.size())];
      record(v1::StepFault::KIND_QUERY, run.workflow_id, name, absl::ZeroDuration());
      QuerySoon(run, name);
    }
  }
}

void SeedRun::Finish(const absl::Status& ran) {
  Service& service = env_.service();
  if (!ran.ok()) {
    const std::string why =
        ran.code() == absl::StatusCode::kDeadlineExceeded
            ? absl::StrCat("the liveness bound of ", absl::FormatDuration(workload_.liveness_bound),
                           " after the safety phase passed")
            : "nothing was pending any more: no timer, timeout, retry or client call";
    std::vector<std::string> ids;
    for (const auto& run : service.ListRuns()) {
      if (std::find(ids.begin(), ids.end(), run.workflow_id()) == ids.end()) {
        ids.push_back(run.workflow_id());
      }
    }
    for (Finding& f : CheckAllClosed(service, ids, env_.Now(), why)) AddFinding(std::move(f));
  }

  // Every workflow id, its runs in order, and its latest run's outcome.
  std::vector<WorkflowResult> workflows;
  std::map<std::string, size_t, std::less<>> index;
  const bool boundaries = sim_.options().task_boundary_replay_every > 0 &&
                          result_.seed % static_cast<uint64_t>(
                                             sim_.options().task_boundary_replay_every) == 0;
  for (const auto& run : service.ListRuns()) {
    auto history = service.GetHistory(run.workflow_id(), run.run_id());
    if (!history.ok()) continue;
    auto [it, inserted] = index.emplace(run.workflow_id(), workflows.size());
    if (inserted) {
      WorkflowResult w;
      w.workflow_id = run.workflow_id();
      w.started_by_plan =
          std::find(plan_ids_.begin(), plan_ids_.end(), w.workflow_id) != plan_ids_.end();
      workflows.push_back(std::move(w));
    }
    workflows[it->second].runs.push_back(*history);
    if (auto f = CheckHistoryValid(run.workflow_id(), run.run_id(), **history)) {
      AddFinding(std::move(*f));
    }
    if (auto f = CheckReplaysCleanly(*env_.registry(), run.workflow_id(), run.run_id(), **history,
                                     boundaries)) {
      AddFinding(std::move(*f));
    }
    if (record_) {
      result_.histories.push_back({run.workflow_id(), run.run_id(), **history});
    }
  }
  for (WorkflowResult& w : workflows) {
    auto d = service.DescribeWorkflow(w.workflow_id, "");
    if (!d.ok()) continue;
    w.workflow_type = d->workflow_type;
    w.run_id = d->execution.run_id();
    w.status = d->status;
    w.result = d->result;
    w.failure = d->failure;
  }

  std::vector<SentSignal> sent;
  for (size_t i = 0; i < calls_.size(); ++i) {
    const ClientCall& c = calls_[i];
    if (c.kind != ClientCall::Kind::kSignal && c.kind != ClientCall::Kind::kSignalWithStart) {
      continue;
    }
    sent.push_back({c.workflow_id, c.name, request_ids_[i], i < calls_made_ && outcomes_[i].ok()});
  }
  for (Finding& f : CheckSignalLedger(sent, workflows, workload_.signals_applied)) {
    AddFinding(std::move(f));
  }
  // The last reader of the calls: the view takes them rather than a copy of every payload.
  RunView view(result_.seed, std::move(workflows), std::move(calls_), std::move(outcomes_));
  for (Finding& f : CheckInvariants(workload_.invariants, view)) AddFinding(std::move(f));
}

SeedResult SeedRun::Run() {
  try {
    Setup();
    PlanCalls();
    env_.RegisterDelayedCallback(workload_.safety_phase, [this] { Heal(); });
    // The engine's transitions while the seed runs and while its histories are replayed.
    MachineCoverage machines(&result_.coverage);
    absl::Status ran = env_.RunUntil([this] { return Done(); }, "every workflow to close");
    Finish(ran);
  } catch (const std::exception& e) {
    Finding f;
    f.checker = "harness";
    f.message = absl::StrCat("the simulation stopped: ", e.what());
    AddFinding(std::move(f));
  }
  result_.fingerprint = hasher_.fingerprint();
  result_.steps = hasher_.steps();
  result_.virtual_time = env_.Now() - start_;
  result_.coverage.faults = sim_env_.injected();
  if (trace_ != nullptr) {
    for (const Finding& f : result_.findings) {
      trace_->AddInstant(f.workflow_id, "simulator", absl::StrCat("finding: ", f.Headline()), f.at);
    }
    result_.trace_json = trace_->Finish(env_.Now());
  }
  if (recording_ != nullptr) result_.schedule = std::move(*recording_);
  return std::move(result_);
}

}  // namespace

const std::vector<MachineTable>& MachineTables() {
  static const std::vector<MachineTable>* tables = new std::vector<MachineTable>{
      {machines::ActivityTransitions().name(), machines::ActivityTransitions().rows().size()},
      {machines::TimerTransitions().name(), machines::TimerTransitions().rows().size()},
      {machines::ChildTransitions().name(), machines::ChildTransitions().rows().size()},
      {machines::ExternalTransitions().name(), machines::ExternalTransitions().rows().size()},
      {machines::LocalActivityTransitions().name(),
       machines::LocalActivityTransitions().rows().size()},
      {machines::RecordTransitions().name(), machines::RecordTransitions().rows().size()},
      {machines::CompletionTransitions().name(), machines::CompletionTransitions().rows().size()},
  };
  return *tables;
}

std::vector<std::vector<int64_t>> Coverage::EmptyMachineRows() {
  std::vector<std::vector<int64_t>> rows;
  for (const MachineTable& table : MachineTables()) rows.emplace_back(table.rows, 0);
  return rows;
}

void Coverage::Merge(const Coverage& other) {
  for (size_t m = 0; m < machine_rows.size() && m < other.machine_rows.size(); ++m) {
    for (size_t r = 0; r < machine_rows[m].size() && r < other.machine_rows[m].size(); ++r) {
      machine_rows[m][r] += other.machine_rows[m][r];
    }
  }
  for (size_t i = 0; i < faults.size(); ++i) faults[i] += other.faults[i];
  for (size_t i = 0; i < steps.size(); ++i) steps[i] += other.steps[i];
  for (size_t i = 0; i < events.size(); ++i) events[i] += other.events[i];
  for (const auto& [pair, n] : other.transitions) transitions[pair] += n;
}

Simulation::Simulation(const Workload* workload, SimOptions options, const Registry* registry)
    : workload_(workload),
      options_(std::move(options)),
      faults_(options_.faults.value_or(workload->faults)),
      registry_(registry) {}

SeedResult Simulation::RunOnce(uint64_t seed, const ScheduleScript* script, RunOptions how,
                               bool keep_digests, std::vector<StepDigest>* digests) const {
  SeedRun run(*this, registry_, seed, how.record, keep_digests, script, how.record_schedule);
  SeedResult result = run.Run();
  if (digests != nullptr) *digests = run.TakeDigests();
  return result;
}

SeedResult Simulation::Run(uint64_t seed, bool record) const {
  return Run(seed, RunOptions{.record = record, .record_schedule = false});
}

SeedResult Simulation::Run(uint64_t seed, RunOptions how) const {
  return RunChecked(seed, nullptr, how);
}

absl::StatusOr<SeedResult> Simulation::RunSchedule(const Schedule& schedule,
                                                   RunOptions how) const {
  if (schedule.workload() != workload_->name) {
    return absl::InvalidArgumentError(absl::StrCat("the schedule is for workload '",
                                                   schedule.workload(), "', not '",
                                                   workload_->name, "'"));
  }
  absl::StatusOr<std::unique_ptr<ScheduleScript>> script =
      ScheduleScript::Make(schedule, "schedule");
  if (!script.ok()) return script.status();
  return RunChecked(schedule.seed(), script->get(), how);
}

SeedResult Simulation::RunChecked(uint64_t seed, const ScheduleScript* script,
                                  RunOptions how) const {
  if (!options_.check_determinism) return RunOnce(seed, script, how, false, nullptr);
  std::vector<StepDigest> first;
  std::vector<StepDigest> second;
  SeedResult result = RunOnce(seed, script, how, true, &first);
  SeedResult again = RunOnce(seed, script, RunOptions(), true, &second);
  std::optional<std::string> difference = FirstDifference(first, second);
  if (!difference.has_value() && result.fingerprint != again.fingerprint) {
    difference = "the step hashes agree but the fingerprints differ";
  }
  if (difference.has_value()) {
    Finding f;
    f.checker = "determinism";
    f.message = absl::StrCat("the same ", script == nullptr ? "seed" : "schedule",
                             " ran twice in this process took different paths: ", *difference);
    result.findings.insert(result.findings.begin(), std::move(f));
  }
  return result;
}

std::string Simulation::ReproduceCommand(absl::string_view program, uint64_t seed) const {
  std::string out = absl::StrCat(program, " --workflow ", workload_->name, " --seed ", seed,
                                 " --faults ", faults_.ToString(), " --strategy ",
                                 StrategyName(options_.strategy));
  if (options_.strategy == StrategyKind::kPct) {
    absl::StrAppend(&out, " --pct-depth ", options_.pct.depth);
  }
  if (options_.check_determinism) absl::StrAppend(&out, " --check-determinism");
  return out;
}

}  // namespace lockstep::sim
