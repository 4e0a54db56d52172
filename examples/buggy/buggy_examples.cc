#include "examples/buggy/buggy_examples.h"

#include "examples/buggy/charge.h"
#include "examples/buggy/child_signal.h"
#include "examples/buggy/continue_as_new.h"
#include "examples/buggy/eviction.h"
#include "examples/buggy/timer_race.h"

namespace lockstep::examples {

std::vector<sim::Workload> BuggyExampleWorkloads() {
  std::vector<sim::Workload> workloads;
  workloads.push_back(buggy::ChildSignalBuggyWorkload());
  workloads.push_back(buggy::ChildSignalWorkload());
  workloads.push_back(buggy::ChargeBuggyWorkload());
  workloads.push_back(buggy::ChargeWorkload());
  workloads.push_back(buggy::EvictionBuggyWorkload());
  workloads.push_back(buggy::EvictionWorkload());
  workloads.push_back(buggy::ContinueAsNewBuggyWorkload());
  workloads.push_back(buggy::ContinueAsNewWorkload());
  workloads.push_back(buggy::TimerRaceBuggyWorkload());
  workloads.push_back(buggy::TimerRaceWorkload());
  return workloads;
}

absl::Status RegisterBuggyExamples(Registry* registry) {
  for (auto* register_example :
       {&buggy::RegisterChildSignal, &buggy::RegisterCharge, &buggy::RegisterEviction,
        &buggy::RegisterContinueAsNew, &buggy::RegisterTimerRace}) {
    if (absl::Status s = register_example(registry); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace lockstep::examples
