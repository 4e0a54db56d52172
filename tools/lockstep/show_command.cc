// `lockstep show`: histories as aligned tables, or converted to JSON or binary.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/history/event_summary.h"
#include "engine/history/event_types.h"
#include "engine/history/history_file.h"
#include "engine/history/json_writer.h"
#include "tools/cli_parse/cli_parse.h"
#include "tools/lockstep/command.h"
#include "tools/lockstep/load_limits.h"

namespace lockstep::cli {
namespace {

using history::HistoryFormat;
using temporal::api::history::v1::History;

struct ShowArgs {
  history::LoadOptions load;  // --max-file-bytes, --max-payload-bytes, --max-events
  bool json = false;
  bool no_validate = false;
  std::string binary_out;
  std::vector<std::string> files;
};

// Declares the arguments of `lockstep show` on `command_line`, bound to `*parsed`.
void DeclareArgs(ShowArgs* parsed, CommandLine* command_line) {
  CLI::App& app = command_line->app();
  app.add_option("FILE", parsed->files,
                 "history files: JSON in either Temporal shape, or binary protobuf")
      ->type_name("")
      ->required();
  CLI::Option* json = app.add_flag(
      "--json", parsed->json,
      "write JSON in the current Temporal shape instead\n(several histories: one JSON array)");
  CLI::Option* binary =
      app.add_option("--binary", parsed->binary_out,
                     "write the (single) history as binary protobuf to OUT instead")
          ->type_name("OUT");
  json->excludes(binary);
  app.add_flag("--no-validate", parsed->no_validate, "skip structural validation");
  AddLoadLimitOptions(app, &parsed->load);
}

void PrintTable(const std::string& title, const History& h, std::ostream& out) {
  const history::HistorySummary summary = history::SummarizeHistory(h);
  out << "== " << title << "\n"
      << "workflow " << (summary.workflow_type.empty() ? "-" : summary.workflow_type) << "  id "
      << summary.workflow_id << "  run " << summary.run_id << "  status " << summary.status
      << "  events " << summary.events << "  duration "
      << history::FormatElapsed(summary.duration) << "\n";

  struct Row {
    std::string id, time, type, details;
  };
  std::vector<Row> rows;
  rows.reserve(static_cast<size_t>(h.events_size()));
  const google::protobuf::Timestamp start =
      h.events_size() > 0 ? h.events(0).event_time() : google::protobuf::Timestamp();
  size_t id_w = 2, time_w = 4, type_w = 4;
  for (const auto& event : h.events()) {
    Row row{absl::StrCat(event.event_id()),
            event.has_event_time() ? "+" + history::FormatElapsed(history::ElapsedBetween(start, event.event_time())) : "-",
            history::EventTypeShortName(event.event_type()), history::SummarizeEvent(event)};
    id_w = std::max(id_w, row.id.size());
    time_w = std::max(time_w, row.time.size());
    type_w = std::max(type_w, row.type.size());
    rows.push_back(std::move(row));
  }
  std::string line;
  auto pad_left = [&](const std::string& s, size_t w) {
    line.append(w - std::min(w, s.size()), ' ');
    line.append(s);
  };
  auto pad_right = [&](const std::string& s, size_t w) {
    line.append(s);
    line.append(w - std::min(w, s.size()), ' ');
  };
  pad_left("ID", id_w);
  line.append("  ");
  pad_right("TIME", time_w);
  line.append("  ");
  pad_right("TYPE", type_w);
  line.append("  DETAILS\n");
  out << line;
  for (const Row& row : rows) {
    line.clear();
    pad_left(row.id, id_w);
    line.append("  ");
    pad_right(row.time, time_w);
    line.append("  ");
    if (row.details.empty()) {
      line.append(row.type);
    } else {
      pad_right(row.type, type_w);
      line.append("  ");
      line.append(row.details);
    }
    line.push_back('\n');
    out << line;
  }
}

}  // namespace

int RunShow(const std::vector<std::string>& args, CommandIo io) {
  CommandLine command_line("show",
                           "Print histories as tables: a summary line (workflow, id, run, status,\n"
                           "events, duration) and one row per event.");
  ShowArgs parsed;
  DeclareArgs(&parsed, &command_line);
  if (std::optional<int> exit = command_line.Parse(args, io)) return *exit;
  // `--binary=` (or `--binary ""`): CLI11 accepts an empty value.
  if (command_line.app().count("--binary") > 0 && parsed.binary_out.empty()) {
    return command_line.UsageError("--binary needs an output file", io);
  }

  history::LoadOptions options = parsed.load;
  options.validate = !parsed.no_validate;
  int status = kExitOk;
  // Titles and histories; the histories stay on the arenas they were loaded onto.
  std::vector<history::LoadedHistories> loaded_files;
  std::vector<std::pair<std::string, const History*>> histories;
  for (const std::string& file : parsed.files) {
    auto loaded = history::LoadHistoryFile(file, options);
    if (!loaded.ok()) {
      io.err << "lockstep show: " << loaded.status().message() << "\n";
      status = kExitUsage;
      continue;
    }
    if (loaded->json_stats.unknown_keys > 0) {
      io.err << "lockstep show: " << file << ": note: skipped " << loaded->json_stats.unknown_keys
             << " JSON key(s) the schema does not know (first: "
             << loaded->json_stats.unknown_key_examples.front() << ")\n";
    }
    const history::HistoryList& list = loaded_files.emplace_back(*std::move(loaded)).histories;
    for (size_t i = 0; i < list.size(); ++i) {
      std::string title = list.size() > 1
                              ? absl::StrCat(file, " (history ", i + 1, " of ", list.size(), ")")
                              : file;
      histories.emplace_back(std::move(title), &list[i]);
    }
  }

  if (!parsed.binary_out.empty()) {
    if (status != kExitOk) return status;
    if (histories.size() != 1) {
      io.err << "lockstep show: --binary writes exactly one history; the input holds "
             << histories.size() << "\n";
      return kExitUsage;
    }
    auto s =
        history::SaveHistoryFile(parsed.binary_out, *histories[0].second, HistoryFormat::kBinary);
    if (!s.ok()) {
      io.err << "lockstep show: " << s.message() << "\n";
      return kExitUsage;
    }
    return kExitOk;
  }

  if (parsed.json) {
    // One history: {"events":[...]}. Several: a JSON array of them, so the output is one
    // JSON document either way.
    std::string text;
    if (histories.size() == 1) {
      text = history::HistoryToJson(*histories[0].second);
    } else if (!histories.empty()) {
      text = "[";
      for (size_t i = 0; i < histories.size(); ++i) {
        if (i > 0) text.append(",");
        text.append("\n");
        history::AppendHistoryJson(*histories[i].second, {}, &text);
      }
      text.append("\n]\n");
    }
    io.out << text;
    return status;
  }

  for (size_t i = 0; i < histories.size(); ++i) {
    if (i > 0) io.out << "\n";
    PrintTable(histories[i].first, *histories[i].second, io.out);
  }
  return status;
}

}  // namespace lockstep::cli
