// A program of the parent project: compiled (not run) to show that Lockstep's headers, its
// generated protobuf headers and C++20 reach a target that links Lockstep::engine.
#include <string>

#include "engine/service/service.h"
#include "engine/workflow/registry.h"
#include "replay/replayer.h"
#include "temporal/api/history/v1/message.pb.h"

namespace {

lockstep::Task<std::string> Hello(lockstep::WorkflowContext&, std::string name) {
  co_return "Hello, " + name;
}

}  // namespace

int main() {
  lockstep::Registry registry;
  return registry.RegisterWorkflow("hello", &Hello).ok() ? 0 : 1;
}
