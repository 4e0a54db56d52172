#include "testing/activity_mock.h"

#include <stdexcept>
#include <utility>

#include "engine/workflow/activity_runner.h"

namespace lockstep::testing {

ActivityMock& ActivityMock::ReturnPayloads(Payloads result) {
  Reply reply;
  reply.kind = Reply::Kind::kReturn;
  reply.result = std::move(result);
  replies_.push_back(std::move(reply));
  return *this;
}

ActivityMock& ActivityMock::Fail(const WorkflowFailure& failure) {
  Reply reply;
  reply.kind = Reply::Kind::kFail;
  reply.failure = failure.failure();
  // What RunActivity records for a WorkflowFailure thrown by an activity.
  if (reply.failure.source().empty()) reply.failure.set_source("Lockstep");
  replies_.push_back(std::move(reply));
  return *this;
}

ActivityMock& ActivityMock::CallRaw(ActivityFunction fn) {
  Reply reply;
  reply.kind = Reply::Kind::kCall;
  reply.fn = std::move(fn);
  replies_.push_back(std::move(reply));
  return *this;
}

ActivityMock& ActivityMock::Times(int attempts) {
  if (replies_.empty()) {
    throw std::logic_error("ActivityMock(" + type_ + ")::Times: add Return, Fail or Call first");
  }
  if (attempts < 1) {
    throw std::logic_error("ActivityMock(" + type_ + ")::Times: attempts must be at least 1");
  }
  replies_.back().attempts = attempts;
  return *this;
}

ActivityMock& ActivityMock::Latency(absl::Duration latency) {
  latency_ = latency;
  return *this;
}

ActivityAttempt ActivityMock::Answer(const ActivityTask& task) const {
  ActivityAttempt attempt;
  attempt.timing.latency = latency_;
  if (replies_.empty()) {
    // A mock with no answer yet answers like a registered activity returning nothing.
    attempt.outcome.kind = ActivityOutcome::Kind::kCompleted;
    return attempt;
  }
  // The reply covering this attempt number; the last one covers every later attempt.
  const Reply* reply = &replies_.back();
  int64_t first = 1;
  for (const Reply& r : replies_) {
    if (task.attempt < first + r.attempts) {
      reply = &r;
      break;
    }
    first += r.attempts;
  }
  switch (reply->kind) {
    case Reply::Kind::kReturn:
      attempt.outcome.kind = ActivityOutcome::Kind::kCompleted;
      attempt.outcome.result = reply->result;
      break;
    case Reply::Kind::kFail:
      attempt.outcome.kind = ActivityOutcome::Kind::kFailed;
      attempt.outcome.failure = reply->failure;
      break;
    case Reply::Kind::kCall:
      attempt.outcome = RunActivityFunction(reply->fn, task);
      break;
  }
  return attempt;
}

}  // namespace lockstep::testing
