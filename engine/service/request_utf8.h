// UTF-8 checks of client requests: every string a request carries into a history must be valid
// UTF-8 (engine/history/utf8_fields.h says why), else the call is InvalidArgument naming the
// field, as Temporal's frontend refuses such a request. Strings that only look a run up
// (workflow and run ids of a signal, cancel or terminate) need no check: they find nothing.
#ifndef LOCKSTEP_ENGINE_SERVICE_REQUEST_UTF8_H_
#define LOCKSTEP_ENGINE_SERVICE_REQUEST_UTF8_H_

#include "absl/status/status.h"
#include "engine/service/service_types.h"

namespace lockstep::service {

absl::Status CheckRequestUtf8(const StartWorkflowRequest& request);
absl::Status CheckRequestUtf8(const SignalWorkflowRequest& request);
absl::Status CheckRequestUtf8(const SignalWithStartRequest& request);
absl::Status CheckRequestUtf8(const CancelWorkflowRequest& request);
absl::Status CheckRequestUtf8(const TerminateWorkflowRequest& request);
absl::Status CheckRequestUtf8(const UpdateWorkflowRequest& request);

}  // namespace lockstep::service

#endif  // LOCKSTEP_ENGINE_SERVICE_REQUEST_UTF8_H_
