// Property testing with rapidcheck: schedules as generated, shrinkable data.
//
// A seed finds a bug; a minimal schedule explains it. `CheckSchedules` draws a schedule case
// (the schedule a seed takes, the seed drawn by rapidcheck so that RC_PARAMS="seed=S" decides
// it), runs it with every checker, and fails the property when the run fails. rapidcheck then
// shrinks the schedule (shrink.h: fewer calls and faults, earlier calls, shorter latencies,
// simpler payloads) to the smallest one that still fails, and prints it:
//
//   RC_GTEST_PROP(ChargeTest, NeverChargesTwice, ()) {
//     static const Workload workload = MyChargeWorkload();
//     static const Simulation simulation(&workload);
//     const SeedResult run = lockstep::sim::CheckSchedules(simulation);
//     RC_ASSERT(run.virtual_time < absl::Hours(48));  // properties of your own, if any
//   }
//
// The same failure: a shrunk schedule counts as failing only if one of its findings comes from
// a checker (and invariant) that failed in the schedule the case started from. Otherwise
// shrinking slips from the bug to whatever failure is smallest (dropping the signal a workflow
// waits for makes it never close); the message of the original failure is kept to the end.
// A case that passed when generated fails only through the caller's own assertions.
//
// Valid schedules: a workload's plan makes calls that pass every checker when no fault is
// injected. When the generated case's calls pass on their own (shrink.h, WithoutFaults), a
// shrunk schedule counts as failing only if its calls still do: removing the signal a workflow
// waits for, or shrinking an input to one the workflow cannot take, makes a schedule the
// workload could never meet, and its failure says nothing about the bug.
//
// On failure the message holds the findings, the schedule as a timeline, and a command that
// reruns it (`lockstep sim --workflow W --schedule FILE`, or PropertyOptions::program); the
// schedule, report, histories and timeline are written to
// `<out_dir>/<workload>-schedule/` (rewritten at each smaller failure, so the minimal one is
// what stays). rapidcheck prints its own reproduce string (RC_PARAMS="reproduce=...").
//
// Shrinking is deterministic: the same rapidcheck seed gives the same minimal schedule.
// `simulation` must outlive the property (a static in the property's body is the usual way).
#ifndef LOCKSTEP_SIM_PROPERTY_H_
#define LOCKSTEP_SIM_PROPERTY_H_

#include <ostream>
#include <string>
#include <vector>

#include "rapidcheck.h"
#include "sim/decisions.h"
#include "sim/simulation.h"

namespace lockstep::sim {

struct ScheduleCase {
  Schedule schedule;
  // "checker" or "checker 'invariant'" of each finding of the run the case was generated from
  // (empty: it passed).
  std::vector<std::string> failure;
  // Whether the generated case's calls pass without its faults; then its shrinks must too.
  bool calls_pass_alone = false;
};

// rapidcheck prints a counterexample with this: the schedule's timeline.
void showValue(const ScheduleCase& c, std::ostream& os);

// The schedule a rapidcheck-drawn seed takes, shrinking as ScheduleShrinker does.
rc::Gen<ScheduleCase> GenScheduleCase(const Simulation& simulation);

// Smaller schedules, most drastic first (shrink.h), as rapidcheck wants them.
rc::Seq<Schedule> ShrinkSchedule(const Schedule& schedule);

struct PropertyOptions {
  // Where a failing schedule and its histories go; empty: $TEST_UNDECLARED_OUTPUTS_DIR under
  // Bazel, else $TMPDIR (or /tmp), in "lockstep-property/". Properties of one workload that
  // run at the same time (ctest -j) need directories of their own.
  std::string out_dir = {};
  // What the rerun command starts with.
  std::string program = "lockstep sim";
};

// Draws a case, runs it and fails the property (RC_FAIL) when it fails the same way as the
// case did; returns the run for properties of the caller's own. Call it inside a rapidcheck
// property.
SeedResult CheckSchedules(const Simulation& simulation, const PropertyOptions& options = {});

// The same, for a case the caller drew.
SeedResult CheckScheduleCase(const Simulation& simulation, const ScheduleCase& schedule_case,
                             const PropertyOptions& options = {});

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_PROPERTY_H_
