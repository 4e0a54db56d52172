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

ClientCall& Plan::Add(ClientCall::Kind kind, absl::Duration at, std::string workflow_id,
                      std::string name, Payloads input) {
  ClientCall call;
  call.kind = kind;
  call.at = at;
  call.workflow_id = std::move(workflow_id);
  call.name = std::move(name);
  call.input = std::move(input);
  calls_.push_back(std::move(call));
  return calls_.back();
}

ClientCall& Plan::AddStart(ClientCall::Kind kind, absl::Duration at, std::string type,
                           testing::StartWorkflowOptions options, std::string signal,
                           Payloads input) {
  ++starts_;
  if (options.id.empty()) options.id = absl::StrCat(type, "-", starts_);
  ClientCall& call = Add(kind, at, options.id, std::move(signal), std::move(input));
  call.workflow_type = std::move(type);
  call.options = std::move(options);
  return call;
}

std::string Plan::StartRaw(absl::Duration at, std::string type,
                           testing::StartWorkflowOptions options, Payloads input) {
  return AddStart(ClientCall::Kind::kStart, at, std::move(type), std::move(options), "",
                  std::move(input))
      .workflow_id;
}

void Plan::SignalRaw(absl::Duration at, std::string workflow_id, std::string signal,
                     Payloads input) {
  Add(ClientCall::Kind::kSignal, at, std::move(workflow_id), std::move(signal), std::move(input));
}

void Plan::SignalWithStartRaw(absl::Duration at, std::string type,
                              testing::StartWorkflowOptions options, std::string signal,
                              Payloads signal_input, Payloads start_input) {
  AddStart(ClientCall::Kind::kSignalWithStart, at, std::move(type), std::move(options),
           std::move(signal), std::move(signal_input))
      .start_input = std::move(start_input);
}

void Plan::QueryRaw(absl::Duration at, std::string workflow_id, std::string query, Payloads args) {
  Add(ClientCall::Kind::kQuery, at, std::move(workflow_id), std::move(query), std::move(args));
}

void Plan::UpdateRaw(absl::Duration at, std::string workflow_id, std::string update,
                     Payloads args) {
  Add(ClientCall::Kind::kUpdate, at, std::move(workflow_id), std::move(update), std::move(args));
}

void Plan::Cancel(absl::Duration at, std::string workflow_id) {
  Add(ClientCall::Kind::kCancel, at, std::move(workflow_id), "", Payloads());
}

const WorkflowResult* RunView::Find(absl::string_view workflow_id) const {
  for (const WorkflowResult& w : workflows_) {
    if (w.workflow_id == workflow_id) return &w;
  }
  return nullptr;
}

}  // namespace lockstep::sim
