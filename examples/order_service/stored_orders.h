// For order_service's tests: the runs of an order store read back through a read-only
// connection of their own (as another process would, while the service may be writing), and the
// check every stored order history must pass.
#ifndef LOCKSTEP_EXAMPLES_ORDER_SERVICE_STORED_ORDERS_H_
#define LOCKSTEP_EXAMPLES_ORDER_SERVICE_STORED_ORDERS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "engine/history/validate.h"
#include "engine/store/sqlite_history_store.h"
#include "examples/order/order_workflow.h"
#include "replay/replayer.h"

namespace lockstep::examples {

struct StoredOrder {
  store::RunInfo run;
  temporal::api::history::v1::History history;
};

// Every run of the store at `db`, in the store's order, with its history; the first error
// (a file that is not a store, a row that does not decode) otherwise.
inline absl::StatusOr<std::vector<StoredOrder>> ReadStoredOrders(const std::string& db) {
  store::SqliteStoreOptions read_only;
  read_only.read_only = true;
  absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> store =
      store::SqliteHistoryStore::Open(db, read_only);
  if (!store.ok()) return store.status();
  absl::StatusOr<std::vector<store::RunInfo>> runs = (*store)->ListRuns();
  if (!runs.ok()) return runs.status();
  std::vector<StoredOrder> orders;
  for (store::RunInfo& run : *runs) {
    absl::StatusOr<temporal::api::history::v1::History> history =
        (*store)->ReadHistory(run.workflow_id, run.run_id);
    if (!history.ok()) return history.status();
    orders.push_back({std::move(run), *std::move(history)});
  }
  return orders;
}

// OK when the history passes the validator and replays cleanly against the order workflow.
inline absl::Status CheckOrderHistory(const temporal::api::history::v1::History& history,
                                      const std::string& source) {
  if (absl::Status valid = history::ValidateHistory(history, source); !valid.ok()) return valid;
  Registry registry;
  if (absl::Status s = RegisterOrder(&registry); !s.ok()) return s;
  const replay::ReplayResult replayed = replay::ReplayHistory(registry, history, source);
  if (replayed.outcome != replay::Outcome::kClean) {
    return absl::InternalError(absl::StrCat(
        source, " does not replay cleanly: ", replayed.error,
        replayed.nondeterminism.has_value() ? replayed.nondeterminism->message : std::string()));
  }
  return absl::OkStatus();
}

}  // namespace lockstep::examples

#endif  // LOCKSTEP_EXAMPLES_ORDER_SERVICE_STORED_ORDERS_H_
