// Recovery of a service from a HistoryStore: every stored run is read, with its activities'
// attempt states, and restored into a new service (Service::RestoreRun), so that the open ones
// go on where the store left them: the pending workflow tasks, timers, activities (at their
// stored attempts), child starts and requests to other workflows are armed again, and the
// first workflow task of each open run replays its whole history on a worker whose cache is
// empty (docs/recovery.md).
//
//   MemoryHistoryStore or SqliteHistoryStore store = ...;
//   Service service(&clock, &worker, &worker, options);
//   absl::StatusOr<RecoverySummary> summary = RecoverService(store, &service);
//   StoreRecorder recorder(&store);
//   service.AddStepObserver(&recorder);   // appends to the stored runs from here on
//   ... re-send client requests not acknowledged before the crash; RunUntilIdle ...
//
// Contract:
//   - `service` must be new (no run started, none restored), its clock set to the time to
//     resume at. Runs are restored in the order the store lists them (the order it first saw
//     them, which is the order the service created them).
//   - A run whose history or attempt states cannot be read (a row that does not decode:
//     DataLoss) or restored
//     (not a valid history, or at odds with the runs restored before it) is skipped and named
//     in RecoverySummary::skipped with the reason; the others are restored ("other executions
//     stay readable"). Only a store that cannot list its runs fails the whole call.
//   - Nothing is written to the store: the restored service writes when it runs, after the
//     stored events (no gap, no repeat), through a StoreRecorder attached after this call.
#ifndef LOCKSTEP_ENGINE_STORE_STORE_RECOVERY_H_
#define LOCKSTEP_ENGINE_STORE_STORE_RECOVERY_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/service/service.h"
#include "engine/store/history_store.h"

namespace lockstep::store {

struct RecoverySummary {
  int64_t runs_restored = 0;
  int64_t open_runs = 0;  // restored runs still running (they resume)
  int64_t events = 0;     // events of the restored runs
  // Runs not restored, each with why (the status names the workflow id and run id).
  struct Skipped {
    RunInfo run;
    absl::Status reason;
  };
  std::vector<Skipped> skipped;
};

[[nodiscard]] absl::StatusOr<RecoverySummary> RecoverService(const HistoryStore& store,
                                                             Service* service);

}  // namespace lockstep::store

#endif  // LOCKSTEP_ENGINE_STORE_STORE_RECOVERY_H_
