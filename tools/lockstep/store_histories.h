// A history store's runs as histories for the replayer (`lockstep replay --store DB`;
// replay/replay_main.h, HistorySource): every run, in the order the store first saw them, each
// named `DB: workflow "ID" run "RUN"` in the reports.
//
// The runs are listed once, through `store`; each replay thread then reads the runs it takes
// through a connection of its own (`open_reader`: a store connection is used by one thread at
// a time), straight onto that thread's arena, so a store of many runs is never held in memory
// at once. A run is read as it is when its thread reads it.
//
// A run that cannot be read (a damaged or missing row: the store's DataLoss naming the
// execution and the event), has more than `load.max_events` events (checked from the store's
// count before reading), or does not validate is an error naming it; the other runs are still
// read. A thread whose connection cannot be opened reports that error for each run it takes.
#ifndef LOCKSTEP_TOOLS_LOCKSTEP_STORE_HISTORIES_H_
#define LOCKSTEP_TOOLS_LOCKSTEP_STORE_HISTORIES_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/history/history_file.h"
#include "engine/store/history_store.h"
#include "replay/replay_main.h"

namespace lockstep::cli {

using StoreOpener = std::function<absl::StatusOr<std::unique_ptr<store::HistoryStore>>()>;

// `name` is how the reports name the store (its path).
replay::HistorySource StoreHistories(std::shared_ptr<const store::HistoryStore> store,
                                     StoreOpener open_reader, std::string name,
                                     const history::LoadOptions& load);

// `NAME: workflow "ID" run "RUN"`, how the reports name a stored run.
std::string StoredRunSource(absl::string_view name, absl::string_view workflow_id,
                            absl::string_view run_id);

}  // namespace lockstep::cli

#endif  // LOCKSTEP_TOOLS_LOCKSTEP_STORE_HISTORIES_H_
