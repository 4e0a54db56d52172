#include "tools/lockstep/store_histories.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "engine/store/store_rules.h"

namespace lockstep::cli {

std::string StoredRunSource(absl::string_view name, absl::string_view workflow_id,
                            absl::string_view run_id) {
  return absl::StrCat(name, ": ", store::ExecutionName(workflow_id, run_id));
}

replay::HistorySource StoreHistories(std::shared_ptr<const store::HistoryStore> store,
                                     StoreOpener open_reader, std::string name,
                                     const history::LoadOptions& load) {
  struct Listed {
    std::vector<store::RunInfo> runs;
    std::vector<std::string> sources;
  };
  // Written by `list`, before any reader exists; only read after.
  auto listed = std::make_shared<Listed>();
  replay::HistorySource histories;
  histories.list = [store = std::move(store), name = std::move(name),
                    listed]() -> absl::StatusOr<std::vector<std::string>> {
    absl::StatusOr<std::vector<store::RunInfo>> runs = store->ListRuns();
    if (!runs.ok()) return runs.status();
    listed->runs = *std::move(runs);
    for (const store::RunInfo& run : listed->runs) {
      listed->sources.push_back(StoredRunSource(name, run.workflow_id, run.run_id));
    }
    return listed->sources;
  };
  histories.new_reader = [open_reader = std::move(open_reader), listed,
                          max_events = load.max_events]() -> replay::HistoryReader {
    auto opened =
        std::make_shared<absl::StatusOr<std::unique_ptr<store::HistoryStore>>>(open_reader());
    auto bytes = std::make_shared<std::string>();  // kept from run to run
    return [opened, bytes, listed, max_events](
               size_t index, temporal::api::history::v1::History* history) -> absl::Status {
      const store::RunInfo& run = listed->runs[index];
      const std::string& source = listed->sources[index];
      // Checked before reading, as a file's size is: the count is the store's own.
      if (run.event_count > max_events) {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ": ", run.event_count, " events is over the limit of ", max_events,
                         " (raise it with --max-events if this is intended)"));
      }
      if (!opened->ok()) return opened->status();
      const store::HistoryStore& reader = ***opened;
      bytes->clear();
      if (absl::Status s = reader.ReadHistoryBinary(run.workflow_id, run.run_id, bytes.get());
          !s.ok()) {
        return s;
      }
      if (history::ParseHistoryBinaryInto(*bytes, source, history).ok()) return absl::OkStatus();
      // The framed bytes do not parse: reading row by row names the event that is damaged.
      history->Clear();
      absl::StatusOr<temporal::api::history::v1::History> decoded =
          reader.ReadHistory(run.workflow_id, run.run_id);
      if (!decoded.ok()) return decoded.status();
      *history = *std::move(decoded);
      return absl::OkStatus();
    };
  };
  return histories;
}

}  // namespace lockstep::cli
