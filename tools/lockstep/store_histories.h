// A history store's runs as histories for the replayer (`lockstep replay --store DB`;
// replay/replay_main.h, HistorySource): every run, in the order the store first saw them, each
// named `DB: workflow "ID" run "RUN"` in the reports.
//
// A run that cannot be read (a damaged or missing row: the store's DataLoss naming the
// execution and the event), has more than `load.max_events` events, or does not validate
// (engine/history/validate.h, as every history file is validated on loading) is an error naming
// it; the other runs are still read. The store is read on the calling thread: one connection,
// used by one thread at a time.
#ifndef LOCKSTEP_TOOLS_LOCKSTEP_STORE_HISTORIES_H_
#define LOCKSTEP_TOOLS_LOCKSTEP_STORE_HISTORIES_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "engine/history/history_file.h"
#include "engine/store/history_store.h"
#include "replay/replay_main.h"

namespace lockstep::cli {

// `name` is how the reports name the store (its path).
replay::HistorySource StoreHistories(std::shared_ptr<const store::HistoryStore> store,
                                     std::string name, const history::LoadOptions& load);

// `NAME: workflow "ID" run "RUN"`, how the reports name a stored run.
std::string StoredRunSource(absl::string_view name, absl::string_view workflow_id,
                            absl::string_view run_id);

}  // namespace lockstep::cli

#endif  // LOCKSTEP_TOOLS_LOCKSTEP_STORE_HISTORIES_H_
