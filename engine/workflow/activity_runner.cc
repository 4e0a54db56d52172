#include "engine/workflow/activity_runner.h"

#include <exception>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/payload/utf8.h"
#include "engine/workflow/activity.h"
#include "engine/workflow/failure.h"

namespace lockstep {
namespace {

constexpr char kSource[] = "Lockstep";

ActivityOutcome Failed(std::string message, const char* type, bool non_retryable) {
  ActivityOutcome outcome;
  outcome.kind = ActivityOutcome::Kind::kFailed;
  outcome.failure.set_message(std::move(message));
  outcome.failure.set_source(kSource);
  auto* info = outcome.failure.mutable_application_failure_info();
  info->set_type(type);
  if (non_retryable) info->set_non_retryable(true);
  return outcome;
}

}  // namespace

ActivityOutcome RunActivity(const Registry& registry, const ActivityTask& task) {
  const ActivityFunction* fn = registry.FindActivity(task.activity_type);
  if (fn == nullptr) {
    return Failed(absl::StrCat("activity type \"", task.activity_type,
                               "\" is not registered with this worker"),
                  kActivityNotRegisteredType, /*non_retryable=*/task.local);
  }
  return RunActivityFunction(*fn, task);
}

ActivityOutcome RunActivityFunction(const ActivityFunction& fn, const ActivityTask& task) {
  ActivityContext ctx({task.workflow_id, task.run_id, task.workflow_type, task.activity_id,
                       task.activity_type, task.task_queue, task.attempt},
                      task.heartbeat_details);
  if (task.heartbeat) ctx.set_heartbeat_sink(task.heartbeat);
  ActivityOutcome outcome;
  try {
    outcome.result = fn(ctx, task.input);
    outcome.kind = ActivityOutcome::Kind::kCompleted;
  } catch (const WorkflowFailure& failure) {
    outcome.kind = ActivityOutcome::Kind::kFailed;
    outcome.failure = failure.failure();
    if (outcome.failure.source().empty()) outcome.failure.set_source(kSource);
  } catch (const std::exception& e) {
    outcome = Failed(payload_internal::ToValidUtf8(e.what()), kCppExceptionType,
                     /*non_retryable=*/false);
  } catch (...) {
    // Whatever was thrown cannot be inspected; the attempt fails like any other error, and
    // nothing escapes into the worker or the service.
    outcome = Failed(absl::StrCat("activity ", task.activity_type,
                                  " threw a value that is not a std::exception"),
                     kUnknownExceptionType, /*non_retryable=*/false);
  }
  outcome.heartbeated = ctx.heartbeated();
  outcome.heartbeat_details = ctx.heartbeat_details();
  return outcome;
}

}  // namespace lockstep
