// A model-based (stateful) property test of the order workflow: rapidcheck draws sequences of
// client commands (start an order, approve or reject it, let time pass, query it, cancel it),
// runs them against the engine in a TestEnvironment and against a model of a few lines, and
// checks after every command that each order is where the model says. A failing sequence is
// shrunk to the fewest commands that still disagree.
//
// The model is the order workflow's contract (order_workflow.h), written as Temporal's server
// would carry it out:
//   - an order waits for `approve` until its deadline; then it is "expired" (completed);
//   - the first `approve` counts: false -> "rejected" (completed); true -> the card is
//     charged and the receipt sent (activities run at once here) -> completed with the
//     charge id, or failed if the card is declined (CardDeclined is not retried);
//   - a cancel request cancels an order still waiting (the wait is cancelled, the workflow
//     does not catch it): canceled;
//   - a signal to a closed order fails ("workflow execution already completed") and changes
//     nothing; a cancel request to a closed order succeeds and changes nothing (Temporal's
//     service/history/api/requestcancelworkflow/api.go: "the request to cancel this workflow
//     is a success even if the target workflow has already finished");
//   - `status` answers while the order runs. A closed order's query fails with
//     FailedPrecondition: this is where Lockstep differs from Temporal's SDKs, which answer
//     from a replay of the closed run. A C++ coroutine's locals are destroyed when it returns,
//     and query handlers capture them (engine/workflow/workflow_run.cc refuses rather than
//     read freed memory).
#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "examples/order/order_workflow.h"
#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"
#include "rapidcheck/state.h"
#include "testing/test_environment.h"

namespace lockstep::examples {
namespace {

namespace enums = temporal::api::enums::v1;

enum class State { kAwaiting, kRejected, kExpired, kDone, kDeclined, kCanceled };

struct ModelOrder {
  std::string card;
  int64_t cents = 0;
  absl::Duration deadline;  // since the test began
  State state = State::kAwaiting;
};

struct Model {
  std::map<std::string, ModelOrder> orders;
  absl::Duration now = absl::ZeroDuration();
  int started = 0;
};

struct Sut {
  testing::TestEnvironment env;
  absl::Time begin;
  std::map<std::string, testing::WorkflowHandle> handles;
};

enums::WorkflowExecutionStatus ExecutionStatus(State s) {
  switch (s) {
    case State::kAwaiting:
      return enums::WORKFLOW_EXECUTION_STATUS_RUNNING;
    case State::kDeclined:
      return enums::WORKFLOW_EXECUTION_STATUS_FAILED;
    case State::kCanceled:
      return enums::WORKFLOW_EXECUTION_STATUS_CANCELED;
    default:
      return enums::WORKFLOW_EXECUTION_STATUS_COMPLETED;
  }
}

// Every order of the model against the engine: its execution status, and its result.
void CheckAll(const Model& model, Sut& sut) {
  RC_ASSERT(sut.env.Now() - sut.begin == model.now);
  for (const auto& [id, order] : model.orders) {
    absl::StatusOr<WorkflowDescription> d = sut.handles.at(id).Describe();
    RC_ASSERT(d.ok());
    RC_ASSERT(enums::WorkflowExecutionStatus_Name(d->status) ==
              enums::WorkflowExecutionStatus_Name(ExecutionStatus(order.state)));
    if (order.state == State::kDone) {
      absl::StatusOr<std::string> result = sut.handles.at(id).Result<std::string>();
      RC_ASSERT(result.ok());
      RC_ASSERT(*result == absl::StrCat("charge-", order.card, "-", order.cents));
    }
  }
}

using OrderCommand = rc::state::Command<Model, Sut>;

struct StartOrder : OrderCommand {
  std::string id;
  std::string card;
  int64_t cents;
  int64_t timeout_seconds;

  explicit StartOrder(const Model& m)
      : id(absl::StrCat("order-", m.started + 1)),
        card(*rc::gen::element<std::string>("card-1", "card-2", "declined")),
        cents(*rc::gen::inRange<int64_t>(1, 100000)),
        timeout_seconds(*rc::gen::inRange<int64_t>(60, 48 * 3600)) {}

  void checkPreconditions(const Model& m) const override { RC_PRE(m.orders.count(id) == 0u); }
  void apply(Model& m) const override {
    ++m.started;
    m.orders[id] = {card, cents, m.now + absl::Seconds(timeout_seconds), State::kAwaiting};
  }
  void run(const Model& m, Sut& sut) const override {
    absl::StatusOr<testing::WorkflowHandle> h =
        sut.env.StartWorkflow(kOrder, {.id = id}, Order{id, card, cents, timeout_seconds});
    RC_ASSERT(h.ok());
    sut.handles[id] = *h;
    sut.env.RunUntilIdle();
    CheckAll(nextState(m), sut);
  }
  void show(std::ostream& os) const override {
    os << "start " << id << " (card " << card << ", " << cents << " cents, approval within "
       << absl::FormatDuration(absl::Seconds(timeout_seconds)) << ")";
  }
};

// Commands on an order already started: which one is drawn from the model.
struct OnOrder : OrderCommand {
  std::string id;
  explicit OnOrder(const Model& m) {
    RC_PRE(!m.orders.empty());
    id = *rc::gen::elementOf(Keys(m));
  }
  static std::vector<std::string> Keys(const Model& m) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : m.orders) keys.push_back(k);
    return keys;
  }
  void checkPreconditions(const Model& m) const override { RC_PRE(m.orders.count(id) == 1u); }
};

struct Approve : OnOrder {
  bool ok;
  explicit Approve(const Model& m) : OnOrder(m), ok(*rc::gen::arbitrary<bool>()) {}
  void apply(Model& m) const override {
    ModelOrder& o = m.orders.at(id);
    if (o.state != State::kAwaiting) return;
    o.state = !ok ? State::kRejected : o.card == "declined" ? State::kDeclined : State::kDone;
  }
  void run(const Model& m, Sut& sut) const override {
    const absl::Status signaled = sut.handles.at(id).Signal(kApprove, ok);
    RC_ASSERT(signaled.ok() == (m.orders.at(id).state == State::kAwaiting));
    sut.env.RunUntilIdle();
    CheckAll(nextState(m), sut);
  }
  void show(std::ostream& os) const override { os << "approve(" << ok << ") " << id; }
};

struct Cancel : OnOrder {
  using OnOrder::OnOrder;
  void apply(Model& m) const override {
    ModelOrder& o = m.orders.at(id);
    if (o.state == State::kAwaiting) o.state = State::kCanceled;
  }
  void run(const Model& m, Sut& sut) const override {
    const absl::Status canceled = sut.handles.at(id).Cancel("model test");
    RC_ASSERT(canceled.ok());
    sut.env.RunUntilIdle();
    CheckAll(nextState(m), sut);
  }
  void show(std::ostream& os) const override { os << "cancel " << id; }
};

struct QueryStatus : OnOrder {
  using OnOrder::OnOrder;
  void run(const Model& m, Sut& sut) const override {
    absl::StatusOr<std::string> status = sut.handles.at(id).Query(kStatus);
    const State state = m.orders.at(id).state;
    if (state != State::kAwaiting) {
      RC_ASSERT(status.status().code() == absl::StatusCode::kFailedPrecondition);
      return;
    }
    if (!status.ok()) RC_FAIL(status.status().ToString());
    RC_ASSERT(*status == std::string("awaiting approval"));
  }
  void show(std::ostream& os) const override { os << "query status of " << id; }
};

struct Wait : OrderCommand {
  int64_t seconds;
  explicit Wait(const Model&) : seconds(*rc::gen::inRange<int64_t>(1, 72 * 3600)) {}
  void apply(Model& m) const override {
    m.now += absl::Seconds(seconds);
    for (auto& [id, o] : m.orders) {
      if (o.state == State::kAwaiting && o.deadline <= m.now) o.state = State::kExpired;
    }
  }
  void run(const Model& m, Sut& sut) const override {
    sut.env.AdvanceTime(absl::Seconds(seconds));
    CheckAll(nextState(m), sut);
  }
  void show(std::ostream& os) const override {
    os << "wait " << absl::FormatDuration(absl::Seconds(seconds));
  }
};

RC_GTEST_PROP(OrderModelTest, TheEngineFollowsTheModel, ()) {
  Sut sut;
  RC_ASSERT(RegisterOrder(sut.env.registry()).ok());
  sut.begin = sut.env.Now();
  rc::state::check(
      Model(), sut,
      rc::state::gen::execOneOfWithArgs<StartOrder, Approve, Cancel, QueryStatus, Wait>());
}

}  // namespace
}  // namespace lockstep::examples
