// RunError: why a WorkflowRun could not process the history it was given, as a value whose
// kind callers switch on; RunResult<T>: a T or a RunError, what the run's entry points return.
//
// The kinds, and who decides what each means to them:
//   kNondeterminism       the code's commands disagree with the history (`nondeterminism`
//                         says how). The worker fails the task as NON_DETERMINISTIC_ERROR;
//                         the replayer reports it as nondeterministic.
//   kCorruptHistory       the events contradict themselves or the run: out of order, an event
//                         that refers to no operation of the run, a transition its machine
//                         does not allow.
//   kUnsupportedFeature   an event of a feature this engine does not run (Nexus operations).
//   kWorkflowCodeThrew    replaying a task the history shows completed, workflow code threw
//                         (not a WorkflowFailure). In the live task the same throw is not a
//                         RunError: it fails the task (ActivationResult::task_failed) and the
//                         service retries it, as Temporal does.
//   kUnknownWorkflowType  the workflow type is not registered with this worker.
// The worker fails the task as WORKFLOW_WORKER_UNHANDLED_FAILURE for every kind but
// kNondeterminism; the replayer reports them as errors (the history cannot be replayed here).
//
// RunResult<T> holds either a value or an error, never both; ok() says which. It is deliberately
// small: implicit construction from either side (`return value;`, `return error;`),
// accessors whose preconditions are ok() or !ok(), and status() to drop the value. RunStatus
// (RunResult<void>) costs one null pointer on the success path, so that the run can return
// it for every event it applies. A std::variant rather than absl::StatusOr, because the error
// is a typed value, not a code and a message; not std::expected, which is C++23.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_RUN_ERROR_H_
#define LOCKSTEP_ENGINE_WORKFLOW_RUN_ERROR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/util/source_location.h"

namespace lockstep {

// What differed between the code and the history, for reports.
struct Nondeterminism {
  // kResultMismatch: the same commands, but the workflow returned a different result from
  // the recorded one (reported separately: Temporal does not treat it as nondeterminism).
  // kCodeThrew: replaying a task the history recorded as completed, the code threw (the
  // replayer's reading of RunError::Kind::kWorkflowCodeThrew: the code no longer does what it
  // did when the history was recorded).
  enum class Kind { kMissing, kExtra, kMismatch, kResultMismatch, kCodeThrew };
  Kind kind = Kind::kMismatch;
  int64_t event_id = 0;    // the history event concerned (0 for an extra command at the end)
  std::string event_type;  // its type, short name
  std::string expected;    // what the history recorded
  std::string actual;      // what the code did
  // The workflow statement that issued the command; for a missing command, the last
  // statement that issued one before it (where the code was when the history expected more).
  SourceLocation where;
  std::string message;  // one line with all of the above
  // Why, when the engine can tell more than the kind says: the recorded event is a marker
  // it reads nothing from, or the history's SDK behaved in a way replay does not reproduce
  // (sdk_flags.h). Empty: the kind's usual causes apply.
  std::string cause;
};

struct RunError {
  enum class Kind {
    kNondeterminism,
    kCorruptHistory,
    kUnsupportedFeature,
    kWorkflowCodeThrew,
    kUnknownWorkflowType,
  };
  Kind kind = Kind::kCorruptHistory;
  // One line for people, naming the workflow or the event; the text the worker puts in the
  // task failure and the replayer in its report.
  std::string message;
  // The history event where the run stopped: the event concerned (for nondeterminism, the
  // same as nondeterminism->event_id, 0 for an extra command at the end of the history), or
  // the WorkflowTaskStarted of the task whose code threw or could not start.
  int64_t event_id = 0;
  // Set exactly when kind is kNondeterminism.
  std::optional<Nondeterminism> nondeterminism;
  // kWorkflowCodeThrew: what threw ("the workflow function", `signal handler "approve"`, ...)
  // and the exception's text.
  std::string thrower;
  std::string exception;

  // An error of any kind but kNondeterminism (which carries its Nondeterminism).
  static RunError Of(Kind kind, std::string message, int64_t event_id = 0) {
    RunError error;
    error.kind = kind;
    error.message = std::move(message);
    error.event_id = event_id;
    return error;
  }
};

// "nondeterminism", "corrupt-history", "unsupported-feature", "workflow-code-threw",
// "unknown-workflow-type".
absl::string_view RunErrorKindName(RunError::Kind kind);

// For APIs that promise an absl::Status (Worker::HandleQuery): the error's message, with a
// code by kind (FailedPrecondition, InvalidArgument, Unimplemented, Internal, NotFound). The
// code is for those APIs' callers; code inside the engine reads `kind`, never the code.
absl::Status ToStatus(const RunError& error);

template <typename T>
class [[nodiscard]] RunResult {
 public:
  RunResult(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  // Anything a T is made from, such as an ActivationResult for a std::optional of one.
  // (clang-format 14 mangles requires clauses.)
  // clang-format off
  template <typename U>
    requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::decay_t<U>, RunError> &&
             !std::is_same_v<std::decay_t<U>, T> && !std::is_same_v<std::decay_t<U>, RunResult>)
  RunResult(U&& value)  // NOLINT: implicit
      : state_(std::in_place_index<0>, std::forward<U>(value)) {}
  // clang-format on
  RunResult(RunError error)  // NOLINT: implicit
      : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }

  // Require ok().
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // Require !ok().
  const RunError& error() const& { return std::get<1>(state_); }
  RunError&& error() && { return std::get<1>(std::move(state_)); }

  // Whether it failed and how, without the value (for callers that need only that).
  RunResult<void> status() &&;

 private:
  std::variant<T, RunError> state_;
};

template <>
class [[nodiscard]] RunResult<void> {
 public:
  // Success.
  RunResult() = default;
  RunResult(RunError error)  // NOLINT: implicit
      : error_(std::make_unique<RunError>(std::move(error))) {}

  bool ok() const { return error_ == nullptr; }

  // Require !ok().
  const RunError& error() const& { return *error_; }
  RunError&& error() && { return std::move(*error_); }

 private:
  std::unique_ptr<RunError> error_;  // null on success
};

using RunStatus = RunResult<void>;

template <typename T>
RunStatus RunResult<T>::status() && {
  if (ok()) return {};
  return std::get<1>(std::move(state_));
}

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_RUN_ERROR_H_
