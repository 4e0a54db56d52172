// Activity mocks for TestEnvironment: what an activity answers in a test, in place of (or
// without) a registered implementation.
//
//   env.OnActivity(kChargeCard)                       // ActivityDef<std::string(std::string, int64_t)>
//       .Fail(ApplicationFailure("gateway down", "Unavailable")).Times(2)
//       .Return("ch_1")
//       .Latency(absl::Seconds(3));
//
// Contract:
//   - A mock is a sequence of answers indexed by attempt number: each Return / Fail / Call
//     appends an answer for one attempt (Times(n) makes it n attempts), and the last answer
//     also answers every later attempt. Every execution of the activity (each
//     ActivityTaskScheduled, each local activity) starts again at attempt 1, so the sequence
//     applies to each call the workflow makes.
//   - Answers reach remote and local activities alike: the environment applies them at the
//     activity execution seam (engine/core/activity_execution.h), so the service's retry
//     policy, timeouts and history are exactly those of a real attempt that answered so.
//   - Fail(f) fails the attempt with f's Failure, as if the activity had thrown f. Call(fn)
//     runs fn as the activity itself would run (same exception-to-failure mapping).
//   - Latency(d): every attempt takes d of virtual time (zero by default). An attempt whose
//     latency exceeds its start-to-close timeout times out, as a slow activity would.
//   - A mock replaces the registered activity of the same name for every attempt from the
//     moment it is set, and needs no registration of its own.
#ifndef LOCKSTEP_TESTING_ACTIVITY_MOCK_H_
#define LOCKSTEP_TESTING_ACTIVITY_MOCK_H_

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "engine/core/activity_execution.h"
#include "engine/payload/payload.h"
#include "engine/workflow/activity.h"
#include "engine/workflow/definitions.h"
#include "engine/workflow/failure.h"
#include "engine/workflow/registry.h"

namespace lockstep::testing {

class ActivityMock {
 public:
  explicit ActivityMock(std::string activity_type) : type_(std::move(activity_type)) {}
  ActivityMock(const ActivityMock&) = delete;
  ActivityMock& operator=(const ActivityMock&) = delete;

  // The attempt returns `value`, encoded as one payload (no arguments: an empty result).
  template <typename... T>
  ActivityMock& Return(const T&... value) {
    static_assert(sizeof...(T) <= 1, "ActivityMock::Return takes at most one value");
    return ReturnPayloads(ToPayloads(value...));
  }
  ActivityMock& ReturnPayloads(Payloads result);
  // The attempt fails with `failure` (usually an ApplicationFailure; its type and
  // non_retryable reach the retry policy).
  ActivityMock& Fail(const WorkflowFailure& failure);
  // The attempt runs `fn`: R(ActivityContext&, Args...), as RegisterActivity takes.
  template <typename F>
  ActivityMock& Call(F fn) {
    using Sig = internal::Signature<std::decay_t<F>>;
    return CallRaw(internal::WrapActivity<std::decay_t<F>, typename Sig::Result>(
        std::move(fn), static_cast<typename Sig::Args*>(nullptr)));
  }
  ActivityMock& CallRaw(ActivityFunction fn);
  // The last answer added answers `attempts` attempts (>= 1) before the next one takes over.
  // Throws std::logic_error when no answer precedes it or `attempts` < 1 (a test's mistake).
  ActivityMock& Times(int attempts);
  ActivityMock& Latency(absl::Duration latency);

  const std::string& activity_type() const { return type_; }
  // The answer to `task`'s attempt.
  ActivityAttempt Answer(const ActivityTask& task) const;

 private:
  struct Reply {
    enum class Kind { kReturn, kFail, kCall };
    Kind kind = Kind::kReturn;
    Payloads result;
    temporal::api::failure::v1::Failure failure;
    ActivityFunction fn;
    int attempts = 1;
  };

  std::string type_;
  std::vector<Reply> replies_;
  absl::Duration latency_ = absl::ZeroDuration();
};

// The same mock, checked against an ActivityDef: Return takes an R, Call a function of the
// definition's arguments (with or without the ActivityContext first).
template <typename Signature>
class TypedActivityMock;

template <typename R, typename... Args>
class TypedActivityMock<R(Args...)> {
 public:
  explicit TypedActivityMock(ActivityMock* mock) : mock_(mock) {}

  // A template so that a void R forms no `const R&` until Return(value) is called.
  template <typename T = R>
    requires(!std::is_void_v<T>)
  TypedActivityMock& Return(const std::type_identity_t<T>& value) {
    mock_->Return(value);
    return *this;
  }
  TypedActivityMock& Return() requires std::is_void_v<R> {
    mock_->Return();
    return *this;
  }
  TypedActivityMock& Fail(const WorkflowFailure& failure) {
    mock_->Fail(failure);
    return *this;
  }
  template <typename F>
  TypedActivityMock& Call(F fn) {
    if constexpr (std::is_invocable_v<const F&, ActivityContext&, const Args&...>) {
      static_assert(std::is_convertible_v<std::invoke_result_t<const F&, ActivityContext&, const Args&...>,
                                          R> || std::is_void_v<R>,
                    "OnActivity(def).Call: the function must return the ActivityDef's result");
      mock_->Call([fn = std::move(fn)](ActivityContext& ctx, Args... args) -> R {
        return fn(ctx, args...);
      });
    } else {
      static_assert(std::is_invocable_v<const F&, const Args&...>,
                    "OnActivity(def).Call: the function must take the ActivityDef's arguments, "
                    "optionally after an ActivityContext&");
      static_assert(std::is_convertible_v<std::invoke_result_t<const F&, const Args&...>, R> ||
                        std::is_void_v<R>,
                    "OnActivity(def).Call: the function must return the ActivityDef's result");
      mock_->Call([fn = std::move(fn)](ActivityContext&, Args... args) -> R {
        return fn(args...);
      });
    }
    return *this;
  }
  TypedActivityMock& Times(int attempts) {
    mock_->Times(attempts);
    return *this;
  }
  TypedActivityMock& Latency(absl::Duration latency) {
    mock_->Latency(latency);
    return *this;
  }

 private:
  ActivityMock* mock_;
};

}  // namespace lockstep::testing

#endif  // LOCKSTEP_TESTING_ACTIVITY_MOCK_H_
