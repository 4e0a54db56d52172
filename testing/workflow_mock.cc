#include "testing/workflow_mock.h"

#include <utility>

namespace lockstep::testing {

WorkflowMock& WorkflowMock::ReturnPayloads(Payloads result) {
  answer_ = [result = std::move(result)](const Payloads&) { return result; };
  return *this;
}

WorkflowMock& WorkflowMock::Fail(const WorkflowFailure& failure) {
  answer_ = [failure = failure.failure()](const Payloads&) -> Payloads {
    throw WorkflowFailure(failure);
  };
  return *this;
}

WorkflowMock& WorkflowMock::CallRaw(RawFunction fn) {
  answer_ = std::move(fn);
  return *this;
}

WorkflowMock& WorkflowMock::Delay(absl::Duration delay) {
  delay_ = delay;
  return *this;
}

Task<Payloads> WorkflowMock::Run(WorkflowContext& ctx, Payloads input) const {
  if (delay_ > absl::ZeroDuration()) co_await ctx.Sleep(delay_);
  if (!answer_) co_return Payloads();
  co_return answer_(input);
}

}  // namespace lockstep::testing
