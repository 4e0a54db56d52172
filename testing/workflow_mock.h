// Child workflow mocks for TestEnvironment: what a child workflow of a given type answers in a
// test, so a parent is tested without its children's code.
//
//   env.OnWorkflow(kShipOrder).Return("shipped").Delay(absl::Hours(2));
//
// Contract:
//   - A mock applies only to runs started as a child of another workflow (a run with a
//     parent); a run started by the test itself runs the registered workflow.
//   - The mocked child is a real child run: its start, its history (a timer for Delay, then
//     its close) and its close report to the parent are those of a workflow that behaved so.
//   - Return(v): completes with v. Fail(f): fails with f's Failure (the parent sees a
//     ChildWorkflowFailure caused by it). Call(fn): fn(Args...) -> R on the decoded input; what
//     it throws fails the child as a workflow's own code would. The last of these set wins.
//   - Mocks are set before the first workflow starts (TestEnvironment::OnWorkflow says why).
#ifndef LOCKSTEP_TESTING_WORKFLOW_MOCK_H_
#define LOCKSTEP_TESTING_WORKFLOW_MOCK_H_

#include <functional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "absl/time/time.h"
#include "engine/payload/payload.h"
#include "engine/workflow/context.h"
#include "engine/workflow/definitions.h"
#include "engine/workflow/failure.h"
#include "engine/workflow/registry.h"
#include "engine/workflow/task.h"

namespace lockstep::testing {

class WorkflowMock {
 public:
  // Computes the child's result from its input; may throw as workflow code may.
  using RawFunction = std::function<Payloads(const Payloads&)>;

  explicit WorkflowMock(std::string workflow_type) : type_(std::move(workflow_type)) {}
  WorkflowMock(const WorkflowMock&) = delete;
  WorkflowMock& operator=(const WorkflowMock&) = delete;

  template <typename... T>
  WorkflowMock& Return(const T&... value) {
    static_assert(sizeof...(T) <= 1, "WorkflowMock::Return takes at most one value");
    return ReturnPayloads(ToPayloads(value...));
  }
  WorkflowMock& ReturnPayloads(Payloads result);
  WorkflowMock& Fail(const WorkflowFailure& failure);
  // `fn`: R(Args...), a function pointer or non-generic lambda of the child's arguments.
  template <typename F>
  WorkflowMock& Call(F fn) {
    using Sig = internal::Signature<std::decay_t<F>>;
    return CallRaw(Wrap<typename Sig::Result>(std::move(fn), static_cast<typename Sig::Args*>(nullptr)));
  }
  WorkflowMock& CallRaw(RawFunction fn);
  // The child waits this long (a durable timer in its history) before it answers.
  WorkflowMock& Delay(absl::Duration delay);

  const std::string& workflow_type() const { return type_; }

  // Runs as the child's workflow function. The mock must outlive the run.
  Task<Payloads> Run(WorkflowContext& ctx, Payloads input) const;

 private:
  template <typename R, typename F, typename... Args>
  static RawFunction Wrap(F fn, std::tuple<Args...>*) {
    return [fn = std::move(fn)](const Payloads& input) -> Payloads {
      auto args = FromPayloads<std::decay_t<Args>...>(input);
      if (!args.ok()) {
        throw ApplicationFailure(std::string(args.status().message()), "DecodeError", true);
      }
      if constexpr (std::is_void_v<R>) {
        std::apply(fn, *std::move(args));
        return Payloads();
      } else {
        return ToPayloads(std::apply(fn, *std::move(args)));
      }
    };
  }

  std::string type_;
  RawFunction answer_;
  absl::Duration delay_ = absl::ZeroDuration();
};

// The same mock, checked against a WorkflowDef.
template <typename Signature>
class TypedWorkflowMock;

template <typename R, typename... Args>
class TypedWorkflowMock<R(Args...)> {
 public:
  explicit TypedWorkflowMock(WorkflowMock* mock) : mock_(mock) {}

  // A template so that a void R forms no `const R&` until Return(value) is called.
  template <typename T = R>
    requires(!std::is_void_v<T>)
  TypedWorkflowMock& Return(const std::type_identity_t<T>& value) {
    mock_->Return(value);
    return *this;
  }
  TypedWorkflowMock& Return() requires std::is_void_v<R> {
    mock_->Return();
    return *this;
  }
  TypedWorkflowMock& Fail(const WorkflowFailure& failure) {
    mock_->Fail(failure);
    return *this;
  }
  template <typename F>
  TypedWorkflowMock& Call(F fn) {
    static_assert(std::is_invocable_v<const F&, const Args&...>,
                  "OnWorkflow(def).Call: the function must take the WorkflowDef's arguments");
    static_assert(std::is_void_v<R> ||
                      std::is_convertible_v<std::invoke_result_t<const F&, const Args&...>, R>,
                  "OnWorkflow(def).Call: the function must return the WorkflowDef's result");
    mock_->Call([fn = std::move(fn)](Args... args) -> R { return fn(args...); });
    return *this;
  }
  TypedWorkflowMock& Delay(absl::Duration delay) {
    mock_->Delay(delay);
    return *this;
  }

 private:
  WorkflowMock* mock_;
};

}  // namespace lockstep::testing

#endif  // LOCKSTEP_TESTING_WORKFLOW_MOCK_H_
