#include "sim/schedule.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/payload/encoding.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace lockstep::sim {
namespace {

constexpr absl::string_view kHeader =
    "# lockstep schedule (lockstep.sim.v1.Schedule, protobuf text format). Run it with\n"
    "#   lockstep sim --workflow WORKLOAD --schedule FILE\n"
    "# or a project's own simulation binary. Absent entries mean: no fault, no latency.\n";

class ErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (first_.empty())
      first_ = absl::StrCat("line ", line + 1, ", column ", column + 1, ": ", message);
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber, const std::string&) override {}
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

absl::Status Invalid(absl::string_view source, absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(source, ": ", field, ": ", what));
}

std::string PayloadText(const temporal::api::common::v1::Payload& p) {
  const std::string_view encoding = EncodingOf(p);
  if (encoding == kEncodingJsonPlain || encoding == kEncodingJsonProtobuf) {
    return p.data();
  }
  if (encoding == kEncodingBinaryNull) return "null";
  return absl::StrCat("<", p.data().size(), " bytes ",
                      absl::string_view(encoding.data(), encoding.size()), ">");
}

std::string PayloadsText(const Payloads& payloads) {
  std::vector<std::string> parts;
  for (const auto& p : payloads.payloads()) parts.push_back(PayloadText(p));
  return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
}

absl::string_view CallKindName(v1::Call::Kind kind) {
  switch (kind) {
    case v1::Call::KIND_START:
      return "start";
    case v1::Call::KIND_SIGNAL:
      return "signal";
    case v1::Call::KIND_SIGNAL_WITH_START:
      return "signal-with-start";
    case v1::Call::KIND_QUERY:
      return "query";
    case v1::Call::KIND_UPDATE:
      return "update";
    case v1::Call::KIND_CANCEL:
      return "cancel";
    default:
      return "?";
  }
}

absl::string_view FailureName(v1::FailureKind kind) {
  return kind == v1::FAILURE_KIND_NON_RETRYABLE ? "non-retryable" : "retryable";
}

// Durations as fields hold them, for the timeline (already validated).
std::string Shown(const std::string& text) { return text.empty() ? "0" : text; }

}  // namespace

absl::StatusOr<absl::Duration> ParseScheduleDuration(absl::string_view text,
                                                     absl::string_view field) {
  if (text.empty()) return absl::ZeroDuration();
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", text, "' is not a duration (write e.g. \"1h2m3.5s\")"));
  }
  if (d < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": '", text, "' is negative"));
  }
  return d;
}

absl::Status ValidateSchedule(const Schedule& s, absl::string_view source) {
  auto duration = [&](const std::string& text, const std::string& field) -> absl::Status {
    absl::StatusOr<absl::Duration> d = ParseScheduleDuration(text, field);
    if (!d.ok())
      return absl::InvalidArgumentError(absl::StrCat(source, ": ", d.status().message()));
    return absl::OkStatus();
  };
  auto positive = [&](int64_t n, const std::string& field) -> absl::Status {
    if (n >= 1) return absl::OkStatus();
    return Invalid(source, field, absl::StrCat(n, " is not a count from 1"));
  };
#define LOCKSTEP_RETURN_IF_ERROR(expr)        \
  do {                                        \
    if (absl::Status st = (expr); !st.ok()) { \
      return st;                              \
    }                                         \
  } while (false)
  if (s.workload().empty()) return Invalid(source, "workload", "missing");
  for (int i = 0; i < s.calls_size(); ++i) {
    const v1::Call& c = s.calls(i);
    const std::string f = absl::StrCat("calls[", i, "]");
    if (!v1::Call::Kind_IsValid(c.kind()) || c.kind() == v1::Call::KIND_UNSPECIFIED) {
      return Invalid(source, f + ".kind", "missing or unknown");
    }
    if (c.workflow_id().empty()) return Invalid(source, f + ".workflow_id", "missing");
    if ((c.kind() == v1::Call::KIND_START || c.kind() == v1::Call::KIND_SIGNAL_WITH_START) &&
        c.workflow_type().empty()) {
      return Invalid(source, f + ".workflow_type", "missing for a start");
    }
    if (c.request() < 0) return Invalid(source, f + ".request", "negative");
    LOCKSTEP_RETURN_IF_ERROR(duration(c.at(), f + ".at"));
    LOCKSTEP_RETURN_IF_ERROR(
        duration(c.options().execution_timeout(), f + ".options.execution_timeout"));
    LOCKSTEP_RETURN_IF_ERROR(duration(c.options().run_timeout(), f + ".options.run_timeout"));
    LOCKSTEP_RETURN_IF_ERROR(duration(c.options().task_timeout(), f + ".options.task_timeout"));
  }
  std::map<std::tuple<std::string, std::string, int, bool, int>, int> activities;
  for (int i = 0; i < s.activity_attempts_size(); ++i) {
    const v1::ActivityAttempt& a = s.activity_attempts(i);
    const std::string f = absl::StrCat("activity_attempts[", i, "]");
    if (a.workflow_id().empty()) return Invalid(source, f + ".workflow_id", "missing");
    LOCKSTEP_RETURN_IF_ERROR(positive(a.attempt(), f + ".attempt"));
    LOCKSTEP_RETURN_IF_ERROR(positive(a.occurrence(), f + ".occurrence"));
    if (!v1::FailureKind_IsValid(a.workload_failure()) ||
        !v1::FailureKind_IsValid(a.injected_failure())) {
      return Invalid(source, f, "unknown failure kind");
    }
    for (const auto& [text, name] :
         {std::pair<const std::string&, const char*>{a.latency(), ".latency"},
          {a.late_by(), ".late_by"},
          {a.fault_latency(), ".fault_latency"},
          {a.crash_after(), ".crash_after"},
          {a.crash_downtime(), ".crash_downtime"}}) {
      LOCKSTEP_RETURN_IF_ERROR(duration(text, f + name));
    }
    auto [it, inserted] = activities.emplace(
        std::make_tuple(a.workflow_id(), a.activity_id(), a.attempt(), a.local(), a.occurrence()),
        i);
    if (!inserted) {
      return Invalid(source, f,
                     absl::StrCat("the same attempt as activity_attempts[", it->second, "]"));
    }
  }
  std::set<std::pair<std::string, int>> tasks;
  for (int i = 0; i < s.workflow_tasks_size(); ++i) {
    const v1::WorkflowTask& t = s.workflow_tasks(i);
    const std::string f = absl::StrCat("workflow_tasks[", i, "]");
    if (t.workflow_id().empty()) return Invalid(source, f + ".workflow_id", "missing");
    LOCKSTEP_RETURN_IF_ERROR(positive(t.number(), f + ".number"));
    LOCKSTEP_RETURN_IF_ERROR(duration(t.latency(), f + ".latency"));
    if (!tasks.emplace(t.workflow_id(), t.number()).second) {
      return Invalid(source, f, "a second entry for the same workflow task");
    }
  }
  std::set<std::tuple<std::string, int64_t, int>> children;
  for (int i = 0; i < s.child_starts_size(); ++i) {
    const v1::ChildStart& c = s.child_starts(i);
    const std::string f = absl::StrCat("child_starts[", i, "]");
    if (c.parent_workflow_id().empty())
      return Invalid(source, f + ".parent_workflow_id", "missing");
    LOCKSTEP_RETURN_IF_ERROR(positive(c.initiated_event_id(), f + ".initiated_event_id"));
    LOCKSTEP_RETURN_IF_ERROR(positive(c.occurrence(), f + ".occurrence"));
    LOCKSTEP_RETURN_IF_ERROR(duration(c.latency(), f + ".latency"));
    if (!children.emplace(c.parent_workflow_id(), c.initiated_event_id(), c.occurrence()).second) {
      return Invalid(source, f, "a second entry for the same child start");
    }
  }
  std::set<std::tuple<int, std::string, std::string, int64_t, int>> delays;
  for (int i = 0; i < s.delays_size(); ++i) {
    const v1::Delay& d = s.delays(i);
    const std::string f = absl::StrCat("delays[", i, "]");
    if (!v1::Delay::Kind_IsValid(d.kind()) || d.kind() == v1::Delay::KIND_UNSPECIFIED) {
      return Invalid(source, f + ".kind", "missing or unknown");
    }
    if (d.workflow_id().empty()) return Invalid(source, f + ".workflow_id", "missing");
    LOCKSTEP_RETURN_IF_ERROR(positive(d.occurrence(), f + ".occurrence"));
    LOCKSTEP_RETURN_IF_ERROR(duration(d.delay(), f + ".delay"));
    if (!delays
             .emplace(d.kind(), d.workflow_id(), d.timer_id(), d.initiated_event_id(),
                      d.occurrence())
             .second) {
      return Invalid(source, f, "a second entry for the same step");
    }
  }
  for (int i = 0; i < s.step_faults_size(); ++i) {
    const v1::StepFault& e = s.step_faults(i);
    const std::string f = absl::StrCat("step_faults[", i, "]");
    if (!v1::StepFault::Kind_IsValid(e.kind()) || e.kind() == v1::StepFault::KIND_UNSPECIFIED) {
      return Invalid(source, f + ".kind", "missing or unknown");
    }
    LOCKSTEP_RETURN_IF_ERROR(positive(e.after_step(), f + ".after_step"));
    if ((e.kind() == v1::StepFault::KIND_CACHE_EVICTION || e.kind() == v1::StepFault::KIND_QUERY) &&
        e.workflow_id().empty()) {
      return Invalid(source, f + ".workflow_id", "missing");
    }
    if (e.kind() == v1::StepFault::KIND_QUERY && e.name().empty()) {
      return Invalid(source, f + ".name", "missing: which query");
    }
    LOCKSTEP_RETURN_IF_ERROR(duration(e.duration(), f + ".duration"));
  }
  std::set<int64_t> choices;
  for (int i = 0; i < s.picks_size(); ++i) {
    const v1::Pick& p = s.picks(i);
    const std::string f = absl::StrCat("picks[", i, "]");
    LOCKSTEP_RETURN_IF_ERROR(positive(p.choice(), f + ".choice"));
    if (p.index() < 0) return Invalid(source, f + ".index", "negative");
    if (!choices.insert(p.choice()).second)
      return Invalid(source, f, "a second entry for the same choice");
  }
#undef LOCKSTEP_RETURN_IF_ERROR
  return absl::OkStatus();
}

std::string ScheduleToText(const Schedule& schedule) {
  std::string body;
  google::protobuf::TextFormat::Printer printer;
  printer.PrintToString(schedule, &body);
  return absl::StrCat(kHeader, body);
}

absl::StatusOr<Schedule> ParseSchedule(absl::string_view text, absl::string_view source) {
  Schedule schedule;
  google::protobuf::TextFormat::Parser parser;
  ErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &schedule)) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": not a lockstep.sim.v1.Schedule in protobuf text format: ",
                     errors.first().empty() ? "unreadable" : errors.first()));
  }
  if (absl::Status s = ValidateSchedule(schedule, source); !s.ok()) return s;
  return schedule;
}

absl::StatusOr<Schedule> ReadScheduleFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the schedule"));
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": reading failed"));
  return ParseSchedule(text.str(), path);
}

absl::Status WriteScheduleFile(const Schedule& schedule, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << ScheduleToText(schedule);
  out.close();
  if (!out) return absl::InternalError(absl::StrCat(path, ": writing the schedule failed"));
  return absl::OkStatus();
}

ScheduleSize SizeOf(const Schedule& s) {
  ScheduleSize size;
  size.calls = s.calls_size();
  for (const v1::ActivityAttempt& a : s.activity_attempts()) {
    const bool fault = a.injected_failure() != v1::FAILURE_KIND_NONE || !a.late_by().empty() ||
                       !a.fault_latency().empty() || a.heartbeat_lost() || !a.crash_after().empty();
    ++(fault ? size.faults : size.other);
  }
  size.faults +=
      s.workflow_tasks_size() + s.child_starts_size() + s.delays_size() + s.step_faults_size();
  size.other += s.picks_size();
  return size;
}

std::string ScheduleTimeline(const Schedule& s) {
  std::string out = absl::StrCat("schedule of ", s.workload(), " (seed ", s.seed(), "): ");
  const ScheduleSize size = SizeOf(s);
  absl::StrAppend(&out, size.calls, " calls, ", size.faults, " faults, ", size.other,
                  " other decisions\n");
  // Calls in the order they are made (time, then place).
  std::vector<int> order(static_cast<size_t>(s.calls_size()));
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  auto at = [&](int i) {
    absl::StatusOr<absl::Duration> d = ParseScheduleDuration(s.calls(i).at(), "at");
    return d.ok() ? *d : absl::ZeroDuration();
  };
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return at(a) < at(b); });
  for (int i : order) {
    const v1::Call& c = s.calls(i);
    absl::StrAppend(&out, "  at ", Shown(c.at()), ": ", CallKindName(c.kind()), " ",
                    c.workflow_id());
    if (!c.workflow_type().empty()) absl::StrAppend(&out, " (", c.workflow_type(), ")");
    if (!c.name().empty()) absl::StrAppend(&out, " '", c.name(), "'");
    if (c.kind() == v1::Call::KIND_SIGNAL_WITH_START) {
      absl::StrAppend(&out, " ", PayloadsText(c.input()), ", start ",
                      PayloadsText(c.start_input()));
    } else if (c.kind() != v1::Call::KIND_CANCEL) {
      absl::StrAppend(&out, " ", PayloadsText(c.input()));
    }
    absl::StrAppend(&out, " (request ", c.request(), ")\n");
  }
  for (const v1::ActivityAttempt& a : s.activity_attempts()) {
    absl::StrAppend(&out, "  ", a.local() ? "local activity " : "activity ", a.workflow_id(), "/",
                    a.activity_id(), " attempt ", a.attempt());
    if (a.occurrence() > 1) absl::StrAppend(&out, " (run ", a.occurrence(), ")");
    std::vector<std::string> what;
    if (!a.latency().empty()) what.push_back(absl::StrCat("takes ", a.latency()));
    if (a.workload_failure() != v1::FAILURE_KIND_NONE) {
      what.push_back(
          absl::StrCat("fails (", FailureName(a.workload_failure()), ", the workload's rate)"));
    }
    if (a.injected_failure() != v1::FAILURE_KIND_NONE) {
      what.push_back(absl::StrCat("fault: fails ", FailureName(a.injected_failure())));
    }
    if (!a.late_by().empty()) {
      what.push_back(absl::StrCat("fault: times out, its answer ", a.late_by(), " late"));
    }
    if (!a.fault_latency().empty())
      what.push_back(absl::StrCat("fault: slow, ", a.fault_latency()));
    if (a.heartbeat_lost()) what.push_back("fault: heartbeats lost");
    if (!a.crash_after().empty()) {
      what.push_back(absl::StrCat("fault: workers crash ", a.crash_after(), " in",
                                  a.crash_downtime().empty()
                                      ? std::string()
                                      : absl::StrCat(", down ", a.crash_downtime())));
    }
    absl::StrAppend(&out, ": ", absl::StrJoin(what, "; "), "\n");
  }
  for (const v1::WorkflowTask& t : s.workflow_tasks()) {
    absl::StrAppend(&out, "  workflow task ", t.number(), " of ", t.workflow_id(), ": fault: ");
    if (t.lost()) {
      absl::StrAppend(&out, "lost (it times out)\n");
    } else if (t.failed()) {
      absl::StrAppend(&out, "failed by the worker\n");
    } else {
      absl::StrAppend(&out, "answered after ", Shown(t.latency()), "\n");
    }
  }
  for (const v1::ChildStart& c : s.child_starts()) {
    absl::StrAppend(&out, "  child of ", c.parent_workflow_id(), " (initiated event ",
                    c.initiated_event_id(), "): fault: ");
    std::vector<std::string> what;
    if (!c.latency().empty()) what.push_back(absl::StrCat("starts ", c.latency(), " late"));
    if (c.failed()) what.push_back("its start fails");
    absl::StrAppend(&out, absl::StrJoin(what, ", "), "\n");
  }
  for (const v1::Delay& d : s.delays()) {
    if (d.kind() == v1::Delay::KIND_TIMER) {
      absl::StrAppend(&out, "  timer ", d.timer_id(), " of ", d.workflow_id(), ": fault: fires ",
                      Shown(d.delay()), " late\n");
    } else {
      absl::StrAppend(&out, "  signal from ", d.workflow_id(), " (initiated event ",
                      d.initiated_event_id(), "): fault: delivered ", Shown(d.delay()), " late\n");
    }
  }
  for (const v1::StepFault& f : s.step_faults()) {
    absl::StrAppend(&out, "  after step ", f.after_step(), " of ",
                    f.step_workflow_id().empty() ? "the service" : f.step_workflow_id(),
                    ": fault: ");
    switch (f.kind()) {
      case v1::StepFault::KIND_WORKER_CRASH:
        absl::StrAppend(&out, "every worker crashes, down ", Shown(f.duration()), "\n");
        break;
      case v1::StepFault::KIND_CACHE_EVICTION:
        absl::StrAppend(&out, f.workflow_id(), " evicted from the worker's cache\n");
        break;
      case v1::StepFault::KIND_ACTIVITY_OUTAGE:
        absl::StrAppend(&out, "activity workers stop polling for ", Shown(f.duration()), "\n");
        break;
      default:
        absl::StrAppend(&out, "query '", f.name(), "' of ", f.workflow_id(), "\n");
        break;
    }
  }
  for (const v1::Pick& p : s.picks()) {
    absl::StrAppend(&out, "  simultaneous steps, choice ", p.choice(), ": the one at ", p.index(),
                    "\n");
  }
  return out;
}

v1::Call CallToProto(const ClientCall& c, int64_t request) {
  v1::Call p;
  switch (c.kind) {
    case ClientCall::Kind::kStart:
      p.set_kind(v1::Call::KIND_START);
      break;
    case ClientCall::Kind::kSignal:
      p.set_kind(v1::Call::KIND_SIGNAL);
      break;
    case ClientCall::Kind::kSignalWithStart:
      p.set_kind(v1::Call::KIND_SIGNAL_WITH_START);
      break;
    case ClientCall::Kind::kQuery:
      p.set_kind(v1::Call::KIND_QUERY);
      break;
    case ClientCall::Kind::kUpdate:
      p.set_kind(v1::Call::KIND_UPDATE);
      break;
    case ClientCall::Kind::kCancel:
      p.set_kind(v1::Call::KIND_CANCEL);
      break;
  }
  p.set_at(ScheduleDuration(c.at));
  p.set_request(request);
  p.set_workflow_id(c.workflow_id);
  p.set_workflow_type(c.workflow_type);
  p.set_name(c.name);
  if (c.input.payloads_size() > 0) *p.mutable_input() = c.input;
  if (c.start_input.payloads_size() > 0) *p.mutable_start_input() = c.start_input;
  if (c.kind == ClientCall::Kind::kStart || c.kind == ClientCall::Kind::kSignalWithStart) {
    v1::StartOptions* o = p.mutable_options();
    o->set_task_queue(c.options.task_queue);
    if (c.options.execution_timeout != absl::ZeroDuration()) {
      o->set_execution_timeout(ScheduleDuration(c.options.execution_timeout));
    }
    if (c.options.run_timeout != absl::ZeroDuration()) {
      o->set_run_timeout(ScheduleDuration(c.options.run_timeout));
    }
    if (c.options.task_timeout != absl::ZeroDuration()) {
      o->set_task_timeout(ScheduleDuration(c.options.task_timeout));
    }
    if (c.options.retry_policy.has_value()) *o->mutable_retry_policy() = *c.options.retry_policy;
    o->set_id_reuse_policy(c.options.id_reuse_policy);
  }
  return p;
}

absl::StatusOr<ClientCall> CallFromProto(const v1::Call& p, int index) {
  const std::string f = absl::StrCat("calls[", index, "]");
  ClientCall c;
  switch (p.kind()) {
    case v1::Call::KIND_START:
      c.kind = ClientCall::Kind::kStart;
      break;
    case v1::Call::KIND_SIGNAL:
      c.kind = ClientCall::Kind::kSignal;
      break;
    case v1::Call::KIND_SIGNAL_WITH_START:
      c.kind = ClientCall::Kind::kSignalWithStart;
      break;
    case v1::Call::KIND_QUERY:
      c.kind = ClientCall::Kind::kQuery;
      break;
    case v1::Call::KIND_UPDATE:
      c.kind = ClientCall::Kind::kUpdate;
      break;
    case v1::Call::KIND_CANCEL:
      c.kind = ClientCall::Kind::kCancel;
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(f, ".kind: missing or unknown"));
  }
  absl::StatusOr<absl::Duration> at = ParseScheduleDuration(p.at(), f + ".at");
  if (!at.ok()) return at.status();
  c.at = *at;
  c.workflow_id = p.workflow_id();
  c.workflow_type = p.workflow_type();
  c.name = p.name();
  c.input = p.input();
  c.start_input = p.start_input();
  const v1::StartOptions& o = p.options();
  c.options.id = p.workflow_id();
  c.options.task_queue = o.task_queue();
  for (auto [text, field, out] :
       {std::tuple<const std::string&, const char*, absl::Duration*>{
            o.execution_timeout(), ".options.execution_timeout", &c.options.execution_timeout},
        {o.run_timeout(), ".options.run_timeout", &c.options.run_timeout},
        {o.task_timeout(), ".options.task_timeout", &c.options.task_timeout}}) {
    absl::StatusOr<absl::Duration> d = ParseScheduleDuration(text, f + field);
    if (!d.ok()) return d.status();
    *out = *d;
  }
  if (o.has_retry_policy()) c.options.retry_policy = o.retry_policy();
  c.options.id_reuse_policy = o.id_reuse_policy();
  return c;
}

}  // namespace lockstep::sim
