// `lockstep show`: histories as aligned tables, or converted to JSON or binary.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/history/event_summary.h"
#include "engine/history/event_types.h"
#include "engine/history/history_file.h"
#include "engine/history/json_writer.h"
#include "tools/lockstep/command.h"

namespace lockstep::cli {
namespace {

using history::HistoryFormat;
using temporal::api::history::v1::History;

struct ShowArgs {
  int64_t max_payload_bytes = history::kDefaultMaxPayloadBytes;
  bool json = false;
  bool validate = true;
  std::string binary_out;
  std::vector<std::string> files;
};

bool ParseShowArgs(const std::vector<std::string>& args, ShowArgs* parsed, std::ostream& err) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--json") {
      parsed->json = true;
    } else if (arg == "--no-validate") {
      parsed->validate = false;
    } else if (arg == "--binary" || arg.rfind("--binary=", 0) == 0) {
      if (arg == "--binary") {
        if (i + 1 >= args.size()) {
          err << "lockstep show: --binary needs an output file\n";
          return false;
        }
        parsed->binary_out = args[++i];
      } else {
        parsed->binary_out = arg.substr(9);
      }
      if (parsed->binary_out.empty()) {
        err << "lockstep show: --binary needs an output file\n";
        return false;
      }
    } else if (arg.rfind("--max-payload-bytes=", 0) == 0) {
      if (!absl::SimpleAtoi(arg.substr(20), &parsed->max_payload_bytes) ||
          parsed->max_payload_bytes <= 0) {
        err << "lockstep show: --max-payload-bytes needs a positive number, got '" << arg.substr(20)
            << "'\n";
        return false;
      }
    } else if (arg == "--") {
      parsed->files.insert(parsed->files.end(), args.begin() + static_cast<long>(i) + 1,
                           args.end());
      break;
    } else if (arg.size() > 1 && arg[0] == '-') {
      err << "lockstep show: unknown flag '" << arg << "' (flags: --json, --binary OUT, "
          << "--no-validate, --max-payload-bytes=N)\n";
      return false;
    } else {
      parsed->files.push_back(arg);
    }
  }
  if (parsed->files.empty()) {
    err << "usage: lockstep show [--json] [--binary OUT] [--no-validate] FILE...\n";
    return false;
  }
  if (parsed->json && !parsed->binary_out.empty()) {
    err << "lockstep show: --json and --binary cannot be combined\n";
    return false;
  }
  return true;
}

int64_t TimeNanos(const temporal::api::history::v1::HistoryEvent& e) {
  return e.event_time().seconds() * 1000000000 + e.event_time().nanos();
}

void PrintTable(const std::string& title, const History& h, std::ostream& out) {
  const history::HistorySummary summary = history::SummarizeHistory(h);
  out << "== " << title << "\n"
      << "workflow " << (summary.workflow_type.empty() ? "-" : summary.workflow_type) << "  id "
      << summary.workflow_id << "  run " << summary.run_id << "  status " << summary.status
      << "  events " << summary.events << "  duration "
      << history::FormatElapsed(summary.duration_nanos) << "\n";

  struct Row {
    std::string id, time, type, details;
  };
  std::vector<Row> rows;
  rows.reserve(static_cast<size_t>(h.events_size()));
  const int64_t start = h.events_size() > 0 ? TimeNanos(h.events(0)) : 0;
  size_t id_w = 2, time_w = 4, type_w = 4;
  for (const auto& event : h.events()) {
    Row row{absl::StrCat(event.event_id()),
            event.has_event_time() ? "+" + history::FormatElapsed(TimeNanos(event) - start) : "-",
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
  ShowArgs parsed;
  if (!ParseShowArgs(args, &parsed, io.err)) return kExitUsage;

  history::LoadOptions options;
  options.validate = parsed.validate;
  options.json.max_payload_bytes = parsed.max_payload_bytes;
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
        history::AppendMessageJson(*histories[i].second, {}, &text);
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
