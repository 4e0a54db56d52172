// GoogleTest matchers for TestEnvironment results and histories.
//
//   EXPECT_THAT(env.ExecuteWorkflow(kOrder, {}, order), IsOkAndHolds("ch_1"));
//   EXPECT_THAT(handle.Result<std::string>(), WorkflowFailedWithType("CardDeclined"));
//   EXPECT_THAT(handle.Result(), WorkflowCanceled());
//   EXPECT_THAT(handle.History(), HasEventTypes(Contains("TimerFired")));
//   EXPECT_THAT(handle.History(), HasEventTypes(ElementsAre("WorkflowExecutionStarted", ...)));
//
// Every status matcher takes an absl::Status or an absl::StatusOr<T>. Workflow outcomes are
// the statuses workflow_status.h describes; event types are the short names of
// engine/history/event_types.h ("TimerFired" for EVENT_TYPE_TIMER_FIRED).
#ifndef LOCKSTEP_TESTING_MATCHERS_H_
#define LOCKSTEP_TESTING_MATCHERS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/history/event_types.h"
#include "gmock/gmock.h"
#include "temporal/api/history/v1/message.pb.h"
#include "testing/workflow_status.h"

namespace lockstep::testing {

namespace matchers_internal {

inline const absl::Status& StatusOf(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

inline bool ClosedAs(const absl::Status& status,
                     temporal::api::enums::v1::WorkflowExecutionStatus close,
                     ::testing::MatchResultListener* listener) {
  const auto actual = CloseStatusOf(status);
  if (actual == close) return true;
  *listener << "the status is " << status;
  return false;
}

}  // namespace matchers_internal

// The short names of `history`'s event types, in order.
inline std::vector<std::string> EventTypes(const temporal::api::history::v1::History& history) {
  std::vector<std::string> types;
  types.reserve(history.events_size());
  for (const auto& event : history.events()) {
    types.push_back(history::EventTypeShortName(event.event_type()));
  }
  return types;
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = matchers_internal::StatusOf(arg);
  if (!status.ok()) *result_listener << "the status is " << status;
  return status.ok();
}

MATCHER_P(IsOkAndHolds, value_matcher,
          std::string(negation ? "is not OK or holds a value that does not match "
                               : "is OK and holds a value matching ") +
              ::testing::PrintToString(value_matcher)) {
  if (!arg.ok()) {
    *result_listener << "the status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

MATCHER_P(StatusIs, code, "has status code " + absl::StatusCodeToString(code)) {
  const absl::Status& status = matchers_internal::StatusOf(arg);
  if (status.code() == code) return true;
  *result_listener << "the status is " << status;
  return false;
}

// The workflow failed (WorkflowExecutionFailed) with a failure that is, or is caused by, an
// ApplicationFailure of type `type`.
MATCHER_P(WorkflowFailedWithType, type,
          std::string("is a workflow failure of application error type \"") + type + "\"") {
  const absl::Status& status = matchers_internal::StatusOf(arg);
  if (!matchers_internal::ClosedAs(status, temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_FAILED,
                                   result_listener)) {
    return false;
  }
  const auto failure = FailureOf(status);
  if (failure.has_value() && HasApplicationFailureType(*failure, type)) return true;
  *result_listener << "the failure is " << (failure ? failure->ShortDebugString() : "missing");
  return false;
}

MATCHER(WorkflowFailed, "is a workflow failure") {
  return matchers_internal::ClosedAs(matchers_internal::StatusOf(arg),
                                     temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_FAILED,
                                     result_listener);
}
MATCHER(WorkflowCanceled, "is a canceled workflow") {
  return matchers_internal::ClosedAs(matchers_internal::StatusOf(arg),
                                     temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_CANCELED,
                                     result_listener);
}
MATCHER(WorkflowTerminated, "is a terminated workflow") {
  return matchers_internal::ClosedAs(
      matchers_internal::StatusOf(arg),
      temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_TERMINATED, result_listener);
}
MATCHER(WorkflowTimedOut, "is a timed-out workflow") {
  return matchers_internal::ClosedAs(
      matchers_internal::StatusOf(arg),
      temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_TIMED_OUT, result_listener);
}

// An update that failed or was rejected with an ApplicationFailure of type `type` (or caused
// by one).
MATCHER_P(UpdateFailedWithType, type,
          std::string("is an update failure of application error type \"") + type + "\"") {
  const absl::Status& status = matchers_internal::StatusOf(arg);
  const auto failure = FailureOf(status);
  if (!status.ok() && failure.has_value() && HasApplicationFailureType(*failure, type)) {
    return true;
  }
  *result_listener << "the status is " << status;
  return false;
}

// A history whose event type names (EventTypes) match `types_matcher`.
MATCHER_P(HasEventTypes, types_matcher,
          "has event types that " +
              ::testing::DescribeMatcher<std::vector<std::string>>(types_matcher, negation)) {
  return ::testing::ExplainMatchResult(types_matcher, EventTypes(arg), result_listener);
}

}  // namespace lockstep::testing

#endif  // LOCKSTEP_TESTING_MATCHERS_H_
