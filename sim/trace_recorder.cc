#include "sim/trace_recorder.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "engine/history/json_writer.h"
#include "engine/machines/local_activity_marker.h"
#include "temporal/api/enums/v1/event_type.pb.h"
#include "temporal/api/enums/v1/failed_cause.pb.h"
#include "temporal/api/enums/v1/workflow.pb.h"

namespace lockstep::sim {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::history::v1::HistoryEvent;
using Track = TraceRecorder::Track;

constexpr int64_t kNanosPerSecond = 1'000'000'000;
// thread_sort_index of lane `l` of track `t`: (t + 1) * kSortStride + l, so that a track's
// extra lanes sort right after it and custom tracks after every standard one.
constexpr int64_t kSortStride = 1'000'000;

int TrackIndex(Track track) { return static_cast<int>(track); }

// The category of a span on `track` (spans on the signals track set their own).
absl::string_view SpanCategory(Track track) {
  switch (track) {
    case Track::kRun:
      return "run";
    case Track::kWorkflowTasks:
      return "workflow_task";
    case Track::kActivities:
      return "activity";
    case Track::kTimers:
      return "timer";
    case Track::kSignals:
      return "signal";
    case Track::kChildren:
      return "child";
  }
  return "";
}

// `ns` as microseconds: an integer, or with exactly three decimals when it has a
// sub-microsecond part. Integer arithmetic only, so the text never depends on a locale or on
// floating-point formatting.
void AppendMicros(int64_t ns, std::string* out) {
  uint64_t magnitude = static_cast<uint64_t>(ns);
  if (ns < 0) {
    out->push_back('-');
    magnitude = ~magnitude + 1;  // well defined for INT64_MIN too
  }
  absl::StrAppend(out, magnitude / 1000);
  if (const uint64_t rest = magnitude % 1000; rest != 0) {
    absl::StrAppend(out, ".", absl::Dec(rest, absl::kZeroPad3));
  }
}

void ArgKey(absl::string_view key, std::string* args) {
  if (!args->empty()) args->push_back(',');
  history::AppendJsonString(key, args);
  args->push_back(':');
}
void AddString(std::string* args, absl::string_view key, absl::string_view value) {
  ArgKey(key, args);
  history::AppendJsonString(value, args);
}
// Adds the argument only when `value` is not empty (absent fields of a history event).
void AddNonEmpty(std::string* args, absl::string_view key, absl::string_view value) {
  if (!value.empty()) AddString(args, key, value);
}
void AddInt(std::string* args, absl::string_view key, int64_t value) {
  ArgKey(key, args);
  absl::StrAppend(args, value);
}
void AddTrue(std::string* args, absl::string_view key) {
  ArgKey(key, args);
  args->append("true");
}
void AddMicros(std::string* args, absl::string_view key, int64_t ns) {
  ArgKey(key, args);
  AppendMicros(ns, args);
}

int64_t DurationNs(const google::protobuf::Duration& d) {
  return d.seconds() * kNanosPerSecond + d.nanos();
}

}  // namespace

absl::string_view TraceRecorder::TrackName(Track track) {
  switch (track) {
    case Track::kRun:
      return "run";
    case Track::kWorkflowTasks:
      return "workflow tasks";
    case Track::kActivities:
      return "activities";
    case Track::kTimers:
      return "timers";
    case Track::kSignals:
      return "signals";
    case Track::kChildren:
      return "children";
  }
  return "";
}

TraceRecorder::TraceRecorder(absl::Time origin) : origin_(origin) {
  // Event times are protobuf Timestamps (seconds, nanos); keeping the origin in the same form
  // makes an event's offset two integer subtractions.
  origin_seconds_ = absl::ToUnixSeconds(origin);
  origin_nanos_ = absl::ToInt64Nanoseconds(origin - absl::FromUnixSeconds(origin_seconds_));
  if (origin_nanos_ < 0) {  // ToUnixSeconds rounds toward the past; guard anyway
    origin_seconds_ -= 1;
    origin_nanos_ += kNanosPerSecond;
  }
}

TraceRecorder::~TraceRecorder() = default;

int64_t TraceRecorder::EventNs(const HistoryEvent& event) const {
  return (event.event_time().seconds() - origin_seconds_) * kNanosPerSecond +
         (event.event_time().nanos() - origin_nanos_);
}

int64_t TraceRecorder::TimeNs(absl::Time t) const { return absl::ToInt64Nanoseconds(t - origin_); }

// --- Output.

void TraceRecorder::BeginEvent(absl::string_view name, absl::string_view cat, char ph,
                               int64_t ts_ns) {
  events_.append(empty_ ? "\n{\"name\":" : ",\n{\"name\":");
  empty_ = false;
  history::AppendJsonString(name, &events_);
  events_.append(",\"cat\":");
  history::AppendJsonString(cat, &events_);
  events_.append(",\"ph\":\"");
  events_.push_back(ph);
  events_.append("\",\"ts\":");
  AppendMicros(ts_ns, &events_);
}

void TraceRecorder::BeginMetadata(absl::string_view what, int pid, int tid) {
  events_.append(empty_ ? "\n{\"name\":" : ",\n{\"name\":");
  empty_ = false;
  history::AppendJsonString(what, &events_);
  absl::StrAppend(&events_, ",\"ph\":\"M\",\"pid\":", pid, ",\"tid\":", tid, ",\"args\":{");
}

void TraceRecorder::NameMetadata(absl::string_view what, int pid, int tid, absl::string_view name) {
  BeginMetadata(what, pid, tid);
  events_.append("\"name\":");
  history::AppendJsonString(name, &events_);
  events_.append("}}");
}

void TraceRecorder::SortMetadata(absl::string_view what, int pid, int tid, int64_t sort_index) {
  BeginMetadata(what, pid, tid);
  absl::StrAppend(&events_, "\"sort_index\":", sort_index, "}}");
}

TraceRecorder::Process& TraceRecorder::FindProcess(absl::string_view workflow_id) {
  auto it = processes_.find(workflow_id);
  if (it != processes_.end()) return it->second;
  it = processes_.emplace(std::string(workflow_id), Process()).first;
  Process& process = it->second;
  process.pid = next_pid_++;
  NameMetadata("process_name", process.pid, 0, absl::StrCat("workflow ", workflow_id));
  SortMetadata("process_sort_index", process.pid, 0, process.pid);
  return process;
}

TraceRecorder::Run& TraceRecorder::FindRun(absl::string_view workflow_id,
                                           absl::string_view run_id) {
  Process& process = FindProcess(workflow_id);
  auto it = process.runs.find(run_id);
  if (it != process.runs.end()) return it->second;
  Run& run = process.runs.emplace(std::string(run_id), Run()).first->second;
  run.process = &process;
  run.run_id = std::string(run_id);
  runs_.push_back(&run);
  return run;
}

int TraceRecorder::NewLane(Process& process, Track track) {
  Lanes& lanes = process.lanes[TrackIndex(track)];
  const int lane = static_cast<int>(lanes.tids.size());
  const int tid = lane == 0 ? TrackIndex(track) + 1 : process.next_tid++;
  lanes.tids.push_back(tid);
  NameMetadata(
      "thread_name", process.pid, tid,
      lane == 0 ? std::string(TrackName(track)) : absl::StrCat(TrackName(track), " ", lane + 1));
  SortMetadata("thread_sort_index", process.pid, tid, (TrackIndex(track) + 1) * kSortStride + lane);
  return lane;
}

int TraceRecorder::Lane0Tid(Process& process, Track track) {
  Lanes& lanes = process.lanes[TrackIndex(track)];
  if (lanes.tids.empty()) lanes.free.push(NewLane(process, track));
  return lanes.tids[0];
}

// --- Spans.

TraceRecorder::OpenSpan& TraceRecorder::Open(Run& run, Track track, int64_t id, int64_t start_ns,
                                             std::string name) {
  const std::pair<int, int64_t> key(TrackIndex(track), id);
  if (auto it = run.open.find(key); it != run.open.end()) {
    // The same opening event seen twice (a history is not ours to trust): the earlier span
    // ends where the new one begins, so that lanes stay consistent.
    Emit(*run.process, it, start_ns);
    run.open.erase(it);
  }
  Lanes& lanes = run.process->lanes[TrackIndex(track)];
  int lane;
  if (lanes.free.empty()) {
    lane = NewLane(*run.process, track);
  } else {
    lane = lanes.free.top();
    lanes.free.pop();
  }
  OpenSpan& span = run.open[key];
  span.track = track;
  span.lane = lane;
  span.start_ns = start_ns;
  span.name = std::move(name);
  span.cat = SpanCategory(track);
  return span;
}

TraceRecorder::OpenSpan* TraceRecorder::Find(Run& run, Track track, int64_t id) {
  auto it = run.open.find({TrackIndex(track), id});
  return it == run.open.end() ? nullptr : &it->second;
}

void TraceRecorder::End(Run& run, Track track, int64_t id, int64_t end_ns,
                        absl::string_view outcome, absl::Span<const Arg> details) {
  auto it = run.open.find({TrackIndex(track), id});
  if (it == run.open.end()) return;  // opened before the recorder was attached
  OpenSpan& span = it->second;
  if (span.started) AddMicros(&span.args, "queued_us", span.started_ns - span.start_ns);
  AddString(&span.args, "outcome", outcome);
  for (const Arg& detail : details) AddNonEmpty(&span.args, detail.key, detail.value);
  Emit(*run.process, it, end_ns);
  run.open.erase(it);
}

void TraceRecorder::Emit(Process& process, OpenSpans::iterator it, int64_t end_ns) {
  const OpenSpan& span = it->second;
  Lanes& lanes = process.lanes[TrackIndex(span.track)];
  BeginEvent(span.name, span.cat, 'X', span.start_ns);
  events_.append(",\"dur\":");
  AppendMicros(std::max<int64_t>(0, end_ns - span.start_ns), &events_);
  absl::StrAppend(&events_, ",\"pid\":", process.pid, ",\"tid\":", lanes.tids[span.lane]);
  if (!span.args.empty()) absl::StrAppend(&events_, ",\"args\":{", span.args, "}");
  events_.push_back('}');
  lanes.free.push(span.lane);
}

void TraceRecorder::Instant(Process& process, Track track, absl::string_view name,
                            absl::string_view cat, int64_t ts_ns, const std::string& args) {
  const int tid = Lane0Tid(process, track);
  BeginEvent(name, cat, 'i', ts_ns);
  absl::StrAppend(&events_, ",\"pid\":", process.pid, ",\"tid\":", tid, ",\"s\":\"t\"");
  if (!args.empty()) absl::StrAppend(&events_, ",\"args\":{", args, "}");
  events_.push_back('}');
}

// --- Observation.

void TraceRecorder::OnStep(const StepRecord& step) {
  if (step.kind == StepKind::kWorkersCrashed) {
    BeginEvent("workers crashed", "crash", 'i', TimeNs(step.time));
    events_.append(",\"pid\":0,\"tid\":0,\"s\":\"g\"}");
  }
  for (const AppendedEvents& appended : step.appended) {
    if (appended.history == nullptr || appended.first >= appended.end) continue;
    Run& run = FindRun(appended.workflow_id, appended.run_id);
    for (int i = appended.first; i < appended.end; ++i) {
      Apply(run, appended.history->events(i));
    }
  }
}

void TraceRecorder::Apply(Run& run, const HistoryEvent& event) {
  const int64_t ns = EventNs(event);
  const int64_t event_id = event.event_id();
  switch (event.event_type()) {
    // Run: one span per run (id 0).
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: {
      const auto& a = event.workflow_execution_started_event_attributes();
      OpenSpan& span = Open(run, Track::kRun, 0, ns, a.workflow_type().name());
      // The events do not carry their run's id; the step did.
      AddString(&span.args, "run_id", run.run_id);
      AddInt(&span.args, "attempt", std::max(1, a.attempt()));
      break;
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      End(run, Track::kRun, 0, ns, "completed",
          {{"new_run_id",
            event.workflow_execution_completed_event_attributes().new_execution_run_id()}});
      break;
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: {
      const auto& a = event.workflow_execution_failed_event_attributes();
      End(run, Track::kRun, 0, ns, "failed",
          {{"failure", a.failure().message()}, {"new_run_id", a.new_execution_run_id()}});
      break;
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      End(run, Track::kRun, 0, ns, "timed out",
          {{"new_run_id",
            event.workflow_execution_timed_out_event_attributes().new_execution_run_id()}});
      break;
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      End(run, Track::kRun, 0, ns, "canceled");
      break;
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      End(run, Track::kRun, 0, ns, "terminated",
          {{"reason", event.workflow_execution_terminated_event_attributes().reason()}});
      break;
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
      End(run, Track::kRun, 0, ns, "continued as new",
          {{"new_run_id",
            event.workflow_execution_continued_as_new_event_attributes().new_execution_run_id()}});
      break;

    // Workflow tasks, by scheduled event id.
    case enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: {
      OpenSpan& span = Open(run, Track::kWorkflowTasks, event_id, ns, "workflow task");
      AddInt(&span.args, "attempt",
             std::max(1, event.workflow_task_scheduled_event_attributes().attempt()));
      break;
    }
    case enums::EVENT_TYPE_WORKFLOW_TASK_STARTED:
      if (OpenSpan* span =
              Find(run, Track::kWorkflowTasks,
                   event.workflow_task_started_event_attributes().scheduled_event_id())) {
        span->started = true;
        span->started_ns = ns;
      }
      break;
    case enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
      End(run, Track::kWorkflowTasks,
          event.workflow_task_completed_event_attributes().scheduled_event_id(), ns, "completed");
      break;
    case enums::EVENT_TYPE_WORKFLOW_TASK_FAILED: {
      const auto& a = event.workflow_task_failed_event_attributes();
      End(run, Track::kWorkflowTasks, a.scheduled_event_id(), ns, "failed",
          {{"cause", enums::WorkflowTaskFailedCause_Name(a.cause())},
           {"failure", a.failure().message()}});
      break;
    }
    case enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT: {
      const auto& a = event.workflow_task_timed_out_event_attributes();
      End(run, Track::kWorkflowTasks, a.scheduled_event_id(), ns, "timed out",
          {{"timeout", enums::TimeoutType_Name(a.timeout_type())}});
      break;
    }

    // Activities, by scheduled event id.
    case enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
      const auto& a = event.activity_task_scheduled_event_attributes();
      OpenSpan& span = Open(run, Track::kActivities, event_id, ns, a.activity_type().name());
      AddString(&span.args, "activity_id", a.activity_id());
      break;
    }
    case enums::EVENT_TYPE_ACTIVITY_TASK_STARTED: {
      const auto& a = event.activity_task_started_event_attributes();
      if (OpenSpan* span = Find(run, Track::kActivities, a.scheduled_event_id())) {
        AddInt(&span->args, "attempt", a.attempt());
      }
      break;
    }
    case enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED:
      if (OpenSpan* span =
              Find(run, Track::kActivities,
                   event.activity_task_cancel_requested_event_attributes().scheduled_event_id())) {
        AddTrue(&span->args, "cancel_requested");
      }
      break;
    case enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      End(run, Track::kActivities,
          event.activity_task_completed_event_attributes().scheduled_event_id(), ns, "completed");
      break;
    case enums::EVENT_TYPE_ACTIVITY_TASK_FAILED: {
      const auto& a = event.activity_task_failed_event_attributes();
      End(run, Track::kActivities, a.scheduled_event_id(), ns, "failed",
          {{"failure", a.failure().message()}});
      break;
    }
    case enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: {
      const auto& a = event.activity_task_timed_out_event_attributes();
      absl::string_view timeout;  // TimeoutType_Name returns a string that lives forever
      if (a.failure().has_timeout_failure_info()) {
        timeout = enums::TimeoutType_Name(a.failure().timeout_failure_info().timeout_type());
      }
      End(run, Track::kActivities, a.scheduled_event_id(), ns, "timed out",
          {{"failure", a.failure().message()}, {"timeout", timeout}});
      break;
    }
    case enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED:
      End(run, Track::kActivities,
          event.activity_task_canceled_event_attributes().scheduled_event_id(), ns, "canceled");
      break;
    case enums::EVENT_TYPE_MARKER_RECORDED: {
      // Only local activities; the name is compared before anything is parsed, so version and
      // side-effect markers cost nothing.
      if (event.marker_recorded_event_attributes().marker_name() !=
          machines::kLocalActivityMarker) {
        break;
      }
      std::optional<machines::LocalActivityMarker> marker =
          machines::ReadLocalActivityMarker(event);
      if (!marker) break;
      std::string args;
      AddString(&args, "activity_id", marker->activity_id);
      AddInt(&args, "attempt", marker->attempt);
      AddString(&args, "outcome", marker->failed ? "failed" : "completed");
      if (marker->failed) AddString(&args, "failure", marker->failure.message());
      AddTrue(&args, "local");
      Instant(*run.process, Track::kActivities, marker->activity_type, "activity", ns, args);
      break;
    }

    // Timers, by started event id.
    case enums::EVENT_TYPE_TIMER_STARTED: {
      const auto& a = event.timer_started_event_attributes();
      OpenSpan& span = Open(run, Track::kTimers, event_id, ns, a.timer_id());
      AddMicros(&span.args, "fire_after_us", DurationNs(a.start_to_fire_timeout()));
      break;
    }
    case enums::EVENT_TYPE_TIMER_FIRED:
      End(run, Track::kTimers, event.timer_fired_event_attributes().started_event_id(), ns,
          "fired");
      break;
    case enums::EVENT_TYPE_TIMER_CANCELED:
      End(run, Track::kTimers, event.timer_canceled_event_attributes().started_event_id(), ns,
          "canceled");
      break;

    // Children, by initiated event id.
    case enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: {
      const auto& a = event.start_child_workflow_execution_initiated_event_attributes();
      OpenSpan& span = Open(run, Track::kChildren, event_id, ns, a.workflow_type().name());
      AddString(&span.args, "workflow_id", a.workflow_id());
      break;
    }
    case enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED: {
      const auto& a = event.start_child_workflow_execution_failed_event_attributes();
      End(run, Track::kChildren, a.initiated_event_id(), ns, "start failed",
          {{"cause", enums::StartChildWorkflowExecutionFailedCause_Name(a.cause())}});
      break;
    }
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED: {
      const auto& a = event.child_workflow_execution_started_event_attributes();
      if (OpenSpan* span = Find(run, Track::kChildren, a.initiated_event_id())) {
        AddString(&span->args, "run_id", a.workflow_execution().run_id());
      }
      break;
    }
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
      End(run, Track::kChildren,
          event.child_workflow_execution_completed_event_attributes().initiated_event_id(), ns,
          "completed");
      break;
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED: {
      const auto& a = event.child_workflow_execution_failed_event_attributes();
      End(run, Track::kChildren, a.initiated_event_id(), ns, "failed",
          {{"failure", a.failure().message()}});
      break;
    }
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
      End(run, Track::kChildren,
          event.child_workflow_execution_canceled_event_attributes().initiated_event_id(), ns,
          "canceled");
      break;
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
      End(run, Track::kChildren,
          event.child_workflow_execution_timed_out_event_attributes().initiated_event_id(), ns,
          "timed out");
      break;
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED:
      End(run, Track::kChildren,
          event.child_workflow_execution_terminated_event_attributes().initiated_event_id(), ns,
          "terminated");
      break;

    // Messages into and out of the run. Spans by initiated / accepted event id.
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: {
      const auto& a = event.workflow_execution_signaled_event_attributes();
      std::string args;
      AddNonEmpty(&args, "from", a.external_workflow_execution().workflow_id());
      Instant(*run.process, Track::kSignals, absl::StrCat("signal ", a.signal_name()), "signal", ns,
              args);
      break;
    }
    case enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: {
      const auto& a = event.signal_external_workflow_execution_initiated_event_attributes();
      OpenSpan& span = Open(run, Track::kSignals, event_id, ns,
                            absl::StrCat("signal ", a.signal_name(), " sent"));
      AddString(&span.args, "to", a.workflow_execution().workflow_id());
      break;
    }
    case enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED:
      End(run, Track::kSignals,
          event.external_workflow_execution_signaled_event_attributes().initiated_event_id(), ns,
          "delivered");
      break;
    case enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED: {
      const auto& a = event.signal_external_workflow_execution_failed_event_attributes();
      End(run, Track::kSignals, a.initiated_event_id(), ns, "failed",
          {{"cause", enums::SignalExternalWorkflowExecutionFailedCause_Name(a.cause())}});
      break;
    }
    case enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: {
      const auto& a = event.request_cancel_external_workflow_execution_initiated_event_attributes();
      OpenSpan& span = Open(run, Track::kSignals, event_id, ns, "cancel request sent");
      span.cat = "cancel";
      AddString(&span.args, "to", a.workflow_execution().workflow_id());
      break;
    }
    case enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
      End(run, Track::kSignals,
          event.external_workflow_execution_cancel_requested_event_attributes()
              .initiated_event_id(),
          ns, "delivered");
      break;
    case enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED: {
      const auto& a = event.request_cancel_external_workflow_execution_failed_event_attributes();
      End(run, Track::kSignals, a.initiated_event_id(), ns, "failed",
          {{"cause", enums::CancelExternalWorkflowExecutionFailedCause_Name(a.cause())}});
      break;
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED: {
      const auto& a = event.workflow_execution_cancel_requested_event_attributes();
      std::string args;
      AddNonEmpty(&args, "cause", a.cause());
      AddNonEmpty(&args, "from", a.external_workflow_execution().workflow_id());
      Instant(*run.process, Track::kSignals, "cancel requested", "cancel", ns, args);
      break;
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED: {
      const auto& request = event.workflow_execution_update_admitted_event_attributes().request();
      std::string args;
      AddString(&args, "update_id", request.meta().update_id());
      Instant(*run.process, Track::kSignals,
              absl::StrCat("update ", request.input().name(), " admitted"), "update", ns, args);
      break;
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: {
      const auto& request =
          event.workflow_execution_update_accepted_event_attributes().accepted_request();
      OpenSpan& span =
          Open(run, Track::kSignals, event_id, ns, absl::StrCat("update ", request.input().name()));
      span.cat = "update";
      AddString(&span.args, "update_id", request.meta().update_id());
      break;
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED: {
      const auto& a = event.workflow_execution_update_completed_event_attributes();
      if (a.outcome().has_failure()) {
        End(run, Track::kSignals, a.accepted_event_id(), ns, "failed",
            {{"failure", a.outcome().failure().message()}});
      } else {
        End(run, Track::kSignals, a.accepted_event_id(), ns, "completed");
      }
      break;
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED: {
      const auto& a = event.workflow_execution_update_rejected_event_attributes();
      std::string args;
      AddString(&args, "update_id", a.rejected_request().meta().update_id());
      AddString(&args, "failure", a.failure().message());
      Instant(*run.process, Track::kSignals,
              absl::StrCat("update ", a.rejected_request().input().name(), " rejected"), "update",
              ns, args);
      break;
    }
    default:
      break;
  }
}

void TraceRecorder::AddInstant(absl::string_view workflow_id, absl::string_view track,
                               absl::string_view name, absl::Time at, absl::Span<const Arg> args) {
  std::string arg_text;
  for (const Arg& arg : args) AddString(&arg_text, arg.key, arg.value);
  const int64_t ns = TimeNs(at);
  if (workflow_id.empty()) {
    BeginEvent(name, "sim", 'i', ns);
    events_.append(",\"pid\":0,\"tid\":0,\"s\":\"g\"");
  } else if (track.empty()) {
    Process& process = FindProcess(workflow_id);
    BeginEvent(name, "sim", 'i', ns);
    absl::StrAppend(&events_, ",\"pid\":", process.pid, ",\"tid\":0,\"s\":\"p\"");
  } else {
    Process& process = FindProcess(workflow_id);
    int tid = 0;
    for (int t = 0; t < kTrackCount && tid == 0; ++t) {
      if (TrackName(static_cast<Track>(t)) == track) tid = Lane0Tid(process, static_cast<Track>(t));
    }
    if (tid == 0) {
      auto it = process.custom_tracks.find(track);
      if (it == process.custom_tracks.end()) {
        it = process.custom_tracks.emplace(std::string(track), process.next_tid++).first;
        NameMetadata("thread_name", process.pid, it->second, track);
        SortMetadata("thread_sort_index", process.pid, it->second,
                     (kTrackCount + 1) * kSortStride + it->second);
      }
      tid = it->second;
    }
    BeginEvent(name, "sim", 'i', ns);
    absl::StrAppend(&events_, ",\"pid\":", process.pid, ",\"tid\":", tid, ",\"s\":\"t\"");
  }
  if (!arg_text.empty()) absl::StrAppend(&events_, ",\"args\":{", arg_text, "}");
  events_.push_back('}');
}

std::string TraceRecorder::Finish(absl::Time end) {
  const int64_t end_ns = TimeNs(end);
  for (Run* run : runs_) {
    for (auto it = run->open.begin(); it != run->open.end(); it = run->open.erase(it)) {
      OpenSpan& span = it->second;
      if (span.started) AddMicros(&span.args, "queued_us", span.started_ns - span.start_ns);
      AddTrue(&span.args, "unfinished");
      Emit(*run->process, it, end_ns);
    }
  }
  std::string out;
  out.reserve(events_.size() + 256);
  out.append("{\"traceEvents\":[");
  out.append(events_);
  out.append("\n],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":{\"clock\":\"virtual\",\"origin\":");
  history::AppendJsonString(absl::FormatTime(absl::RFC3339_full, origin_, absl::UTCTimeZone()),
                            &out);
  out.append(",\"end\":");
  history::AppendJsonString(absl::FormatTime(absl::RFC3339_full, end, absl::UTCTimeZone()), &out);
  out.append(",\"ts_unit\":\"microseconds of virtual time since origin\"}}\n");

  next_pid_ = 1;
  processes_.clear();
  runs_.clear();
  events_.clear();
  empty_ = true;
  return out;
}

}  // namespace lockstep::sim
