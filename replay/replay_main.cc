#include "replay/replay_main.h"

#include <dirent.h>
#include <glob.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <latch>
#include <map>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/history/history_file.h"
#include "replay/replayer.h"

namespace lockstep::replay {
namespace {

// What one item (a file, or a history from a source) gave: its reports, formatted, and what
// the summary counts. A file of several histories gives several reports.
struct ItemReport {
  std::string load_error;  // the file could not be loaded (bad input); nothing else is set
  std::string text;
  int64_t histories = 0;
  int64_t events = 0;
  int64_t clean = 0;
  int64_t errors = 0;                       // could not be replayed
  std::vector<Nondeterminism::Kind> kinds;  // one per nondeterministic history
};

void Replay(const ReplayCommandOptions& options, const RegistryFinder& registry_for,
            const temporal::api::history::v1::History& history, absl::string_view source,
            ItemReport* report) {
  const Registry& registry = registry_for(history);
  const ReplayResult result =
      options.every_task ? ReplayEveryTaskBoundary(registry, history, source, options.replay)
                         : ReplayHistory(registry, history, source, options.replay);
  if (options.json) {
    report->text += FormatJson(result);
    report->text.push_back('\n');
  } else {
    report->text += FormatText(result);
  }
  ++report->histories;
  report->events += result.events;
  switch (result.outcome) {
    case Outcome::kClean:
      ++report->clean;
      break;
    case Outcome::kNondeterministic:
      report->kinds.push_back(result.nondeterminism->kind);
      break;
    case Outcome::kError:
      ++report->errors;
      break;
  }
}

// Appends the file names listed in `list`, one per line (blank lines skipped), for PATH "-".
void ReadFileList(std::istream& list, std::vector<std::string>* files) {
  std::string line;
  while (std::getline(list, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) files->push_back(line);
  }
}

// Whether `name` (a file name, no directory) ends in a history file's extension, as
// std::filesystem::path::extension sees it: a leading dot starts no extension (".json" has
// none).
bool HasHistoryExtension(absl::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == absl::string_view::npos || dot == 0) return false;
  const absl::string_view ext = name.substr(dot);
  return ext == ".json" || ext == ".pb" || ext == ".binpb";
}

// Appends the history files of directory `dir`, sorted, each as `dir` joined with its name.
// Read with readdir rather than std::filesystem, which makes a path object or two per entry:
// for a directory of 1,000 files that halves the listing, which every thread waits for.
void AppendHistoryFiles(const std::string& dir, std::vector<std::string>* files) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  const std::string prefix = !dir.empty() && dir.back() == '/' ? dir : dir + "/";
  std::vector<std::string> found;
  while (const dirent* entry = ::readdir(d)) {
    const absl::string_view name(entry->d_name);
    if (name == "." || name == ".." || !HasHistoryExtension(name)) continue;
    found.push_back(absl::StrCat(prefix, name));
  }
  ::closedir(d);
  std::sort(found.begin(), found.end());
  files->insert(files->end(), std::make_move_iterator(found.begin()),
                std::make_move_iterator(found.end()));
}

// Files named on the command line, the history files of named directories (sorted), the
// matches of glob patterns, and for "-" the files listed on `file_list`.
bool CollectFiles(const std::vector<std::string>& paths, std::istream& file_list,
                  std::vector<std::string>* files, std::ostream& err) {
  bool ok = true;
  bool list_read = false;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (path == "-") {
      if (!list_read) ReadFileList(file_list, files);
      list_read = true;
    } else if (path.find_first_of("*?[") != std::string::npos &&
               !std::filesystem::exists(path, ec)) {
      // A pattern the shell did not expand (quoted, or from a script): expand it here.
      glob_t matches{};
      const int rc = glob(path.c_str(), 0, nullptr, &matches);
      if (rc == 0) {
        for (size_t i = 0; i < matches.gl_pathc; ++i) files->push_back(matches.gl_pathv[i]);
      } else {
        err << "replay: " << path << ": no file matches the pattern\n";
        ok = false;
      }
      globfree(&matches);
    } else if (std::filesystem::is_directory(path, ec)) {
      AppendHistoryFiles(path, files);
    } else if (std::filesystem::exists(path, ec)) {
      files->push_back(path);
    } else {
      err << "replay: " << path << ": no such file or directory\n";
      ok = false;
    }
  }
  return ok;
}

}  // namespace

bool ParseResultCheck(absl::string_view name, ReplayOptions::ResultCheck* check) {
  if (name == "warn") {
    *check = ReplayOptions::ResultCheck::kWarn;
  } else if (name == "fail") {
    *check = ReplayOptions::ResultCheck::kFail;
  } else if (name == "off") {
    *check = ReplayOptions::ResultCheck::kOff;
  } else {
    return false;
  }
  return true;
}

bool ParseIdRule(absl::string_view name, IdRule* rule) {
  if (name == "auto") {
    *rule = IdRule::kAuto;
  } else if (name == "strict") {
    *rule = IdRule::kStrict;
  } else if (name == "sdk") {
    *rule = IdRule::kSdk;
  } else {
    return false;
  }
  return true;
}

int RunReplayCommand(const std::vector<std::string>& args, const RegistryFinder& registry_for,
                     std::ostream& out, std::ostream& err) {
  ReplayCommandOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--json") {
      options.json = true;
    } else if (arg == "--every-task") {
      options.every_task = true;
    } else if (arg.rfind("--result=", 0) == 0) {
      const std::string mode = arg.substr(9);
      if (!ParseResultCheck(mode, &options.replay.result_check)) {
        err << "replay: --result must be warn, fail or off, got '" << mode << "'\n";
        return kReplayExitUsage;
      }
    } else if (arg.rfind("--ids=", 0) == 0) {
      const std::string rule = arg.substr(6);
      if (!ParseIdRule(rule, &options.replay.id_rule)) {
        err << "replay: --ids must be auto, strict or sdk, got '" << rule << "'\n";
        return kReplayExitUsage;
      }
    } else if (arg == "--until" || arg == "--jobs" || arg == "--max-file-bytes" ||
               arg == "--max-payload-bytes" || arg == "--max-events" ||
               arg == "--every-task-events") {
      int64_t value = 0;
      if (i + 1 >= args.size() || !absl::SimpleAtoi(args[i + 1], &value) || value <= 0) {
        err << "replay: " << arg << " needs a positive number\n";
        return kReplayExitUsage;
      }
      ++i;
      if (arg == "--until") {
        options.replay.until_event_id = value;
      } else if (arg == "--jobs") {
        options.jobs = static_cast<int>(std::min<int64_t>(value, 64));
      } else if (arg == "--max-file-bytes") {
        options.load.max_file_bytes = value;
      } else if (arg == "--every-task-events") {
        options.replay.every_task_max_events = value;
      } else if (arg == "--max-payload-bytes") {
        options.load.json.max_payload_bytes = value;
      } else {
        options.load.max_events = value;
      }
    } else if (arg.size() > 1 && arg[0] == '-') {
      err << "replay: unknown flag '" << arg
          << "' (flags: --json, --until EVENT_ID, --every-task, --result=warn|fail|off, "
             "--ids=auto|strict|sdk, --jobs N, --every-task-events N, --max-file-bytes N, "
             "--max-payload-bytes N, --max-events N)\n";
      return kReplayExitUsage;
    } else {
      options.paths.push_back(arg);
    }
  }
  if (options.paths.empty()) {
    err << "usage: replay PATH... [--json] [--until EVENT_ID | --every-task] "
           "[--jobs N]\n";
    return kReplayExitUsage;
  }
  return RunReplayCommand(options, registry_for, out, err);
}

int RunReplayCommand(const ReplayCommandOptions& options, const RegistryFinder& registry_for,
                     std::ostream& out, std::ostream& err) {
  // The cap bounds the threads a slip of the keyboard (--jobs 6400) can start.
  const int jobs = std::clamp(options.jobs, 1, 64);

  // Items are the files, then the sourced histories. Each thread takes the next item from a
  // shared index (small files differ in size, so fixed shares would leave a thread idle) and
  // loads it with a loader of its own, reused from item to item; the reports are written in
  // input order once all are done.
  //
  // The other threads start before the items are listed: the first history a process loads
  // pays for protobuf's descriptors and the reader's plans (HistoryLoader::Prepare), about as
  // long as listing a directory of 1,000 files, and they set these up meanwhile.
  std::vector<std::string> files;
  struct SourcedItem {
    size_t source;  // in options.sources
    size_t index;   // in its list
    const std::string* name;
  };
  std::vector<SourcedItem> sourced;
  size_t item_count = 0;
  std::vector<ItemReport> reports;
  std::latch listed(1);
  std::atomic<size_t> next{0};
  auto work = [&](bool early) {
    history::HistoryLoader loader(options.load);
    if (early) {
      loader.Prepare();
      listed.wait();
    }
    std::vector<HistoryReader> readers(options.sources.size());  // made on first use
    for (size_t i = next++; i < item_count; i = next++) {
      ItemReport& report = reports[i];
      absl::Status loaded;
      const std::string* name;
      if (i < files.size()) {
        name = &files[i];
        loaded = loader.Load(files[i]);
      } else {
        const SourcedItem& item = sourced[i - files.size()];
        HistoryReader& reader = readers[item.source];
        if (!reader) reader = options.sources[item.source].new_reader();
        name = item.name;
        loaded = loader.LoadWith(*item.name, [&](temporal::api::history::v1::History* history) {
          return reader(item.index, history);
        });
      }
      if (!loaded.ok()) {
        report.load_error = std::string(loaded.message());
        continue;
      }
      const history::HistoryList& histories = loader.loaded().histories;
      for (size_t h = 0; h < histories.size(); ++h) {
        Replay(options, registry_for, histories[h],
               histories.size() > 1 ? absl::StrCat(*name, "#", h + 1) : *name, &report);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < jobs; ++t) threads.emplace_back(work, /*early=*/true);

  bool bad_input = !CollectFiles(
      options.paths, options.file_list != nullptr ? *options.file_list : std::cin, &files, err);
  // Each source's items, listed before the replays start, from this thread.
  std::vector<std::vector<std::string>> source_names(options.sources.size());
  for (size_t s = 0; s < options.sources.size(); ++s) {
    absl::StatusOr<std::vector<std::string>> names = options.sources[s].list();
    if (!names.ok()) {
      err << "replay: " << names.status().message() << "\n";
      bad_input = true;
      continue;
    }
    source_names[s] = *std::move(names);
    for (size_t i = 0; i < source_names[s].size(); ++i) {
      sourced.push_back({s, i, &source_names[s][i]});
    }
  }

  item_count = files.size() + sourced.size();
  reports.resize(item_count);
  listed.count_down();
  work(/*early=*/false);
  for (auto& t : threads) t.join();

  // Errors first, in input order.
  for (const ItemReport& report : reports) {
    if (report.load_error.empty()) continue;
    err << "replay: " << report.load_error << "\n";
    bad_input = true;
  }
  int64_t histories = 0, events = 0, clean = 0, nondeterministic = 0, errors = 0;
  std::map<std::string, int64_t> by_kind;  // ordered: a stable summary line
  std::string text;
  for (const ItemReport& report : reports) {
    text += report.text;
    histories += report.histories;
    events += report.events;
    clean += report.clean;
    nondeterministic += static_cast<int64_t>(report.kinds.size());
    errors += report.errors;
    for (const Nondeterminism::Kind kind : report.kinds) {
      ++by_kind[std::string(NondeterminismCode(kind))];
    }
  }
  out << text;
  if (!options.json) {
    out << "replayed " << histories << " histories (" << events << " events): " << clean
        << " clean, " << nondeterministic << " nondeterministic";
    if (!by_kind.empty()) {
      std::vector<std::string> kinds;
      for (const auto& [kind, n] : by_kind) kinds.push_back(absl::StrCat(kind, " ", n));
      out << " (" << absl::StrJoin(kinds, ", ") << ")";
    }
    out << ", " << errors << " could not be replayed\n";
  }
  if (bad_input || errors > 0) return kReplayExitUsage;
  return nondeterministic > 0 ? kReplayExitFound : kReplayExitClean;
}

}  // namespace lockstep::replay

namespace lockstep::replay {

int ReplayMain(const RegistryFinder& registry_for, int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return RunReplayCommand(args, registry_for, std::cout, std::cerr);
}

int ReplayMain(const Registry& registry, int argc, char** argv) {
  return ReplayMain(
      [&registry](const temporal::api::history::v1::History&) -> const Registry& {
        return registry;
      },
      argc, argv);
}

}  // namespace lockstep::replay
