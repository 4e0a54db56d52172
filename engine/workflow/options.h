// Options of the operations workflow code starts.
//
// These structs are trivially destructible on purpose, which is why they hold string views
// and fixed arrays: g++ 12 destroys a brace-initialized temporary in a co_await expression
// twice (`co_await ctx.ExecuteActivity("x", {.start_to_close_timeout = ...})`), which is
// harmless only for such types (docs/engine.md, "Temporaries in co_await expressions"). The
// views need to live only until the call returns: the engine copies everything into the
// command at once.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_OPTIONS_H_
#define LOCKSTEP_ENGINE_WORKFLOW_OPTIONS_H_

#include <array>
#include <cstdint>
#include <type_traits>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "temporal/api/enums/v1/workflow.pb.h"

namespace lockstep {

// Temporal's retry policy. Zero values mean "the service default" (initial interval 1s,
// coefficient 2, maximum interval 100 x initial, unlimited attempts).
struct RetryPolicy {
  absl::Duration initial_interval = absl::ZeroDuration();
  double backoff_coefficient = 0;
  absl::Duration maximum_interval = absl::ZeroDuration();
  int32_t maximum_attempts = 0;
  // Failure types that are not retried; empty entries are ignored.
  std::array<absl::string_view, 8> non_retryable_error_types = {};
};

// What canceling an activity does (Temporal's ActivityCancellationType).
enum class ActivityCancellationType {
  // Ask the service to cancel it and end the Future with a CanceledFailure at once.
  kTryCancel,
  // Ask the service and wait: the Future ends with the activity's closing event (canceled,
  // or completed/failed if it finished first).
  kWaitCancellationCompleted,
  // Issue nothing: the Future ends at once and the activity runs on unobserved.
  kAbandon,
};

// At least one of start_to_close_timeout and schedule_to_close_timeout must be set, as in
// Temporal; zero means "not set". Every member has an initializer so that designated
// initializers may name any subset.
struct ActivityOptions {
  absl::string_view task_queue = {};   // empty: the workflow's task queue
  absl::string_view activity_id = {};  // empty: the next number in this run ("1", "2", ...)
  absl::Duration schedule_to_close_timeout = absl::ZeroDuration();
  absl::Duration schedule_to_start_timeout = absl::ZeroDuration();
  absl::Duration start_to_close_timeout = absl::ZeroDuration();
  absl::Duration heartbeat_timeout = absl::ZeroDuration();
  bool has_retry_policy = false;  // false: the service's default policy
  RetryPolicy retry_policy = {};
  ActivityCancellationType cancellation_type = ActivityCancellationType::kTryCancel;
};

static_assert(std::is_trivially_destructible_v<ActivityOptions>);

// Options of a local activity (run by the worker inside the workflow task, its outcome
// recorded as a marker). Retries happen inside the worker by Temporal's rules (retry_policy.h),
// counting attempt latencies and backoffs against schedule_to_close_timeout, and at most
// kMaxLocalActivityAttempts attempts are made (local_activity_runner.h); workflow time does
// not move while they run.
struct LocalActivityOptions {
  absl::Duration schedule_to_close_timeout = absl::ZeroDuration();
  absl::Duration start_to_close_timeout = absl::ZeroDuration();
  bool has_retry_policy = false;
  RetryPolicy retry_policy = {};
};

static_assert(std::is_trivially_destructible_v<LocalActivityOptions>);

inline constexpr int kMaxLocalActivityAttempts = 100;

// What canceling a child workflow does (Temporal's ChildWorkflowCancellationType).
enum class ChildWorkflowCancellationType {
  // Request the child's cancellation and wait until it has ended (the Future then gives how:
  // a CanceledFailure inside a ChildWorkflowFailure, or its result if it finished first).
  kWaitCancellationCompleted,
  // Request cancellation and end the Future once the request reached the child.
  kWaitCancellationRequested,
  // Request cancellation and end the Future at once.
  kTryCancel,
  // Request nothing: the Future ends at once, the child runs on.
  kAbandon,
};

// Options of a child workflow; zero / empty: Temporal's defaults.
struct ChildWorkflowOptions {
  // Empty: "<parent run id>_<n>" for the n-th child of the run, unique across runs.
  absl::string_view workflow_id = {};
  absl::string_view task_queue = {};  // empty: the parent's
  absl::Duration execution_timeout = absl::ZeroDuration();
  absl::Duration run_timeout = absl::ZeroDuration();
  absl::Duration task_timeout = absl::ZeroDuration();
  temporal::api::enums::v1::WorkflowIdReusePolicy id_reuse_policy =
      temporal::api::enums::v1::WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED;
  // Unspecified is TERMINATE, as in Temporal.
  temporal::api::enums::v1::ParentClosePolicy parent_close_policy =
      temporal::api::enums::v1::PARENT_CLOSE_POLICY_UNSPECIFIED;
  bool has_retry_policy = false;
  RetryPolicy retry_policy = {};
  ChildWorkflowCancellationType cancellation_type =
      ChildWorkflowCancellationType::kWaitCancellationCompleted;
};

static_assert(std::is_trivially_destructible_v<ChildWorkflowOptions>);

// Options of continue-as-new; empty / zero: the same as the current run.
struct ContinueAsNewOptions {
  absl::string_view workflow_type = {};
  absl::string_view task_queue = {};
  absl::Duration run_timeout = absl::ZeroDuration();
  absl::Duration task_timeout = absl::ZeroDuration();
};

static_assert(std::is_trivially_destructible_v<ContinueAsNewOptions>);

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_OPTIONS_H_
