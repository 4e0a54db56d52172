// A replay command for a project's own workflows, in a few lines:
//
//   int main(int argc, char** argv) {
//     lockstep::Registry registry;
//     RegisterMyWorkflows(&registry);
//     return lockstep::replay::ReplayMain(registry, argc, argv);
//   }
//
// The binary then takes what `lockstep replay` takes: PATH... (history files in either JSON
// shape or binary, directories, glob patterns, and "-" for a list of files on standard input,
// one per line; `lockstep replay --store DB` adds a history store's runs through a
// HistorySource below) and --json, --until EVENT_ID, --every-task,
// --every-task-events N (ReplayOptions::every_task_max_events), --result=warn|fail|off,
// --ids=auto|strict|sdk, --jobs N, and the loading budget --max-file-bytes N,
// --max-payload-bytes N, --max-events N (history_file.h). It prints one report per history
// (text or JSON lines) and a summary (histories, events, clean, nondeterministic by kind,
// could not be replayed), and exits 0 when every history replayed cleanly, 1 when
// nondeterminism was found, 2 on bad input or usage.
#ifndef LOCKSTEP_REPLAY_REPLAY_MAIN_H_
#define LOCKSTEP_REPLAY_REPLAY_MAIN_H_

#include <functional>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/history/history_file.h"
#include "engine/workflow/registry.h"
#include "replay/replayer.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::replay {

inline constexpr int kReplayExitClean = 0;
inline constexpr int kReplayExitFound = 1;
inline constexpr int kReplayExitUsage = 2;

int ReplayMain(const Registry& registry, int argc, char** argv);

// Chooses the registry a history replays against, for a binary whose projects reuse workflow
// type names (two "OrderWorkflow"s, told apart by task queue, say): it reads the history (its
// first event has the type and the task queue) and returns a registry that outlives the
// command. It is called once per history, from the --jobs threads at once, so it must be safe
// to call concurrently (a lookup in registries built beforehand is).
using RegistryFinder =
    std::function<const Registry&(const temporal::api::history::v1::History& history)>;

// ReplayMain with a registry chosen per history.
int ReplayMain(const RegistryFinder& registry_for, int argc, char** argv);

// The same with the output streams given (as `lockstep replay` runs it, choosing among the
// examples and the Temporal ports); `args` excludes the program name.
//
// How a batch runs: every thread takes the next file (or sourced history) from a shared
// index, loads it with a history::HistoryLoader of its own (reused from file to file: no
// mapping, fresh memory or parser set-up per file) and replays it; reports are written in
// input order once all are done, load errors first on `err`. The --jobs - 1 other threads
// start before the inputs are listed and prepare their loaders meanwhile.
int RunReplayCommand(const std::vector<std::string>& args, const RegistryFinder& registry_for,
                     std::ostream& out, std::ostream& err);

// Histories from somewhere other than files (`lockstep replay --store` reads a history store's
// runs), read by the replay threads as they take them, as files are: a source of many
// histories is never held in memory at once, and each history gets what a file gets (its
// thread's reused arena, the event limit and validation of history::LoadOptions).
//
// Reads item `index` into `history` (empty, on the reading thread's arena). An error names the
// item; it is bad input, as a file that does not load is: reported, the other histories still
// replayed, exit status 2.
using HistoryReader =
    std::function<absl::Status(size_t index, temporal::api::history::v1::History* history)>;
struct HistorySource {
  // Called once per command, from the calling thread, before the replays start: how reports
  // name the items, in order. An error names the source; nothing of it is replayed (exit 2).
  std::function<absl::StatusOr<std::vector<std::string>>()> list;
  // Called once by each replay thread that reads from the source, from that thread, after
  // `list`: the reader that thread alone uses (for a store, a connection of its own).
  std::function<HistoryReader()> new_reader;
};

// What the arguments above ask for, once parsed.
struct ReplayCommandOptions {
  // History files, directories, glob patterns, and "-": the files listed on `file_list`.
  std::vector<std::string> paths;
  std::istream* file_list = nullptr;  // where "-" reads its list: standard input when null
  // Replayed after the files, in this order, with the same checks and in the same summary.
  std::vector<HistorySource> sources;
  bool json = false;               // --json: one JSON object per history, no summary line
  bool every_task = false;         // --every-task: also evict the cache at every task boundary
  int jobs = 1;                    // --jobs: histories replayed at a time (capped at 64)
  ReplayOptions replay;            // --until, --every-task-events, --result, --ids
  // --max-file-bytes, --max-payload-bytes, --max-events (history_file.h); files always validate.
  history::LoadOptions load;
};

// The same with the arguments already parsed: for a command line with a parser of its own
// (`lockstep replay`), which then takes the same options and gets the same reports, summary
// and exit statuses.
int RunReplayCommand(const ReplayCommandOptions& options, const RegistryFinder& registry_for,
                     std::ostream& out, std::ostream& err);

// The values of --result (warn, fail, off) and --ids (auto, strict, sdk), so that every parser
// of these options reads them alike. False, and `*check` / `*rule` untouched, for any other.
bool ParseResultCheck(absl::string_view name, ReplayOptions::ResultCheck* check);
bool ParseIdRule(absl::string_view name, IdRule* rule);

}  // namespace lockstep::replay

#endif  // LOCKSTEP_REPLAY_REPLAY_MAIN_H_
