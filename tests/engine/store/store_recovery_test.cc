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
// crash is a prefix of the final one, and the store holds what the service holds.
// Also: a run whose history does not decode is skipped and named, the others are recovered;
// recovery from a SQLite file after the store object itself is gone; a service that is not
// new is refused.
#include "engine/store/store_recovery.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
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

Task<std::string> SleepThenRetry(WorkflowContext& ctx, int64_t n) {
  co_await ctx.Sleep(absl::Seconds(30));
  ActivityOptions options{
      .start_to_close_timeout = absl::Seconds(10),
      .has_retry_policy = true,
      .retry_policy = {
          .initial_interval = absl::Seconds(1), .backoff_coefficient = 2, .maximum_attempts = 10}};
  const std::string result = co_await ctx.ExecuteActivity(kFlakyStep, options, n);
  co_return absl::StrCat(result, "-after-sleep");
}

absl::Status RegisterAll(Registry* registry) {
  if (absl::Status s = examples::RegisterOrder(registry); !s.ok()) return s;
  if (absl::Status s = examples::RegisterFanout(registry); !s.ok()) return s;
  if (absl::Status s = registry->RegisterWorkflow(kSleepThenRetry, &SleepThenRetry); !s.ok()) {
    return s;
  }
  return registry->RegisterActivity(kFlakyStep, [](ActivityContext& ctx, int64_t n) {
    if (ctx.attempt() < 3) throw ApplicationFailure("not yet", "Flaky");
    return absl::StrCat("step-", n);
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
  };
  return *results;
}

// --- A store that the process stops writing to after its k-th commit -----------------------

class CrashingStore : public HistoryStore {
 public:
  CrashingStore(HistoryStore* store, const Clock* clock, int64_t commits_before_crash)
      : store_(store), clock_(clock), limit_(commits_before_crash) {}

  absl::Status Commit(const StoreBatch& batch) override {
    if (commits_ >= limit_) return absl::UnavailableError("the process died");
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

  int64_t commits() const { return commits_; }
  bool crashed() const { return commits_ >= limit_; }
  absl::Time last_commit() const { return last_commit_; }

 private:
  HistoryStore* store_;
  const Clock* clock_;
  int64_t limit_;
  int64_t commits_ = 0;
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

class StoreRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(RegisterAll(&registry_).ok()); }

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
    process.Drive(Workload(), [] { return false; });
    EXPECT_TRUE(process.recorder().status().ok()) << process.recorder().status();
    ExpectFinished(registry_, process.service(), memory);
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
      // The recorder writes through the crashing store.
      StoreRecorder recorder(&store);
      doomed.service().AddStepObserver(&recorder);
      doomed.Drive(Workload(), [&store] { return store.crashed(); });
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
    StoreRecorder recorder(&store);
    doomed.service().AddStepObserver(&recorder);
    doomed.Drive(Workload(), [&store] { return store.crashed(); });
    crash_time = store.last_commit();
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
