#include "tools/lockstep/builtin_registry.h"

#include <cstdio>
#include <cstdlib>

#include "examples/counter/counter_workflow.h"
#include "examples/fanout/fanout_workflow.h"
#include "examples/order/order_workflow.h"

namespace lockstep::cli {

const Registry& BuiltinRegistry() {
  static const Registry* registry = [] {
    auto* r = new Registry();
    for (const absl::Status& s :
         {examples::RegisterCounter(r), examples::RegisterOrder(r), examples::RegisterFanout(r)}) {
      if (!s.ok()) {
        std::fprintf(stderr, "lockstep: built-in registry: %s\n", std::string(s.message()).c_str());
        std::abort();
      }
    }
    return r;
  }();
  return *registry;
}

}  // namespace lockstep::cli
