#include "replay/replayer.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/history/event_summary.h"
#include "engine/history/event_types.h"
#include "engine/history/json_writer.h"
#include "engine/machines/local_activity_marker.h"

namespace lockstep::replay {
namespace {

using temporal::api::history::v1::History;

std::string Quote(absl::string_view s) {
  std::string out;
  history::AppendJsonString(s, &out);
  return out;
}

// An id the history does not record is null in JSON, not a string a tool would take for one.
std::string QuoteOrNull(absl::string_view s) { return s.empty() ? "null" : Quote(s); }

absl::string_view LikelyCause(Nondeterminism::Kind kind) {
  switch (kind) {
    case Nondeterminism::Kind::kMismatch:
      return "the workflow code changed the kind, type or order of what it schedules (an "
             "activity renamed, a timer added before an activity, two calls swapped). Keep the "
             "old behaviour for running workflows: guard the change with a version marker.";
    case Nondeterminism::Kind::kMissing:
      return "the code no longer issues a command it issued when the history was recorded (a "
             "call removed or made conditional on something that changed). Guard the removal "
             "with a version marker.";
    case Nondeterminism::Kind::kResultMismatch:
      return "the code returns a different result for the same history (its computation "
             "changed, or it depends on something outside the workflow).";
    case Nondeterminism::Kind::kCodeThrew:
      return "the code throws where the recorded run went on: a handler or the workflow "
             "function changed, or depends on something outside the workflow. Fix the code, "
             "or guard the change with a version marker.";
    case Nondeterminism::Kind::kExtra:
      return "the code issues a command the history does not have (a call added, or a "
             "decision that depends on time, randomness or state outside the workflow). Use "
             "ctx.Now()/Random()/SideEffect for such inputs, or guard the addition with a "
             "version marker.";
  }
  return "";
}

// Whether the recording's worker was still running a local activity when the task whose
// WorkflowTaskStarted is at `started_index` completed: that task's commands record no marker
// for it, a later task's do (the SDK heartbeated the task while the activity ran). A marker
// is the local activity's when sdk-core's sequence number matches, or Go's numeric id; a
// Java marker (a UUID id) may be any of them.
class LocalActivityTiming {
 public:
  // The task's own commands are the events after its WorkflowTaskCompleted, up to the next
  // WorkflowTaskStarted (as the run's look-ahead reads them; a marker's
  // workflow_task_completed_event_id is not trusted: Java 1.17 recorded a wrong one).
  LocalActivityTiming(const History& full, int started_index) {
    namespace enums = temporal::api::enums::v1;
    bool in_task = true;
    for (int i = started_index + 2; i < full.events_size(); ++i) {
      const auto& event = full.events(i);
      if (event.event_type() == enums::EVENT_TYPE_WORKFLOW_TASK_STARTED) in_task = false;
      if (event.event_type() != enums::EVENT_TYPE_MARKER_RECORDED) continue;
      std::optional<machines::LocalActivityMarker> marker =
          machines::ReadLocalActivityMarker(event);
      if (!marker) continue;
      markers_.push_back({std::move(marker->activity_id), marker->core_seq, in_task});
    }
  }

  bool Outlives(const std::string& activity_id, int64_t shared_seq) const {
    bool later = false;
    for (const Marker& m : markers_) {
      const bool matches = m.core_seq ? *m.core_seq == shared_seq
                                      : (!machines::IsNumberedLocalActivityId(m.activity_id) ||
                                         m.activity_id == activity_id);
      if (!matches) continue;
      if (m.in_task) return false;
      later = true;
    }
    return later;
  }

 private:
  struct Marker {
    std::string activity_id;
    std::optional<int64_t> core_seq;
    bool in_task;
  };
  std::vector<Marker> markers_;
};

bool EndsClosed(const History& h) {
  return h.events_size() > 0 && history::IsCloseEvent(h.events(h.events_size() - 1).event_type());
}

// Turns a failed replay into the result's outcome: nondeterminism is what the replayer is
// for, and code that throws in a task the history recorded as completed is nondeterminism
// too (the code no longer does what it did); every other kind means this history cannot be
// replayed here.
void RecordFailure(RunError error, ReplayResult* result) {
  switch (error.kind) {
    case RunError::Kind::kNondeterminism:
      result->outcome = Outcome::kNondeterministic;
      result->nondeterminism = std::move(error.nondeterminism);
      return;
    case RunError::Kind::kWorkflowCodeThrew: {
      // The history says the task completed; the code now throws in it: the code changed.
      Nondeterminism n;
      n.kind = Nondeterminism::Kind::kCodeThrew;
      n.event_id = error.event_id;
      n.event_type = "WorkflowTaskStarted";
      n.expected = "the task completes, as recorded";
      n.actual = absl::StrCat(error.thrower.empty() ? "the code" : error.thrower,
                              " threw: ", error.exception);
      n.message = std::move(error.message);
      result->outcome = Outcome::kNondeterministic;
      result->nondeterminism = std::move(n);
      return;
    }
    case RunError::Kind::kCorruptHistory:
    case RunError::Kind::kUnsupportedFeature:
    case RunError::Kind::kUnknownWorkflowType:
      result->outcome = Outcome::kError;
      result->error = std::move(error.message);
      return;
  }
}

// The update requests the task whose completion is at `from` accepted, as messages.
std::vector<temporal::api::protocol::v1::Message> UpdateRequestsOfTask(const History& full,
                                                                       int from) {
  namespace enums = temporal::api::enums::v1;
  std::vector<temporal::api::protocol::v1::Message> messages;
  for (int i = from; i < full.events_size(); ++i) {
    const auto& e = full.events(i);
    if (e.event_type() == enums::EVENT_TYPE_WORKFLOW_TASK_STARTED) break;
    if (e.event_type() != enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) continue;
    const auto& a = e.workflow_execution_update_accepted_event_attributes();
    temporal::api::protocol::v1::Message m;
    m.set_id(a.accepted_request_message_id());
    m.set_protocol_instance_id(a.protocol_instance_id());
    m.set_event_id(a.accepted_request_sequencing_event_id());
    m.mutable_body()->PackFrom(a.accepted_request());
    messages.push_back(std::move(m));
  }
  return messages;
}

}  // namespace

absl::string_view NondeterminismCode(Nondeterminism::Kind kind) {
  switch (kind) {
    case Nondeterminism::Kind::kMissing:
      return "missing-command";
    case Nondeterminism::Kind::kExtra:
      return "extra-command";
    case Nondeterminism::Kind::kMismatch:
      return "command-mismatch";
    case Nondeterminism::Kind::kResultMismatch:
      return "result-mismatch";
    case Nondeterminism::Kind::kCodeThrew:
      return "code-threw";
  }
  return "unknown";
}

ReplayResult ReplayHistory(const Registry& registry, const History& full, absl::string_view source,
                           const ReplayOptions& options) {
  ReplayResult result;
  result.source = std::string(source);
  const history::HistorySummary summary = history::SummarizeHistory(full);
  result.workflow_type = summary.workflow_type;
  // Empty when the history does not record them (older servers' started events carry no
  // workflow id): the reports then say so, and never pass a display placeholder off as an id.
  if (full.events_size() > 0) {
    const auto& started = full.events(0).workflow_execution_started_event_attributes();
    result.workflow_id = started.workflow_id();
    result.run_id = started.original_execution_run_id();
  }

  const int end = options.until_event_id > 0 && options.until_event_id < full.events_size()
                      ? static_cast<int>(options.until_event_id)
                      : full.events_size();
  result.events = end;
  if (registry.FindWorkflow(result.workflow_type) == nullptr) {
    result.outcome = Outcome::kError;
    result.error = absl::StrCat("workflow type \"", result.workflow_type,
                                "\" is not registered with this replayer");
    return result;
  }
  // The run gets the ids as before (the summary's placeholder where none is recorded), so that
  // what workflow code reads of them does not change with the report.
  WorkflowRun run(&registry, {.workflow_id = summary.workflow_id, .run_id = summary.run_id},
                  {.log_sink = nullptr,
                   .id_rule = options.id_rule,
                   .activity_env = nullptr,
                   .local_activity_outlives_task = nullptr});
  RunStatus status = run.ProcessEvents(full, 0, end).status();
  // A closed history must account for every command the code issued.
  if (status.ok() && end == full.events_size() && EndsClosed(full)) {
    status = run.CheckAllCommandsRecorded();
  }
  if (status.ok() && run.result_mismatch() &&
      options.result_check != ReplayOptions::ResultCheck::kOff) {
    if (options.result_check == ReplayOptions::ResultCheck::kFail) {
      result.outcome = Outcome::kNondeterministic;
      result.nondeterminism = run.result_mismatch();
      return result;
    }
    result.warnings.push_back(run.result_mismatch()->message);
  }
  if (!status.ok()) RecordFailure(std::move(status).error(), &result);
  return result;
}

ReplayResult ReplayEveryTaskBoundary(const Registry& registry, const History& full,
                                     absl::string_view source, const ReplayOptions& options) {
  ReplayOptions whole_options = options;
  whole_options.until_event_id = 0;
  ReplayResult whole = ReplayHistory(registry, full, source, whole_options);
  if (whole.outcome != Outcome::kClean) return whole;
  namespace enums = temporal::api::enums::v1;
  // Index of each completed task's WorkflowTaskStarted event.
  std::vector<int> boundaries;
  for (int i = 0; i + 1 < full.events_size(); ++i) {
    if (full.events(i).event_type() == enums::EVENT_TYPE_WORKFLOW_TASK_STARTED &&
        full.events(i + 1).event_type() == enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
      boundaries.push_back(i);
    }
  }
  const int64_t per_replay = std::max<int64_t>(1, full.events_size());
  const int64_t affordable = std::max<int64_t>(2, options.every_task_max_events / per_replay);
  if (static_cast<int64_t>(boundaries.size()) > affordable) {
    // Evenly spread, first and last included: k * (n - 1) / (m - 1) for k in [0, m).
    const int64_t n = static_cast<int64_t>(boundaries.size());
    std::vector<int> chosen;
    chosen.reserve(static_cast<size_t>(affordable));
    for (int64_t k = 0; k < affordable; ++k) {
      chosen.push_back(boundaries[static_cast<size_t>(k * (n - 1) / (affordable - 1))]);
    }
    whole.warnings.push_back(absl::StrCat(
        "--every-task checked ", affordable, " of ", n,
        " task boundaries, spread evenly: all of them would replay ", n, " x ", per_replay,
        " events, over the budget of ", options.every_task_max_events,
        " (--every-task-events)"));
    boundaries = std::move(chosen);
  }
  const history::HistorySummary summary = history::SummarizeHistory(full);
  bool mismatch_noted = false;
  for (const int i : boundaries) {
    ReplayResult result = whole;
    result.source = absl::StrCat(source, " (evicted before event ", i + 1, ")");
    // A local activity the recording's worker heartbeated the task for is still running when
    // the live task completes, as it was then.
    const LocalActivityTiming local_activities(full, i);
    WorkflowRun run(
        &registry, {.workflow_id = summary.workflow_id, .run_id = summary.run_id},
        {.log_sink = nullptr,
         .id_rule = options.id_rule,
         .activity_env = nullptr,
         .local_activity_outlives_task = [&local_activities](const std::string& id, int64_t seq) {
           return local_activities.Outlives(id, seq);
         }});
    // The task's update requests, as the service would deliver them with it.
    run.AddUpdateRequests(UpdateRequestsOfTask(full, i + 1));
    // The history as a worker would receive it for this task: up to its WorkflowTaskStarted.
    RunStatus status = run.ProcessEvents(full, 0, i + 1).status();
    // The task ran live; its commands must match what the rest of the history recorded.
    if (status.ok()) status = run.ProcessEvents(full, i + 1).status();
    if (status.ok() && EndsClosed(full)) status = run.CheckAllCommandsRecorded();
    // Results are compared here too (evicted, code may compute its result differently); a
    // mismatch one-pass replay found already is not repeated, and only the first is told.
    if (status.ok() && run.result_mismatch() && !mismatch_noted &&
        options.result_check != ReplayOptions::ResultCheck::kOff &&
        std::find(whole.warnings.begin(), whole.warnings.end(), run.result_mismatch()->message) ==
            whole.warnings.end()) {
      if (options.result_check == ReplayOptions::ResultCheck::kFail) {
        result.outcome = Outcome::kNondeterministic;
        result.nondeterminism = run.result_mismatch();
        return result;
      }
      whole.warnings.push_back(
          absl::StrCat("evicted before event ", i + 1, ": ", run.result_mismatch()->message));
      mismatch_noted = true;
    }
    if (status.ok()) continue;
    RecordFailure(std::move(status).error(), &result);
    return result;
  }
  return whole;
}

std::string FormatText(const ReplayResult& r) {
  std::string out = absl::StrCat(r.source, ": ");
  switch (r.outcome) {
    case Outcome::kClean:
      absl::StrAppend(&out, "clean (", r.events, " events, workflow ", r.workflow_type, ")\n");
      for (const std::string& w : r.warnings) absl::StrAppend(&out, "  warning   ", w, "\n");
      return out;
    case Outcome::kError:
      absl::StrAppend(&out, "cannot replay: ", r.error, "\n");
      return out;
    case Outcome::kNondeterministic:
      break;
  }
  const Nondeterminism& n = *r.nondeterminism;
  absl::StrAppend(&out, "NONDETERMINISM [", NondeterminismCode(n.kind), "]\n", "  workflow  ",
                  r.workflow_type, "  id ", r.workflow_id.empty() ? "-" : r.workflow_id, "  run ",
                  r.run_id.empty() ? "-" : r.run_id, "\n");
  if (n.event_id != 0 && n.kind == Nondeterminism::Kind::kExtra) {
    absl::StrAppend(&out, "  event     ", n.event_id, " (", n.event_type,
                    "): the commands recorded for this task end here\n");
  } else if (n.event_id != 0) {
    absl::StrAppend(&out, "  event     ", n.event_id, " (", n.event_type, ")\n");
  } else {
    absl::StrAppend(&out, "  event     after the last command event of the history\n");
  }
  absl::StrAppend(&out, "  expected  ", n.expected.empty() ? "(nothing)" : n.expected,
                  "   <- recorded in the history\n", "  actual    ",
                  n.actual.empty() ? "(nothing)" : n.actual, "   <- issued by the code\n");
  if (n.where.line() != 0) {
    absl::StrAppend(&out, n.kind == Nondeterminism::Kind::kMissing ? "  code was " : "  code      ",
                    n.where.file_name(), ":", n.where.line(),
                    n.kind == Nondeterminism::Kind::kMissing ? "   <- its last command before" : "",
                    "\n");
  }
  absl::StrAppend(&out, "  likely    ", n.cause.empty() ? LikelyCause(n.kind) : n.cause, "\n");
  return out;
}

std::string FormatJson(const ReplayResult& r) {
  static constexpr absl::string_view kOutcomes[] = {"clean", "nondeterministic", "error"};
  std::string out = absl::StrCat("{\"source\":", Quote(r.source), ",\"outcome\":\"",
                                 kOutcomes[static_cast<int>(r.outcome)],
                                 "\",\"workflowType\":", Quote(r.workflow_type),
                                 ",\"workflowId\":", QuoteOrNull(r.workflow_id),
                                 ",\"runId\":", QuoteOrNull(r.run_id), ",\"events\":", r.events);
  if (r.outcome == Outcome::kError) absl::StrAppend(&out, ",\"error\":", Quote(r.error));
  if (!r.warnings.empty()) {
    absl::StrAppend(&out, ",\"warnings\":[");
    for (size_t i = 0; i < r.warnings.size(); ++i) {
      absl::StrAppend(&out, i > 0 ? "," : "", Quote(r.warnings[i]));
    }
    out.push_back(']');
  }
  if (r.nondeterminism) {
    const Nondeterminism& n = *r.nondeterminism;
    absl::StrAppend(&out, ",\"nondeterminism\":{\"code\":\"", NondeterminismCode(n.kind),
                    "\",\"eventId\":", n.event_id, ",\"eventType\":", Quote(n.event_type),
                    ",\"expected\":", Quote(n.expected), ",\"actual\":", Quote(n.actual));
    if (n.where.line() != 0) {
      absl::StrAppend(&out, ",\"file\":", Quote(n.where.file_name()), ",\"line\":", n.where.line());
    }
    absl::StrAppend(&out,
                    ",\"likelyCause\":", Quote(n.cause.empty() ? LikelyCause(n.kind) : n.cause),
                    ",\"message\":", Quote(n.message), "}");
  }
  out.push_back('}');
  return out;
}

}  // namespace lockstep::replay
