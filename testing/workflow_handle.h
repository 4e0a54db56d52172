// A workflow started in a TestEnvironment, as a Temporal client's handle sees it: signal it,
// query it, update it, cancel or terminate it, wait for its result, read its history.
//
// Contract:
//   - The handle names a workflow id and the run it started (or signaled); Signal, Query,
//     Update, Cancel and Terminate address the id's current run, Result follows the chain
//     of runs (continue-as-new, retries) to its end, as Temporal's GetResult does.
//   - Calls that wait (Result, Update) run the environment: with time skipping on they move
//     virtual time from deadline to deadline until what they wait for happens; with it off
//     they run only what is due now. They fail with FailedPrecondition, never hang, when what
//     they wait for cannot happen (nothing pending), and may not be made from a delayed
//     callback (they would run the environment from inside itself).
//   - Query first runs what is due now (as Temporal answers a query after the pending
//     workflow task), then asks the workflow's query handler on a fresh replay of the history.
//   - Results and arguments travel through the payload codec (engine/payload); a result that
//     does not decode as R is InvalidArgument. Workflow and update failures are statuses
//     described in workflow_status.h.
//   - A handle is a small value; it stays valid as long as its TestEnvironment.
#ifndef LOCKSTEP_TESTING_WORKFLOW_HANDLE_H_
#define LOCKSTEP_TESTING_WORKFLOW_HANDLE_H_

#include <string>
#include "absl/strings/string_view.h"
#include <tuple>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/payload/payload.h"
#include "engine/service/service_types.h"
#include "engine/workflow/definitions.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::testing {

class TestEnvironment;

// absl::Status for void, absl::StatusOr<R> otherwise.
template <typename R>
using StatusOrValue = std::conditional_t<std::is_void_v<R>, absl::Status, absl::StatusOr<R>>;

// Decodes the one payload of `raw` as R (R = Payloads: as is; void: only the status).
template <typename R>
StatusOrValue<R> DecodeResult(absl::StatusOr<Payloads> raw, absl::string_view what) {
  if constexpr (std::is_void_v<R>) {
    return raw.status();
  } else if constexpr (std::is_same_v<R, Payloads>) {
    return raw;
  } else {
    if (!raw.ok()) return raw.status();
    auto value = FromPayloads<R>(*raw);
    if (!value.ok()) {
      return absl::InvalidArgumentError(
          std::string(what) + " does not decode as the requested type: " +
          std::string(value.status().message()));
    }
    return std::get<0>(*std::move(value));
  }
}

class WorkflowHandle {
 public:
  WorkflowHandle() = default;

  const std::string& workflow_id() const { return workflow_id_; }
  // The run this handle started or signaled.
  const std::string& run_id() const { return run_id_; }
  const std::string& workflow_type() const { return workflow_type_; }

  template <typename... Args>
  absl::Status Signal(absl::string_view name, const Args&... args) const {
    return SignalRaw(std::string(name), ToPayloads(args...));
  }
  template <typename... Declared, typename... Args>
  absl::Status Signal(const SignalDef<void(Declared...)>& signal, const Args&... args) const {
    static_assert(kArgumentsMatch<std::tuple<Declared...>, Args...>,
                  "WorkflowHandle::Signal: the arguments do not match the SignalDef's signature");
    return SignalRaw(signal.name_string(), ToPayloads(static_cast<const Declared&>(args)...));
  }

  // Signals the workflow, starting it again (same type, input and options as this handle's
  // start) if no run of its id is open. The handle then names the run signaled.
  template <typename... Args>
  absl::Status SignalWithStart(absl::string_view name, const Args&... args) {
    return SignalWithStartRaw(std::string(name), ToPayloads(args...));
  }
  template <typename... Declared, typename... Args>
  absl::Status SignalWithStart(const SignalDef<void(Declared...)>& signal, const Args&... args) {
    static_assert(kArgumentsMatch<std::tuple<Declared...>, Args...>,
                  "WorkflowHandle::SignalWithStart: the arguments do not match the SignalDef's "
                  "signature");
    return SignalWithStartRaw(signal.name_string(),
                              ToPayloads(static_cast<const Declared&>(args)...));
  }

  template <typename R, typename... Args>
  absl::StatusOr<R> Query(absl::string_view name, const Args&... args) const {
    return DecodeResult<R>(QueryRaw(std::string(name), ToPayloads(args...)), "the query answer");
  }
  template <typename R, typename... Declared, typename... Args>
  absl::StatusOr<R> Query(const QueryDef<R(Declared...)>& query, const Args&... args) const {
    static_assert(kArgumentsMatch<std::tuple<Declared...>, Args...>,
                  "WorkflowHandle::Query: the arguments do not match the QueryDef's signature");
    return DecodeResult<R>(
        QueryRaw(query.name_string(), ToPayloads(static_cast<const Declared&>(args)...)),
        "the query answer");
  }

  // Sends an update and waits for its outcome.
  template <typename R = Payloads, typename... Args>
  StatusOrValue<R> Update(absl::string_view name, const Args&... args) const {
    return DecodeResult<R>(UpdateRaw(std::string(name), ToPayloads(args...)),
                           "the update result");
  }
  template <typename R, typename... Declared, typename... Args>
  StatusOrValue<R> Update(const UpdateDef<R(Declared...)>& update, const Args&... args) const {
    static_assert(kArgumentsMatch<std::tuple<Declared...>, Args...>,
                  "WorkflowHandle::Update: the arguments do not match the UpdateDef's signature");
    return DecodeResult<R>(
        UpdateRaw(update.name_string(), ToPayloads(static_cast<const Declared&>(args)...)),
        "the update result");
  }

  absl::Status Cancel(std::string reason = "") const;
  absl::Status Terminate(std::string reason = "") const;

  // Waits until the chain of runs closes; its result as R, or how it failed.
  template <typename R = Payloads>
  StatusOrValue<R> Result() const {
    return DecodeResult<R>(ResultRaw(), "the workflow result");
  }

  // The history of the id's latest run (empty if the id is unknown). Valid as long as the
  // environment; it grows as the run goes on.
  const temporal::api::history::v1::History& History() const;
  absl::StatusOr<WorkflowDescription> Describe() const;
  // Whether the id's latest run has closed (without continuing as new).
  bool IsClosed() const;

  // The raw forms behind the templates.
  absl::Status SignalRaw(std::string name, Payloads args) const;
  absl::Status SignalWithStartRaw(std::string name, Payloads args);
  absl::StatusOr<Payloads> QueryRaw(std::string name, Payloads args) const;
  absl::StatusOr<Payloads> UpdateRaw(std::string name, Payloads args) const;
  absl::StatusOr<Payloads> ResultRaw() const;

 private:
  friend class TestEnvironment;

  TestEnvironment* env_ = nullptr;
  std::string workflow_id_;
  std::string run_id_;
  std::string workflow_type_;
  // The start request, reused by SignalWithStart.
  StartWorkflowRequest start_;
};

}  // namespace lockstep::testing

#endif  // LOCKSTEP_TESTING_WORKFLOW_HANDLE_H_
