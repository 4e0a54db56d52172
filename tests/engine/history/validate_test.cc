// Each validation rule, on histories built to break exactly that rule.
#include "engine/history/validate.h"

#include "engine/history/history_builder.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockstep::history {
namespace {

using ::testing::HasSubstr;
namespace enums = temporal::api::enums::v1;

// 1 WorkflowExecutionStarted, 2-4 workflow task, 5 ActivityTaskScheduled,
// 6 ActivityTaskStarted, 7 ActivityTaskCompleted, 8-10 workflow task,
// 11 WorkflowExecutionCompleted.
HistoryBuilder CompleteHistory() {
  HistoryBuilder b("Hello", "q", "hello-1", "run-1");
  auto t1 = b.AddWorkflowTask();
  int64_t scheduled = b.AddActivityTaskScheduled(t1.completed, "5", "Greet");
  int64_t started = b.AddActivityTaskStarted(scheduled);
  b.AddActivityTaskCompleted(scheduled, started, "\"hi\"");
  auto t2 = b.AddWorkflowTask();
  b.AddWorkflowExecutionCompleted(t2.completed, "\"done\"");
  return b;
}

std::string Problem(const temporal::api::history::v1::History& h) {
  auto s = ValidateHistory(h, "h.json");
  EXPECT_FALSE(s.ok());
  return std::string(s.message());
}

TEST(Validate, CompleteAndIncompleteHistoriesAreValid) {
  HistoryBuilder b = CompleteHistory();
  EXPECT_TRUE(ValidateHistory(b.history(), "h").ok()) << ValidateHistory(b.history(), "h");
  auto* h = b.mutable_history();
  h->mutable_events()->DeleteSubrange(6, h->events_size() - 6);  // ends after event 6
  EXPECT_TRUE(ValidateHistory(*h, "h").ok()) << ValidateHistory(*h, "h");
}

TEST(Validate, EmptyHistory) { EXPECT_THAT(Problem({}), HasSubstr("history has no events")); }

TEST(Validate, FirstEventMustBeStarted) {
  HistoryBuilder b = CompleteHistory();
  b.mutable_history()->mutable_events(0)->set_event_type(enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
  EXPECT_THAT(Problem(b.history()), HasSubstr("event 1"));
  EXPECT_THAT(Problem(b.history()), HasSubstr("expected WorkflowExecutionStarted"));
}

TEST(Validate, IdsMustStartAtOneAndIncreaseByOne) {
  HistoryBuilder b = CompleteHistory();
  b.mutable_history()->mutable_events(4)->set_event_id(6);  // repeated id 6
  EXPECT_THAT(Problem(b.history()), HasSubstr("event id 6 at position 5, expected 5"));
  HistoryBuilder c = CompleteHistory();
  c.mutable_history()->mutable_events()->SwapElements(5, 6);
  EXPECT_THAT(Problem(c.history()), HasSubstr("event id 7 at position 6"));
  HistoryBuilder d = CompleteHistory();
  for (auto& e : *d.mutable_history()->mutable_events()) e.set_event_id(e.event_id() + 1);
  EXPECT_THAT(Problem(d.history()), HasSubstr("expected 1"));
}

TEST(Validate, ReferencesMustPointToEarlierEventsOfTheRightType) {
  HistoryBuilder b = CompleteHistory();
  // ActivityTaskStarted (6) names a scheduled event that does not exist yet.
  b.mutable_history()
      ->mutable_events(5)
      ->mutable_activity_task_started_event_attributes()
      ->set_scheduled_event_id(9);
  EXPECT_THAT(Problem(b.history()),
              HasSubstr("event 6 (ActivityTaskStarted): scheduledEventId 9 does not point to an "
                        "earlier event"));

  HistoryBuilder c = CompleteHistory();
  // ActivityTaskCompleted (7) names the workflow task started event as its scheduled event.
  c.mutable_history()
      ->mutable_events(6)
      ->mutable_activity_task_completed_event_attributes()
      ->set_scheduled_event_id(3);
  EXPECT_THAT(Problem(c.history()),
              HasSubstr("scheduledEventId 3 points to a WorkflowTaskStarted event, expected "
                        "ActivityTaskScheduled"));

  HistoryBuilder d("Hello");
  auto t1 = d.AddWorkflowTask();
  d.AddActivityTaskScheduled(t1.completed, "5", "Greet");  // 5
  d.AddTimerFired(5, "t");                                 // 6: TimerFired must name a TimerStarted
  EXPECT_THAT(Problem(d.history()),
              HasSubstr("startedEventId 5 points to a ActivityTaskScheduled event, expected "
                        "TimerStarted"));

  HistoryBuilder e = CompleteHistory();
  e.mutable_history()
      ->mutable_events(5)
      ->mutable_activity_task_started_event_attributes()
      ->set_scheduled_event_id(0);
  EXPECT_THAT(Problem(e.history()), HasSubstr("scheduledEventId is missing"));
}

TEST(Validate, CloseEventMustBeLastAndUnique) {
  HistoryBuilder b = CompleteHistory();
  b.AddSignal("late");
  EXPECT_THAT(Problem(b.history()), HasSubstr("event 12 (WorkflowExecutionSignaled)"));
  EXPECT_THAT(Problem(b.history()), HasSubstr("a close event must be last"));
}

TEST(Validate, AttributesMustMatchTheEventType) {
  HistoryBuilder b = CompleteHistory();
  auto* event = b.mutable_history()->mutable_events(4);
  event->mutable_timer_started_event_attributes()->set_timer_id("x");
  EXPECT_THAT(Problem(b.history()),
              HasSubstr("carries timerStartedEventAttributes but its type needs "
                        "activityTaskScheduledEventAttributes"));
  HistoryBuilder c = CompleteHistory();
  c.mutable_history()->mutable_events(4)->clear_attributes();
  EXPECT_THAT(Problem(c.history()), HasSubstr("missing activityTaskScheduledEventAttributes"));
  HistoryBuilder d = CompleteHistory();
  d.mutable_history()->mutable_events(4)->set_event_type(enums::EVENT_TYPE_UNSPECIFIED);
  EXPECT_THAT(Problem(d.history()), HasSubstr("event type is missing"));
}

TEST(Validate, CountsFurtherProblems) {
  HistoryBuilder b = CompleteHistory();
  b.AddSignal("late");
  b.AddSignal("later");
  EXPECT_THAT(Problem(b.history()), HasSubstr("(and 1 more problem)"));
  EXPECT_EQ(FindProblems(b.history()).size(), 2u);
}

}  // namespace
}  // namespace lockstep::history
