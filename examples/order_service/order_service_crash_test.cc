// The crash test of production mode: order_service (a real process: real time, a thread pool,
// SQLite) is killed with SIGKILL at random instants, over and over, while it works through a
// list of orders (each charge taking 50 ms); each restart recovers from the file and the client
// resends everything it had sent (order_service.h says why that is safe). After every kill the
// file must hold every run whose start was acknowledged and every approval that was
// acknowledged, every history must read back and pass the validator, and each must extend what
// the file held before the kill. At the end every order has completed, with exactly one
// approval, and every history replays cleanly.
//
// The binary: LOCKSTEP_ORDER_SERVICE in the environment (Bazel sets it), else the path CMake
// compiles in. LOCKSTEP_CRASH_KILLS sets the number of kills (default 30).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/history/validate.h"
#include "engine/store/sqlite_history_store.h"
#include "engine/util/prng.h"
#include "examples/order_service/stored_orders.h"
#include "gtest/gtest.h"

namespace lockstep::examples {
namespace {

namespace enums = temporal::api::enums::v1;
using History = temporal::api::history::v1::History;

// Each round's client knows three more orders than the last one's: every session has new work
// besides what it resends.
constexpr int kOrdersPerRound = 3;

std::string Binary() {
  if (const char* path = std::getenv("LOCKSTEP_ORDER_SERVICE"); path != nullptr) return path;
#ifdef LOCKSTEP_ORDER_SERVICE_PATH
  return LOCKSTEP_ORDER_SERVICE_PATH;
#else
  return "";
#endif
}

int Kills() {
  int kills = 30;
  if (const char* v = std::getenv("LOCKSTEP_CRASH_KILLS"); v != nullptr) {
    EXPECT_TRUE(absl::SimpleAtoi(v, &kills)) << "LOCKSTEP_CRASH_KILLS=" << v;
  }
  return kills;
}

// Everything the client sends in a session: the starts of orders 1..orders, their approvals,
// then waits.
std::string Script(int orders) {
  std::string script;
  for (int i = 1; i <= orders; ++i) {
    absl::StrAppend(&script, "start o", i, " card-", i, " ", i * 100, "\n");
  }
  for (int i = 1; i <= orders; ++i) absl::StrAppend(&script, "approve o", i, "\n");
  for (int i = 1; i <= orders; ++i) absl::StrAppend(&script, "wait o", i, " 60\n");
  return script;
}

struct Child {
  pid_t pid = -1;
  int input = -1;  // its standard input
};

// Starts order_service on `db` with the script for `orders` orders on its standard input (left open
// unless `close`) and its standard output in `out_path`.
Child Spawn(const std::string& db, const std::string& out_path, int orders, bool close_input) {
  int pipe_fds[2];
  EXPECT_EQ(pipe(pipe_fds), 0);
  const std::string binary = Binary();
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(pipe_fds[0], STDIN_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    // Each charge takes 50 ms on 2 threads, so a session's new orders are in flight for about
    // 100 ms after it gets going: kills land in the middle of them.
    execl(binary.c_str(), binary.c_str(), "--db", db.c_str(), "--synchronous", "normal",
          "--activity-threads", "2", "--charge-delay-ms", "50", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipe_fds[0]);
  const std::string script = Script(orders);
  EXPECT_EQ(write(pipe_fds[1], script.data(), script.size()), static_cast<ssize_t>(script.size()));
  if (close_input) {
    close(pipe_fds[1]);
    return {pid, -1};
  }
  return {pid, pipe_fds[1]};
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// What the child acknowledged: (workflow id, run id) of every "started ID run RUN" line, and the
// ids of every "approved ID" line.
struct Acknowledged {
  std::vector<std::pair<std::string, std::string>> starts;
  std::vector<std::string> approvals;
};
Acknowledged AcknowledgedBy(const std::string& output) {
  Acknowledged acknowledged;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    std::vector<std::string> words = absl::StrSplit(line, ' ');
    if (words.size() == 4 && words[0] == "started" && words[2] == "run") {
      acknowledged.starts.emplace_back(words[1], words[3]);
    }
    if (words.size() == 2 && words[0] == "approved") acknowledged.approvals.push_back(words[1]);
  }
  return acknowledged;
}

class OrderServiceCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Binary().empty()) GTEST_SKIP() << "LOCKSTEP_ORDER_SERVICE is not set";
    const std::string dir = ::testing::TempDir();
    db_ = absl::StrCat(dir, "/order_service_crash_", getpid(), ".db");
    out_ = absl::StrCat(dir, "/order_service_crash_", getpid(), ".out");
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db_ + suffix).c_str());
  }

  // Reads every stored run back: each must decode and pass the validator, and extend what was
  // stored at the last check. Returns the events checked.
  int64_t CheckStore(int round) {
    store::SqliteStoreOptions read_only;
    read_only.read_only = true;
    absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> store =
        store::SqliteHistoryStore::Open(db_, read_only);
    if (!store.ok()) {
      // The first child may die before it created the file.
      EXPECT_TRUE(seen_.empty()) << "kill " << round << ": " << store.status();
      return 0;
    }
    absl::StatusOr<std::vector<store::RunInfo>> runs = (*store)->ListRuns();
    EXPECT_TRUE(runs.ok()) << "kill " << round << ": " << runs.status();
    if (!runs.ok()) return 0;
    int64_t events = 0;
    std::set<std::pair<std::string, std::string>> present;
    std::set<std::string> signaled;  // workflow ids with an approval in the store
    last_open_ = 0;
    for (const store::RunInfo& run : *runs) {
      if (run.status == enums::WORKFLOW_EXECUTION_STATUS_RUNNING) ++last_open_;
      present.insert({run.workflow_id, run.run_id});
      absl::StatusOr<History> history = (*store)->ReadHistory(run.workflow_id, run.run_id);
      EXPECT_TRUE(history.ok()) << "kill " << round << ": " << history.status();
      if (!history.ok()) continue;
      EXPECT_TRUE(history::ValidateHistory(*history, run.workflow_id).ok())
          << "kill " << round << ": " << history::ValidateHistory(*history, run.workflow_id);
      std::vector<std::string>& before = seen_[{run.workflow_id, run.run_id}];
      EXPECT_GE(history->events_size(), static_cast<int>(before.size()))
          << "kill " << round << ": " << run.workflow_id << " lost events";
      for (int i = 0; i < history->events_size(); ++i) {
        std::string bytes = history->events(i).SerializeAsString();
        if (static_cast<size_t>(i) < before.size()) {
          EXPECT_EQ(bytes, before[static_cast<size_t>(i)])
              << "kill " << round << ": " << run.workflow_id << " event " << i + 1 << " changed";
        } else {
          before.push_back(std::move(bytes));
        }
      }
      for (const auto& event : history->events()) {
        if (event.event_type() == enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) {
          signaled.insert(run.workflow_id);
        }
      }
      events += history->events_size();
    }
    // An approval is acknowledged once its event is committed: the real-time driver answers a
    // client call after its step's commit, and a signal is never held back there (a workflow
    // task completes within its step, so none is out when a client call runs).
    for (const std::string& id : approved_) {
      EXPECT_TRUE(signaled.contains(id)) << "kill " << round << ": the approval of " << id
                                         << " was acknowledged but is not in the store";
    }
    for (const auto& start : acknowledged_) {
      EXPECT_TRUE(present.contains(start))
          << "kill " << round << ": the start of " << start.first << " run " << start.second
          << " was acknowledged but is not in the store";
    }
    return events;
  }

  std::string db_;
  std::string out_;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> seen_;
  std::set<std::pair<std::string, std::string>> acknowledged_;
  std::set<std::string> approved_;
  // At the last check: orders started and not closed (nonzero: the kill cut work short).
  int last_open_ = 0;
};

TEST_F(OrderServiceCrashTest, EveryAcknowledgedStartSurvivesSigkillAndEveryOrderCompletes) {
  Prng rng(20261207);
  const int kills = Kills();
  int64_t events_checked = 0;
  int killed_with_work_left = 0;  // kills after which some order was still open
  uint64_t slowdown = 1;
  for (int round = 1; round <= kills; ++round) {
    Child child = Spawn(db_, out_, kOrdersPerRound * round, /*close_input=*/false);
    // Anywhere from the process's start (recovery, the first tasks) to well into the orders.
    // A slow build (the sanitizers') takes longer to get going, so the range adapts (below).
    const uint64_t range = (round % 3 == 0 ? 250'000 : 80'000) * slowdown;
    absl::SleepFor(absl::Microseconds(static_cast<int64_t>(rng.Below(range))));
    ASSERT_EQ(::kill(child.pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child.pid, &status, 0), child.pid);
    close(child.input);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "round " << round << ": the service ended before the kill: " << ReadFile(out_);
    const Acknowledged acknowledged = AcknowledgedBy(ReadFile(out_));
    const size_t known = acknowledged_.size();
    acknowledged_.insert(acknowledged.starts.begin(), acknowledged.starts.end());
    const bool nothing_new = acknowledged_.size() == known;
    approved_.insert(acknowledged.approvals.begin(), acknowledged.approvals.end());
    events_checked += CheckStore(round);
    if (last_open_ > 0) ++killed_with_work_left;
    // Aim the kills at work in flight: later when the child had not got going, earlier when it
    // had already finished everything it knew.
    if (nothing_new && slowdown < 16) slowdown *= 2;
    if (!nothing_new && last_open_ == 0 && slowdown > 1) slowdown /= 2;
    if (HasFailure()) return;
  }

  // A last session, not killed: the input closes after the script, so it finishes and stops.
  const int orders = kOrdersPerRound * kills;
  Child last = Spawn(db_, out_, orders, /*close_input=*/true);
  int status = 0;
  ASSERT_EQ(waitpid(last.pid, &status, 0), last.pid);
  const std::string output = ReadFile(out_);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_LE(WEXITSTATUS(status), 1) << output;  // 1: the resent starts are refused, as meant
  events_checked += CheckStore(kills + 1);

  absl::StatusOr<std::vector<StoredOrder>> stored = ReadStoredOrders(db_);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->size(), static_cast<size_t>(orders)) << "one run per order, never two";
  for (const StoredOrder& order : *stored) {
    SCOPED_TRACE(order.run.workflow_id);
    EXPECT_EQ(order.run.status, enums::WORKFLOW_EXECUTION_STATUS_COMPLETED);
    int signals = 0;
    for (const auto& event : order.history.events()) {
      if (event.event_type() == enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) ++signals;
    }
    EXPECT_EQ(signals, 1) << "exactly one approval, however often it was resent";
    EXPECT_TRUE(CheckOrderHistory(order.history, order.run.workflow_id).ok())
        << CheckOrderHistory(order.history, order.run.workflow_id);
  }
  std::printf(
      "crash test: %d SIGKILLs (%d of them with orders still open), %d orders, %zu "
      "acknowledged starts and %zu acknowledged approvals found, %lld events checked\n",
      kills, killed_with_work_left, orders, acknowledged_.size(), approved_.size(),
      static_cast<long long>(events_checked));
  RecordProperty("kills", kills);
  RecordProperty("events_checked", static_cast<int>(events_checked));
}

}  // namespace
}  // namespace lockstep::examples
