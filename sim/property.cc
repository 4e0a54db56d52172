#include "sim/property.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sim/campaign.h"
#include "sim/schedule.h"
#include "sim/shrink.h"

namespace lockstep::sim {
namespace {

std::string OutDir(const PropertyOptions& options) {
  if (!options.out_dir.empty()) return options.out_dir;
  for (const char* var : {"TEST_UNDECLARED_OUTPUTS_DIR", "TMPDIR"}) {
    const char* dir = std::getenv(var);
    if (dir != nullptr && *dir != '\0')
      return (std::filesystem::path(dir) / "lockstep-property").string();
  }
  return "/tmp/lockstep-property";
}

}  // namespace

void showValue(const ScheduleCase& c, std::ostream& os) {
  os << ScheduleTimeline(c.schedule);
  if (!c.failure.empty()) {
    os << "(generated failing: ";
    for (size_t i = 0; i < c.failure.size(); ++i) os << (i > 0 ? ", " : "") << c.failure[i];
    os << ")";
  }
}

rc::Seq<Schedule> ShrinkSchedule(const Schedule& schedule) {
  auto shrinker = std::make_shared<const ScheduleShrinker>(schedule);
  return rc::seq::map(rc::seq::range<size_t>(0, shrinker->size()),
                      [shrinker](size_t i) { return shrinker->Candidate(i); });
}

rc::Gen<ScheduleCase> GenScheduleCase(const Simulation& simulation) {
  const Simulation* sim = &simulation;
  return rc::Gen<ScheduleCase>([sim](const rc::Random& random, int size) {
    (void)size;
    rc::Random r = random;
    const uint64_t seed = r.next();
    SeedResult run = sim->Run(seed, {.record = false, .record_schedule = true});
    ScheduleCase c{std::move(*run.schedule), FailureSignatures(run), false};
    if (!c.failure.empty() && !sim->workload().valid_calls) {
      c.calls_pass_alone = CallsPassAlone(*sim, c.schedule);
    }
    return rc::shrinkable::shrinkRecur(std::move(c), [](const ScheduleCase& from) {
      return rc::seq::map(ShrinkSchedule(from.schedule),
                          [failure = from.failure, alone = from.calls_pass_alone](Schedule s) {
                            return ScheduleCase{std::move(s), failure, alone};
                          });
    });
  });
}

SeedResult CheckScheduleCase(const Simulation& simulation, const ScheduleCase& schedule_case,
                             const PropertyOptions& options) {
  absl::StatusOr<SeedResult> run =
      simulation.RunSchedule(schedule_case.schedule, {.record = false, .record_schedule = false});
  if (!run.ok()) RC_FAIL(absl::StrCat("the schedule did not run: ", run.status().ToString()));
  if (schedule_case.failure.empty() || !FailsTheSameWay(*run, schedule_case.failure)) {
    return std::move(*run);
  }
  // A shrunk schedule the workload could not meet: not a counterexample.
  if (!WorkloadCouldMeet(simulation, schedule_case.schedule, schedule_case.calls_pass_alone)) {
    return std::move(*run);
  }
  // Failing: record it (histories, timeline) and write it out; each smaller failure
  // overwrites the last, so the minimal schedule is what stays.
  absl::StatusOr<SeedResult> recorded =
      simulation.RunSchedule(schedule_case.schedule, {.record = true, .record_schedule = false});
  const std::string dir = (std::filesystem::path(OutDir(options)) /
                           absl::StrCat(simulation.workload().name, "-schedule"))
                              .string();
  const std::string schedule_path = (std::filesystem::path(dir) / "schedule.txtpb").string();
  const std::string rerun = absl::StrCat(options.program, " --workflow ",
                                         simulation.workload().name, " --schedule ", schedule_path);
  std::string written;
  if (recorded.ok()) {
    recorded->schedule = schedule_case.schedule;  // as shown, not as the run re-recorded it
    absl::Status s = WriteSeedArtifacts(simulation, *recorded, rerun, dir);
    written = s.ok()
                  ? absl::StrCat("schedule, report, histories and timeline written to ", dir, "/")
                  : absl::StrCat("writing the failure out failed: ", s.ToString());
  }
  std::string message = absl::StrCat(simulation.workload().name, ": the schedule fails (",
                                     run->findings.size(), " findings):\n");
  for (const Finding& f : run->findings) absl::StrAppend(&message, "  ", f.OneLine(), "\n");
  absl::StrAppend(&message, ScheduleTimeline(schedule_case.schedule), "rerun it: ", rerun, "\n",
                  written);
  RC_FAIL(message);
  return std::move(*run);  // not reached: RC_FAIL throws
}

SeedResult CheckSchedules(const Simulation& simulation, const PropertyOptions& options) {
  const ScheduleCase schedule_case = *GenScheduleCase(simulation);
  return CheckScheduleCase(simulation, schedule_case, options);
}

}  // namespace lockstep::sim
