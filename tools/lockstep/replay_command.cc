// `lockstep replay PATH... [--store DB]`: replay/replay_main.h against the workflows built into
// this binary (the examples, and the ports of recorded Temporal workflows, chosen per history).
// The options are ReplayMain's; they are parsed here, with the other subcommands' parser.
// --store adds the runs of a history store (store_histories.h) to the files, as one more
// source of the same replayer, so they get the same checks, reports and summary.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "replay/replay_main.h"
#include "tools/cli_parse/cli_parse.h"
#include "tools/lockstep/builtin_registry.h"
#include "tools/lockstep/command.h"
#include "tools/lockstep/load_limits.h"
#include "tools/lockstep/store_histories.h"
#include "tools/lockstep/store_reading.h"

namespace lockstep::cli {

int RunReplay(const std::vector<std::string>& args, CommandIo io) {
  CommandLine command_line(
      "replay",
      "Replay histories against the workflows built into this binary and report, per\n"
      "history, whether the code still issues the recorded commands; then a summary.\n"
      "Histories come from files (PATH...), from a history store (--store), or both.");
  command_line.app().footer(
      "exit status: 0 every history replayed cleanly, 1 nondeterminism found,\n"
      "2 bad input (a history that could not be replayed) or usage");
  CLI::App& app = command_line.app();
  replay::ReplayCommandOptions options;
  std::string result = "warn";
  std::string ids = "auto";
  int64_t jobs = options.jobs;
  std::string store_path;
  app.add_option("PATH", options.paths,
                 "history files (JSON in either Temporal shape, or binary),\n"
                 "directories of them (*.json, *.pb, *.binpb), glob patterns,\n"
                 "or - for a list of files on standard input, one per line")
      ->type_name("");
  CLI::Option* store_option =
      app.add_option("--store", store_path,
                     "also replay every run of this history store (a SQLite file\n"
                     "the engine's StoreRecorder wrote; opened read-only), after the\n"
                     "files; each run is named DB: workflow \"ID\" run \"RUN\"")
          ->type_name("DB");
  app.add_flag("--json", options.json, "one JSON object per history, no summary line");
  app.add_option("--until", options.replay.until_event_id, "replay only events 1..EVENT_ID")
      ->type_name("EVENT_ID")
      ->check(PositiveInteger());
  app.add_flag("--every-task", options.every_task,
               "also evict the workflow from the cache at every task boundary\n"
               "(one replay per workflow task: time grows as tasks x events,\n"
               "capped by --every-task-events)");
  app.add_option("--every-task-events", options.replay.every_task_max_events,
                 "the most events --every-task replays in all; past it, task\n"
                 "boundaries spread evenly over the history are checked, and a\n"
                 "warning says how many")
      ->type_name("N")
      ->check(PositiveInteger())
      ->capture_default_str();
  app.add_option("--result", result,
                 "a final result other than the recorded one: a warning, a failure\n"
                 "(result-mismatch), or not checked")
      ->type_name("MODE")
      ->check(OneOf({"warn", "fail", "off"}))
      ->capture_default_str();
  app.add_option("--ids", ids,
                 "activity, timer and child workflow ids: compared always (strict),\n"
                 "never (sdk), or in the histories Lockstep recorded only (auto)")
      ->type_name("RULE")
      ->check(OneOf({"auto", "strict", "sdk"}))
      ->capture_default_str();
  app.add_option("--jobs", jobs, "replay N histories at a time (at most 64)")
      ->type_name("N")
      ->check(PositiveInteger());
  AddLoadLimitOptions(app, &options.load);
  if (std::optional<int> exit = command_line.Parse(args, io)) return *exit;

  // OneOf() let only these names through; ReplayMain's parser reads them with the same calls.
  if (!replay::ParseResultCheck(result, &options.replay.result_check)) {
    return command_line.UsageError(absl::StrCat("--result: unknown mode '", result, "'"), io);
  }
  if (!replay::ParseIdRule(ids, &options.replay.id_rule)) {
    return command_line.UsageError(absl::StrCat("--ids: unknown rule '", ids, "'"), io);
  }
  options.jobs = static_cast<int>(std::min<int64_t>(jobs, 64));
  const bool from_store = store_option->count() > 0;
  if (options.paths.empty() && !from_store) {
    return command_line.UsageError("PATH is required (or --store DB)", io);
  }
  if (from_store) {
    if (store_path.empty()) return command_line.UsageError("--store needs a store file", io);
    absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> store =
        OpenStoreForReading(store_path);
    if (!store.ok()) return command_line.UsageError(store.status().message(), io);
    // One more read-only connection per replay thread; opened as the first was, so that a
    // failure to open (the file replaced meanwhile) names the store the same way.
    StoreOpener open_reader =
        [store_path]() -> absl::StatusOr<std::unique_ptr<store::HistoryStore>> {
      absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> opened =
          OpenStoreForReading(store_path);
      if (!opened.ok()) return opened.status();
      return std::unique_ptr<store::HistoryStore>(*std::move(opened));
    };
    options.sources.push_back(
        StoreHistories(std::move(*store), std::move(open_reader), store_path, options.load));
  }
  return replay::RunReplayCommand(options, RegistryFor, io.out, io.err);
}

}  // namespace lockstep::cli
