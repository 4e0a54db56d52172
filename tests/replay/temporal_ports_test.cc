// The ports of recorded Temporal workflows (examples/temporal_ports):
//   - run on the in-process service, each records the same event types, in the same order,
//     as its recording;
//   - the recording replays cleanly against the port (and at every task boundary), with the
//     id rule for histories of other SDKs;
//   - a changed port (activity renamed, timer added, order swapped, version branch removed)
//     is caught with the right kind at the right event.
#include "examples/temporal_ports/temporal_ports.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/history/event_types.h"
#include "engine/history/history_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/replayer.h"
#include "tests/engine/workflow/test_env.h"
#include "tests/testing/test_data.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using ports::TemporalPort;
using temporal::api::history::v1::History;
using testing::TestEnv;

History RawRecording(const std::string& file) {
  auto loaded = history::LoadHistoryFile(testing::TestDataPath("temporal/" + file));
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return loaded.ok() ? loaded->histories[0] : History();
}

// Recordings whose own worker broke determinism (an SDK bug, since fixed): the raw file is
// reported as nondeterministic, at the event a user would be sent to, and the recording as
// the SDK's own test edits it replays cleanly against the port.
struct BrokenRecording {
  Nondeterminism::Kind kind;
  int64_t event_id;
  const char* why;
  std::function<void(History*)> edit;
};

const std::map<std::string, BrokenRecording>& BrokenRecordings() {
  static const auto* kBroken = new std::map<std::string, BrokenRecording>{
      {"sdk-core/evict_while_la_running_no_interference-23_history.bin",
       {Nondeterminism::Kind::kMismatch, 25,
        "after the activity completed (event 15) and two task timeouts, the recording's worker "
        "scheduled the activity again (event 25) instead of completing the workflow; sdk-core's "
        "second_weird_la_nondeterminism_repro keeps events 1-24 and appends the completion",
        [](History* h) {
          h->mutable_events()->DeleteSubrange(24, h->events_size() - 24);
          auto* done = h->add_events();
          done->set_event_id(25);
          *done->mutable_event_time() = h->events(23).event_time();
          done->set_event_type(enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
          done->mutable_workflow_execution_completed_event_attributes()
              ->set_workflow_task_completed_event_id(24);
        }}},
  };
  return *kBroken;
}

// The port's recording, edited as its SDK's test edits it if it is a broken one.
History Recording(const TemporalPort& port) {
  History h = RawRecording(port.history_file);
  auto broken = BrokenRecordings().find(port.history_file);
  if (broken != BrokenRecordings().end()) broken->second.edit(&h);
  return h;
}

std::vector<std::string> Types(const History& h) {
  std::vector<std::string> types;
  for (const auto& e : h.events()) types.push_back(history::EventTypeShortName(e.event_type()));
  return types;
}

// How to reproduce a recording on the service: the client's side of it.
struct Scenario {
  Payloads input;
  std::function<void(TestEnv&, const std::string& id)> drive;  // default: run to the end
  ServiceOptions service;
  // Set where the service cannot reproduce the recording: why, and the event types the run
  // records instead (checked, so that a change shows).
  const char* run_differs = nullptr;
  std::vector<std::string> run_types = {};
  // The scheduling decisions that reproduce it (latencies, lost tasks).
  testing::EnvFunctions env = {};
};

// A nil argument as Go's SDK sends it.
Payloads BinaryNull() {
  Payloads payloads;
  (*payloads.add_payloads()->mutable_metadata())["encoding"] = "binary/null";
  return payloads;
}

void Cancel(TestEnv& env, const std::string& id) {
  CancelWorkflowRequest request;
  request.workflow_id = id;
  ASSERT_TRUE(env.service().RequestCancelWorkflow(request).ok());
}

void Update(TestEnv& env, const std::string& id, const std::string& update_id,
            const std::string& name, Payloads args) {
  UpdateWorkflowRequest request;
  request.workflow_id = id;
  request.update_id = update_id;
  request.name = name;
  request.args = std::move(args);
  ASSERT_TRUE(env.service().UpdateWorkflow(request).ok());
}

std::map<std::string, Scenario> Scenarios() {
  std::map<std::string, Scenario> s;
  auto str = [](const char* v) { return ToPayloads(std::string(v)); };
  s["sdk-go/continue-as-new"] = {ToPayloads(true), nullptr, {}};
  s["sdk-go/side-effect"] = {str("test"), nullptr, {}};
  s["sdk-go/workflow1"] = {str("Workflow1"), nullptr, {}};
  s["sdk-go/workflow2"] = {str("Workflow2"), nullptr, {}};
  s["sdk-go/upsert-memo"] = {str("test"), nullptr, {}};
  s["sdk-go/search-attribute"] = {str("test"), nullptr, {}};
  s["sdk-go/local-activity"] = {str("Workflow3"), nullptr, {}};
  s["sdk-go/mutable-side-effect"] = {{}, nullptr, {}};
  s["sdk-go/replay-tests-version-and-mutable-side-effect"] = {str("Workflow1"), nullptr, {}};
  s["sdk-go/activity-same-time-as-cancel"] = {{},
                                              [](TestEnv& env, const std::string& id) {
                                                env.RunUntilIdle();
                                                env.Signal(id, "signal", ToPayloads(std::string()));
                                                env.RunToEnd();
                                              },
                                              {}};
  s["sdk-go/update_complete_and_exit"] = {{},
                                          [](TestEnv& env, const std::string& id) {
                                            UpdateWorkflowRequest request;
                                            request.workflow_id = id;
                                            request.update_id = "u";
                                            request.name = "update";
                                            request.args = ToPayloads(int64_t{3000000000});
                                            ASSERT_TRUE(env.service().UpdateWorkflow(request).ok());
                                            env.RunToEnd();
                                          },
                                          {}};
  s["sdk-go/parentWF"] = {{}, nullptr, {}};
  // The activity was running (started, not yet recorded) when the cancellation came.
  ServiceOptions slow_activity;
  testing::EnvFunctions slow_activity_env;
  slow_activity_env.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{.latency = absl::Minutes(1)};
  };
  s["sdk-java/cancellationScopeDeterminism"] = {
      {},
      [](TestEnv& env, const std::string& id) {
        env.RunUntilIdle();
        CancelWorkflowRequest request;
        request.workflow_id = id;
        ASSERT_TRUE(env.service().RequestCancelWorkflow(request).ok());
        env.RunUntilIdle();
      },
      slow_activity};
  s["sdk-java/cancellationScopeDeterminism"].env = slow_activity_env;
  s["sdk-java/testChildWorkflowRetryHistory"] = {str("tq"), nullptr, {}};
  s["sdk-java/testGetVersionHistory"] = {str("tq"), nullptr, {}};
  s["sdk-java/testGetVersionInSignalHistory"] = {{},
                                                 [](TestEnv& env, const std::string& id) {
                                                   env.RunUntilIdle();
                                                   env.Signal(id, "testSignal",
                                                              ToPayloads(std::string("done")));
                                                   env.RunToEnd();
                                                 },
                                                 {}};
  s["samples-go/helloworld"] = {str("Temporal"), nullptr, {}};
  s["features/activity/retry_on_error (go)"] = {{}, nullptr, {}};
  s["features/activity/retry_on_error (java)"] = {{}, nullptr, {}};
  s["features/telemetry/metrics (go)"] = {{}, nullptr, {}};
  // "resume" came before the first task; the second activity finished first, and the first
  // while the next workflow task waited for a worker; then the workflow was canceled.
  ServiceOptions race;
  testing::EnvFunctions race_env;
  race_env.activity_timing = [](const ActivityTask& task) {
    return ActivityTiming{.latency = absl::Milliseconds(task.activity_id == "1" ? 230 : 210)};
  };
  s["features/bugs/go/activity_start_race"] = {{},
                                               [](TestEnv& env, const std::string& id) {
                                                 env.Signal(id, "resume", BinaryNull());
                                                 env.RunUntilIdle();
                                                 env.service().SetWorkflowWorkersPolling(false);
                                                 env.RunToEnd(absl::Seconds(1));
                                                 env.service().SetWorkflowWorkersPolling(true);
                                                 env.RunUntilIdle();
                                                 Cancel(env, id);
                                                 env.RunToEnd();
                                               },
                                               race};
  s["features/bugs/go/activity_start_race"].env = race_env;
  // The activity runs a day; its one attempt times out after an hour.
  ServiceOptions day_long;
  testing::EnvFunctions day_long_env;
  day_long_env.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{.latency = absl::Hours(24)};
  };
  s["samples-go/rainbow-statuses"] = {ToPayloads(1),
                                      [](TestEnv& env, const std::string& id) {
                                        env.Signal(id, "customSignal",
                                                   ToPayloads(std::string("from Mars")));
                                        env.RunToEnd();
                                      },
                                      day_long};
  s["samples-go/rainbow-statuses"].env = day_long_env;
  s["sdk-go/sampleHistory"] = {{}, nullptr, {}};
  // Prefix_ToUpperWithDelay takes a second; nothing polls "bad_tq".
  ServiceOptions bad_tq;
  testing::EnvFunctions bad_tq_env;
  bad_tq_env.activity_timing = [](const ActivityTask& task) {
    return ActivityTiming{.latency =
                              task.task_queue == "bad_tq" ? absl::Hours(1) : absl::Seconds(1)};
  };
  s["sdk-go/activity.cancel.sm.repro"] = {
      {},
      nullptr,
      bad_tq,
      "the service records ActivityTaskCanceled right after the cancellation request of an "
      "activity no worker started; the recording's server (2022) did not before the workflow "
      "completed",
      {"WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
       "WorkflowTaskCompleted", "TimerStarted", "ActivityTaskScheduled", "ActivityTaskScheduled",
       "ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted",
       "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted", "TimerCanceled",
       "ActivityTaskCancelRequested", "ActivityTaskCanceled", "ActivityTaskCancelRequested",
       "ActivityTaskCanceled", "WorkflowExecutionCompleted"}};
  s["sdk-go/activity.cancel.sm.repro"].env = bad_tq_env;
  s["sdk-go/await-with-timeout-no-timer-cancel"] = {{}, nullptr, {}};
  // The activity (started event written at once, as the recording's server did) completes
  // after the cancellation, before the next workflow task starts.
  ServiceOptions slow_started;
  testing::EnvFunctions slow_started_env;
  slow_started.apply_default_activity_retry_policy = false;
  slow_started_env.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{.latency = absl::Seconds(3)};
  };
  s["sdk-go/cancel-activity-completion-before-workflow-task-started"] = {
      {},
      [](TestEnv& env, const std::string& id) {
        env.RunUntilIdle();
        env.clock().Advance(absl::Seconds(2));
        env.RunUntilIdle();
        env.service().SetWorkflowWorkersPolling(false);
        Cancel(env, id);
        env.RunToEnd(absl::Seconds(2));
        env.service().SetWorkflowWorkersPolling(true);
        env.RunToEnd();
      },
      slow_started};
  s["sdk-go/cancel-activity-completion-before-workflow-task-started"].env = slow_started_env;
  s["sdk-go/duplicate-child-workflow"] = {{}, nullptr, {}};
  s["sdk-go/multiple-updates"] = {
      {},
      [](TestEnv& env, const std::string& id) {
        const char* names[] = {"echo",  "sleep", "empty", "echo",  "sleep",
                               "empty", "echo",  "sleep", "empty", "sleep"};
        for (int i = 0; i < 10; ++i) Update(env, id, absl::StrCat("u", i), names[i], {});
        env.RunToEnd();
      },
      {},
      "Lockstep accepts a task's updates before their handlers run, so the acceptances come "
      "first; Go's SDK writes each acceptance before its handler's commands (replay compares "
      "update events by presence, not position)",
      {"WorkflowExecutionStarted",
       "WorkflowTaskScheduled",
       "WorkflowTaskStarted",
       "WorkflowTaskCompleted",
       "WorkflowExecutionUpdateAccepted",
       "WorkflowExecutionUpdateAccepted",
       "WorkflowExecutionUpdateAccepted",
       "WorkflowExecutionUpdateAccepted",
       "WorkflowExecutionUpdateAccepted",
       "WorkflowExecutionUpdateAccepted",
       "WorkflowExecutionUpdateAccepted",
       "WorkflowExecutionUpdateAccepted",
       "WorkflowExecutionUpdateAccepted",
       "WorkflowExecutionUpdateAccepted",
       "WorkflowExecutionUpdateCompleted",
       "WorkflowExecutionUpdateCompleted",
       "WorkflowExecutionUpdateCompleted",
       "ActivityTaskScheduled",
       "ActivityTaskScheduled",
       "ActivityTaskScheduled",
       "TimerStarted",
       "TimerStarted",
       "TimerStarted",
       "TimerStarted",
       "ActivityTaskStarted",
       "ActivityTaskCompleted",
       "WorkflowTaskScheduled",
       "ActivityTaskStarted",
       "ActivityTaskCompleted",
       "ActivityTaskStarted",
       "ActivityTaskCompleted",
       "WorkflowTaskStarted",
       "WorkflowTaskCompleted",
       "WorkflowExecutionUpdateCompleted",
       "WorkflowExecutionUpdateCompleted",
       "WorkflowExecutionUpdateCompleted",
       "TimerFired",
       "WorkflowTaskScheduled",
       "TimerFired",
       "TimerFired",
       "TimerFired",
       "WorkflowTaskStarted",
       "WorkflowTaskCompleted",
       "WorkflowExecutionUpdateCompleted",
       "WorkflowExecutionUpdateCompleted",
       "WorkflowExecutionUpdateCompleted",
       "WorkflowExecutionUpdateCompleted",
       "WorkflowExecutionCompleted"}};
  ServiceOptions cancel_order;
  cancel_order.apply_default_activity_retry_policy = false;
  s["sdk-go/parallel-local-activities"] = {{}, nullptr, {}};
  s["sdk-go/replay-tests-cancel-order"] = {{},
                                           [](TestEnv& env, const std::string& id) {
                                             env.RunUntilIdle();
                                             env.clock().Advance(absl::Seconds(2));
                                             Cancel(env, id);
                                             env.RunToEnd();
                                           },
                                           cancel_order};
  s["sdk-go/update_with_protocol_message_command"] = {{},
                                                      [](TestEnv& env, const std::string& id) {
                                                        Update(env, id, "u", "update",
                                                               ToPayloads(int64_t{1000000000}));
                                                        env.RunToEnd(absl::Seconds(1));
                                                        env.Signal(id, "shutdown", BinaryNull());
                                                        env.RunToEnd();
                                                      },
                                                      {}};
  s["sdk-go/version-loop-workflow-10"] = {ToPayloads(std::string("versionID"), 10), nullptr, {}};
  s["sdk-java/laSuccessfulCompletion_1_17"] = {{}, nullptr, {}};
  s["sdk-java/testAsyncActivityRetryHistory"] = {str("tq"), nullptr, {}};
  s["sdk-java/awaitTimerConditionOldBehavior"] = {{},
                                                  [](TestEnv& env, const std::string& id) {
                                                    env.RunUntilIdle();
                                                    env.Signal(id, "unblock");
                                                    env.RunToEnd();
                                                  },
                                                  {}};
  // Ten "testSignal" and a "close", batched across three workflow tasks as recorded: one
  // before the first task, two while it runs, one between tasks, seven during the second.
  ServiceOptions slow_tasks;
  testing::EnvFunctions slow_tasks_env;
  slow_tasks_env.workflow_task_latency = [](const WorkflowTaskRequest&) {
    return absl::Milliseconds(10);
  };
  s["sdk-java/testMultipleLargeGetVersionInSignalsHistory"] = {
      {},
      [](TestEnv& env, const std::string& id) {
        auto signal = [&env, &id](int i) {
          env.Signal(id, "testSignal", ToPayloads(std::string(256, 'a') + "-" + std::to_string(i)));
        };
        signal(0);
        env.RunUntilIdle();
        signal(1);
        signal(2);
        env.service().SetWorkflowWorkersPolling(false);
        env.clock().Advance(absl::Milliseconds(10));
        env.RunUntilIdle();
        signal(3);
        env.service().SetWorkflowWorkersPolling(true);
        env.RunUntilIdle();
        for (int i = 4; i < 10; ++i) signal(i);
        env.Signal(id, "close");
        env.RunToEnd();
      },
      slow_tasks};
  s["sdk-java/testMultipleLargeGetVersionInSignalsHistory"].env = slow_tasks_env;
  // Runs that cannot record what the recording shows (the reason is in run_differs).
  s["sdk-go/partial-replay-non-command-event"] = {
      ToPayloads(0),
      [](TestEnv& env, const std::string& id) {
        env.RunUntilIdle();
        env.service().SetWorkflowWorkersPolling(false);
        env.Signal(id, "trip_event", ToPayloads(std::string("{}")));
        env.RunToEnd(absl::Seconds(10));
      },
      {},
      "the service has no schedule-to-start timeout for workflow tasks (Temporal's applies to "
      "sticky queues), so the timed-out task and its retry are missing",
      {"WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
       "WorkflowTaskCompleted", "WorkflowExecutionSignaled", "WorkflowTaskScheduled"}};
  s["sdk-go/reset-workflow-after-child-complete"] = {
      {},
      nullptr,
      {},
      "the service does not reset workflows: the task failed with cause ResetWorkflow and its "
      "retry are missing",
      {"WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
       "WorkflowTaskCompleted", "StartChildWorkflowExecutionInitiated",
       "ChildWorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
       "WorkflowTaskCompleted", "ChildWorkflowExecutionCompleted", "WorkflowTaskScheduled",
       "WorkflowTaskStarted", "WorkflowTaskCompleted", "WorkflowExecutionCompleted"}};
  s["sdk-go/unhandled_cmd_timer_cancel"] = {
      ToPayloads(int64_t{600000000000}),
      [](TestEnv& env, const std::string& id) {
        env.RunUntilIdle();
        env.clock().Advance(absl::Seconds(1));
        Cancel(env, id);
        env.RunToEnd(absl::Minutes(1));
      },
      {},
      "the recording is hand-edited (its times run backwards): its task failed with "
      "UnhandledCommand although no event arrived during it, and the next one timed out; run, "
      "the cancellation cancels the timer and starts the second one at once",
      {"WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
       "WorkflowTaskCompleted", "TimerStarted", "WorkflowExecutionCancelRequested",
       "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted", "TimerCanceled",
       "TimerStarted"}};
  // The child ends (canceled) while the parent's task that answers the cancellation request is
  // out, which fails that task with UnhandledCommand.
  ServiceOptions parent_slower;
  testing::EnvFunctions parent_slower_env;
  parent_slower_env.workflow_task_latency = [](const WorkflowTaskRequest& task) {
    return absl::Milliseconds(absl::EndsWith(task.workflow_id, "-child1") ? 5 : 20);
  };
  s["sdk-java/testLocalActivityAfterCancelTest"] = {str("sada"),
                                                    [](TestEnv& env, const std::string& id) {
                                                      env.RunUntilIdle();
                                                      Cancel(env, id);  // while the first task runs
                                                      env.RunToEnd();
                                                    },
                                                    parent_slower};
  s["sdk-java/testLocalActivityAfterCancelTest"].env = parent_slower_env;
  // Lockstep runs a local activity inside the workflow task that asked for it, in virtual
  // time, and so never heartbeats a task: the recording's empty task (events 5-7) is missing.
  s["sdk-java/laRetriesAndFails_1_17"] = {
      str("WorkflowTest-testLocalActivityRetriesAndFails"),
      nullptr,
      {},
      "Lockstep runs the local activity's five attempts inside the first workflow task (virtual "
      "time), so the task the recording's worker heartbeat meanwhile is missing",
      {"WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted",
       "WorkflowTaskCompleted", "MarkerRecorded", "WorkflowExecutionFailed"}};

  // sdk-core's fixtures.
  s["sdk-core/timer_workflow_history"] = {{}, nullptr, {}};
  s["sdk-core/ends_empty_wft_complete"] = {
      ToPayloads(std::map<std::string, std::string>{{"name", "Temporal"}}),
      [](TestEnv& env, const std::string&) { env.RunUntilIdle(); },
      {}};
  // The second task's first attempt fails (the test failed the activation on purpose).
  testing::EnvFunctions fail_second_task_env;
  fail_second_task_env.fail_workflow_task = [](const WorkflowTaskRequest& task) {
    return task.history->events_size() > 3 && task.attempt == 1;
  };
  s["sdk-core/fail_wf_task"] = {{}, nullptr, {}};
  s["sdk-core/fail_wf_task"].env = fail_second_task_env;
  s["sdk-core/old_change_marker_format"] = {{}, nullptr, {}};
  // The local activity takes 15 s; Lockstep runs it inside the first task (virtual time), so
  // the recording's heartbeats, task timeouts and its end (the worker was stopped before the
  // workflow completed) are not reproduced.
  // The signal, sent while the first task is out, is written after that task's commands.
  const std::vector<std::string> la_problem_run = {
      "WorkflowExecutionStarted",  "WorkflowTaskScheduled", "WorkflowTaskStarted",
      "WorkflowTaskCompleted",     "MarkerRecorded",        "ActivityTaskScheduled",
      "WorkflowExecutionSignaled", "WorkflowTaskScheduled", "WorkflowTaskStarted",
      "WorkflowTaskCompleted",     "ActivityTaskStarted",   "ActivityTaskCompleted",
      "WorkflowTaskScheduled",     "WorkflowTaskStarted",   "WorkflowTaskCompleted",
      "WorkflowExecutionCompleted"};
  testing::EnvFunctions la_problem_env;
  la_problem_env.workflow_task_latency = [](const WorkflowTaskRequest& task) {
    return task.history->events_size() == 3 ? absl::Seconds(8) : absl::ZeroDuration();
  };
  la_problem_env.activity_timing = [](const ActivityTask&) {
    return ActivityTiming{.latency = absl::Seconds(15)};
  };
  for (const char* name : {"sdk-core/evict_while_la_running_no_interference-16",
                           "sdk-core/evict_while_la_running_no_interference-23",
                           "sdk-core/evict_while_la_running_no_interference-85"}) {
    s[name] = {{},
               [](TestEnv& env, const std::string& id) {
                 env.RunUntilIdle();  // the first task is out for 8 s
                 env.clock().Advance(absl::Seconds(1));
                 env.Signal(id, "whaatever");
                 env.RunToEnd();
               },
               {},
               "Lockstep runs the 15 s local activity inside the first workflow task (virtual "
               "time), so the recording's task heartbeats and timeouts are missing, and the run "
               "goes on to complete where the recording's worker was stopped",
               la_problem_run};
    s[name].env = la_problem_env;
  }
  // One update with the first task; the 6 s local activity runs inside that task (virtual
  // time), so the recording's heartbeat tasks, during which the other updates came, are
  // missing.
  for (const auto& [name, handler_types] :
       std::vector<std::pair<const char*, std::vector<std::string>>>{
           {"sdk-core/long_local_activity_with_update-0", {"WorkflowExecutionUpdateCompleted"}},
           {"sdk-core/long_local_activity_with_update-1", {"TimerStarted"}},
           {"sdk-core/long_local_activity_with_update-2", {"WorkflowExecutionUpdateCompleted"}},
           {"sdk-core/long_local_activity_with_update-3", {"TimerStarted"}}}) {
    // The handler completes at once, or waits on its 2 s timer when the workflow completes.
    std::vector<std::string> types = {"WorkflowExecutionStarted", "WorkflowTaskScheduled",
                                      "WorkflowTaskStarted", "WorkflowTaskCompleted",
                                      "WorkflowExecutionUpdateAccepted"};
    types.insert(types.end(), handler_types.begin(), handler_types.end());
    types.push_back("MarkerRecorded");
    types.push_back("WorkflowExecutionCompleted");
    s[name] = {{},
               [](TestEnv& env, const std::string& id) {
                 Update(env, id, "u1", "update", ToPayloads(std::monostate()));
                 env.RunToEnd();
               },
               {},
               "Lockstep runs the 6 s local activity inside the first workflow task (virtual "
               "time): the recording's heartbeat tasks, and the updates they took, are missing",
               types};
  }
  return s;
}

class TemporalPortTest : public ::testing::TestWithParam<TemporalPort> {};

TEST_P(TemporalPortTest, RunningThePortRecordsTheSameEventTypes) {
  const TemporalPort& port = GetParam();
  const History recording = Recording(port);
  const auto scenarios = Scenarios();
  auto it = scenarios.find(port.name);
  ASSERT_NE(it, scenarios.end()) << "no scenario for " << port.name;
  const Scenario& scenario = it->second;

  TestEnv env({}, scenario.service, scenario.env);
  ASSERT_TRUE(port.register_fn(&env.registry()).ok());
  const auto& started = recording.events(0).workflow_execution_started_event_attributes();
  const std::string id = "port";
  StartWorkflowRequest request;
  request.workflow_id = id;
  request.workflow_type = port.workflow_type;
  request.task_queue = started.task_queue().name();
  request.input = scenario.input;
  ASSERT_TRUE(env.service().StartWorkflow(request).ok());
  if (scenario.drive) {
    scenario.drive(env, id);
  } else {
    env.RunToEnd();
  }
  // The first run (a continued-as-new recording is the first run of its chain).
  const auto runs = env.service().ListRuns();
  ASSERT_FALSE(runs.empty());
  if (scenario.run_differs != nullptr) {
    EXPECT_EQ(Types(env.History(id, runs[0].run_id())), scenario.run_types)
        << scenario.run_differs << "\n\""
        << absl::StrJoin(Types(env.History(id, runs[0].run_id())), "\", \"") << "\"";
    EXPECT_NE(scenario.run_types, Types(recording));
    return;
  }
  EXPECT_EQ(Types(env.History(id, runs[0].run_id())), Types(recording));
}

// Ports whose result is a value the workflow draws afresh when it runs (the recording SDK
// would draw another too): evicted before the task that draws it, replay runs that task live,
// and the result differs from the recording's there and only there. The WorkflowTaskStarted
// event id of that boundary, and why.
struct LiveDrawnResult {
  int64_t evicted_before;
  const char* why;
};
const std::map<std::string, LiveDrawnResult>& LiveDrawnResults() {
  static const auto* kLiveDrawn = new std::map<std::string, LiveDrawnResult>{
      {"sdk-go/replay-tests-version-and-mutable-side-effect",
       {3,
        "the first task draws the UUID the workflow returns (Go: uuid.NewString() in a "
        "MutableSideEffect); replayed it is the recorded one, run live it is new"}},
  };
  return *kLiveDrawn;
}

TEST_P(TemporalPortTest, RecordingReplaysCleanly) {
  const TemporalPort& port = GetParam();
  const History recording = Recording(port);
  const TemporalPort* found = ports::FindPort(recording);
  ASSERT_NE(found, nullptr);
  ASSERT_STREQ(found->name, port.name);
  const Registry& registry = ports::PortRegistry(*found);
  replay::ReplayResult result = replay::ReplayHistory(registry, recording, port.history_file);
  EXPECT_EQ(result.outcome, replay::Outcome::kClean) << replay::FormatText(result);
  // Results are compared too: a differing result is only a warning for a user, but a port
  // must return what its recording did.
  EXPECT_THAT(result.warnings, ::testing::IsEmpty()) << replay::FormatText(result);
  replay::ReplayResult evicted =
      replay::ReplayEveryTaskBoundary(registry, recording, port.history_file);
  EXPECT_EQ(evicted.outcome, replay::Outcome::kClean) << replay::FormatText(evicted);
  const auto live_drawn = LiveDrawnResults().find(port.name);
  if (live_drawn == LiveDrawnResults().end()) {
    EXPECT_THAT(evicted.warnings, ::testing::IsEmpty()) << replay::FormatText(evicted);
  } else {
    EXPECT_THAT(
        evicted.warnings,
        ::testing::ElementsAre(::testing::StartsWith(absl::StrCat(
            "evicted before event ", live_drawn->second.evicted_before, ": result mismatch: "))))
        << live_drawn->second.why << "\n"
        << replay::FormatText(evicted);
  }
}

INSTANTIATE_TEST_SUITE_P(Each, TemporalPortTest, ::testing::ValuesIn(ports::TemporalPorts()),
                         [](const ::testing::TestParamInfo<TemporalPort>& param) {
                           std::string name = param.param.name;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// Recordings in tests/data/temporal without a port, and why. Every recording there must either
// have a port whose replay is clean or be listed here (docs/temporal-corpus.md has the table).
const std::map<std::string, std::string>& UnsupportedRecordings() {
  static const auto* kUnsupported = new std::map<std::string, std::string>{
      {"sdk-go__test__replaytests__nexus-cancel-after-start.json",
       "Nexus operation events: Lockstep does not implement Nexus operations"},
      {"sdk-go__test__replaytests__child-workflow-cancel-with-update.json",
       "the recording is spliced (an activity completes with no workflow task scheduled after "
       "it, times run backwards), and the child's cancellation is identified by the child's "
       "workflow id, which Lockstep generates differently from Go even when ids are not "
       "compared"},
      {"sdk-go__test__replaytests__multiple-updates-canceled.json",
       "the update handlers run with the workflow already canceled, and cancel the activity "
       "or timer each issues in that same task: Go then sends the command and its "
       "cancellation both (events 7-8, 23-24...), Lockstep, like Java and sdk-core, neither "
       "(sdk-go internal_command_state_machine.go, activityCommandStateMachine.cancel and "
       "getCommand in commandStateCanceledBeforeSent)"},
  };
  return *kUnsupported;
}

// Every recording: Go's and Java's (JSON) in tests/data/temporal, sdk-core's (binary) in
// tests/data/temporal/sdk-core; names relative to tests/data/temporal.
std::vector<std::string> CorpusFiles() {
  std::vector<std::string> files;
  for (const auto& [subdir, extension] :
       std::vector<std::pair<std::string, std::string>>{{"", ".json"}, {"sdk-core/", ".bin"}}) {
    const std::filesystem::path dir = testing::TestDataPath("temporal/" + subdir);
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() == extension) {
        files.push_back(subdir + entry.path().filename().string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(TemporalCorpusTest, EveryRecordingHasACleanPortOrAReason) {
  const std::vector<std::string> files = CorpusFiles();
  EXPECT_EQ(std::count_if(files.begin(), files.end(),
                          [](const std::string& f) { return absl::StartsWith(f, "sdk-core/"); }),
            11);
  for (const std::string& name : files) {
    auto loaded = history::LoadHistoryFile(testing::TestDataPath("temporal/" + name));
    ASSERT_TRUE(loaded.ok()) << name << ": " << loaded.status();
    const History& recording = loaded->histories[0];
    const TemporalPort* port = ports::FindPort(recording);
    const auto unsupported = UnsupportedRecordings().find(name);
    if (unsupported != UnsupportedRecordings().end()) {
      EXPECT_EQ(port, nullptr) << name << " has a port but is listed as unsupported";
      continue;
    }
    ASSERT_NE(port, nullptr) << name << ": no port, and not listed as unsupported with a reason";
    EXPECT_EQ(name, port->history_file);
    const Registry& registry = ports::PortRegistry(*port);
    if (BrokenRecordings().contains(name)) continue;  // BrokenRecordingTest
    EXPECT_EQ(replay::ReplayHistory(registry, recording, name).outcome, replay::Outcome::kClean)
        << name;
    EXPECT_EQ(replay::ReplayEveryTaskBoundary(registry, recording, name).outcome,
              replay::Outcome::kClean)
        << name;
  }
  EXPECT_EQ(files.size(), ports::TemporalPorts().size() + UnsupportedRecordings().size());
}

TEST(BrokenRecordingTest, RawRecordingIsReportedAndTheEditedOneReplaysCleanly) {
  for (const auto& [file, broken] : BrokenRecordings()) {
    SCOPED_TRACE(file);
    const History raw = RawRecording(file);
    const TemporalPort* port = ports::FindPort(raw);
    ASSERT_NE(port, nullptr);
    const Registry& registry = ports::PortRegistry(*port);
    replay::ReplayResult result = replay::ReplayHistory(registry, raw, file);
    ASSERT_EQ(result.outcome, replay::Outcome::kNondeterministic) << broken.why << "\n"
                                                                  << replay::FormatText(result);
    EXPECT_EQ(result.nondeterminism->kind, broken.kind) << replay::FormatText(result);
    EXPECT_EQ(result.nondeterminism->event_id, broken.event_id) << replay::FormatText(result);
    const History edited = Recording(*port);
    EXPECT_EQ(replay::ReplayHistory(registry, edited, file).outcome, replay::Outcome::kClean);
    EXPECT_EQ(replay::ReplayEveryTaskBoundary(registry, edited, file).outcome,
              replay::Outcome::kClean);
  }
}

// Changed versions of ports: each replays its recording and must be caught, with the kind
// and event id a user would need to find the change.
struct ChangedPort {
  const char* name;
  const char* port;
  std::function<absl::Status(Registry*)> register_changed;
  Nondeterminism::Kind kind;
  int64_t event_id;
  bool names_a_line = true;  // false where no statement issued anything to point at
};

std::vector<ChangedPort> ChangedPorts() {
  using K = Nondeterminism::Kind;
  const ActivityOptions opts{.start_to_close_timeout = absl::Minutes(1)};
  std::vector<ChangedPort> c;
  c.push_back(
      {"ActivityRenamed", "samples-go/helloworld",
       [opts](Registry* r) {
         return r->RegisterWorkflow(
             "Workflow", [opts](WorkflowContext& ctx, std::string name) -> Task<std::string> {
               co_return co_await ctx.ExecuteActivity<std::string>("ActivityV2", opts, name);
             });
       },
       K::kMismatch, 5});
  c.push_back({"TimerAddedBeforeTheActivity", "sdk-go/activity-same-time-as-cancel",
               [opts](Registry* r) {
                 return r->RegisterWorkflow(
                     "WorkflowWithLocalActivityStartWhenTimerCancel",
                     [opts](WorkflowContext& ctx) -> Task<bool> {
                       Future<void> timer = ctx.Sleep(absl::Seconds(3));
                       bool signaled = false;
                       ctx.SetSignalHandler<std::string>(
                           "signal", [&signaled](const std::string&) { signaled = true; });
                       co_await ctx.WaitCondition([&signaled] { return signaled; });
                       co_await ctx.Sleep(absl::Seconds(1));  // the added timer
                       timer.Cancel();
                       co_return co_await ctx.ExecuteActivity<int>("Echo", opts, 0, 0) == 0;
                     });
               },
               K::kMismatch, 10});
  c.push_back({"OrderSwapped", "sdk-go/side-effect",
               [opts](Registry* r) {
                 return r->RegisterWorkflow(
                     "SideEffectWorkflow",
                     [opts](WorkflowContext& ctx, std::string name) -> Task<void> {
                       co_await ctx.ExecuteActivity<std::string>("helloworldActivity", opts, name);
                       ctx.SideEffect<int>([] { return 1; });
                     });
               },
               K::kMismatch, 5});
  c.push_back({"VersionBranchRemoved", "sdk-go/workflow1",
               [opts](Registry* r) {
                 return r->RegisterWorkflow(
                     "Workflow1", [opts](WorkflowContext& ctx, std::string name) -> Task<void> {
                       co_await ctx.ExecuteActivity<std::string>("helloworldActivity", opts, name);
                     });
               },
               K::kMismatch, 5});
  c.push_back({"ChildTypeRenamed", "sdk-go/parentWF",
               [](Registry* r) {
                 return r->RegisterWorkflow(
                     "testReplayWorkflowFromFileParent", [](WorkflowContext& ctx) -> Task<void> {
                       const std::string id = "child_workflow:" + ctx.info().run_id;
                       co_await ctx.ExecuteChildWorkflow<void>("otherChild", {.workflow_id = id});
                     });
               },
               K::kMismatch, 5});
  c.push_back(
      {"UpdateHandlerRenamed", "sdk-go/update_complete_and_exit",
       [](Registry* r) {
         return r->RegisterWorkflow("UpdateAndExit", [](WorkflowContext& ctx) -> Task<void> {
           bool done = false;
           ctx.SetUpdateHandler<int64_t>("update-v2", [&done](int64_t) { done = true; });
           co_await ctx.WaitCondition([&done] { return done; });
         });
       },
       K::kMissing, 5, /*names_a_line=*/false});
  c.push_back({"ScopeOrderSwapped", "sdk-java/cancellationScopeDeterminism",
               [](Registry* r) {
                 return r->RegisterWorkflow("TestWorkflow", [](WorkflowContext& ctx) -> Task<void> {
                   Future<void> sleep = ctx.Sleep(absl::Minutes(5));
                   co_await ctx.ExecuteActivity<void>(
                       "DoActivity", {.schedule_to_close_timeout = absl::Seconds(60)});
                   co_await sleep;
                 });
               },
               K::kMismatch, 5});
  c.push_back(
      {"LocalActivityRenamed", "sdk-go/local-activity",
       [](Registry* r) {
         return r->RegisterWorkflow(
             "LocalActivityWorkflow", [](WorkflowContext& ctx, std::string name) -> Task<void> {
               co_await ctx.ExecuteLocalActivity<std::string>(
                   "helloActivityV2", {.schedule_to_close_timeout = absl::Minutes(1)}, name);
             });
       },
       K::kMismatch, 5});
  c.push_back({"JavaVersionBranchRemoved", "sdk-java/testGetVersionHistory",
               [opts](Registry* r) {
                 return r->RegisterWorkflow(
                     "TestWorkflow1",
                     [opts](WorkflowContext& ctx, std::string) -> Task<std::string> {
                       co_return absl::StrCat(
                           co_await ctx.ExecuteActivity<int>("customActivity1", opts, 1));
                     });
               },
               K::kMismatch, 5});
  c.push_back({"SecondVersionBranchRemoved", "sdk-go/workflow2",
               [opts](Registry* r) {
                 return r->RegisterWorkflow(
                     "Workflow2", [opts](WorkflowContext& ctx, std::string name) -> Task<void> {
                       ctx.GetVersion("test-change", WorkflowContext::kDefaultVersion, 1);
                       ctx.UpsertSearchAttributes(
                           {{"CustomKeywordField", ToPayload(std::string("testkey"))}});
                       // GetVersion("test-change-2") removed.
                       ctx.GetVersion("test-change-3", WorkflowContext::kDefaultVersion, 1);
                       co_await ctx.ExecuteActivity<std::string>("helloworldActivity", opts, name);
                     });
               },
               K::kMismatch, 8});
  c.push_back({"RetriedActivityRenamed", "features/activity/retry_on_error (go)",
               [](Registry* r) {
                 return r->RegisterWorkflow("Workflow", [](WorkflowContext& ctx) -> Task<void> {
                   co_await ctx.ExecuteActivity<void>(
                       "AlwaysFailActivityV2", {.schedule_to_close_timeout = absl::Minutes(1)});
                 });
               },
               K::kMismatch, 5});
  c.push_back({"ContinuedAsAnotherType", "sdk-go/continue-as-new",
               [](Registry* r) {
                 return r->RegisterWorkflow("ContinueAsNewWorkflow",
                                            [](WorkflowContext& ctx, bool) -> Task<void> {
                                              ctx.ContinueAsNew({.workflow_type = "Other"}, false);
                                              co_return;
                                            });
               },
               K::kMismatch, 5, /*names_a_line=*/false});
  // sdk-core's recordings.
  c.push_back({"CoreTimerReplacedByActivity", "sdk-core/timer_workflow_history",
               [opts](Registry* r) {
                 return r->RegisterWorkflow("timer_workflow_NqA7v+rB",
                                            [opts](WorkflowContext& ctx) -> Task<void> {
                                              co_await ctx.ExecuteActivity<void>("wait", opts);
                                            });
               },
               K::kMismatch, 5});
  c.push_back({"CorePatchRemoved", "sdk-core/old_change_marker_format",
               [](Registry* r) {
                 return r->RegisterWorkflow("writes_change_markers",
                                            [](WorkflowContext& ctx) -> Task<void> {
                                              for (int i = 0; i < 3; ++i)
                                                co_await ctx.Sleep(absl::Milliseconds(200));
                                            });
               },
               K::kMismatch, 5});
  c.push_back(
      {"CoreLocalActivityRenamed", "sdk-core/evict_while_la_running_no_interference-16",
       [](Registry* r) {
         return r->RegisterWorkflow(
             "evict_while_la_running_no_interference", [](WorkflowContext& ctx) -> Task<void> {
               co_await ctx.ExecuteLocalActivity<void>(
                   "delay_v2", {.start_to_close_timeout = absl::Seconds(30)}, std::string("hi!"));
               co_await ctx.ExecuteActivity<void>(
                   "delay", {.start_to_close_timeout = absl::Seconds(20)}, std::string("hi!"));
             });
       },
       K::kMismatch, 9});
  c.push_back(
      {"CoreActivityBeforeLocalActivity", "sdk-core/evict_while_la_running_no_interference-85",
       [](Registry* r) {
         return r->RegisterWorkflow(
             "evict_while_la_running_no_interference", [](WorkflowContext& ctx) -> Task<void> {
               co_await ctx.ExecuteActivity<void>(
                   "delay", {.start_to_close_timeout = absl::Seconds(20)}, std::string("hi!"));
               co_await ctx.ExecuteLocalActivity<void>(
                   "delay", {.start_to_close_timeout = absl::Seconds(30)}, std::string("hi!"));
             });
       },
       K::kExtra, 11});
  c.push_back({"CoreUpdateTimerRemoved", "sdk-core/long_local_activity_with_update-1",
               [](Registry* r) {
                 return r->RegisterWorkflow(
                     "long_local_activity_with_update-1", [](WorkflowContext& ctx) -> Task<void> {
                       ctx.SetUpdateHandler<std::monostate>("update", [](std::monostate) {});
                       co_await ctx.ExecuteLocalActivity<void>(
                           "delay", {.start_to_close_timeout = absl::Seconds(60)});
                     });
               },
               K::kMissing, 9});
  c.push_back({"CoreSayHelloActivityRenamed", "sdk-core/ends_empty_wft_complete",
               [opts](Registry* r) {
                 return r->RegisterRawWorkflow(
                     "SayHelloWorkflow", [opts](WorkflowContext& ctx, Payloads) -> Task<Payloads> {
                       co_await ctx.ExecuteActivity<std::string>("say_goodbye", opts);
                       co_await ctx.WaitCondition([] { return false; });
                       co_return Payloads();
                     });
               },
               K::kMismatch, 5});
  // The first call's marker (event 5) is for "side-effect-1": a call for another id has no
  // recorded value, and its marker would have been that event.
  c.push_back({"MutableSideEffectIdChanged", "sdk-go/mutable-side-effect",
               [](Registry* r) {
                 return r->RegisterWorkflow(
                     "MutableSideEffectWorkflow", [](WorkflowContext& ctx) -> Task<int> {
                       const int value =
                           ctx.MutableSideEffect<int>("side-effect-2", [] { return 0; });
                       co_await ctx.Sleep(absl::Seconds(1));
                       co_return value;
                     });
               },
               K::kMismatch, 5});
  // The UUID's mutable side effect dropped: the activity comes where its marker (event 7) was.
  c.push_back(
      {"MutableSideEffectDropped", "sdk-go/replay-tests-version-and-mutable-side-effect",
       [](Registry* r) {
         return r->RegisterWorkflow(
             "VersionAndMutableSideEffectWorkflow",
             [](WorkflowContext& ctx, std::string name) -> Task<std::string> {
               ctx.GetVersion("mutable-side-effect-bug", WorkflowContext::kDefaultVersion, 1);
               co_await ctx.ExecuteActivity<std::string>(
                   "helloworldActivity", {.start_to_close_timeout = absl::Seconds(10)}, name);
               co_return std::string();
             });
       },
       K::kMismatch, 7});
  c.push_back({"JavaRetriedLocalActivityRenamed", "sdk-java/laRetriesAndFails_1_17",
               [](Registry* r) {
                 return r->RegisterWorkflow(
                     "TestWorkflow1", [](WorkflowContext& ctx, std::string) -> Task<void> {
                       co_await ctx.ExecuteLocalActivity<void>(
                           "ThrowIOv2", {.schedule_to_close_timeout = absl::Seconds(100)});
                     });
               },
               K::kMismatch, 8});
  return c;
}

class ChangedPortTest : public ::testing::TestWithParam<ChangedPort> {};

TEST_P(ChangedPortTest, IsCaughtWithKindAndEvent) {
  const ChangedPort& c = GetParam();
  const TemporalPort* port = nullptr;
  for (const TemporalPort& p : ports::TemporalPorts()) {
    if (std::string(p.name) == c.port) port = &p;
  }
  ASSERT_NE(port, nullptr);
  Registry changed;
  ASSERT_TRUE(c.register_changed(&changed).ok());
  replay::ReplayResult result =
      replay::ReplayHistory(changed, Recording(*port), port->history_file);
  ASSERT_EQ(result.outcome, replay::Outcome::kNondeterministic) << replay::FormatText(result);
  ASSERT_TRUE(result.nondeterminism.has_value());
  EXPECT_EQ(result.nondeterminism->kind, c.kind) << replay::FormatText(result);
  EXPECT_EQ(result.nondeterminism->event_id, c.event_id) << replay::FormatText(result);
  // The report points into the changed code.
  if (c.names_a_line) {
    EXPECT_THAT(result.nondeterminism->where.file_name(),
                ::testing::HasSubstr("temporal_ports_test"))
        << replay::FormatText(result);
  }
}

INSTANTIATE_TEST_SUITE_P(Each, ChangedPortTest, ::testing::ValuesIn(ChangedPorts()),
                         [](const ::testing::TestParamInfo<ChangedPort>& param) {
                           return std::string(param.param.name);
                         });

}  // namespace
}  // namespace lockstep
