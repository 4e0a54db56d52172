#include "tools/lockstep/builtin_workloads.h"

#include "examples/order/order_simulation.h"

namespace lockstep::cli {

const std::vector<sim::Workload>& BuiltinWorkloads() {
  static const std::vector<sim::Workload>* workloads = [] {
    auto* all = new std::vector<sim::Workload>();
    all->push_back(examples::OrderWorkload());
    return all;
  }();
  return *workloads;
}

}  // namespace lockstep::cli
