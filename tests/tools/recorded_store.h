// History stores for the tests of `lockstep export` and `lockstep replay --store`: the order
// example (examples/order) run through the in-process service with StoreRecorder attached, on
// the registry built into the `lockstep` binary, so that `lockstep replay` knows the workflow.
// Also: damaging a stored row with raw SQL, as another program could.
#ifndef LOCKSTEP_TESTS_TOOLS_RECORDED_STORE_H_
#define LOCKSTEP_TESTS_TOOLS_RECORDED_STORE_H_

#include <sqlite3.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/core/clock.h"
#include "engine/payload/payload.h"
#include "engine/service/service.h"
#include "engine/service/virtual_time.h"
#include "engine/store/sqlite_history_store.h"
#include "engine/store/store_recorder.h"
#include "engine/workflow/worker.h"
#include "examples/order/order_workflow.h"
#include "gtest/gtest.h"
#include "tools/lockstep/builtin_registry.h"

namespace lockstep::testing {

// Every run of a recorded store, in the order the store lists them.
inline std::vector<store::RunInfo> StoredRuns(const std::string& path) {
  absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> store =
      store::SqliteHistoryStore::Open(path, {.read_only = true});
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return {};
  absl::StatusOr<std::vector<store::RunInfo>> runs = (*store)->ListRuns();
  EXPECT_TRUE(runs.ok()) << runs.status();
  return runs.ok() ? *runs : std::vector<store::RunInfo>{};
}

// Records five runs of orderWorkflow into a new store at `path`:
//   order-1          approved: charged, receipt sent, completed
//   order/2 x_y      approved too; its id has characters file names cannot take as they are
//   order-3          approved, its card declined: the workflow fails
//   order-4          never answered: still waiting for approval (a run in progress)
//   order-1 again    a second run of the same workflow id, rejected
inline void RecordOrders(const std::string& path) {
  for (const char* tail : {"", "-wal", "-shm"}) std::remove((path + tail).c_str());
  absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> store =
      store::SqliteHistoryStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  store::StoreRecorder recorder(store->get());
  ManualClock clock;
  Worker worker(&cli::BuiltinRegistry());
  Service service(&clock, &worker, &worker);
  service.AddStepObserver(&recorder);

  auto start = [&](const std::string& id, const std::string& card) {
    StartWorkflowRequest request;
    request.workflow_id = id;
    request.workflow_type = examples::kOrderWorkflow;
    request.task_queue = "orders";
    request.input = ToPayloads(examples::Order{.id = id, .card = card, .cents = 1250});
    ASSERT_TRUE(service.StartWorkflow(request).ok()) << id;
  };
  auto approve = [&](const std::string& id, bool approved) {
    SignalWorkflowRequest request;
    request.workflow_id = id;
    request.signal_name = examples::kApproveSignal;
    request.input = ToPayloads(approved);
    ASSERT_TRUE(service.SignalWorkflow(request).ok()) << id;
  };
  auto run_for = [&](absl::Duration duration) { RunUntil(service, clock, clock.Now() + duration); };

  start("order-1", "visa");
  start("order/2 x_y", "visa");
  start("order-3", "declined");
  start("order-4", "visa");
  run_for(absl::Minutes(1));
  approve("order-1", true);
  approve("order/2 x_y", true);
  approve("order-3", true);
  run_for(absl::Hours(1));
  start("order-1", "amex");
  run_for(absl::Minutes(1));
  approve("order-1", false);
  run_for(absl::Hours(1));
  ASSERT_TRUE(recorder.status().ok()) << recorder.status();
}

// Runs `sql` on the file through a connection of its own.
inline void ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << sql << ": " << (error != nullptr ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

// Replaces the stored bytes of event `event_id` of `workflow_id`'s first run with bytes that do
// not decode.
inline void DamageEvent(const std::string& path, const std::string& workflow_id, int64_t event_id) {
  ExecSql(path, absl::StrCat("UPDATE events SET data = x'ffffffff' WHERE event_id = ", event_id,
                             " AND run = (SELECT min(id) FROM runs WHERE workflow_id = '",
                             workflow_id, "')"));
}

}  // namespace lockstep::testing

#endif  // LOCKSTEP_TESTS_TOOLS_RECORDED_STORE_H_
