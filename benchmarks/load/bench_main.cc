#include "benchmarks/load/bench_main.h"

#include <unistd.h>

#include <iostream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/cli_parse/cli_parse.h"

namespace lockstep::bench {
namespace {

struct Flags {
  std::string workflow;
  int64_t workflows = 100;
  int64_t signals = 1'000'000;
  int64_t per_task = 100;
  int64_t per_workflow = 0;
  std::optional<int64_t> retain_closed_bytes;
  bool list = false;
};

void AddOptions(CLI::App& app, Flags& f) {
  app.footer("exit status: 0 the load ran, 1 it failed (the workflow is named), 2 bad usage");
  app.add_option("--workflow", f.workflow, "the load to run (--list shows them)");
  app.add_option("--workflows", f.workflows, "workflows open at once (default 100)")
      ->check(cli::PositiveInteger());
  app.add_option("--signals", f.signals, "signals in all (default 1000000)")
      ->check(cli::PositiveInteger());
  app.add_option("--per-task", f.per_task,
                 "signals sent to a workflow before its workflow task (default 100)")
      ->check(cli::PositiveInteger());
  app.add_option("--per-workflow", f.per_workflow,
                 "each workflow's share of the signals; it completes after them and a fresh "
                 "one takes its place (default: signals / workflows, rounded up)")
      ->check(cli::PositiveInteger());
  app.add_option("--retain-closed-bytes", f.retain_closed_bytes,
                 "closed histories the service keeps, in serialized bytes; 0 releases each "
                 "as its workflow completes (default: keep all)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--list", f.list, "list the loads and exit");
}

// "1,234,567" for a figure a person reads at a glance on the progress line.
std::string Grouped(int64_t n) {
  std::string digits = absl::StrCat(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

void Print(const SignalLoadResult& r, std::ostream& out) {
  const double per_signal_events =
      r.signals > 0 ? static_cast<double>(r.events) / static_cast<double>(r.signals) : 0;
  out << absl::StrFormat("signals: %d\n", r.signals)
      << absl::StrFormat("workflows_started: %d\n", r.workflows_started)
      << absl::StrFormat("workflows_completed: %d\n", r.workflows_completed)
      << absl::StrFormat("histories_released: %d\n", r.histories_released)
      << absl::StrFormat("timed_seconds: %.3f\n", absl::ToDoubleSeconds(r.timed))
      << absl::StrFormat("total_seconds: %.3f\n", absl::ToDoubleSeconds(r.total))
      << absl::StrFormat("signals_per_second: %.0f\n", r.signals_per_second)
      << absl::StrFormat("per_signal_p50_us: %.3f\n",
                         absl::ToDoubleMicroseconds(r.per_signal_p50))
      << absl::StrFormat("per_signal_p99_us: %.3f\n",
                         absl::ToDoubleMicroseconds(r.per_signal_p99))
      << absl::StrFormat("events_per_signal: %.3f\n", per_signal_events)
      << absl::StrFormat("retained_bytes_per_event: %.1f\n", r.retained_bytes_per_event)
      << absl::StrFormat("peak_rss_mb: %.1f\n", r.peak_rss_mb)
      << absl::StrFormat("rss_mb: %.1f\n", r.rss_mb);
}

}  // namespace

int RunBenchSignalsCommand(const std::vector<std::string>& args, const Registry& registry,
                           const std::vector<SignalLoad>& loads, const std::string& program,
                           BenchCommandIo io) {
  cli::CommandLine command_line(
      cli::ProgramName{program},
      "Drive a workflow with signals in virtual time and report signals per second, the cost "
      "of each signal, and the memory the histories keep.");
  Flags f;
  AddOptions(command_line.app(), f);
  const cli::CommandIo cio{io.out, io.err};
  if (std::optional<int> exit = command_line.Parse(args, cio)) return *exit;
  auto usage = [&](const std::string& message) { return command_line.UsageError(message, cio); };

  if (f.list) {
    for (const SignalLoad& load : loads) io.out << load.name << "\t" << load.description << "\n";
    return kBenchExitOk;
  }
  if (f.workflow.empty()) return usage("--workflow NAME is required (--list shows the names)");
  const SignalLoad* load = nullptr;
  for (const SignalLoad& l : loads) {
    if (l.name == f.workflow) load = &l;
  }
  if (load == nullptr) {
    return usage(
        absl::StrCat("--workflow: no load named '", f.workflow, "' (--list shows the names)"));
  }
  SignalLoadOptions requested;
  requested.workflows = f.workflows;
  requested.signals = f.signals;
  requested.per_task = f.per_task;
  requested.per_workflow = f.per_workflow;
  if (f.retain_closed_bytes.has_value()) requested.retain_closed_bytes = *f.retain_closed_bytes;
  // Resolved before the options line is printed, which shows the share each workflow gets.
  absl::StatusOr<SignalLoadOptions> resolved = ResolveSignalLoadOptions(*load, requested);
  if (!resolved.ok()) return usage(std::string(resolved.status().message()));
  SignalLoadOptions options = *std::move(resolved);
  io.out << absl::StrFormat(
      "bench signals: workflow=%s type=%s workflows=%d signals=%d per_task=%d per_workflow=%d "
      "retain_closed_bytes=%s\n",
      load->name, load->workflow_type, options.workflows, options.signals, options.per_task,
      options.per_workflow,
      options.retain_closed_bytes < 0 ? "all" : absl::StrCat(options.retain_closed_bytes));
  io.out.flush();
  int64_t last_percent = -1;
  if (io.progress != nullptr) {
    options.progress = [&](int64_t sent, int64_t total) {
      const int64_t percent = sent * 100 / total;
      if (percent == last_percent) return;
      last_percent = percent;
      *io.progress << "\r" << program << ": " << Grouped(sent) << " of " << Grouped(total)
                   << " signals (" << percent << "%)" << std::flush;
    };
  }
  absl::StatusOr<SignalLoadResult> result = RunSignalLoad(registry, *load, options);
  if (io.progress != nullptr && last_percent >= 0) *io.progress << "\n";
  if (!result.ok()) {
    if (absl::IsInvalidArgument(result.status())) {
      return usage(std::string(result.status().message()));
    }
    io.err << program << ": " << result.status().message() << "\n";
    return kBenchExitFailed;
  }
  Print(*result, io.out);
  return kBenchExitOk;
}

int BenchMain(const Registry& registry, std::vector<SignalLoad> loads, int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  std::ostream* progress = isatty(STDERR_FILENO) != 0 ? &std::cerr : nullptr;
  return RunBenchSignalsCommand(args, registry, loads, argc > 0 ? argv[0] : "bench",
                                {std::cout, std::cerr, progress});
}

}  // namespace lockstep::bench
