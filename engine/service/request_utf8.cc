#include "engine/service/request_utf8.h"

#include <initializer_list>
#include <utility>

#include "engine/history/utf8_fields.h"

namespace lockstep::service {
namespace {

using history::CheckUtf8;

absl::Status FirstError(std::initializer_list<absl::Status> checks) {
  for (const absl::Status& s : checks) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckRequestUtf8(const StartWorkflowRequest& r) {
  absl::Status s = FirstError({
      CheckUtf8("WorkflowId", r.workflow_id),
      CheckUtf8("WorkflowType", r.workflow_type),
      CheckUtf8("TaskQueue", r.task_queue),
      CheckUtf8("RequestId", r.request_id),
      CheckUtf8("Identity", r.identity),
      CheckUtf8("Input", r.input),
      CheckUtf8("Header", r.header),
  });
  if (!s.ok()) return s;
  if (r.retry_policy.has_value()) {
    if (s = CheckUtf8("RetryPolicy", *r.retry_policy); !s.ok()) return s;
  }
  if (r.memo.has_value()) {
    if (s = CheckUtf8("Memo", *r.memo); !s.ok()) return s;
  }
  if (r.search_attributes.has_value()) {
    if (s = CheckUtf8("SearchAttributes", *r.search_attributes); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status CheckRequestUtf8(const SignalWorkflowRequest& r) {
  return FirstError({
      CheckUtf8("SignalName", r.signal_name),
      CheckUtf8("RequestId", r.request_id),
      CheckUtf8("Identity", r.identity),
      CheckUtf8("Input", r.input),
      CheckUtf8("Header", r.header),
  });
}

absl::Status CheckRequestUtf8(const SignalWithStartRequest& r) {
  return FirstError({
      CheckRequestUtf8(r.start),
      CheckUtf8("SignalName", r.signal_name),
      CheckUtf8("SignalInput", r.signal_input),
      CheckUtf8("SignalHeader", r.signal_header),
  });
}

absl::Status CheckRequestUtf8(const CancelWorkflowRequest& r) {
  return FirstError({
      CheckUtf8("Reason", r.reason),
      CheckUtf8("RequestId", r.request_id),
      CheckUtf8("Identity", r.identity),
  });
}

absl::Status CheckRequestUtf8(const TerminateWorkflowRequest& r) {
  return FirstError({
      CheckUtf8("Reason", r.reason),
      CheckUtf8("Details", r.details),
      CheckUtf8("Identity", r.identity),
  });
}

absl::Status CheckRequestUtf8(const UpdateWorkflowRequest& r) {
  return FirstError({
      CheckUtf8("UpdateId", r.update_id),
      CheckUtf8("Name", r.name),
      CheckUtf8("Args", r.args),
      CheckUtf8("Header", r.header),
      CheckUtf8("Identity", r.identity),
  });
}

}  // namespace lockstep::service
