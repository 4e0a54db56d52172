#include "sim/campaign.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/history/history_file.h"
#include "engine/history/json_writer.h"
#include "sim/schedule.h"
#include "temporal/api/enums/v1/event_type.pb.h"

namespace lockstep::sim {
namespace {

namespace fs = std::filesystem;

// Wall time, for the speed figures only.
absl::Time WallNow() { return absl::Now(); }

std::string Header(const Simulation& sim, const CampaignOptions& o, int64_t shard_seeds) {
  std::string seeds = o.seed.has_value()
                          ? absl::StrCat("seed ", *o.seed)
                          : absl::StrCat("seeds ", o.first_seed, "..", o.first_seed + o.seeds - 1);
  std::string out = absl::StrCat("lockstep sim: workload ", sim.workload().name, ", ", seeds);
  if (o.shard_count > 1) {
    absl::StrAppend(&out, ", shard ", o.shard_index, "/", o.shard_count, " (", shard_seeds,
                    " seeds)");
  }
  absl::StrAppend(&out, ", faults ", sim.faults().ToString(), ", strategy ",
                  StrategyName(sim.options().strategy));
  if (sim.options().strategy == StrategyKind::kPct) {
    absl::StrAppend(&out, " (depth ", sim.options().pct.depth, ")");
  }
  absl::StrAppend(&out, ", jobs ", o.jobs,
                  sim.options().check_determinism ? ", determinism self-check on" : "",
                  o.max_failures > 0 ? absl::StrCat(", stop after ", o.max_failures, " failure(s)")
                                     : ", keep going",
                  "\n");
  return out;
}

std::string SeedLine(const SeedResult& r) {
  return absl::StrCat("seed ", r.seed, ": faults ", r.fault_plan, ": ",
                      r.failed() ? "FAILED" : "ok", " (", r.steps, " steps, ",
                      absl::FormatDuration(r.virtual_time), " virtual, fingerprint ",
                      absl::StrFormat("%016x", r.fingerprint), ")\n");
}

std::string SeedDir(const Simulation& sim, const CampaignOptions& o, uint64_t seed) {
  return (fs::path(o.out_dir) / absl::StrCat(sim.workload().name, "-seed-", seed)).string();
}

std::string FailureReport(const Simulation& sim, const SeedResult& r, const std::string& program) {
  std::string out = SeedLine(r);
  for (const Finding& f : r.findings) {
    absl::StrAppend(&out, "  ", f.checker);
    if (!f.invariant.empty()) absl::StrAppend(&out, " '", f.invariant, "'");
    if (!f.workflow_id.empty()) absl::StrAppend(&out, " [", f.workflow_id, "]");
    if (f.at != absl::InfinitePast()) {
      absl::StrAppend(&out, " at ", FormatReportTime(f.at));
    }
    std::string message = f.message;
    std::replace(message.begin(), message.end(), '\n', ' ');
    absl::StrAppend(&out, ": ", message, "\n");
  }
  absl::StrAppend(&out, "  reproduce: ", sim.ReproduceCommand(program, r.seed), "\n");
  return out;
}

std::string CoverageReport(const Coverage& c) {
  std::vector<std::string> faults;
  for (size_t i = 0; i < kFaultCount; ++i) {
    if (c.faults[i] > 0) faults.push_back(absl::StrCat(FaultName(static_cast<Fault>(i)), " ", c.faults[i]));
  }
  int step_kinds = 0;
  for (int64_t n : c.steps) step_kinds += n > 0 ? 1 : 0;
  std::vector<std::string> events;
  for (int t = 1; t < Coverage::kEventTypes; ++t) {
    if (c.events[t] == 0) continue;
    std::string name = temporal::api::enums::v1::EventType_Name(t);
    if (name.rfind("EVENT_TYPE_", 0) == 0) name = name.substr(11);
    events.push_back(absl::StrCat(name, " ", c.events[t]));
  }
  int transitions = 0;
  for (const auto& [pair, n] : c.transitions) transitions += n > 0 ? 1 : 0;
  int rows_hit = 0;
  int rows_total = 0;
  std::vector<std::string> machines;
  for (size_t m = 0; m < MachineTables().size() && m < c.machine_rows.size(); ++m) {
    int hit = 0;
    for (int64_t n : c.machine_rows[m]) hit += n > 0 ? 1 : 0;
    rows_hit += hit;
    rows_total += static_cast<int>(c.machine_rows[m].size());
    machines.push_back(
        absl::StrCat(MachineTables()[m].name, " ", hit, "/", c.machine_rows[m].size()));
  }
  return absl::StrCat(
      "coverage: faults injected: ", faults.empty() ? "none" : absl::StrJoin(faults, ", "), "\n",
      "coverage: ", step_kinds, " step kinds; ", events.size(), " event types: ",
      absl::StrJoin(events, ", "), "\n", "coverage: ", transitions,
      " distinct event-to-event transitions in histories\n", "coverage: state-machine rows taken: ",
      rows_hit, " of ", rows_total, " (", absl::StrJoin(machines, ", "), ")\n");
}

}  // namespace

double CampaignSummary::seeds_per_second() const {
  const double s = absl::ToDoubleSeconds(wall);
  return s > 0 ? static_cast<double>(seeds_run) / s : 0;
}

double CampaignSummary::speedup() const {
  const double s = absl::ToDoubleSeconds(wall);
  return s > 0 ? absl::ToDoubleSeconds(virtual_time) / s : 0;
}

absl::Status WriteSeedArtifacts(const Simulation& simulation, const SeedResult& recorded,
                                const std::string& reproduce, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create the output directory ", dir, ": ", ec.message()));
  }
  auto write = [&](const std::string& name, const std::string& bytes) -> absl::Status {
    const std::string path = (fs::path(dir) / name).string();
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    file.close();
    if (!file) return absl::DataLossError(absl::StrCat("cannot write ", path));
    return absl::OkStatus();
  };
  std::string report = absl::StrCat("workload: ", simulation.workload().name, "\n",
                                    "seed: ", recorded.seed, "\n", "faults: ",
                                    recorded.fault_plan, "\n", "reproduce: ", reproduce, "\n",
                                    "fingerprint: ", absl::StrFormat("%016x", recorded.fingerprint),
                                    "\n\n");
  for (const Finding& f : recorded.findings) {
    absl::StrAppend(&report, f.checker, f.invariant.empty() ? "" : absl::StrCat(" '", f.invariant, "'"),
                    f.workflow_id.empty() ? "" : absl::StrCat(" [", f.workflow_id, "]"), ":\n",
                    f.message, "\n\n");
  }
  if (absl::Status s = write("report.txt", report); !s.ok()) return s;
  for (const RecordedHistory& h : recorded.histories) {
    const std::string base = absl::StrCat("history-", h.workflow_id, "-", h.run_id);
    // Deterministic serialization (map entries sorted): the same seed writes the same bytes.
    if (absl::Status s = write(base + ".binpb", history::SerializeHistoryBinary(h.history));
        !s.ok()) {
      return s;
    }
    if (absl::Status s = write(base + ".json", history::HistoryToJson(h.history)); !s.ok()) {
      return s;
    }
  }
  if (!recorded.trace_json.empty()) {
    if (absl::Status s = write("trace.json", recorded.trace_json); !s.ok()) return s;
  }
  if (recorded.schedule.has_value()) {
    if (absl::Status s = write("schedule.txtpb", ScheduleToText(*recorded.schedule)); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<CampaignSummary> RunCampaign(const Simulation& simulation,
                                            const CampaignOptions& options, std::ostream& out) {
  const int shards = std::max(1, options.shard_count);
  const int shard = std::clamp(options.shard_index, 0, shards - 1);
  int64_t count = 0;
  if (options.seed.has_value()) {
    count = 1;
  } else if (options.seeds > shard) {
    count = (options.seeds - shard + shards - 1) / shards;
  }
  auto seed_at = [&](int64_t k) -> uint64_t {
    if (options.seed.has_value()) return *options.seed;
    return options.first_seed + static_cast<uint64_t>(shard) +
           static_cast<uint64_t>(k) * static_cast<uint64_t>(shards);
  };
  out << Header(simulation, options, count);
  if (options.seed.has_value()) {
    // One seed: its options come first, before anything it does.
    Random random(*options.seed);
    out << "seed " << *options.seed << ": faults "
        << FaultPlan::Swarm(simulation.faults(), random.stream(Stream::kSwarm)).ToString() << "\n";
  }
  out.flush();

  CampaignSummary summary;
  std::mutex mu;
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
  std::atomic<int> failed{0};
  absl::Status write_error;
  const absl::Time wall_start = WallNow();
  auto worker = [&] {
    Coverage coverage;
    int64_t steps = 0;
    absl::Duration virtual_time = absl::ZeroDuration();
    int64_t ran = 0;
    while (true) {
      if (options.max_failures > 0 && failed.load() >= options.max_failures) break;
      const int64_t k = next.fetch_add(1);
      if (k >= count) break;
      SeedResult r = simulation.Run(seed_at(k), options.record_all);
      if (options.record_all && !options.out_dir.empty()) {
        absl::Status written =
            WriteSeedArtifacts(simulation, r, simulation.ReproduceCommand(options.program, r.seed),
                               SeedDir(simulation, options, r.seed));
        if (!written.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          if (write_error.ok()) write_error = written;
        }
        r.histories.clear();
        r.trace_json.clear();
      }
      ++ran;
      steps += r.steps;
      virtual_time += r.virtual_time;
      coverage.Merge(r.coverage);
      if (r.failed()) failed.fetch_add(1);
      if (r.failed() || options.verbose) {
        std::lock_guard<std::mutex> lock(mu);
        if (options.verbose && !r.failed()) out << SeedLine(r);
        if (r.failed()) {
          out << FailureReport(simulation, r, options.program);
          out.flush();
          r.coverage = Coverage();
          summary.failures.push_back(std::move(r));
        }
      }
      done.fetch_add(1);
    }
    std::lock_guard<std::mutex> lock(mu);
    summary.seeds_run += ran;
    summary.steps += steps;
    summary.virtual_time += virtual_time;
    summary.coverage.Merge(coverage);
  };

  const int jobs = std::max(1, std::min<int>(options.jobs, static_cast<int>(std::max<int64_t>(count, 1))));
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs; ++j) threads.emplace_back(worker);
  if (options.progress == nullptr) {
    worker();
  } else {
    // The calling thread runs seeds too, and reports progress between them.
    std::thread reporter;
    // Guarded by `mu`; the reporter waits on `wake` between lines, so that the campaign's end
    // wakes it at once instead of waiting out the interval (up to 0.2 s on every run).
    bool finished = false;
    std::condition_variable wake;
    reporter = std::thread([&] {
      int64_t last_line = -1;
      // Under the output lock: the progress stream may be tied to `out` (std::cerr is tied
      // to std::cout), so writing to it flushes `out`, which a seed's line may be writing.
      std::unique_lock<std::mutex> lock(mu);
      while (!finished) {
        const int64_t d = done.load();
        const double secs = absl::ToDoubleSeconds(WallNow() - wall_start);
        const double rate = secs > 0 ? static_cast<double>(d) / secs : 0;
        if (options.progress_is_terminal) {
          const int width = 30;
          const int filled = count > 0 ? static_cast<int>(d * width / count) : width;
          *options.progress << "\r[" << std::string(filled, '=') << std::string(width - filled, ' ')
                            << "] " << d << "/" << count << " seeds, " << failed.load()
                            << " failed, " << static_cast<int64_t>(rate) << " seeds/s" << std::flush;
        } else if (count >= 10 && d * 10 / count != last_line) {
          last_line = d * 10 / count;
          *options.progress << "progress: " << d << "/" << count << " seeds, " << failed.load()
                            << " failed\n" << std::flush;
        }
        wake.wait_for(lock, std::chrono::milliseconds(200), [&] { return finished; });
      }
      if (options.progress_is_terminal) *options.progress << "\n" << std::flush;
    });
    worker();
    for (std::thread& t : threads) t.join();
    threads.clear();
    summary.wall = WallNow() - wall_start;
    {
      std::lock_guard<std::mutex> lock(mu);
      finished = true;
    }
    wake.notify_one();
    reporter.join();
  }
  for (std::thread& t : threads) t.join();
  if (summary.wall == absl::ZeroDuration()) summary.wall = WallNow() - wall_start;
  if (!write_error.ok()) return write_error;
  std::sort(summary.failures.begin(), summary.failures.end(),
            [](const SeedResult& a, const SeedResult& b) { return a.seed < b.seed; });

  // Re-run failing seeds with recording on: the rerun must fail the same way (same
  // fingerprint), and its histories and timeline are what a person looks at.
  constexpr size_t kWritten = 3;
  for (size_t i = 0; i < summary.failures.size() && i < kWritten; ++i) {
    const SeedResult& first = summary.failures[i];
    SeedResult again = simulation.Run(first.seed, {.record = true, .record_schedule = true});
    const std::string reproduce = simulation.ReproduceCommand(options.program, first.seed);
    if (again.fingerprint != first.fingerprint || again.findings.size() != first.findings.size()) {
      out << "seed " << first.seed
          << ": WARNING: rerunning it did not reproduce the same run (fingerprint "
          << absl::StrFormat("%016x", first.fingerprint) << " then "
          << absl::StrFormat("%016x", again.fingerprint)
          << "): something outside the seed reaches the run (wall time, global state, "
             "threads); try --check-determinism\n";
    }
    if (!options.out_dir.empty()) {
      const std::string dir = SeedDir(simulation, options, first.seed);
      absl::Status written = WriteSeedArtifacts(simulation, again, reproduce, dir);
      if (!written.ok()) return written;
      out << "seed " << first.seed << ": report, histories (binary and JSON), timeline "
          << "(trace.json, for Perfetto or chrome://tracing) and schedule (schedule.txtpb, for "
          << "--schedule) written to " << dir << "/\n";
    }
  }

  out << absl::StrFormat(
      "summary: %d seeds run, %d failed, %.0f seeds/s, virtual/wall speedup %.3g (%s virtual in "
      "%s wall), %d steps\n",
      summary.seeds_run, summary.failures.size(), summary.seeds_per_second(), summary.speedup(),
      absl::FormatDuration(summary.virtual_time), absl::FormatDuration(summary.wall),
      summary.steps);
  if (!summary.failures.empty()) {
    std::vector<std::string> seeds;
    for (const SeedResult& r : summary.failures) seeds.push_back(absl::StrCat(r.seed));
    out << "failing seeds: " << absl::StrJoin(seeds, " ") << "\n";
    out << "reproduce the first: "
        << simulation.ReproduceCommand(options.program, summary.failures.front().seed) << "\n";
  }
  out << CoverageReport(summary.coverage);
  out.flush();
  return summary;
}

}  // namespace lockstep::sim
