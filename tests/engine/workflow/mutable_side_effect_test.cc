// WorkflowContext::MutableSideEffect: live runs record a marker only when the value changes;
// replay returns the recorded values without running the function, issues markers where the
// history has them, and reports code that asks for an id the history never recorded.
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/machines/mutable_side_effect_marker.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/engine/workflow/test_env.h"

namespace lockstep {
namespace mutable_side_effect_test {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::history::v1::History;
using temporal::api::history::v1::HistoryEvent;
using ::testing::ElementsAre;
using testing::TestEnv;

// What the workflow below saw and how often its function ran.
struct Observed {
  std::vector<int> values;
  int calls = 0;
};

// Sets mutable side effect "v" to `inputs[0]` ... over two tasks: the first five calls, a
// timer, the rest. `inputs` gives the function's values; `offset` is added to them (a changed
// function), `id` names the side effect.
std::function<Task<void>(WorkflowContext&)> Code(Observed* seen, std::vector<int> inputs,
                                                 int offset = 0, std::string id = "v") {
  return [seen, inputs, offset, id](WorkflowContext& ctx) -> Task<void> {
    size_t i = 0;
    auto call = [&] {
      const int input = inputs[i++] + offset;
      seen->values.push_back(ctx.MutableSideEffect<int>(id, [seen, input] {
        ++seen->calls;
        return input;
      }));
    };
    while (i < 5 && i < inputs.size()) call();
    co_await ctx.Sleep(absl::Seconds(1));
    while (i < inputs.size()) call();
  };
}

const std::vector<int> kInputs = {1, 1, 2, 2, 3, 3, 4};

std::vector<const HistoryEvent*> Markers(const History& h) {
  std::vector<const HistoryEvent*> markers;
  for (const HistoryEvent& e : h.events()) {
    if (e.event_type() == enums::EVENT_TYPE_MARKER_RECORDED) markers.push_back(&e);
  }
  return markers;
}

History Record(Observed* seen, bool evict) {
  WorkerOptions options;
  options.evict_after_every_task = evict;
  TestEnv env(options);
  EXPECT_TRUE(env.registry().RegisterWorkflow("wf", Code(seen, kInputs)).ok());
  env.Start("wf", "w");
  env.RunToEnd();
  return env.History("w");
}

// Replays `history` from scratch with `code`; the nondeterminism found, if any.
RunStatus Replay(const History& history, std::function<Task<void>(WorkflowContext&)> code) {
  Registry registry;
  EXPECT_TRUE(registry.RegisterWorkflow("wf", std::move(code)).ok());
  WorkflowRun run(&registry, {.workflow_id = "w", .run_id = "r"});
  RunStatus status = run.ProcessEvents(history, 0).status();
  if (status.ok() && run.closed()) status = run.CheckAllCommandsRecorded();
  return status;
}

TEST(MutableSideEffect, LiveRunRecordsOnlyChangesInGoShape) {
  Observed seen;
  const History h = Record(&seen, /*evict=*/false);
  EXPECT_THAT(seen.values, ElementsAre(1, 1, 2, 2, 3, 3, 4));
  EXPECT_EQ(seen.calls, 7);
  const auto markers = Markers(h);
  ASSERT_EQ(markers.size(), 4u);  // 1, 2, 3; then 4 (3 again records nothing)
  const std::vector<int> counters = {1, 3, 5, 7};
  const std::vector<int> values = {1, 2, 3, 4};
  for (size_t i = 0; i < markers.size(); ++i) {
    const auto& a = markers[i]->marker_recorded_event_attributes();
    EXPECT_EQ(a.marker_name(), "MutableSideEffect");
    auto marker = machines::ReadMutableSideEffectMarker(*markers[i]);
    ASSERT_TRUE(marker.has_value());
    EXPECT_EQ(marker->id, "v");
    // Go names the marker after the event it lands on.
    EXPECT_EQ(marker->side_effect_id, absl::StrCat("v_", markers[i]->event_id()));
    EXPECT_EQ(marker->call_counter, counters[i]);
    EXPECT_EQ(std::get<0>(*FromPayloads<int>(marker->value)), values[i]);
    // "data": the id, then the value's Payloads as json/protobuf (Go's default converter).
    const auto& data = a.details().at("data");
    ASSERT_EQ(data.payloads_size(), 2);
    EXPECT_EQ(data.payloads(1).metadata().at("encoding"), "json/protobuf");
    EXPECT_EQ(data.payloads(1).metadata().at("messageType"), "temporal.api.common.v1.Payloads");
  }
}

TEST(MutableSideEffect, EvictingAtEveryTaskRunsEachFunctionOnceAndRecordsTheSame) {
  Observed cached;
  Observed evicted;
  const History a = Record(&cached, /*evict=*/false);
  const History b = Record(&evicted, /*evict=*/true);
  // The replayed first task read its values back without calling the function.
  EXPECT_EQ(evicted.calls, 7);
  EXPECT_THAT(evicted.values, ElementsAre(1, 1, 2, 2, 3, 1, 1, 2, 2, 3, 3, 4));
  const auto ma = Markers(a);
  const auto mb = Markers(b);
  ASSERT_EQ(ma.size(), mb.size());
  for (size_t i = 0; i < ma.size(); ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*ma[i], *mb[i]))
        << ma[i]->DebugString() << "\n"
        << mb[i]->DebugString();
  }
}

TEST(MutableSideEffect, ReplayReturnsRecordedValuesWithoutRunningTheFunction) {
  Observed recorded;
  const History h = Record(&recorded, /*evict=*/false);
  Observed replayed;
  // The function would now give other values: replay does not run it.
  RunStatus status = Replay(h, Code(&replayed, kInputs, /*offset=*/100));
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(replayed.calls, 0);
  EXPECT_EQ(replayed.values, recorded.values);
}

TEST(MutableSideEffect, AnEditedRecordedValueIsWhatReplayReturns) {
  Observed recorded;
  History h = Record(&recorded, /*evict=*/false);
  // The second marker (value 2, calls 3 and 4) edited to 42, in Go's shape.
  HistoryEvent* second = nullptr;
  for (HistoryEvent& e : *h.mutable_events()) {
    if (e.event_type() == enums::EVENT_TYPE_MARKER_RECORDED && second == nullptr &&
        machines::ReadMutableSideEffectMarker(e)->call_counter == 3) {
      second = &e;
    }
  }
  ASSERT_NE(second, nullptr);
  auto marker = machines::ReadMutableSideEffectMarker(*second);
  marker->value = ToPayloads(42);
  *second->mutable_marker_recorded_event_attributes()->mutable_details() =
      machines::MutableSideEffectMarkerCommand(*marker).details();
  Observed replayed;
  RunStatus status = Replay(h, Code(&replayed, kInputs));
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(replayed.calls, 0);
  EXPECT_THAT(replayed.values, ElementsAre(1, 1, 42, 42, 3, 3, 4));
}

// Markers of old Go SDKs carry no call counter: handleMarkerRecorded files each under the
// id's call count when its task starts, so of several in one task only the last is read.
TEST(MutableSideEffect, MarkersWithoutACallCounterCountFromTheTaskStart) {
  Observed recorded;
  History h = Record(&recorded, /*evict=*/false);
  for (HistoryEvent& e : *h.mutable_events()) {
    if (e.event_type() != enums::EVENT_TYPE_MARKER_RECORDED) continue;
    e.mutable_marker_recorded_event_attributes()->mutable_details()->erase(
        "mutable-side-effect-call-counter");
  }
  Observed replayed;
  RunStatus status = Replay(h, Code(&replayed, kInputs));
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(replayed.calls, 0);
  // The first task's markers (1, 2, 3) all count from call 0: 3 wins. The second task's (4)
  // counts from call 5.
  EXPECT_THAT(replayed.values, ElementsAre(3, 3, 3, 3, 3, 4, 4));
}

TEST(MutableSideEffect, AnotherIdIsNondeterminismAtTheMarkerEvent) {
  Observed recorded;
  const History h = Record(&recorded, /*evict=*/false);
  const int64_t first_marker = Markers(h)[0]->event_id();
  Observed replayed;
  RunStatus status = Replay(h, Code(&replayed, kInputs, 0, "w"));
  ASSERT_FALSE(status.ok());
  ASSERT_TRUE(status.error().nondeterminism.has_value());
  const Nondeterminism& n = *status.error().nondeterminism;
  EXPECT_EQ(n.kind, Nondeterminism::Kind::kMismatch);
  EXPECT_EQ(n.event_id, first_marker);
  EXPECT_EQ(n.expected, "marker MutableSideEffect id=v");
  EXPECT_EQ(n.actual, "marker MutableSideEffect id=w");
  EXPECT_EQ(replayed.calls, 0);
}

TEST(MutableSideEffect, CodeThatNoLongerCallsIsCaughtAtTheMarker) {
  Observed recorded;
  const History h = Record(&recorded, /*evict=*/false);
  // Code that stops calling after the first task: the second task's marker is missing.
  Observed replayed;
  RunStatus status = Replay(h, Code(&replayed, {1, 1, 2, 2, 3}));
  ASSERT_FALSE(status.ok());
  ASSERT_TRUE(status.error().nondeterminism.has_value());
  EXPECT_EQ(status.error().nondeterminism->kind, Nondeterminism::Kind::kMismatch);
  EXPECT_EQ(status.error().nondeterminism->event_id, Markers(h)[3]->event_id());
}

}  // namespace
}  // namespace mutable_side_effect_test
}  // namespace lockstep
