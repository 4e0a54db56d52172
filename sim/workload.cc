#include "sim/workload.h"

#include <utility>

namespace lockstep::sim {

absl::string_view ClientCallKindName(ClientCall::Kind kind) {
  switch (kind) {
    case ClientCall::Kind::kStart:
      return "start";
    case ClientCall::Kind::kSignal:
      return "signal";
    case ClientCall::Kind::kSignalWithStart:
      return "signal-with-start";
    case ClientCall::Kind::kQuery:
      return "query";
    case ClientCall::Kind::kUpdate:
      return "update";
    case ClientCall::Kind::kCancel:
      return "cancel";
  }
  return "?";
}

std::string Plan::StartRaw(absl::Duration at, std::string type,
                           testing::StartWorkflowOptions options, Payloads input) {
  ++starts_;
  if (options.id.empty()) options.id = absl::StrCat(type, "-", starts_);
  ClientCall call;
  call.kind = ClientCall::Kind::kStart;
  call.at = at;
  call.workflow_id = options.id;
  call.workflow_type = std::move(type);
  call.options = std::move(options);
  call.input = std::move(input);
  calls_.push_back(std::move(call));
  return calls_.back().workflow_id;
}

void Plan::SignalRaw(absl::Duration at, std::string workflow_id, std::string signal,
                     Payloads input) {
  ClientCall call;
  call.kind = ClientCall::Kind::kSignal;
  call.at = at;
  call.workflow_id = std::move(workflow_id);
  call.name = std::move(signal);
  call.input = std::move(input);
  calls_.push_back(std::move(call));
}

void Plan::SignalWithStartRaw(absl::Duration at, std::string type,
                              testing::StartWorkflowOptions options, std::string signal,
                              Payloads signal_input, Payloads start_input) {
  ++starts_;
  if (options.id.empty()) options.id = absl::StrCat(type, "-", starts_);
  ClientCall call;
  call.kind = ClientCall::Kind::kSignalWithStart;
  call.at = at;
  call.workflow_id = options.id;
  call.workflow_type = std::move(type);
  call.options = std::move(options);
  call.name = std::move(signal);
  call.input = std::move(signal_input);
  call.start_input = std::move(start_input);
  calls_.push_back(std::move(call));
}

void Plan::QueryRaw(absl::Duration at, std::string workflow_id, std::string query, Payloads args) {
  ClientCall call;
  call.kind = ClientCall::Kind::kQuery;
  call.at = at;
  call.workflow_id = std::move(workflow_id);
  call.name = std::move(query);
  call.input = std::move(args);
  calls_.push_back(std::move(call));
}

void Plan::UpdateRaw(absl::Duration at, std::string workflow_id, std::string update,
                     Payloads args) {
  ClientCall call;
  call.kind = ClientCall::Kind::kUpdate;
  call.at = at;
  call.workflow_id = std::move(workflow_id);
  call.name = std::move(update);
  call.input = std::move(args);
  calls_.push_back(std::move(call));
}

void Plan::Cancel(absl::Duration at, std::string workflow_id) {
  ClientCall call;
  call.kind = ClientCall::Kind::kCancel;
  call.at = at;
  call.workflow_id = std::move(workflow_id);
  calls_.push_back(std::move(call));
}

const WorkflowResult* RunView::Find(absl::string_view workflow_id) const {
  for (const WorkflowResult& w : workflows_) {
    if (w.workflow_id == workflow_id) return &w;
  }
  return nullptr;
}

}  // namespace lockstep::sim
