// TraceRecorder on a real service, worker and registry (TestEnvironment): the spans, instants
// and metadata of the trace it writes, parsed back as JSON, in virtual microseconds.
#include "sim/trace_recorder.h"

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/workflow/definitions.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "testing/matchers.h"
#include "testing/test_environment.h"

namespace lockstep::sim {
namespace trace_recorder_test {
namespace {

using ::lockstep::testing::IsOk;
using ::lockstep::testing::IsOkAndHolds;
using ::lockstep::testing::TestEnvironment;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

constexpr int64_t kSecondUs = 1'000'000;

constexpr ActivityDef<std::string(std::string)> kBook{"book"};
constexpr ActivityDef<int(int)> kSlow{"slow"};
constexpr ActivityDef<int(int)> kFast{"fast"};
constexpr SignalDef<void(bool)> kApprove{"approve"};
constexpr WorkflowDef<std::string(std::string)> kShip{"ship"};
constexpr WorkflowDef<std::string(std::string)> kTrip{"trip"};
constexpr WorkflowDef<int(int)> kFanOut{"fan_out"};
constexpr WorkflowDef<int()> kWaiter{"waiter"};
constexpr WorkflowDef<std::string(std::string)> kPay{"pay"};
constexpr UpdateDef<int(int)> kAddItems{"add_items"};
constexpr WorkflowDef<int()> kCart{"cart"};

// An activity, a timer, a signal and a child, one after the other.
Task<std::string> Trip(WorkflowContext& ctx, std::string who) {
  bool approved = false;
  ctx.SetSignalHandler(kApprove, [&](bool ok) { approved = ok; });
  std::string booking =
      co_await ctx.ExecuteActivity(kBook, {.start_to_close_timeout = absl::Minutes(1)}, who);
  co_await ctx.Sleep(absl::Minutes(1));
  co_await ctx.WaitCondition([&] { return approved; });
  std::string shipped =
      co_await ctx.ExecuteChildWorkflow(kShip, {.workflow_id = "trip-1-ship"}, booking);
  co_return shipped;
}

// One activity, two attempts 1 s apart.
Task<std::string> Pay(WorkflowContext& ctx, std::string card) {
  ActivityOptions options{.start_to_close_timeout = absl::Seconds(10), .has_retry_policy = true};
  options.retry_policy.initial_interval = absl::Seconds(1);
  options.retry_policy.maximum_attempts = 2;
  std::string charge = co_await ctx.ExecuteActivity(kBook, options, card);
  co_return charge;
}

// Takes updates (rejecting counts below one) until approved, then doubles the total with a
// local activity.
Task<int> Cart(WorkflowContext& ctx) {
  int items = 0;
  bool closed = false;
  ctx.SetUpdateHandler(
      kAddItems,
      [&](int n) {
        items += n;
        return items;
      },
      [&](int n) {
        if (n <= 0) throw ApplicationFailure("must add at least one item", "BadCount");
      });
  ctx.SetSignalHandler(kApprove, [&](bool) { closed = true; });
  co_await ctx.WaitCondition([&] { return closed; });
  const int doubled =
      co_await ctx.ExecuteLocalActivity(kSlow, {.start_to_close_timeout = absl::Seconds(5)}, items);
  co_return doubled;
}

// Activities that overlap: a slow one at 0 s; at 3 s another slow one (overlapping the first
// without nesting in it) and a fast one; once all are done, a last fast one.
Task<int> FanOut(WorkflowContext& ctx, int n) {
  const ActivityOptions options{.start_to_close_timeout = absl::Minutes(1)};
  Future<int> first = ctx.ExecuteActivity(kSlow, options, n);
  co_await ctx.Sleep(absl::Seconds(3));
  Future<int> second = ctx.ExecuteActivity(kSlow, options, n);
  Future<int> third = ctx.ExecuteActivity(kFast, options, n);
  const int a = co_await first;
  const int b = co_await second;
  const int c = co_await third;
  const int d = co_await ctx.ExecuteActivity(kFast, options, a + b + c);
  co_return d;
}

// A ten-minute timer, then a signal that never comes.
Task<int> Waiter(WorkflowContext& ctx) {
  bool done = false;
  ctx.SetSignalHandler(kApprove, [&](bool) { done = true; });
  co_await ctx.Sleep(absl::Minutes(10));
  co_await ctx.WaitCondition([&] { return done; });
  co_return 1;
}

// One trace event, parsed back. ts and dur in nanoseconds (the JSON has microseconds with at
// most three decimals).
struct Event {
  std::string name;
  std::string cat;
  std::string ph;
  std::string scope;  // "s"
  int64_t ts_ns = 0;
  std::optional<int64_t> dur_ns;
  int64_t pid = -1;
  int64_t tid = -1;
  std::map<std::string, std::string> args;  // numbers and booleans as their JSON text
};

void PrintTo(const Event& e, std::ostream* os) {
  *os << e.ph << " " << e.cat << " \"" << e.name << "\" ts_ns=" << e.ts_ns;
  if (e.dur_ns) *os << " dur_ns=" << *e.dur_ns;
  *os << " pid=" << e.pid << " tid=" << e.tid;
  for (const auto& [key, value] : e.args) *os << " " << key << "=" << value;
}

int64_t MicrosToNanos(simdjson::dom::element value) {
  int64_t whole = 0;
  if (value.get(whole) == simdjson::SUCCESS) return whole * 1000;
  double fractional = 0;
  EXPECT_EQ(value.get(fractional), simdjson::SUCCESS) << "ts/dur is not a number";
  return std::llround(fractional * 1000);
}

struct Trace {
  std::string display_time_unit;
  std::vector<Event> events;

  // Events of phase `ph` named `name`, in process `pid` (any when negative).
  std::vector<Event> Find(absl::string_view ph, absl::string_view name, int64_t pid = -1) const {
    std::vector<Event> found;
    for (const Event& e : events) {
      if (e.ph == ph && e.name == name && (pid < 0 || e.pid == pid)) found.push_back(e);
    }
    return found;
  }
  // The metadata name of process `pid` ("process_name") or of thread (pid, tid).
  std::string ProcessName(int64_t pid) const {
    for (const Event& e : events) {
      if (e.ph == "M" && e.name == "process_name" && e.pid == pid) return e.args.at("name");
    }
    return "";
  }
  std::string ThreadName(int64_t pid, int64_t tid) const {
    for (const Event& e : events) {
      if (e.ph == "M" && e.name == "thread_name" && e.pid == pid && e.tid == tid) {
        return e.args.at("name");
      }
    }
    return "";
  }
  int64_t PidOf(absl::string_view workflow_id) const {
    for (const Event& e : events) {
      if (e.ph == "M" && e.name == "process_name" &&
          e.args.at("name") == absl::StrCat("workflow ", workflow_id)) {
        return e.pid;
      }
    }
    return -1;
  }
};

Trace Parse(const std::string& json) {
  Trace trace;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) {
    ADD_FAILURE() << "not JSON: " << json;
    return trace;
  }
  std::string_view unit;
  EXPECT_EQ(doc["displayTimeUnit"].get(unit), simdjson::SUCCESS);
  trace.display_time_unit = std::string(unit);
  simdjson::dom::array events;
  if (doc["traceEvents"].get(events) != simdjson::SUCCESS) {
    ADD_FAILURE() << "no traceEvents array";
    return trace;
  }
  for (simdjson::dom::element element : events) {
    Event e;
    simdjson::dom::object object;
    EXPECT_EQ(element.get(object), simdjson::SUCCESS);
    for (auto [key, value] : object) {
      std::string_view text;
      if (key == "name") {
        EXPECT_EQ(value.get(text), simdjson::SUCCESS);
        e.name = std::string(text);
      } else if (key == "cat") {
        EXPECT_EQ(value.get(text), simdjson::SUCCESS);
        e.cat = std::string(text);
      } else if (key == "ph") {
        EXPECT_EQ(value.get(text), simdjson::SUCCESS);
        e.ph = std::string(text);
      } else if (key == "s") {
        EXPECT_EQ(value.get(text), simdjson::SUCCESS);
        e.scope = std::string(text);
      } else if (key == "ts") {
        e.ts_ns = MicrosToNanos(value);
      } else if (key == "dur") {
        e.dur_ns = MicrosToNanos(value);
      } else if (key == "pid") {
        EXPECT_EQ(value.get(e.pid), simdjson::SUCCESS);
      } else if (key == "tid") {
        EXPECT_EQ(value.get(e.tid), simdjson::SUCCESS);
      } else if (key == "args") {
        simdjson::dom::object args;
        EXPECT_EQ(value.get(args), simdjson::SUCCESS);
        for (auto [arg, arg_value] : args) {
          if (arg_value.get(text) == simdjson::SUCCESS) {
            e.args[std::string(arg)] = std::string(text);
          } else {
            e.args[std::string(arg)] = simdjson::minify(arg_value);
          }
        }
      } else {
        ADD_FAILURE() << "unexpected key " << key;
      }
    }
    EXPECT_GE(e.pid, 0) << e.name;
    EXPECT_FALSE(e.ph.empty()) << e.name;
    trace.events.push_back(std::move(e));
  }
  return trace;
}

// What the trace-event format asks of complete events and Perfetto enforces: on each thread,
// any two X events are disjoint or one contains the other.
void ExpectSpansNestPerThread(const Trace& trace) {
  std::map<std::pair<int64_t, int64_t>, std::vector<const Event*>> by_thread;
  for (const Event& e : trace.events) {
    if (e.ph != "X") continue;
    ASSERT_TRUE(e.dur_ns.has_value()) << e.name;
    EXPECT_GE(*e.dur_ns, 0) << e.name;
    by_thread[{e.pid, e.tid}].push_back(&e);
  }
  for (const auto& [thread, spans] : by_thread) {
    for (const Event* a : spans) {
      for (const Event* b : spans) {
        if (a == b) continue;
        const int64_t a_end = a->ts_ns + *a->dur_ns;
        const int64_t b_end = b->ts_ns + *b->dur_ns;
        const bool disjoint = a_end <= b->ts_ns || b_end <= a->ts_ns;
        const bool nested =
            (a->ts_ns <= b->ts_ns && b_end <= a_end) || (b->ts_ns <= a->ts_ns && a_end <= b_end);
        EXPECT_TRUE(disjoint || nested)
            << "pid " << thread.first << " tid " << thread.second << ": " << a->name << " ["
            << a->ts_ns << ", " << a_end << ") overlaps " << b->name << " [" << b->ts_ns << ", "
            << b_end << ")";
      }
    }
  }
}

// Runs the Trip workflow with the recorder attached; returns the trace text.
std::string RecordTrip() {
  TestEnvironment env;
  EXPECT_THAT(env.RegisterWorkflow(kTrip, &Trip), IsOk());
  env.OnActivity(kBook).Return("booking-7").Latency(absl::Seconds(5));
  env.OnWorkflow(kShip)
      .Call([](const std::string& booking) { return "shipped " + booking; })
      .Delay(absl::Hours(2));
  TraceRecorder recorder(env.Now());
  env.service().AddStepObserver(&recorder);
  auto handle = env.StartWorkflow(kTrip, {.id = "trip-1"}, "ada");
  EXPECT_THAT(handle, IsOk());
  if (!handle.ok()) return "";
  env.RegisterDelayedCallback(absl::Hours(1),
                              [&] { EXPECT_THAT(handle->Signal(kApprove, true), IsOk()); });
  EXPECT_THAT(handle->Result<std::string>(), IsOkAndHolds("shipped booking-7"));
  return recorder.Finish(env.Now());
}

TEST(TraceRecorder, ActivityTimerSignalAndChildInVirtualMicroseconds) {
  const Trace trace = Parse(RecordTrip());
  EXPECT_EQ(trace.display_time_unit, "ms");
  const int64_t pid = trace.PidOf("trip-1");
  ASSERT_EQ(pid, 1);

  const std::vector<Event> book = trace.Find("X", "book");
  ASSERT_THAT(book, SizeIs(1));
  EXPECT_EQ(book[0].cat, "activity");
  EXPECT_EQ(book[0].pid, pid);
  EXPECT_EQ(book[0].tid, 3);
  EXPECT_EQ(book[0].ts_ns, 0);
  EXPECT_EQ(book[0].dur_ns, 5 * kSecondUs * 1000);  // the mock's 5 s latency
  EXPECT_EQ(book[0].args.at("activity_id"), "1");
  EXPECT_EQ(book[0].args.at("attempt"), "1");
  EXPECT_EQ(book[0].args.at("outcome"), "completed");
  EXPECT_EQ(book[0].args.count("unfinished"), 0u);

  // The timer starts when the workflow task after the activity completes, at 5 s.
  std::vector<Event> timers;
  for (const Event& e : trace.events) {
    if (e.ph == "X" && e.cat == "timer" && e.pid == pid) timers.push_back(e);
  }
  ASSERT_THAT(timers, SizeIs(1));
  EXPECT_EQ(timers[0].tid, 4);
  EXPECT_EQ(timers[0].ts_ns, 5 * kSecondUs * 1000);
  EXPECT_EQ(timers[0].dur_ns, 60 * kSecondUs * 1000);
  EXPECT_EQ(timers[0].args.at("fire_after_us"), "60000000");
  EXPECT_EQ(timers[0].args.at("outcome"), "fired");

  const std::vector<Event> signals = trace.Find("i", "signal approve");
  ASSERT_THAT(signals, SizeIs(1));
  EXPECT_EQ(signals[0].pid, pid);
  EXPECT_EQ(signals[0].tid, 5);
  EXPECT_EQ(signals[0].scope, "t");
  EXPECT_EQ(signals[0].ts_ns, 3600 * kSecondUs * 1000);

  const std::vector<Event> children = trace.Find("X", "ship", pid);
  ASSERT_THAT(children, SizeIs(1));
  EXPECT_EQ(children[0].tid, 6);
  EXPECT_EQ(children[0].ts_ns, 3600 * kSecondUs * 1000);
  EXPECT_EQ(children[0].dur_ns, 7200 * kSecondUs * 1000);  // the child mock's 2 h delay
  EXPECT_EQ(children[0].args.at("workflow_id"), "trip-1-ship");
  EXPECT_EQ(children[0].args.at("outcome"), "completed");
  EXPECT_FALSE(children[0].args.at("run_id").empty());

  // The run, on its own track, from start to completion; the child has its own process.
  const std::vector<Event> runs = trace.Find("X", "trip", pid);
  ASSERT_THAT(runs, SizeIs(1));
  EXPECT_EQ(runs[0].tid, 1);
  EXPECT_EQ(runs[0].ts_ns, 0);
  EXPECT_EQ(runs[0].dur_ns, 3 * 3600 * kSecondUs * 1000);
  EXPECT_EQ(runs[0].args.at("outcome"), "completed");
  const int64_t child_pid = trace.PidOf("trip-1-ship");
  EXPECT_EQ(child_pid, 2);
  const std::vector<Event> child_runs = trace.Find("X", "ship", child_pid);
  ASSERT_THAT(child_runs, SizeIs(1));
  EXPECT_EQ(child_runs[0].cat, "run");
  EXPECT_EQ(child_runs[0].tid, 1);
  EXPECT_EQ(child_runs[0].ts_ns, 3600 * kSecondUs * 1000);
  EXPECT_EQ(child_runs[0].args.at("run_id"), children[0].args.at("run_id"));

  // Workflow tasks: zero latency by default, so each is a zero-length span that completed.
  int workflow_tasks = 0;
  for (const Event& e : trace.events) {
    if (e.ph == "X" && e.cat == "workflow_task" && e.pid == pid) {
      ++workflow_tasks;
      EXPECT_EQ(e.name, "workflow task");
      EXPECT_EQ(e.tid, 2);
      EXPECT_EQ(e.args.at("outcome"), "completed");
      EXPECT_EQ(e.args.at("queued_us"), "0");
    }
  }
  // Start, activity done, timer fired, signal, child started, child done.
  EXPECT_EQ(workflow_tasks, 6);

  EXPECT_EQ(trace.ProcessName(pid), "workflow trip-1");
  EXPECT_EQ(trace.ThreadName(pid, 1), "run");
  EXPECT_EQ(trace.ThreadName(pid, 2), "workflow tasks");
  EXPECT_EQ(trace.ThreadName(pid, 3), "activities");
  EXPECT_EQ(trace.ThreadName(pid, 4), "timers");
  EXPECT_EQ(trace.ThreadName(pid, 5), "signals");
  EXPECT_EQ(trace.ThreadName(pid, 6), "children");
  EXPECT_EQ(trace.ProcessName(child_pid), "workflow trip-1-ship");
  ExpectSpansNestPerThread(trace);
}

TEST(TraceRecorder, SameRunGivesTheSameBytes) {
  const std::string first = RecordTrip();
  const std::string second = RecordTrip();
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, second);
}

TEST(TraceRecorder, OverlappingActivitiesTakeSeparateLanes) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kFanOut, &FanOut), IsOk());
  env.OnActivity(kSlow).Call([](int n) { return n; }).Latency(absl::Seconds(5));
  env.OnActivity(kFast).Call([](int n) { return n + 1; }).Latency(absl::Seconds(2));
  TraceRecorder recorder(env.Now());
  env.service().AddStepObserver(&recorder);
  EXPECT_THAT(env.ExecuteWorkflow(kFanOut, {.id = "fan"}, 1), IsOkAndHolds(5));
  const Trace trace = Parse(recorder.Finish(env.Now()));
  const int64_t pid = trace.PidOf("fan");
  auto starting_at = [&](absl::string_view name, int64_t seconds) {
    std::vector<Event> found;
    for (const Event& e : trace.Find("X", name, pid)) {
      if (e.ts_ns == seconds * kSecondUs * 1000) found.push_back(e);
    }
    EXPECT_THAT(found, SizeIs(1)) << name << " at " << seconds << " s";
    return found.empty() ? Event() : found[0];
  };
  EXPECT_THAT(trace.Find("X", "slow", pid), SizeIs(2));
  EXPECT_THAT(trace.Find("X", "fast", pid), SizeIs(2));

  // Lane 0 is the "activities" track (tid 3); a span takes the lowest lane free when it opens.
  const Event first = starting_at("slow", 0);
  EXPECT_EQ(first.dur_ns, 5 * kSecondUs * 1000);
  EXPECT_EQ(first.tid, 3);
  const Event second = starting_at("slow", 3);
  EXPECT_EQ(second.dur_ns, 5 * kSecondUs * 1000);
  EXPECT_NE(second.tid, 3);
  EXPECT_EQ(trace.ThreadName(pid, second.tid), "activities 2");
  const Event third = starting_at("fast", 3);
  EXPECT_EQ(third.dur_ns, 2 * kSecondUs * 1000);
  EXPECT_EQ(trace.ThreadName(pid, third.tid), "activities 3");
  EXPECT_NE(third.tid, second.tid);
  // The last starts once all are done (8 s), when lane 0 is free again.
  const Event last = starting_at("fast", 8);
  EXPECT_EQ(last.tid, 3);
  ExpectSpansNestPerThread(trace);
}

TEST(TraceRecorder, FailedActivityAndRunCarryTheirFailure) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kPay, &Pay), IsOk());
  env.OnActivity(kBook)
      .Fail(ApplicationFailure("gateway down", "Unavailable"))
      .Latency(absl::Seconds(2));
  TraceRecorder recorder(env.Now());
  env.service().AddStepObserver(&recorder);
  EXPECT_THAT(env.ExecuteWorkflow(kPay, {.id = "pay"}, "4242"), Not(IsOk()));
  const Trace trace = Parse(recorder.Finish(env.Now()));

  // One span for the activity, all attempts: 2 s, 1 s of backoff, 2 s.
  const std::vector<Event> book = trace.Find("X", "book");
  ASSERT_THAT(book, SizeIs(1));
  EXPECT_EQ(book[0].ts_ns, 0);
  EXPECT_EQ(book[0].dur_ns, 5 * kSecondUs * 1000);
  EXPECT_EQ(book[0].args.at("attempt"), "2");
  EXPECT_EQ(book[0].args.at("outcome"), "failed");
  EXPECT_EQ(book[0].args.at("failure"), "gateway down");

  const std::vector<Event> runs = trace.Find("X", "pay");
  ASSERT_THAT(runs, SizeIs(1));
  EXPECT_EQ(runs[0].args.at("outcome"), "failed");
  EXPECT_FALSE(runs[0].args.at("failure").empty());
  ExpectSpansNestPerThread(trace);
}

TEST(TraceRecorder, UpdatesAndLocalActivitiesOnTheirTracks) {
  TestEnvironment env;
  ASSERT_THAT(env.RegisterWorkflow(kCart, &Cart), IsOk());
  env.OnActivity(kSlow).Call([](int n) { return 2 * n; });
  TraceRecorder recorder(env.Now());
  env.service().AddStepObserver(&recorder);
  auto handle = env.StartWorkflow(kCart, {.id = "cart"});
  ASSERT_THAT(handle, IsOk());
  EXPECT_THAT(handle->Update(kAddItems, 2), IsOkAndHolds(2));
  EXPECT_THAT(handle->Update(kAddItems, 0), Not(IsOk()));
  ASSERT_THAT(handle->Signal(kApprove, true), IsOk());
  EXPECT_THAT(handle->Result<int>(), IsOkAndHolds(4));
  const Trace trace = Parse(recorder.Finish(env.Now()));

  const std::vector<Event> accepted = trace.Find("X", "update add_items");
  ASSERT_THAT(accepted, SizeIs(1));
  EXPECT_EQ(accepted[0].cat, "update");
  EXPECT_EQ(accepted[0].tid, 5);
  EXPECT_EQ(accepted[0].args.at("outcome"), "completed");
  EXPECT_FALSE(accepted[0].args.at("update_id").empty());
  // A rejected update leaves no event in the history (as in Temporal): nothing to show.
  EXPECT_THAT(trace.Find("i", "update add_items rejected"), SizeIs(0));

  const std::vector<Event> local = trace.Find("i", "slow");
  ASSERT_THAT(local, SizeIs(1));
  EXPECT_EQ(local[0].cat, "activity");
  EXPECT_EQ(local[0].tid, 3);
  EXPECT_EQ(local[0].args.at("local"), "true");
  EXPECT_EQ(local[0].args.at("outcome"), "completed");
  ExpectSpansNestPerThread(trace);
}

TEST(TraceRecorder, FinishClosesWhatIsStillOpen) {
  TestEnvironment env({.time_skipping = false});
  ASSERT_THAT(env.RegisterWorkflow(kWaiter, &Waiter), IsOk());
  TraceRecorder recorder(env.Now());
  env.service().AddStepObserver(&recorder);
  ASSERT_THAT(env.StartWorkflow(kWaiter, {.id = "waiter"}), IsOk());
  env.RunUntilIdle();
  env.AdvanceTime(absl::Minutes(3));
  const Trace trace = Parse(recorder.Finish(env.Now()));

  std::vector<Event> unfinished;
  for (const Event& e : trace.events) {
    if (e.ph == "X" && e.args.count("unfinished") > 0) unfinished.push_back(e);
  }
  // The run and the timer; the first workflow task completed.
  ASSERT_THAT(unfinished, SizeIs(2));
  for (const Event& e : unfinished) {
    EXPECT_EQ(e.args.at("unfinished"), "true");
    EXPECT_EQ(e.args.count("outcome"), 0u) << e.name;
    EXPECT_EQ(e.ts_ns, 0) << e.name;
    EXPECT_EQ(e.dur_ns, 180 * kSecondUs * 1000) << e.name;
  }
  EXPECT_EQ(unfinished[0].name, "waiter");  // runs first, then by track
  EXPECT_EQ(unfinished[0].tid, 1);
  EXPECT_EQ(unfinished[1].cat, "timer");
  EXPECT_EQ(unfinished[1].args.at("fire_after_us"), "600000000");
  const std::vector<Event> tasks = trace.Find("X", "workflow task");
  ASSERT_THAT(tasks, SizeIs(1));
  EXPECT_EQ(tasks[0].args.at("outcome"), "completed");
  ExpectSpansNestPerThread(trace);

  // Finish emptied the recorder.
  const Trace again = Parse(recorder.Finish(env.Now()));
  EXPECT_THAT(again.events, SizeIs(0));
}

TEST(TraceRecorder, InstantsFromTheSimulatorAndWorkerCrashes) {
  TestEnvironment env({.time_skipping = false});
  ASSERT_THAT(env.RegisterWorkflow(kWaiter, &Waiter), IsOk());
  const absl::Time origin = env.Now();
  TraceRecorder recorder(origin);
  env.service().AddStepObserver(&recorder);
  auto handle = env.StartWorkflow(kWaiter, {.id = "w"});
  ASSERT_THAT(handle, IsOk());
  env.RunUntilIdle();
  env.AdvanceTime(absl::Seconds(2));
  env.service().CrashWorkers();
  env.service().AttachWorkers(&env.worker(), &env.worker());
  recorder.AddInstant("w", "faults", "drop task", origin + absl::Nanoseconds(1500),
                      {{"seed", "42"}});
  recorder.AddInstant("w", "signals", "query stage", origin + absl::Seconds(3));
  recorder.AddInstant("w", "", "process note", origin + absl::Seconds(4));
  recorder.AddInstant("", "", "seed start", origin - absl::Microseconds(2));
  const std::string json = recorder.Finish(env.Now());
  const Trace trace = Parse(json);

  const std::vector<Event> crashes = trace.Find("i", "workers crashed");
  ASSERT_THAT(crashes, SizeIs(1));
  EXPECT_EQ(crashes[0].scope, "g");
  EXPECT_EQ(crashes[0].ts_ns, 2 * kSecondUs * 1000);  // the step's virtual time

  const std::vector<Event> dropped = trace.Find("i", "drop task");
  ASSERT_THAT(dropped, SizeIs(1));
  EXPECT_EQ(dropped[0].cat, "sim");
  EXPECT_EQ(dropped[0].scope, "t");
  EXPECT_EQ(dropped[0].ts_ns, 1500);
  EXPECT_EQ(dropped[0].args.at("seed"), "42");
  EXPECT_GT(dropped[0].tid, 6);  // a custom track after the standard ones
  EXPECT_EQ(trace.ThreadName(dropped[0].pid, dropped[0].tid), "faults");
  EXPECT_THAT(json, HasSubstr("\"ts\":1.500,"));  // three decimals, integer arithmetic

  const std::vector<Event> query = trace.Find("i", "query stage");
  ASSERT_THAT(query, SizeIs(1));
  EXPECT_EQ(query[0].tid, 5);
  EXPECT_EQ(trace.ThreadName(query[0].pid, 5), "signals");

  const std::vector<Event> note = trace.Find("i", "process note");
  ASSERT_THAT(note, SizeIs(1));
  EXPECT_EQ(note[0].scope, "p");
  EXPECT_EQ(note[0].pid, trace.PidOf("w"));

  const std::vector<Event> seed = trace.Find("i", "seed start");
  ASSERT_THAT(seed, SizeIs(1));
  EXPECT_EQ(seed[0].scope, "g");
  EXPECT_EQ(seed[0].ts_ns, -2000);
  EXPECT_THAT(json, HasSubstr("\"ts\":-2,"));
  EXPECT_THAT(json, Not(HasSubstr("e+")));  // no floating-point formatting anywhere
}

}  // namespace
}  // namespace trace_recorder_test
}  // namespace lockstep::sim
