// Walks every row of every machine's transition table, and checks that what is not in a
// table is refused.
#include <set>
#include <string>
#include <vector>

#include "engine/machines/activity_machine.h"
#include "engine/machines/child_workflow_machine.h"
#include "engine/machines/completion_machine.h"
#include "engine/machines/external_machine.h"
#include "engine/machines/local_activity_marker.h"
#include "engine/machines/marker_machine.h"
#include "engine/machines/timer_machine.h"
#include "engine/machines/version_marker.h"
#include "gtest/gtest.h"

namespace lockstep::machines {
namespace {

template <typename State, typename Trigger>
void ExpectTableIsConsistent(const TransitionTable<State, Trigger>& table, int state_count,
                             int trigger_count) {
  std::set<std::pair<int, int>> seen;
  for (const auto& row : table.rows()) {
    // Each row is reachable through Next and deterministic (no duplicate (from, trigger)).
    EXPECT_TRUE(seen.insert({static_cast<int>(row.from), static_cast<int>(row.trigger)}).second);
    auto next = table.Next(row.from, row.trigger);
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(*next, row.to);
  }
  // Every pair not listed is refused.
  for (int s = 0; s < state_count; ++s) {
    for (int t = 0; t < trigger_count; ++t) {
      if (seen.count({s, t})) continue;
      EXPECT_FALSE(table.Next(static_cast<State>(s), static_cast<Trigger>(t)).has_value())
          << "state " << s << " trigger " << t;
    }
  }
}

// Records what an installed TransitionObserver is told.
class RecordingObserver : public TransitionObserver {
 public:
  void OnTransition(absl::string_view table, size_t row, size_t rows) override {
    seen.push_back({std::string(table), row, rows});
  }
  struct Seen {
    std::string table;
    size_t row;
    size_t rows;
  };
  std::vector<Seen> seen;
};

TEST(TransitionObserver, ToldOfEveryTransitionTakenAndNothingElse) {
  RecordingObserver observer;
  TransitionObserver* previous = SetTransitionObserver(&observer);
  const auto& table = TimerTransitions();
  const auto& row = table.rows()[2];
  ASSERT_TRUE(table.Next(row.from, row.trigger).has_value());
  // A refused trigger is not a transition.
  EXPECT_FALSE(table.Next(TimerState::kFired, TimerTrigger::kStartedRecorded).has_value());
  EXPECT_EQ(SetTransitionObserver(previous), &observer);
  // Uninstalled: no more calls.
  ASSERT_TRUE(table.Next(row.from, row.trigger).has_value());
  ASSERT_EQ(observer.seen.size(), 1u);
  EXPECT_EQ(observer.seen[0].table, "timer");
  EXPECT_EQ(observer.seen[0].row, 2u);
  EXPECT_EQ(observer.seen[0].rows, table.rows().size());
  // Every machine is named.
  for (absl::string_view name :
       {ActivityTransitions().name(), TimerTransitions().name(), ChildTransitions().name(),
        ExternalTransitions().name(), LocalActivityTransitions().name(),
        RecordTransitions().name(), CompletionTransitions().name()}) {
    EXPECT_FALSE(name.empty());
  }
}

TEST(ActivityMachine, EveryTransition) {
  ExpectTableIsConsistent(ActivityTransitions(), 10, 8);
  const auto& t = ActivityTransitions();
  using S = ActivityState;
  using T = ActivityTrigger;
  // The life of an activity that completes.
  EXPECT_EQ(*t.Next(S::kCreated, T::kScheduleRecorded), S::kScheduled);
  EXPECT_EQ(*t.Next(S::kScheduled, T::kStartedRecorded), S::kStarted);
  EXPECT_EQ(*t.Next(S::kStarted, T::kCompletedRecorded), S::kCompleted);
  // Canceled before its command reached the history: withdrawn, nothing more happens.
  EXPECT_EQ(*t.Next(S::kCreated, T::kCancelByCode), S::kWithdrawn);
  EXPECT_FALSE(t.Next(S::kWithdrawn, T::kScheduleRecorded));
  // Canceled while running: the service may still report completion.
  EXPECT_EQ(*t.Next(S::kStarted, T::kCancelByCode), S::kCancelCommanded);
  EXPECT_EQ(*t.Next(S::kCancelCommanded, T::kCancelRecorded), S::kCancelRequested);
  EXPECT_EQ(*t.Next(S::kCancelRequested, T::kCompletedRecorded), S::kCompleted);
  EXPECT_EQ(*t.Next(S::kCancelRequested, T::kCanceledRecorded), S::kCanceled);
  // Terminal states take nothing.
  for (S terminal : {S::kCompleted, S::kFailed, S::kTimedOut, S::kCanceled}) {
    for (int trig = 0; trig < 8; ++trig) {
      EXPECT_FALSE(t.Next(terminal, static_cast<T>(trig)));
    }
  }
  for (int s = 0; s < 10; ++s) EXPECT_NE(ActivityStateName(static_cast<S>(s)), "?");
  for (int trig = 0; trig < 8; ++trig) EXPECT_NE(ActivityTriggerName(static_cast<T>(trig)), "?");
}

TEST(TimerMachine, EveryTransition) {
  ExpectTableIsConsistent(TimerTransitions(), 6, 4);
  const auto& t = TimerTransitions();
  using S = TimerState;
  using T = TimerTrigger;
  EXPECT_EQ(*t.Next(S::kCreated, T::kStartedRecorded), S::kStarted);
  EXPECT_EQ(*t.Next(S::kStarted, T::kFiredRecorded), S::kFired);
  EXPECT_EQ(*t.Next(S::kCreated, T::kCancelByCode), S::kWithdrawn);
  EXPECT_EQ(*t.Next(S::kStarted, T::kCancelByCode), S::kCancelCommanded);
  EXPECT_EQ(*t.Next(S::kCancelCommanded, T::kCanceledRecorded), S::kCanceled);
  EXPECT_EQ(*t.Next(S::kCancelCommanded, T::kFiredRecorded), S::kFired);
  EXPECT_FALSE(t.Next(S::kFired, T::kFiredRecorded));
  EXPECT_FALSE(t.Next(S::kCreated, T::kFiredRecorded));
  for (int s = 0; s < 6; ++s) EXPECT_NE(TimerStateName(static_cast<S>(s)), "?");
  for (int trig = 0; trig < 4; ++trig) EXPECT_NE(TimerTriggerName(static_cast<T>(trig)), "?");
}

TEST(MarkerMachine, EveryTransition) {
  ExpectTableIsConsistent(RecordTransitions(), 2, 1);
  EXPECT_EQ(*RecordTransitions().Next(RecordState::kCreated, RecordTrigger::kRecorded),
            RecordState::kRecorded);
  EXPECT_FALSE(RecordTransitions().Next(RecordState::kRecorded, RecordTrigger::kRecorded));
}

TEST(CompletionMachine, EveryTransition) {
  ExpectTableIsConsistent(CompletionTransitions(), 2, 1);
  EXPECT_EQ(
      *CompletionTransitions().Next(CompletionState::kCreated, CompletionTrigger::kCloseRecorded),
      CompletionState::kRecorded);
  EXPECT_FALSE(
      CompletionTransitions().Next(CompletionState::kRecorded, CompletionTrigger::kCloseRecorded));
}

TEST(ChildWorkflowMachine, EveryTransition) {
  ExpectTableIsConsistent(ChildTransitions(), 10, 9);
  const auto& t = ChildTransitions();
  using S = ChildState;
  using T = ChildTrigger;
  EXPECT_EQ(*t.Next(S::kCreated, T::kInitiatedRecorded), S::kInitiated);
  EXPECT_EQ(*t.Next(S::kInitiated, T::kStartedRecorded), S::kStarted);
  EXPECT_EQ(*t.Next(S::kInitiated, T::kStartFailedRecorded), S::kStartFailed);
  EXPECT_EQ(*t.Next(S::kStarted, T::kCompletedRecorded), S::kCompleted);
  EXPECT_EQ(*t.Next(S::kCreated, T::kCancelByCode), S::kWithdrawn);
  // A child cannot end before it started, nor start twice.
  EXPECT_FALSE(t.Next(S::kInitiated, T::kCompletedRecorded));
  EXPECT_FALSE(t.Next(S::kStarted, T::kStartedRecorded));
  for (S terminal : {S::kCompleted, S::kFailed, S::kCanceled, S::kTimedOut, S::kTerminated,
                     S::kStartFailed, S::kWithdrawn}) {
    for (int trig = 0; trig < 9; ++trig) EXPECT_FALSE(t.Next(terminal, static_cast<T>(trig)));
  }
  for (int s = 0; s < 10; ++s) EXPECT_NE(ChildStateName(static_cast<S>(s)), "?");
  for (int trig = 0; trig < 9; ++trig) EXPECT_NE(ChildTriggerName(static_cast<T>(trig)), "?");
}

TEST(ExternalMachine, EveryTransition) {
  ExpectTableIsConsistent(ExternalTransitions(), 5, 4);
  const auto& t = ExternalTransitions();
  using S = ExternalState;
  using T = ExternalTrigger;
  EXPECT_EQ(*t.Next(S::kCreated, T::kInitiatedRecorded), S::kInitiated);
  EXPECT_EQ(*t.Next(S::kInitiated, T::kDeliveredRecorded), S::kDelivered);
  EXPECT_EQ(*t.Next(S::kInitiated, T::kFailedRecorded), S::kFailed);
  EXPECT_FALSE(t.Next(S::kCreated, T::kDeliveredRecorded));
  EXPECT_FALSE(t.Next(S::kInitiated, T::kCancelByCode));  // sent: too late to withdraw
  for (int s = 0; s < 5; ++s) EXPECT_NE(ExternalStateName(static_cast<S>(s)), "?");
  for (int trig = 0; trig < 4; ++trig) EXPECT_NE(ExternalTriggerName(static_cast<T>(trig)), "?");
}

TEST(LocalActivityMachine, EveryTransition) {
  ExpectTableIsConsistent(LocalActivityTransitions(), 3, 2);
  const auto& t = LocalActivityTransitions();
  using S = LocalActivityState;
  using T = LocalActivityTrigger;
  EXPECT_EQ(*t.Next(S::kCreated, T::kResolved), S::kResolved);
  EXPECT_EQ(*t.Next(S::kCreated, T::kCancelByCode), S::kWithdrawn);
  // Resolved once; a canceled one is never resolved.
  EXPECT_FALSE(t.Next(S::kResolved, T::kResolved));
  EXPECT_FALSE(t.Next(S::kWithdrawn, T::kResolved));
  EXPECT_FALSE(t.Next(S::kResolved, T::kCancelByCode));
  for (int s = 0; s < 3; ++s) EXPECT_NE(LocalActivityStateName(static_cast<S>(s)), "?");
  for (int trig = 0; trig < 2; ++trig) {
    EXPECT_NE(LocalActivityTriggerName(static_cast<T>(trig)), "?");
  }
}

TEST(VersionMarker, WritesTheGoShapeAndReadsGoAndJava) {
  temporal::api::history::v1::HistoryEvent event;
  event.set_event_type(temporal::api::enums::v1::EVENT_TYPE_MARKER_RECORDED);
  *event.mutable_marker_recorded_event_attributes()->mutable_marker_name() = "Version";
  auto command = VersionMarkerCommand({"change", 3, true, false});
  *event.mutable_marker_recorded_event_attributes()->mutable_details() = command.details();
  auto read = ReadVersionMarker(event);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->change_id, "change");
  EXPECT_EQ(read->version, 3);
  EXPECT_TRUE(read->search_attribute_updated);
  EXPECT_FALSE(read->deprecated);
  EXPECT_EQ(command.details().count("change-id"), 1u);
  // The Java SDK's key.
  auto& details = *event.mutable_marker_recorded_event_attributes()->mutable_details();
  details["changeId"] = details["change-id"];
  details.erase("change-id");
  read = ReadVersionMarker(event);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->change_id, "change");
  // Not a version marker, or unreadable: nothing.
  details.erase("version");
  EXPECT_FALSE(ReadVersionMarker(event).has_value());
  event.mutable_marker_recorded_event_attributes()->set_marker_name("SideEffect");
  EXPECT_FALSE(ReadVersionMarker(event).has_value());
}

}  // namespace
}  // namespace lockstep::machines
