// Runs one attempt of a registered activity and reports it as an ActivityOutcome. This is the
// one place where what an activity returns or throws becomes a result or a Failure, for the
// worker's activity tasks (remote activities) and for local activities alike.
//
// Contract:
//   - Never throws, whatever the activity throws.
//   - Returns: kCompleted with the encoded result.
//   - Throws a WorkflowFailure (ApplicationFailure, ...): kFailed with its failure, source
//     "Lockstep" when it has none; its type and non_retryable reach the retry rules unchanged.
//   - Throws any other std::exception: kFailed, a retryable ApplicationFailure of type
//     "CppException" whose message is what().
//   - Throws anything else (`throw 42;`, a type not derived from std::exception): kFailed, a
//     retryable ApplicationFailure of type "UnknownException" (such a value carries no message).
//   - Type not registered: kFailed, type "ActivityNotRegistered". For a local activity it is
//     non-retryable (no other worker could run it); for a remote one it is retryable, as
//     another worker polling the queue might have it.
//   - heartbeated and heartbeat_details say what the attempt recorded through its context;
//     the activity sees task.heartbeat_details as the previous attempt's.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_ACTIVITY_RUNNER_H_
#define LOCKSTEP_ENGINE_WORKFLOW_ACTIVITY_RUNNER_H_

#include "engine/core/task_handlers.h"
#include "engine/workflow/registry.h"

namespace lockstep {

// Error types of the failures RunActivity makes itself.
inline constexpr char kCppExceptionType[] = "CppException";
inline constexpr char kUnknownExceptionType[] = "UnknownException";
inline constexpr char kActivityNotRegisteredType[] = "ActivityNotRegistered";

ActivityOutcome RunActivity(const Registry& registry, const ActivityTask& task);

// Runs `fn` as one attempt of `task`, with the same mapping (for implementations that are not
// in a registry, such as a test's activity mocks).
ActivityOutcome RunActivityFunction(const ActivityFunction& fn, const ActivityTask& task);

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_ACTIVITY_RUNNER_H_
