// `lockstep run TYPE [--input JSON]... [--signal NAME=JSON]... [--out FILE]`: runs one
// built-in workflow on the embedded engine and in-process service, in virtual time, and shows
// the history it recorded.
//
// Signals are sent, in order, after the workflow's first workflow task; virtual time then runs
// from deadline to deadline until nothing is pending (at most --limit, default 30 days). Exit
// 0 when the workflow completed, 1 when it failed, timed out or is still waiting, 2 on usage.
//
// The histories of the other workflows the run started (child workflows) are written beside
// FILE as STEM.WORKFLOW_ID.EXT (in start order; characters other than letters, digits, '-',
// '_' and '.' in the id become '_'; a later run of the same id adds ".runN"), so that
// `lockstep replay` can check them too.
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/history/history_file.h"
#include "engine/service/service.h"
#include "engine/service/virtual_time.h"
#include "engine/workflow/worker.h"
#include "simdjson.h"
#include "tools/lockstep/builtin_registry.h"
#include "tools/lockstep/command.h"

namespace lockstep::cli {
namespace {

struct RunArgs {
  std::string workflow_type;
  std::vector<std::string> inputs;                           // JSON texts
  std::vector<std::pair<std::string, std::string>> signals;  // name, JSON text
  std::string out;
  int64_t limit_hours = 30 * 24;
};

bool IsJson(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element unused;
  return parser.parse(text).get(unused) == simdjson::SUCCESS;
}

Payload JsonText(const std::string& text) {
  Payload p;
  (*p.mutable_metadata())["encoding"] = "json/plain";
  p.set_data(text);
  return p;
}

bool Parse(const std::vector<std::string>& args, RunArgs* parsed, std::ostream& err) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string_view flag) -> const std::string* {
      if (i + 1 >= args.size()) {
        err << "lockstep run: " << flag << " needs a value\n";
        return nullptr;
      }
      return &args[++i];
    };
    if (arg == "--input") {
      const std::string* v = value(arg);
      if (v == nullptr) return false;
      if (!IsJson(*v)) {
        err << "lockstep run: --input '" << *v
            << "' is not JSON (a string needs quotes: '\"x\"')\n";
        return false;
      }
      parsed->inputs.push_back(*v);
    } else if (arg == "--signal") {
      const std::string* v = value(arg);
      if (v == nullptr) return false;
      const size_t eq = v->find('=');
      const std::string name = v->substr(0, eq);
      const std::string json = eq == std::string::npos ? "" : v->substr(eq + 1);
      if (name.empty() || (!json.empty() && !IsJson(json))) {
        err << "lockstep run: --signal '" << *v << "' must be NAME or NAME=JSON\n";
        return false;
      }
      parsed->signals.emplace_back(name, json);
    } else if (arg == "--out") {
      const std::string* v = value(arg);
      if (v == nullptr) return false;
      parsed->out = *v;
    } else if (arg == "--limit-hours") {
      const std::string* v = value(arg);
      if (v == nullptr) return false;
      if (!absl::SimpleAtoi(*v, &parsed->limit_hours) || parsed->limit_hours <= 0) {
        err << "lockstep run: --limit-hours needs a positive number, got '" << *v << "'\n";
        return false;
      }
    } else if (!arg.empty() && arg[0] == '-') {
      err << "lockstep run: unknown flag '" << arg
          << "' (flags: --input JSON, --signal NAME=JSON, --out FILE, --limit-hours N)\n";
      return false;
    } else if (parsed->workflow_type.empty()) {
      parsed->workflow_type = arg;
    } else {
      err << "lockstep run: unexpected argument '" << arg << "'\n";
      return false;
    }
  }
  if (parsed->workflow_type.empty()) {
    err << "usage: lockstep run TYPE [--input JSON]... [--signal NAME=JSON]... [--out FILE]\n";
    return false;
  }
  return true;
}

history::HistoryFormat FormatOf(const std::string& path) {
  return path.size() > 5 && path.compare(path.size() - 5, 5, ".json") == 0
             ? history::HistoryFormat::kJson
             : history::HistoryFormat::kBinary;
}

// Where the history of another workflow started by the run goes: beside `path`, named by the
// workflow id (made safe as a file name) and, for a second run of the same id, its number.
std::string SiblingPath(const std::string& path, const std::string& workflow_id, int run_number) {
  const size_t slash = path.rfind('/');
  const size_t dot = path.rfind('.');
  const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
  const std::string stem = has_ext ? path.substr(0, dot) : path;
  const std::string ext = has_ext ? path.substr(dot) : "";
  std::string id = workflow_id;
  for (char& c : id) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    if (!safe) c = '_';
  }
  const std::string run = run_number > 1 ? absl::StrCat(".run", run_number) : "";
  return absl::StrCat(stem, ".", id, run, ext);
}

// Writes the history of every run the service holds other than those of `workflow_id`.
bool SaveOtherRuns(const Service& service, const std::string& workflow_id, const std::string& path,
                   CommandIo io) {
  std::map<std::string, int> runs_seen;
  for (const auto& execution : service.ListRuns()) {
    if (execution.workflow_id() == workflow_id) continue;
    auto history = service.GetHistory(execution.workflow_id(), execution.run_id());
    if (!history.ok()) {
      io.err << "lockstep run: " << history.status().message() << "\n";
      return false;
    }
    const std::string other =
        SiblingPath(path, execution.workflow_id(), ++runs_seen[execution.workflow_id()]);
    if (auto s = history::SaveHistoryFile(other, **history, FormatOf(other)); !s.ok()) {
      io.err << "lockstep run: " << s.message() << "\n";
      return false;
    }
    io.out << "history of " << execution.workflow_id() << " written to " << other << "\n";
  }
  return true;
}

}  // namespace

int RunRun(const std::vector<std::string>& args, CommandIo io) {
  RunArgs parsed;
  if (!Parse(args, &parsed, io.err)) return kExitUsage;
  const Registry& registry = BuiltinRegistry();
  if (registry.FindWorkflow(parsed.workflow_type) == nullptr) {
    io.err << "lockstep run: no workflow type '" << parsed.workflow_type
           << "' in this binary (see lockstep list)\n";
    return kExitUsage;
  }

  ManualClock clock;
  Worker worker(&registry);
  Service service(&clock, &worker, &worker);
  StartWorkflowRequest start;
  start.workflow_id = parsed.workflow_type + "-1";
  start.workflow_type = parsed.workflow_type;
  start.task_queue = "lockstep-run";
  for (const std::string& input : parsed.inputs) *start.input.add_payloads() = JsonText(input);
  if (auto started = service.StartWorkflow(start); !started.ok()) {
    io.err << "lockstep run: " << started.status().message() << "\n";
    return kExitUsage;
  }
  service.RunUntilIdle();
  for (const auto& [name, json] : parsed.signals) {
    SignalWorkflowRequest signal;
    signal.workflow_id = start.workflow_id;
    signal.signal_name = name;
    if (!json.empty()) *signal.input.add_payloads() = JsonText(json);
    if (auto s = service.SignalWorkflow(signal); !s.ok()) {
      io.err << "lockstep run: signal " << name << ": " << s.message() << "\n";
    }
  }
  RunUntil(service, clock, clock.Now() + absl::Hours(parsed.limit_hours));

  auto history = service.GetHistory(start.workflow_id, "");
  if (!history.ok()) {
    io.err << "lockstep run: " << history.status().message() << "\n";
    return kExitUsage;
  }
  std::string path = parsed.out;
  if (path.empty()) path = absl::StrCat("/tmp/lockstep-run-", parsed.workflow_type, ".json");
  if (auto s = history::SaveHistoryFile(path, **history, FormatOf(path)); !s.ok()) {
    io.err << "lockstep run: " << s.message() << "\n";
    return kExitUsage;
  }
  int status = RunShow({path}, io);
  if (status != kExitOk) return status;
  io.out << "history written to " << path << "\n";
  if (!SaveOtherRuns(service, start.workflow_id, path, io)) return kExitUsage;
  const auto& events = (*history)->events();
  const bool completed =
      events.size() > 0 && events[events.size() - 1].event_type() ==
                               temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED;
  return completed ? kExitOk : kExitFound;
}

}  // namespace lockstep::cli
