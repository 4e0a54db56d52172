#include "tools/lockstep/builtin_workloads.h"

#include "examples/buggy/buggy_examples.h"
#include "examples/order/order_simulation.h"

namespace lockstep::cli {

const std::vector<sim::Workload>& BuiltinWorkloads() {
  static const std::vector<sim::Workload>* workloads = [] {
    auto* all = new std::vector<sim::Workload>();
    all->push_back(examples::OrderWorkload());
    for (sim::Workload& w : examples::BuggyExampleWorkloads()) all->push_back(std::move(w));
    return all;
  }();
  return *workloads;
}

}  // namespace lockstep::cli
