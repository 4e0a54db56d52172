// `lockstep export --store DB (--workflow-id ID [--run-id RUN] | --all) --out DIR
// [--format binary|json]`: writes runs' histories from a history store (engine/store, opened
// read-only) into DIR, one file per run (run_file_name.h), in the formats `lockstep show` and
// `lockstep replay` read.
//
// Each run is read decoded, so a damaged or missing row is reported (by the store, naming the
// execution and the event) instead of being copied into a file; that run is skipped and the
// others are still written. Binary is SerializeHistoryBinary of the decoded history, which for
// a store the engine wrote is byte for byte the stored history (ReadHistoryBinary); JSON is the
// current Temporal shape (json_writer.h). Files are written atomically and replace files of
// the same name.
//
// Output: one line per run written, then a summary. Exit 0 every selected run written, 1 some
// could not be (each named on err), 2 usage or a store that cannot be opened or listed, or
// --workflow-id / --run-id naming no stored run.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "engine/history/history_file.h"
#include "engine/store/sqlite_history_store.h"
#include "engine/store/store_rules.h"
#include "tools/cli_parse/cli_parse.h"
#include "tools/lockstep/command.h"
#include "tools/lockstep/run_file_name.h"
#include "tools/lockstep/store_reading.h"

namespace lockstep::cli {
namespace {

using history::HistoryFormat;

struct ExportArgs {
  std::string store;
  std::string workflow_id;
  std::string run_id;
  bool all = false;
  std::string out;
  std::string format = "binary";
};

// Declares the arguments of `lockstep export` on `command_line`, bound to `*parsed`. Returns
// the --workflow-id option, whose presence Run checks.
CLI::Option* DeclareArgs(ExportArgs* parsed, CommandLine* command_line) {
  CLI::App& app = command_line->app();
  app.add_option("--store", parsed->store,
                 "the history store to read (a SQLite file the engine's\n"
                 "StoreRecorder wrote); opened read-only")
      ->type_name("DB")
      ->required();
  CLI::Option* workflow =
      app.add_option("--workflow-id", parsed->workflow_id, "export the runs of this workflow")
          ->type_name("ID");
  app.add_option("--run-id", parsed->run_id, "only this run of --workflow-id")
      ->type_name("RUN")
      ->needs(workflow);
  CLI::Option* all = app.add_flag("--all", parsed->all, "export every run of the store");
  all->excludes(workflow);
  app.add_option("--out", parsed->out, "the directory to write to (created if missing)")
      ->type_name("DIR")
      ->required();
  app.add_option("--format", parsed->format,
                 "binary (a serialized temporal.api.history.v1.History, .binpb)\n"
                 "or json (the current Temporal JSON shape, .json)")
      ->type_name("FORMAT")
      ->check(OneOf({"binary", "json"}))
      ->capture_default_str();
  return workflow;
}

// The runs the arguments select, in the store's order.
std::vector<store::RunInfo> Select(const std::vector<store::RunInfo>& runs,
                                   const ExportArgs& args) {
  std::vector<store::RunInfo> selected;
  for (const store::RunInfo& run : runs) {
    if (args.all || (run.workflow_id == args.workflow_id &&
                     (args.run_id.empty() || run.run_id == args.run_id))) {
      selected.push_back(run);
    }
  }
  return selected;
}

}  // namespace

int RunExport(const std::vector<std::string>& args, CommandIo io) {
  CommandLine command_line(
      "export",
      "Write runs' histories from a history store into a directory, one file per run,\n"
      "in the formats `lockstep show` and `lockstep replay` read.\n"
      "A run's file is <workflow id>_<run id>.binpb (or .json). In both ids, ASCII\n"
      "letters, digits, '-' and '.' stay; every other byte ('/', '_', '%', space,\n"
      "non-ASCII, ...) and a leading '.' are written %XX (hex), so names are safe\n"
      "and runs never collide; a name over 255 bytes is cut and ends in '~' and a\n"
      "16-digit hash of the whole name.");
  command_line.app().footer(
      "exit status: 0 every selected run written, 1 a run could not be read or\n"
      "written (the others are still written), 2 usage, a store that cannot be\n"
      "opened, or a --workflow-id/--run-id that names no stored run");
  ExportArgs parsed;
  CLI::Option* workflow = DeclareArgs(&parsed, &command_line);
  if (std::optional<int> exit = command_line.Parse(args, io)) return *exit;
  if (!parsed.all && workflow->count() == 0) {
    return command_line.UsageError("--workflow-id ID or --all is required", io);
  }
  if (parsed.out.empty()) return command_line.UsageError("--out needs a directory", io);

  absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> opened =
      OpenStoreForReading(parsed.store);
  if (!opened.ok()) return command_line.UsageError(opened.status().message(), io);
  const store::HistoryStore& reader = **opened;
  absl::StatusOr<std::vector<store::RunInfo>> runs = reader.ListRuns();
  if (!runs.ok()) {
    io.err << "lockstep export: " << runs.status().message() << "\n";
    return kExitUsage;
  }
  const std::vector<store::RunInfo> selected = Select(*runs, parsed);
  if (selected.empty() && !parsed.all) {
    io.err << "lockstep export: " << parsed.store << ": no run of workflow \"" << parsed.workflow_id
           << "\""
           << (parsed.run_id.empty() ? "" : absl::StrCat(" with run id \"", parsed.run_id, "\""))
           << " is stored\n";
    return kExitUsage;
  }
  std::error_code ec;
  std::filesystem::create_directories(parsed.out, ec);
  if (ec || !std::filesystem::is_directory(parsed.out)) {
    io.err << "lockstep export: " << parsed.out << ": cannot create the directory"
           << (ec ? absl::StrCat(" (", ec.message(), ")") : " (a file is in the way)") << "\n";
    return kExitUsage;
  }

  const bool json = parsed.format == "json";
  const HistoryFormat format = json ? HistoryFormat::kJson : HistoryFormat::kBinary;
  const char* extension = json ? ".json" : ".binpb";
  int64_t written = 0, events = 0, failed = 0;
  for (const store::RunInfo& run : selected) {
    absl::StatusOr<temporal::api::history::v1::History> history =
        reader.ReadHistory(run.workflow_id, run.run_id);
    const std::string path =
        (std::filesystem::path(parsed.out) / RunFileName(run.workflow_id, run.run_id, extension))
            .string();
    // The store's errors name the run and the event; a failed write is named here.
    absl::Status saved = history.status();
    if (saved.ok()) {
      saved = history::SaveHistoryFile(path, *history, format);
      if (!saved.ok()) {
        saved = absl::Status(
            saved.code(),
            absl::StrCat(parsed.store, ": ", store::ExecutionName(run.workflow_id, run.run_id),
                         ": ", saved.message()));
      }
    }
    if (!saved.ok()) {
      io.err << "lockstep export: " << saved.message() << "\n";
      ++failed;
      continue;
    }
    io.out << store::ExecutionName(run.workflow_id, run.run_id) << " (" << run.workflow_type << ", "
           << history->events_size() << " events) -> " << path << "\n";
    ++written;
    events += history->events_size();
  }
  io.out << "exported " << written << " of " << selected.size() << " runs (" << events
         << " events) from " << parsed.store << " to " << parsed.out << " as " << parsed.format;
  if (failed > 0) io.out << "; " << failed << " could not be exported";
  io.out << "\n";
  return failed > 0 ? kExitFound : kExitOk;
}

}  // namespace lockstep::cli
