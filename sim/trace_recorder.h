// TraceRecorder: a timeline of a simulation in virtual time, as Chrome trace-event JSON (the
// "JSON Object Format") that Perfetto (ui.perfetto.dev) and chrome://tracing open.
//
//   TraceRecorder trace(env.Now());
//   env.service().AddStepObserver(&trace);
//   ... run the seed ...
//   trace.AddInstant("order-7", "faults", "activity worker paused", env.Now());
//   WriteFile("seed-42.trace.json", trace.Finish(env.Now()));
//
// Contract.
//
// Output: {"traceEvents":[...],"displayTimeUnit":"ms","otherData":{...}}. Every event has
// integer pid and tid; `ts` and `dur` are VIRTUAL time in microseconds since the origin given
// to the constructor, written with integer arithmetic: whole microseconds as integers, a
// sub-microsecond remainder as exactly three decimals ("12.345"), negative before the origin.
// Wall time never appears.
//
// Time base: a span or instant derived from history is placed at its HistoryEvent's
// event_time, not at StepRecord::time. The two agree except where the history itself says
// otherwise, and there the history is right: an event buffered while a workflow task was out
// carries the time it happened, a delayed ActivityTaskStarted the time its attempt started,
// a transient workflow task's events the times it was scheduled and started. Worker crashes
// (StepKind::kWorkersCrashed) carry no event and use StepRecord::time.
//
// Processes and tracks: one process per workflow id, pid 1, 2, ... in the order the ids are
// first seen, named "workflow <id>" (process_name metadata; process_sort_index = pid). All
// runs of the id (retries, continue-as-new) share it. Within a process, tracks (threads,
// thread_name metadata), each made when first used:
//   tid 1 "run"             one span per run: WorkflowExecutionStarted -> its close event;
//                           name = workflow type; args run_id, attempt, outcome, failure /
//                           reason / new_run_id.
//   tid 2 "workflow tasks"  WorkflowTaskScheduled -> Completed / Failed / TimedOut; name
//                           "workflow task"; args attempt, queued_us (scheduled -> started),
//                           outcome, cause, failure, timeout.
//   tid 3 "activities"      ActivityTaskScheduled -> Completed / Failed / TimedOut /
//                           Canceled: one span for all attempts, retry backoff included;
//                           name = activity type; args activity_id, attempt (of the
//                           last attempt, from ActivityTaskStarted when the history has it),
//                           outcome, failure (message), timeout, cancel_requested. Local
//                           activities (LocalActivity markers, which record no duration) are
//                           instants named by their type, args local = true.
//   tid 4 "timers"          TimerStarted -> TimerFired / TimerCanceled; name = timer id; args
//                           fire_after_us, outcome.
//   tid 5 "signals"         messages into and out of the run: instants "signal <name>",
//                           "cancel requested", "update <name> admitted / rejected" (when the
//                           history has those events; this service, like Temporal, writes
//                           none for a rejected update); spans "update <name>" (accepted ->
//                           completed), "signal <name> sent" (SignalExternal initiated ->
//                           delivered / failed) and "cancel request sent" (RequestCancelExternal
//                           initiated -> delivered / failed).
//   tid 6 "children"        StartChildWorkflowExecutionInitiated -> ChildWorkflowExecution
//                           Completed / Failed / Canceled / TimedOut / Terminated, or
//                           StartChildWorkflowExecutionFailed; name = child workflow type;
//                           args workflow_id, run_id, outcome, failure, cause.
// Spans are complete ("X") events, written when they close. The trace-event format requires
// the X events of one thread to nest, and Perfetto truncates or drops ones that overlap, so
// spans that overlap in time (two activities in parallel, say) are put on separate LANES of
// their track: a span takes the lowest-numbered lane of its track free when it opens and
// keeps it until it closes. Lane 0 is the track's tid above; further lanes are threads named
// "<track> 2", "<track> 3", ... with tids from 7 up in order of creation, sorted right after
// their track (thread_sort_index). Instants from history go on lane 0.
//
// Worker crashes are global instants ("s":"g") named "workers crashed" (pid 0, tid 0).
// AddInstant adds what the simulator knows and the history does not (a fault injected, a
// query): a thread instant on the named track, a process instant when the track is empty, a
// global instant when the workflow id is empty. A track name that is not one of the six
// above makes a further track of the process (tid from 7 up, after the standard tracks).
//
// Unfinished spans: Finish(end) closes every span still open at `end` (a duration of zero if
// `end` is before its start) with args.unfinished = true, in order of the runs' first
// appearance and then of track and opening event id.
//
// What the timeline can show is what the histories say: events the service keeps out of a
// history (attempts of a transient workflow task that failed, activity attempts before the
// last one) are not in it. A recorder attached to a service after a run began shows what
// began after it was attached; a close whose opening it never saw is dropped.
//
// Determinism: the output is a function of the steps observed, the AddInstant calls and the
// arguments of the constructor and Finish, byte for byte: no wall clock, no addresses, no
// hash-ordered iteration, numbers without locale. Strings are written with
// history::AppendJsonString (bytes other than quotes, backslashes and control characters are
// copied as they are, so names should be UTF-8).
//
// Cost: per step, a map lookup per run it touched and a switch per appended event; a span
// costs one map node while open and its JSON text once closed. Output accumulates in memory
// until Finish.
//
// Finish returns the JSON text and empties the recorder (pids restart at 1), which may then
// record another run. Not thread-safe, like the service it observes.
#ifndef LOCKSTEP_SIM_TRACE_RECORDER_H_
#define LOCKSTEP_SIM_TRACE_RECORDER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "engine/service/step_observer.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::sim {

class TraceRecorder final : public StepObserver {
 public:
  // The standard tracks, in tid order (tid = index + 1).
  enum class Track { kRun, kWorkflowTasks, kActivities, kTimers, kSignals, kChildren };
  static constexpr int kTrackCount = 6;
  // "run", "workflow tasks", "activities", "timers", "signals", "children".
  static absl::string_view TrackName(Track track);

  // A string argument of an instant (args.<key> = "<value>").
  struct Arg {
    absl::string_view key;
    absl::string_view value;
  };

  explicit TraceRecorder(absl::Time origin);
  TraceRecorder(const TraceRecorder&) = delete;
  TraceRecorder& operator=(const TraceRecorder&) = delete;
  ~TraceRecorder() override;

  void OnStep(const StepRecord& step) override;

  // An instant at virtual time `at` (see the contract for where it goes), category "sim".
  void AddInstant(absl::string_view workflow_id, absl::string_view track, absl::string_view name,
                  absl::Time at, absl::Span<const Arg> args = {});

  // Closes the open spans at `end` and returns the trace; the recorder is then empty.
  std::string Finish(absl::Time end);

 private:
  struct Lanes {
    std::vector<int> tids;  // by lane
    // Free lanes, lowest first: the lane a span takes does not depend on anything but the
    // order of opens and closes.
    std::priority_queue<int, std::vector<int>, std::greater<int>> free;
  };
  struct Process;
  struct OpenSpan {
    Track track = Track::kRun;
    int lane = 0;
    int64_t start_ns = 0;
    bool started = false;  // workflow task: WorkflowTaskStarted seen, at started_ns
    int64_t started_ns = 0;
    absl::string_view cat;  // a string literal
    std::string name;
    std::string args;  // JSON object members, without braces
  };
  // Open spans by (track, opening event id): a std::map, so Finish closes them in an order
  // that does not depend on addresses.
  using OpenSpans = std::map<std::pair<int, int64_t>, OpenSpan>;
  struct Run {
    Process* process = nullptr;
    std::string run_id;
    OpenSpans open;
  };
  struct Process {
    int pid = 0;
    int next_tid = kTrackCount + 1;
    Lanes lanes[kTrackCount];
    std::map<std::string, int, std::less<>> custom_tracks;  // name -> tid
    std::map<std::string, Run, std::less<>> runs;           // by run id
  };

  Process& FindProcess(absl::string_view workflow_id);
  Run& FindRun(absl::string_view workflow_id, absl::string_view run_id);
  void Apply(Run& run, const temporal::api::history::v1::HistoryEvent& event);

  int64_t EventNs(const temporal::api::history::v1::HistoryEvent& event) const;
  int64_t TimeNs(absl::Time t) const;

  // Lane tids, made (with their metadata) on first use.
  int NewLane(Process& process, Track track);
  int Lane0Tid(Process& process, Track track);

  OpenSpan& Open(Run& run, Track track, int64_t id, int64_t start_ns, std::string name);
  // The open span, or nullptr (an opening the recorder never saw).
  OpenSpan* Find(Run& run, Track track, int64_t id);
  // Ends the span if it is open: args queued_us (workflow tasks), outcome, then `details`
  // that are not empty; writes it and erases it.
  void End(Run& run, Track track, int64_t id, int64_t end_ns, absl::string_view outcome,
           absl::Span<const Arg> details = {});
  // Writes the span ending at `end_ns` and frees its lane; the caller erases it.
  void Emit(Process& process, OpenSpans::iterator it, int64_t end_ns);
  void Instant(Process& process, Track track, absl::string_view name, absl::string_view cat,
               int64_t ts_ns, const std::string& args);

  // Starts an event object: {"name":..,"cat":..,"ph":..,"ts":..
  void BeginEvent(absl::string_view name, absl::string_view cat, char ph, int64_t ts_ns);
  void BeginMetadata(absl::string_view what, int pid, int tid);
  void NameMetadata(absl::string_view what, int pid, int tid, absl::string_view name);
  void SortMetadata(absl::string_view what, int pid, int tid, int64_t sort_index);

  absl::Time origin_;
  int64_t origin_seconds_ = 0;  // origin_ as Unix seconds and nanoseconds [0, 1e9)
  int64_t origin_nanos_ = 0;
  int next_pid_ = 1;
  std::map<std::string, Process, std::less<>> processes_;  // by workflow id
  std::vector<Run*> runs_;                                 // in order of first appearance
  std::string events_;                                     // the traceEvents written so far
  bool empty_ = true;                                      // no event written yet
};

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_TRACE_RECORDER_H_
