// RecoverService (engine/store/store_recovery.h) end to end, in virtual time: a workload of real
// workflows (the order example: an approval signal, a deadline timer, an activity with retries;
// the fan-out example: child workflows, signals both ways between parent and children,
// activities; a workflow that sleeps and then runs an activity that fails twice before it
// succeeds) runs with a StoreRecorder. For every k, the process "dies" after the store's k-th
// commit: the service and its workers are thrown away, a new service recovers from the store,
// fresh workers and a recorder are attached, the client requests of the workload are sent
// again (those the store already holds are deduplicated or refused as already started), and
// the run goes to the end. Then every workflow has completed with the result it has without a
// crash, every stored history is valid and replays cleanly, each history stored before the
// crash is a prefix of the final one, and the store holds what the service holds. The retried
// activities' attempts go on across the crash (the store holds their attempt state): the
// attempt numbers the activity code sees never go back, at most the attempt whose start the
// crash lost runs twice, and the one that always fails gives up after its maximum attempts.
// Also: a run whose history does not decode is skipped and named, the others are recovered;
// recovery from a SQLite file after the store object itself is gone; a service that is not
// new is refused.
#include "engine/store/store_recovery.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/core/clock.h"
#include "engine/history/history_file.h"
#include "engine/history/validate.h"
#include "engine/service/service.h"
#include "engine/service/virtual_time.h"
#include "engine/store/memory_history_store.h"
#include "engine/store/sqlite_history_store.h"
#include "engine/store/store_recorder.h"
#include "engine/store/store_rules.h"
#include "engine/workflow/registry.h"
#include "engine/workflow/worker.h"
#include "examples/fanout/fanout_workflow.h"
#include "examples/order/order_workflow.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/replayer.h"
#include "tests/engine/store/store_test_events.h"

namespace lockstep::store::testing {
namespace recovery_test {
namespace {

using temporal::api::history::v1::History;
using ::testing::HasSubstr;
namespace enums = temporal::api::enums::v1;

// --- A workflow with a timer and an activity that fails twice before it succeeds ----------

inline constexpr WorkflowDef<std::string(int64_t)> kSleepThenRetry{"sleepThenRetry"};
inline constexpr ActivityDef<std::string(int64_t)> kFlakyStep{"flaky_step"};
constexpr int32_t kFlakyMaximumAttempts = 10;
// --- A workflow whose activity always fails: it gives up after its maximum attempts -------
inline constexpr WorkflowDef<std::string(int64_t)> kGiveUp{"giveUp"};
inline constexpr ActivityDef<std::string(int64_t)> kHopeless{"hopeless_step"};
constexpr int32_t kHopelessMaximumAttempts = 4;

Task<std::string> SleepThenRetry(WorkflowContext& ctx, int64_t n) {
  co_await ctx.Sleep(absl::Seconds(30));
  ActivityOptions options{.start_to_close_timeout = absl::Seconds(10),
                          .has_retry_policy = true,
                          .retry_policy = {.initial_interval = absl::Seconds(1),
                                           .backoff_coefficient = 2,
                                           .maximum_attempts = kFlakyMaximumAttempts}};
  const std::string result = co_await ctx.ExecuteActivity(kFlakyStep, options, n);
  co_return absl::StrCat(result, "-after-sleep");
}

Task<std::string> GiveUp(WorkflowContext& ctx, int64_t n) {
  ActivityOptions options{.start_to_close_timeout = absl::Seconds(10),
                          .has_retry_policy = true,
                          .retry_policy = {.initial_interval = absl::Seconds(1),
                                           .backoff_coefficient = 2,
                                           .maximum_attempts = kHopelessMaximumAttempts}};
  try {
    co_await ctx.ExecuteActivity(kHopeless, options, n);
  } catch (const ActivityFailure& failure) {
    co_return absl::StrCat(
        "gave-up-",
        enums::RetryState_Name(failure.failure().activity_failure_info().retry_state()));
  }
  co_return std::string("succeeded");
}

// One attempt an activity's code ran.
struct Ran {
  int32_t attempt = 0;
  // It ran in the step whose commit the crash refused: the store never learned of its start.
  bool start_lost = false;
  friend bool operator==(const Ran&, const Ran&) = default;
};
// The attempts each activity's code ran, in order, by activity type.
using AttemptLog = std::map<std::string, std::vector<Ran>>;

// How the process that runs an attempt stands.
enum class Life { kAlive, kLastStep, kDead };

// `log` (null: none) gets the attempts that ran while `life()` says the process lives (an
// attempt a dead process goes on running is nobody's), marking those of its last step.
absl::Status RegisterAll(
    Registry* registry, AttemptLog* log = nullptr,
    std::function<Life()> life = [] { return Life::kAlive; }) {
  if (absl::Status s = examples::RegisterOrder(registry); !s.ok()) return s;
  if (absl::Status s = examples::RegisterFanout(registry); !s.ok()) return s;
  if (absl::Status s = registry->RegisterWorkflow(kSleepThenRetry, &SleepThenRetry); !s.ok()) {
    return s;
  }
  if (absl::Status s = registry->RegisterWorkflow(kGiveUp, &GiveUp); !s.ok()) return s;
  auto note = [log, life](std::string_view type, int32_t attempt) {
    const Life now = life();
    if (log == nullptr || now == Life::kDead) return;
    (*log)[std::string(type)].push_back({attempt, now == Life::kLastStep});
  };
  if (absl::Status s = registry->RegisterActivity(kFlakyStep,
                                                  [note](ActivityContext& ctx, int64_t n) {
                                                    note(kFlakyStep.name(), ctx.attempt());
                                                    if (ctx.attempt() < 3) {
                                                      throw ApplicationFailure("not yet", "Flaky");
                                                    }
                                                    return absl::StrCat("step-", n);
                                                  });
      !s.ok()) {
    return s;
  }
  return registry->RegisterActivity(kHopeless, [note](ActivityContext& ctx, int64_t) {
    note(kHopeless.name(), ctx.attempt());
    throw ApplicationFailure(absl::StrCat("attempt ", ctx.attempt(), " failed"), "Hopeless");
    return std::string();
  });
}

// --- The workload: client requests at virtual times ---------------------------------------

const absl::Time kStart = absl::FromUnixSeconds(1704067200);

struct ClientCall {
  absl::Duration at;  // after kStart
  std::string what;
  // OK, or a status that says the request took effect before (AlreadyExists for a start).
  std::function<absl::Status(Service&)> send;
};

StartWorkflowRequest StartOf(std::string id, std::string type, Payloads input) {
  StartWorkflowRequest r;
  r.workflow_id = std::move(id);
  r.workflow_type = std::move(type);
  r.task_queue = "queue";
  r.input = std::move(input);
  // A start sent again after a crash must not start a second run of a closed workflow.
  r.id_reuse_policy = enums::WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE;
  r.identity = "client";
  return r;
}

ClientCall Start(absl::Duration at, StartWorkflowRequest request) {
  std::string what = absl::StrCat("start ", request.workflow_id);
  return {at, std::move(what), [request = std::move(request)](Service& service) -> absl::Status {
            absl::StatusOr<temporal::api::common::v1::WorkflowExecution> started =
                service.StartWorkflow(request);
            if (started.ok() || started.status().code() == absl::StatusCode::kAlreadyExists) {
              return absl::OkStatus();
            }
            return started.status();
          }};
}

ClientCall Approve(absl::Duration at, std::string workflow_id) {
  SignalWorkflowRequest request;
  request.workflow_id = workflow_id;
  request.signal_name = examples::kApproveSignal;
  request.input = ToPayloads(true);
  request.request_id = absl::StrCat("approve-", workflow_id);  // dedupes a resend
  request.identity = "client";
  return {
      at, absl::StrCat("approve ", workflow_id),
      [request = std::move(request)](Service& service) { return service.SignalWorkflow(request); }};
}

std::vector<ClientCall> Workload() {
  std::vector<ClientCall> calls;
  calls.push_back(Start(
      absl::ZeroDuration(),
      StartOf("order-1", examples::kOrderWorkflow,
              ToPayloads(examples::Order{
                  .id = "o1", .card = "visa", .cents = 500, .approval_timeout_seconds = 3600}))));
  calls.push_back(Start(
      absl::ZeroDuration(),
      StartOf("order-2", examples::kOrderWorkflow,
              ToPayloads(examples::Order{
                  .id = "o2", .card = "amex", .cents = 700, .approval_timeout_seconds = 600}))));
  calls.push_back(
      Start(absl::Seconds(5), StartOf("fan", examples::kFanoutWorkflow,
                                      ToPayloads(examples::FanoutInput{.n = 2, .per_child = 2}))));
  calls.push_back(Start(absl::Seconds(5),
                        StartOf("sleepy", std::string(kSleepThenRetry.name()), ToPayloads(7))));
  calls.push_back(
      Start(absl::Seconds(5), StartOf("hopeless", std::string(kGiveUp.name()), ToPayloads(3))));
  calls.push_back(Approve(absl::Minutes(2), "order-1"));
  return calls;
}

// The workflows the workload starts and what each returns (order-2 is never approved).
const std::map<std::string, std::string>& ExpectedResults() {
  static const auto* results = new std::map<std::string, std::string>{
      {"order-1", "\"charge-visa-500\""},
      {"order-2", "\"expired\""},
      {"fan", "{\"children\":2,\"reported\":2,\"sum\":30}"},
      {"sleepy", "\"step-7-after-sleep\""},
      {"hopeless", "\"gave-up-RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED\""},
  };
  return *results;
}

// --- A store that the process stops writing to after its k-th commit -----------------------

class CrashingStore : public HistoryStore {
 public:
  CrashingStore(HistoryStore* store, const Clock* clock, int64_t commits_before_crash)
      : store_(store), clock_(clock), limit_(commits_before_crash) {}

  absl::Status Commit(const StoreBatch& batch) override {
    if (commits_ >= limit_) {
      refused_ = true;
      return absl::UnavailableError("the process died");
    }
    absl::Status s = store_->Commit(batch);
    if (s.ok()) {
      ++commits_;
      last_commit_ = clock_->Now();
    }
    return s;
  }
  absl::StatusOr<std::vector<RunInfo>> ListRuns() const override { return store_->ListRuns(); }
  absl::StatusOr<History> ReadHistory(const std::string& workflow_id,
                                      const std::string& run_id) const override {
    return store_->ReadHistory(workflow_id, run_id);
  }
  absl::Status ReadHistoryBinary(const std::string& workflow_id, const std::string& run_id,
                                 std::string* out) const override {
    return store_->ReadHistoryBinary(workflow_id, run_id, out);
  }
  absl::StatusOr<std::vector<ActivityAttemptState>> ReadActivityAttempts(
      const std::string& workflow_id, const std::string& run_id) const override {
    return store_->ReadActivityAttempts(workflow_id, run_id);
  }

  int64_t commits() const { return commits_; }
  bool crashed() const { return commits_ >= limit_; }
  // How a process that writes here stands: alive; in the step whose commit is refused (its
  // last); dead.
  Life state() const {
    if (refused_) return Life::kDead;
    return commits_ < limit_ ? Life::kAlive : Life::kLastStep;
  }
  absl::Time last_commit() const { return last_commit_; }

 private:
  HistoryStore* store_;
  const Clock* clock_;
  int64_t limit_;
  int64_t commits_ = 0;
  bool refused_ = false;
  absl::Time last_commit_ = kStart;
};

// Workers that take their time: a workflow task is out for 2s (events meanwhile are buffered),
// an activity attempt runs for 3s. A crash then finds tasks started and attempts in flight.
class SlowWorkers : public ServiceEnv {
 public:
  WorkflowTaskPlan PlanWorkflowTask(const WorkflowTaskRequest&) override {
    WorkflowTaskPlan plan;
    plan.latency = absl::Seconds(2);
    return plan;
  }
  ActivityAttempt RunActivityAttempt(const ActivityTask&,
                                     absl::FunctionRef<ActivityOutcome()> run) override {
    ActivityAttempt attempt;
    attempt.outcome = run();
    attempt.timing.latency = absl::Seconds(3);
    return attempt;
  }
};

// --- One process: a service, its workers and a recorder on a store -------------------------

class Process {
 public:
  Process(const Registry* registry, HistoryStore* store, absl::Time now, ServiceEnv* env = nullptr)
      : worker_(registry), recorder_(store) {
    clock_.AdvanceTo(now);
    ServiceOptions options;
    options.seed = 13;
    options.env = env;
    service_ = std::make_unique<Service>(&clock_, &worker_, &worker_, options);
  }

  // Before the first step.
  void Record() { service_->AddStepObserver(&recorder_); }

  // Sends the calls from `first` on at their times (those already due at once), then runs
  // until nothing is left to do, or `stop()` says the process died.
  void Drive(const std::vector<ClientCall>& calls, const std::function<bool()>& stop) {
    for (const ClientCall& call : calls) {
      const absl::Time at = kStart + call.at;
      RunUntil(*service_, clock_, at);
      if (stop()) return;
      if (clock_.Now() < at) clock_.AdvanceTo(at);
      absl::Status sent = call.send(*service_);
      if (stop()) return;
      ASSERT_TRUE(sent.ok()) << call.what << ": " << sent;
    }
    while (!stop() && AdvanceToNextDeadline(*service_, clock_)) {
      ASSERT_LT(clock_.Now(), kStart + absl::Hours(24 * 30)) << "the workload does not end";
    }
  }

  Service& service() { return *service_; }
  ManualClock& clock() { return clock_; }
  const StoreRecorder& recorder() const { return recorder_; }

 private:
  ManualClock clock_;
  Worker worker_;
  StoreRecorder recorder_;
  std::unique_ptr<Service> service_;
};

// Every stored run's history as the store frames it (one field per event, so a history's
// bytes start with the bytes of any earlier state of it).
std::map<std::pair<std::string, std::string>, std::string> StoredBytes(const HistoryStore& store) {
  std::map<std::pair<std::string, std::string>, std::string> out;
  absl::StatusOr<std::vector<RunInfo>> runs = store.ListRuns();
  EXPECT_TRUE(runs.ok()) << runs.status();
  if (!runs.ok()) return out;
  for (const RunInfo& run : *runs) {
    std::string& bytes = out[{run.workflow_id, run.run_id}];
    EXPECT_TRUE(store.ReadHistoryBinary(run.workflow_id, run.run_id, &bytes).ok());
  }
  return out;
}

// The workload's workflows completed with their results; every run is closed, valid, replays
// cleanly, and is stored as the service holds it.
void ExpectFinished(const Registry& registry, Service& service, const HistoryStore& store) {
  for (const auto& [workflow_id, result] : ExpectedResults()) {
    absl::StatusOr<WorkflowDescription> described = service.DescribeWorkflow(workflow_id, "");
    ASSERT_TRUE(described.ok()) << workflow_id << ": " << described.status();
    EXPECT_EQ(described->status, enums::WORKFLOW_EXECUTION_STATUS_COMPLETED) << workflow_id;
    ASSERT_TRUE(described->result.has_value()) << workflow_id;
    ASSERT_EQ(described->result->payloads_size(), 1) << workflow_id;
    EXPECT_EQ(described->result->payloads(0).data(), result) << workflow_id;
  }
  absl::StatusOr<std::vector<RunInfo>> runs = store.ListRuns();
  ASSERT_TRUE(runs.ok()) << runs.status();
  EXPECT_EQ(runs->size(), service.ListRuns().size());
  for (const RunInfo& run : *runs) {
    const std::string name = ExecutionName(run.workflow_id, run.run_id);
    EXPECT_NE(run.status, enums::WORKFLOW_EXECUTION_STATUS_RUNNING) << name;
    absl::StatusOr<History> history = store.ReadHistory(run.workflow_id, run.run_id);
    ASSERT_TRUE(history.ok()) << history.status();
    absl::Status valid = history::ValidateHistory(*history, name);
    EXPECT_TRUE(valid.ok()) << valid;
    const replay::ReplayResult replayed = replay::ReplayHistory(registry, *history, name);
    EXPECT_EQ(replayed.outcome, replay::Outcome::kClean)
        << name << ": " << replayed.error
        << (replayed.nondeterminism.has_value() ? " (nondeterministic)" : "");
    std::string held;
    ASSERT_TRUE(service.GetHistoryBinary(run.workflow_id, run.run_id, &held).ok()) << name;
    std::string stored;
    ASSERT_TRUE(store.ReadHistoryBinary(run.workflow_id, run.run_id, &stored).ok()) << name;
    EXPECT_EQ(stored, held) << name;
  }
}

// The last ActivityTaskStarted of `workflow_id`'s (only) run in the store, and the retry state
// of the activity's close.
struct LastAttempt {
  int32_t attempt = 0;
  enums::RetryState retry_state = enums::RETRY_STATE_UNSPECIFIED;
};
LastAttempt StoredLastAttempt(const HistoryStore& store, const std::string& workflow_id) {
  LastAttempt last;
  absl::StatusOr<std::vector<RunInfo>> runs = store.ListRuns();
  EXPECT_TRUE(runs.ok()) << runs.status();
  if (!runs.ok()) return last;
  for (const RunInfo& run : *runs) {
    if (run.workflow_id != workflow_id) continue;
    absl::StatusOr<History> history = store.ReadHistory(run.workflow_id, run.run_id);
    EXPECT_TRUE(history.ok()) << history.status();
    if (!history.ok()) return last;
    for (const auto& event : history->events()) {
      if (event.has_activity_task_started_event_attributes()) {
        last.attempt = event.activity_task_started_event_attributes().attempt();
      } else if (event.has_activity_task_failed_event_attributes()) {
        last.retry_state = event.activity_task_failed_event_attributes().retry_state();
      } else if (event.has_activity_task_timed_out_event_attributes()) {
        last.retry_state = event.activity_task_timed_out_event_attributes().retry_state();
      }
    }
  }
  return last;
}

// The attempts each retried activity ran, across the crash, went on where they were: attempt
// numbers go up one at a time and never go back (a recovery that restarted at attempt 1
// would), an attempt runs again only if the crash lost its start (it ran in the step whose
// commit was refused), none goes past the maximum, and the attempt the history closes with is
// the last one that ran. The hopeless activity gives up after exactly its maximum attempts.
void ExpectAttemptsWentOn(const AttemptLog& log, const HistoryStore& store) {
  struct Expected {
    std::string type;
    std::string workflow_id;
    int32_t maximum;
  };
  for (const Expected& e :
       {Expected{std::string(kFlakyStep.name()), "sleepy", kFlakyMaximumAttempts},
        Expected{std::string(kHopeless.name()), "hopeless", kHopelessMaximumAttempts}}) {
    SCOPED_TRACE(e.type);
    auto it = log.find(e.type);
    ASSERT_NE(it, log.end());
    const std::vector<Ran>& ran = it->second;
    std::vector<int32_t> attempts;
    for (const Ran& r : ran) attempts.push_back(r.attempt);
    SCOPED_TRACE(::testing::PrintToString(attempts));
    ASSERT_FALSE(ran.empty());
    EXPECT_EQ(ran.front().attempt, 1);
    for (size_t i = 1; i < ran.size(); ++i) {
      if (ran[i].attempt == ran[i - 1].attempt) {
        EXPECT_TRUE(ran[i - 1].start_lost)
            << "attempt " << ran[i].attempt << " ran twice though its start was stored";
      } else {
        EXPECT_EQ(ran[i].attempt, ran[i - 1].attempt + 1)
            << "attempt " << ran[i].attempt << " ran after " << ran[i - 1].attempt;
      }
    }
    EXPECT_LE(attempts.back(), e.maximum);
    const LastAttempt last = StoredLastAttempt(store, e.workflow_id);
    EXPECT_EQ(last.attempt, attempts.back());
    if (e.type == kHopeless.name()) {
      EXPECT_EQ(last.attempt, e.maximum);
      EXPECT_EQ(last.retry_state, enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
    }
  }
}

class StoreRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(RegisterAll(&registry_, &attempts_, [this] {
                  return crashing_ == nullptr ? Life::kAlive : crashing_->state();
                }).ok());
  }

  void CrashAfterEveryCommit() {
    const int64_t commits = CommitsWithoutCrash();
    ASSERT_GT(commits, 20);
    for (int64_t k = 1; k < commits; ++k) {
      CrashAfterCommitAndRecover(k);
      if (HasFatalFailure()) return;
    }
  }

  // The workload without a crash: how many commits it makes.
  int64_t CommitsWithoutCrash() {
    MemoryHistoryStore memory;
    CrashingStore store(&memory, &clock_for_count_, std::numeric_limits<int64_t>::max());
    Process process(&registry_, &store, kStart, env_);
    process.Record();
    attempts_.clear();
    process.Drive(Workload(), [] { return false; });
    EXPECT_TRUE(process.recorder().status().ok()) << process.recorder().status();
    ExpectFinished(registry_, process.service(), memory);
    EXPECT_EQ(attempts_, (AttemptLog{{std::string(kFlakyStep.name()), {{1}, {2}, {3}}},
                                     {std::string(kHopeless.name()), {{1}, {2}, {3}, {4}}}}));
    return store.commits();
  }

  // The process dies after the store's k-th commit; a new one recovers and finishes.
  void CrashAfterCommitAndRecover(int64_t k) {
    SCOPED_TRACE(absl::StrCat("crash after commit ", k));
    MemoryHistoryStore memory;
    absl::Time crash_time;
    {
      Process doomed(&registry_, &memory, kStart, env_);
      CrashingStore store(&memory, &doomed.clock(), k);
      attempts_.clear();
      crashing_ = &store;
      // The recorder writes through the crashing store.
      StoreRecorder recorder(&store);
      doomed.service().AddStepObserver(&recorder);
      doomed.Drive(Workload(), [&store] { return store.crashed(); });
      crashing_ = nullptr;
      ASSERT_EQ(store.commits(), k);
      crash_time = store.last_commit();
    }
    const auto before = StoredBytes(memory);

    Process recovered(&registry_, &memory, crash_time, env_);
    absl::StatusOr<RecoverySummary> summary = RecoverService(memory, &recovered.service());
    ASSERT_TRUE(summary.ok()) << summary.status();
    EXPECT_TRUE(summary->skipped.empty());
    EXPECT_EQ(summary->runs_restored, static_cast<int64_t>(before.size()));
    recovered.Record();
    recovered.Drive(Workload(), [] { return false; });
    ASSERT_TRUE(recovered.recorder().status().ok()) << recovered.recorder().status();
    ExpectFinished(registry_, recovered.service(), memory);
    ExpectAttemptsWentOn(attempts_, memory);
    // What the store held at the crash is where every history goes on from.
    const auto after = StoredBytes(memory);
    for (const auto& [run, bytes] : before) {
      auto it = after.find(run);
      ASSERT_NE(it, after.end()) << run.first;
      EXPECT_EQ(it->second.compare(0, bytes.size(), bytes), 0)
          << ExecutionName(run.first, run.second) << ": the stored events are not a prefix";
    }
  }

  Registry registry_;
  ManualClock clock_for_count_;
  ServiceEnv* env_ = nullptr;  // the workers' pace (null: instant)
  AttemptLog attempts_;
  CrashingStore* crashing_ = nullptr;  // the doomed process's store while it lives
};

TEST_F(StoreRecoveryTest, CrashAfterEveryCommitRecoversAndFinishes) { CrashAfterEveryCommit(); }

TEST_F(StoreRecoveryTest, CrashAfterEveryCommitWithSlowWorkersRecoversAndFinishes) {
  // Crashes with workflow tasks out (their events buffered) and activity attempts running.
  SlowWorkers slow;
  env_ = &slow;
  CrashAfterEveryCommit();
}

TEST_F(StoreRecoveryTest, RecoversFromASqliteFileAfterTheStoreIsGone) {
  const std::string path = FreshPath();
  absl::Time crash_time;
  int64_t stored_runs = 0;
  {
    absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> file = SqliteHistoryStore::Open(path);
    ASSERT_TRUE(file.ok()) << file.status();
    Process doomed(&registry_, file->get(), kStart);
    CrashingStore store(file->get(), &doomed.clock(), 40);
    attempts_.clear();
    crashing_ = &store;
    StoreRecorder recorder(&store);
    doomed.service().AddStepObserver(&recorder);
    doomed.Drive(Workload(), [&store] { return store.crashed(); });
    crashing_ = nullptr;
    crash_time = store.last_commit();
    // The crash finds the retried activities between attempts: their state is in the file.
    absl::StatusOr<std::vector<RunInfo>> runs = (*file)->ListRuns();
    ASSERT_TRUE(runs.ok()) << runs.status();
    int64_t pending_attempts = 0;
    for (const RunInfo& run : *runs) {
      absl::StatusOr<std::vector<ActivityAttemptState>> attempts =
          (*file)->ReadActivityAttempts(run.workflow_id, run.run_id);
      ASSERT_TRUE(attempts.ok()) << attempts.status();
      for (const ActivityAttemptState& attempt : *attempts) {
        if (attempt.attempt > 1) ++pending_attempts;
      }
    }
    EXPECT_GT(pending_attempts, 0);
    stored_runs = static_cast<int64_t>((*file)->ListRuns()->size());
  }
  absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> file = SqliteHistoryStore::Open(path);
  ASSERT_TRUE(file.ok()) << file.status();
  Process recovered(&registry_, file->get(), crash_time);
  absl::StatusOr<RecoverySummary> summary = RecoverService(**file, &recovered.service());
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->runs_restored, stored_runs);
  EXPECT_GT(summary->open_runs, 0);
  EXPECT_GT(summary->events, 0);
  recovered.Record();
  recovered.Drive(Workload(), [] { return false; });
  ASSERT_TRUE(recovered.recorder().status().ok()) << recovered.recorder().status();
  ExpectFinished(registry_, recovered.service(), **file);
  ExpectAttemptsWentOn(attempts_, **file);
}

// A store whose history of one run does not decode.
class DamagedStore : public MemoryHistoryStore {
 public:
  explicit DamagedStore(std::string damaged_workflow_id)
      : damaged_(std::move(damaged_workflow_id)) {}
  absl::StatusOr<History> ReadHistory(const std::string& workflow_id,
                                      const std::string& run_id) const override {
    if (workflow_id == damaged_) {
      return absl::DataLossError(
          absl::StrCat(ExecutionName(workflow_id, run_id), ": stored event 3 does not decode"));
    }
    return MemoryHistoryStore::ReadHistory(workflow_id, run_id);
  }

 private:
  std::string damaged_;
};

TEST_F(StoreRecoveryTest, ARunThatDoesNotDecodeIsSkippedAndNamedAndTheOthersRecover) {
  DamagedStore store("order-2");
  {
    Process first(&registry_, &store, kStart);
    first.Record();
    // Until order-2 has expired (600s); order-1 waits for its approval.
    first.Drive({Workload()[0], Workload()[1]},
                [&first] { return first.clock().Now() >= kStart + absl::Seconds(600); });
  }
  Process recovered(&registry_, &store, kStart + absl::Seconds(1));
  absl::StatusOr<RecoverySummary> summary = RecoverService(store, &recovered.service());
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_EQ(summary->skipped.size(), 1u);
  EXPECT_EQ(summary->skipped[0].run.workflow_id, "order-2");
  EXPECT_EQ(summary->skipped[0].reason.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(summary->skipped[0].reason.message(), HasSubstr("order-2"));
  EXPECT_THAT(summary->skipped[0].reason.message(), HasSubstr("event 3"));
  EXPECT_EQ(summary->runs_restored, 1);
  EXPECT_EQ(summary->open_runs, 1);
  EXPECT_TRUE(recovered.service().DescribeWorkflow("order-1", "").ok());
  EXPECT_EQ(recovered.service().DescribeWorkflow("order-2", "").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(StoreRecoveryTest, AServiceThatIsNotNewIsRefused) {
  MemoryHistoryStore store;
  Process process(&registry_, &store, kStart);
  process.Drive({Workload()[0]}, [] { return false; });
  absl::StatusOr<RecoverySummary> summary = RecoverService(store, &process.service());
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace recovery_test
}  // namespace lockstep::store::testing
