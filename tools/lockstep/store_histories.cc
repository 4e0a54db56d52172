#include "tools/lockstep/store_histories.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "engine/history/validate.h"
#include "engine/store/store_rules.h"

namespace lockstep::cli {

std::string StoredRunSource(absl::string_view name, absl::string_view workflow_id,
                            absl::string_view run_id) {
  return absl::StrCat(name, ": ", store::ExecutionName(workflow_id, run_id));
}

replay::HistorySource StoreHistories(std::shared_ptr<const store::HistoryStore> store,
                                     std::string name, const history::LoadOptions& load) {
  return [store = std::move(store), name = std::move(name), load]() {
    replay::SourcedHistories read;
    absl::StatusOr<std::vector<store::RunInfo>> runs = store->ListRuns();
    if (!runs.ok()) {
      read.errors.push_back(runs.status());
      return read;
    }
    for (const store::RunInfo& run : *runs) {
      std::string source = StoredRunSource(name, run.workflow_id, run.run_id);
      // Checked before reading, as a file's size is: the count is the store's own.
      if (run.event_count > load.max_events) {
        read.errors.push_back(absl::InvalidArgumentError(
            absl::StrCat(source, ": ", run.event_count, " events is over the limit of ",
                         load.max_events, " (raise it with --max-events if this is intended)")));
        continue;
      }
      absl::StatusOr<temporal::api::history::v1::History> history =
          store->ReadHistory(run.workflow_id, run.run_id);
      if (!history.ok()) {
        read.errors.push_back(history.status());
        continue;
      }
      if (load.validate) {
        if (absl::Status valid = history::ValidateHistory(*history, source); !valid.ok()) {
          read.errors.push_back(valid);
          continue;
        }
      }
      read.histories.push_back({std::move(source), *std::move(history)});
    }
    return read;
  };
}

}  // namespace lockstep::cli
