#include "replay/replay_main.h"

#include <glob.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/history/history_file.h"
#include "replay/replayer.h"

namespace lockstep::replay {
namespace {

struct Item {
  std::string source;
  const temporal::api::history::v1::History* history;  // owned by the loaded files
};

// Files named on the command line, and the history files of named directories (sorted).
bool CollectFiles(const std::vector<std::string>& paths, std::vector<std::string>* files,
                  std::ostream& err) {
  bool ok = true;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (path.find_first_of("*?[") != std::string::npos && !std::filesystem::exists(path, ec)) {
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
      std::vector<std::string> found;
      for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
        const std::string ext = entry.path().extension().string();
        if (ext == ".json" || ext == ".pb" || ext == ".binpb")
          found.push_back(entry.path().string());
      }
      std::sort(found.begin(), found.end());
      files->insert(files->end(), found.begin(), found.end());
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
    } else if (!arg.empty() && arg[0] == '-') {
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
  struct {
    std::ostream& out;
    std::ostream& err;
  } io{out, err};
  const bool json = options.json;
  const bool every_task = options.every_task;
  const std::vector<std::string>& paths = options.paths;
  // The cap bounds the threads a slip of the keyboard (--jobs 6400) can start.
  const int jobs = std::clamp(options.jobs, 1, 64);

  std::vector<std::string> files;
  bool bad_input = !CollectFiles(paths, &files, io.err);
  // The histories stay on the arenas they were loaded onto (moving one out would copy it).
  std::vector<history::LoadedHistories> loaded_files;
  std::vector<Item> items;
  for (const std::string& file : files) {
    auto loaded = history::LoadHistoryFile(file, options.load);
    if (!loaded.ok()) {
      io.err << "replay: " << loaded.status().message() << "\n";
      bad_input = true;
      continue;
    }
    const history::HistoryList& histories = loaded_files.emplace_back(*std::move(loaded)).histories;
    for (size_t i = 0; i < histories.size(); ++i) {
      items.push_back(
          {histories.size() > 1 ? absl::StrCat(file, "#", i + 1) : file, &histories[i]});
    }
  }

  // Kept here, unmoved once read, for the items to point into.
  std::vector<SourcedHistories> sourced;
  sourced.reserve(options.sources.size());
  for (const HistorySource& source : options.sources) {
    const SourcedHistories& read = sourced.emplace_back(source());
    for (const absl::Status& error : read.errors) {
      io.err << "replay: " << error.message() << "\n";
      bad_input = true;
    }
    for (const SourcedHistory& history : read.histories) {
      items.push_back({history.source, &history.history});
    }
  }

  // Histories are independent: replay them in parallel, report in input order.
  std::vector<ReplayResult> results(items.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < items.size(); i = next++) {
      const Registry& registry = registry_for(*items[i].history);
      results[i] =
          every_task ? ReplayEveryTaskBoundary(registry, *items[i].history, items[i].source,
                                               options.replay)
                     : ReplayHistory(registry, *items[i].history, items[i].source, options.replay);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < jobs; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();

  int64_t events = 0, clean = 0, nondeterministic = 0, errors = 0;
  std::map<std::string, int64_t> by_kind;  // ordered: a stable summary line
  for (const auto& r : results) {
    io.out << (json ? FormatJson(r) + "\n" : FormatText(r));
    events += r.events;
    clean += r.outcome == Outcome::kClean;
    nondeterministic += r.outcome == Outcome::kNondeterministic;
    errors += r.outcome == Outcome::kError;
    if (r.nondeterminism) ++by_kind[std::string(NondeterminismCode(r.nondeterminism->kind))];
  }
  if (!json) {
    io.out << "replayed " << results.size() << " histories (" << events << " events): " << clean
           << " clean, " << nondeterministic << " nondeterministic";
    if (!by_kind.empty()) {
      std::vector<std::string> kinds;
      for (const auto& [kind, n] : by_kind) kinds.push_back(absl::StrCat(kind, " ", n));
      io.out << " (" << absl::StrJoin(kinds, ", ") << ")";
    }
    io.out << ", " << errors << " could not be replayed\n";
  }
  if (bad_input || errors > 0) return kReplayExitUsage;
  return nondeterministic > 0 ? kReplayExitFound : kReplayExitClean;
}

}  // namespace lockstep::replay

namespace lockstep::replay {

int ReplayMain(const Registry& registry, int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return RunReplayCommand(
      args,
      [&registry](const temporal::api::history::v1::History&) -> const Registry& {
        return registry;
      },
      std::cout, std::cerr);
}

}  // namespace lockstep::replay
