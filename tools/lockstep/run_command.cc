// `lockstep run TYPE [--input JSON]... [--signal NAME=JSON]... [--out FILE]`: runs one
// built-in workflow on the embedded engine and in-process service, in virtual time, and shows
// the history it recorded.
//
// Signals are sent, in order, after the workflow's first workflow task; virtual time then runs
// from deadline to deadline until nothing is pending (at most --limit-hours, default 30
// days). Exit 0 when the workflow completed, 1 when it failed, timed out or is still waiting,
// 2 on usage.
//
// The histories of the other workflows the run started (child workflows) are written beside
// FILE as STEM.WORKFLOW_ID.EXT (in start order; characters other than letters, digits, '-',
// '_' and '.' in the id become '_'; a later run of the same id adds ".runN"), so that
// `lockstep replay` can check them too.
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/history/history_file.h"
#include "engine/service/service.h"
#include "engine/service/virtual_time.h"
#include "engine/workflow/worker.h"
#include "simdjson.h"
#include "tools/lockstep/builtin_registry.h"
#include "tools/cli_parse/cli_parse.h"
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

// --input: a JSON text. Message in cli_parse.h's convention.
CLI::Validator JsonArgument() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (IsJson(text)) return "";
        return absl::StrCat("needs JSON, got '", text, "' (a string needs quotes: '\"x\"')");
      },
      /*validator_desc=*/"", "JSON");
}

// --signal: NAME or NAME=JSON.
CLI::Validator SignalArgument() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const size_t eq = text.find('=');
        const std::string name = text.substr(0, eq);
        const std::string json = eq == std::string::npos ? "" : text.substr(eq + 1);
        if (name.empty() || (!json.empty() && !IsJson(json))) {
          return absl::StrCat("must be NAME or NAME=JSON, got '", text, "'");
        }
        return "";
      },
      /*validator_desc=*/"", "signal");
}

// Declares the arguments of `lockstep run` on `command_line`, bound to `*parsed` (the signals
// as given, NAME or NAME=JSON, into `*signals`).
void DeclareArgs(RunArgs* parsed, std::vector<std::string>* signals, CommandLine* command_line) {
  CLI::App& app = command_line->app();
  app.add_option("TYPE", parsed->workflow_type,
                 "a workflow type built into this binary (see lockstep list)")
      ->type_name("")
      ->required();
  // One value per occurrence: `--input 1 TYPE` must not take TYPE as a second input.
  app.add_option("--input", parsed->inputs, "a workflow argument (repeatable)")
      ->type_name("JSON")
      ->allow_extra_args(false)
      ->check(JsonArgument());
  app.add_option("--signal", *signals,
                 "a signal sent after the first workflow task, in order (repeatable)")
      ->type_name("NAME=JSON")
      ->allow_extra_args(false)
      ->check(SignalArgument());
  app.add_option("--out", parsed->out,
                 "where to write the history: .json, else binary\n"
                 "(default /tmp/lockstep-run-TYPE.json)")
      ->type_name("FILE");
  app.add_option("--limit-hours", parsed->limit_hours,
                 "how far virtual time runs at most (default 720, 30 days)")
      ->type_name("N")
      ->check(PositiveInteger());
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
  CommandLine command_line(
      "run",
      "Run a workflow built into this binary on the in-process service, in virtual\n"
      "time, and show the history it recorded. The histories of the child workflows\n"
      "it started are written beside FILE, as STEM.WORKFLOW_ID.EXT.");
  command_line.app().footer(
      "exit status: 0 the workflow completed, 1 it failed, timed out or is still\n"
      "waiting, 2 bad input or usage");
  RunArgs parsed;
  std::vector<std::string> signals;
  DeclareArgs(&parsed, &signals, &command_line);
  if (std::optional<int> exit = command_line.Parse(args, io)) return *exit;
  for (const std::string& signal : signals) {
    const size_t eq = signal.find('=');
    parsed.signals.emplace_back(signal.substr(0, eq),
                                eq == std::string::npos ? "" : signal.substr(eq + 1));
  }
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
