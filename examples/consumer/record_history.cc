// Records one history of the shipment workflow for the replay test:
//
//   record_history testdata/shipment.json
//
// The scenario: three parcels packed by two signals, the courier booked, the pickup an hour
// later, the delivery reported a day after that. It runs on Lockstep's in-process service in
// virtual time (the clock starts at 2024-01-01T00:00:00Z), so a second recording gives the
// same bytes while the workflow's code stays the same. Re-record after a change that is meant
// to change the workflow's commands; the replay test then guards the new history.
#include <iostream>
#include <string>

#include "absl/time/time.h"
#include "engine/core/clock.h"
#include "engine/history/history_file.h"
#include "engine/payload/payload.h"
#include "engine/service/service.h"
#include "engine/service/virtual_time.h"
#include "engine/workflow/registry.h"
#include "engine/workflow/worker.h"
#include "shipment_workflow.h"

namespace {

constexpr char kId[] = "shipment-recorded";

bool Signal(lockstep::Service& service, const std::string& name,
            const lockstep::Payloads& input) {
  lockstep::SignalWorkflowRequest request;
  request.workflow_id = kId;
  request.signal_name = name;
  request.input = input;
  if (auto status = service.SignalWorkflow(request); !status.ok()) {
    std::cerr << "record_history: signal " << name << ": " << status << "\n";
    return false;
  }
  service.RunUntilIdle();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: record_history OUT.json\n";
    return 2;
  }
  lockstep::Registry registry;
  if (!shipping::RegisterShipmentWorkflow(&registry).ok() ||
      !shipping::RegisterCourierActivity(&registry).ok()) {
    std::cerr << "record_history: registration failed\n";
    return 1;
  }
  lockstep::ManualClock clock;
  lockstep::Worker worker(&registry);
  lockstep::Service service(&clock, &worker, &worker);

  lockstep::StartWorkflowRequest start;
  start.workflow_id = kId;
  start.workflow_type = shipping::kShipmentWorkflow;
  start.task_queue = "shipping";
  start.input = lockstep::ToPayloads(shipping::Shipment{.id = "s1", .parcels = 3});
  if (auto started = service.StartWorkflow(start); !started.ok()) {
    std::cerr << "record_history: " << started.status() << "\n";
    return 1;
  }
  service.RunUntilIdle();
  if (!Signal(service, shipping::kPackedSignal, lockstep::ToPayloads(int64_t{2})) ||
      !Signal(service, shipping::kPackedSignal, lockstep::ToPayloads(int64_t{1}))) {
    return 1;
  }
  lockstep::AdvanceToNextDeadline(service, clock);  // the pickup timer fires
  clock.Advance(absl::Hours(24));
  if (!Signal(service, shipping::kDeliveredSignal, lockstep::ToPayloads(std::string("Ada")))) {
    return 1;
  }

  auto history = service.GetHistory(kId, "");
  if (!history.ok()) {
    std::cerr << "record_history: " << history.status() << "\n";
    return 1;
  }
  if (auto status = lockstep::history::SaveHistoryFile(argv[1], **history,
                                                       lockstep::history::HistoryFormat::kJson);
      !status.ok()) {
    std::cerr << "record_history: " << status << "\n";
    return 1;
  }
  std::cout << "wrote " << (*history)->events_size() << " events to " << argv[1] << "\n";
  return 0;
}
