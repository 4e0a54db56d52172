// What an activity implementation sees: its identity, its attempt, heartbeats, cancellation.
//
// Activities are ordinary C++ callables, `R Fn(ActivityContext&, Args...)`. They may do
// anything (they are not replayed); returning gives the result, throwing ApplicationFailure
// fails the attempt with that type and retryability, any other std::exception fails it as a
// retryable failure whose type is "CppException", and anything else thrown as one whose type
// is "UnknownException" (activity_runner.h).
#ifndef LOCKSTEP_ENGINE_WORKFLOW_ACTIVITY_H_
#define LOCKSTEP_ENGINE_WORKFLOW_ACTIVITY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "engine/payload/payload.h"

namespace lockstep {

struct ActivityInfo {
  std::string workflow_id;
  std::string run_id;
  std::string workflow_type;
  std::string activity_id;
  std::string activity_type;
  std::string task_queue;
  int32_t attempt = 1;
};

class ActivityContext {
 public:
  ActivityContext(ActivityInfo info, Payloads last_heartbeat_details)
      : info_(std::move(info)), last_heartbeat_details_(std::move(last_heartbeat_details)) {}

  const ActivityInfo& info() const { return info_; }
  int32_t attempt() const { return info_.attempt; }

  // Records progress; the details reach the next attempt if this one fails or times out.
  // Where a live heartbeat goes (ActivityTask::heartbeat), the service answering whether
  // cancellation was requested; without one, only the outcome carries the last heartbeat.
  template <typename... Args>
  void Heartbeat(const Args&... details) {
    heartbeat_details_ = ToPayloads(details...);
    heartbeated_ = true;
    if (heartbeat_sink_ && heartbeat_sink_(heartbeat_details_)) cancel_requested_ = true;
  }
  // Details of the previous attempt's last heartbeat (empty on the first attempt).
  const Payloads& last_heartbeat_details() const { return last_heartbeat_details_; }

  bool cancel_requested() const { return cancel_requested_; }

  // For the worker.
  bool heartbeated() const { return heartbeated_; }
  const Payloads& heartbeat_details() const { return heartbeat_details_; }
  void set_cancel_requested() { cancel_requested_ = true; }
  void set_heartbeat_sink(std::function<bool(const Payloads&)> sink) {
    heartbeat_sink_ = std::move(sink);
  }

 private:
  ActivityInfo info_;
  Payloads last_heartbeat_details_;
  Payloads heartbeat_details_;
  bool heartbeated_ = false;
  bool cancel_requested_ = false;
  std::function<bool(const Payloads&)> heartbeat_sink_;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_ACTIVITY_H_
