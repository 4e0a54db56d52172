#include "sim/shrink.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "engine/payload/encoding.h"
#include "sim/schedule.h"
#include "simdjson.h"

namespace lockstep::sim {

namespace {

// The entries as one list: decisions first (so the largest removals drop faults before
// calls), calls last.
constexpr int kFields = 7;

int FieldSize(const Schedule& s, int field) {
  switch (field) {
    case 0:
      return s.picks_size();
    case 1:
      return s.activity_attempts_size();
    case 2:
      return s.workflow_tasks_size();
    case 3:
      return s.child_starts_size();
    case 4:
      return s.delays_size();
    case 5:
      return s.step_faults_size();
    default:
      return s.calls_size();
  }
}

void DeleteFrom(Schedule* s, int field, int start, int count) {
  switch (field) {
    case 0:
      s->mutable_picks()->DeleteSubrange(start, count);
      break;
    case 1:
      s->mutable_activity_attempts()->DeleteSubrange(start, count);
      break;
    case 2:
      s->mutable_workflow_tasks()->DeleteSubrange(start, count);
      break;
    case 3:
      s->mutable_child_starts()->DeleteSubrange(start, count);
      break;
    case 4:
      s->mutable_delays()->DeleteSubrange(start, count);
      break;
    case 5:
      s->mutable_step_faults()->DeleteSubrange(start, count);
      break;
    default:
      s->mutable_calls()->DeleteSubrange(start, count);
      break;
  }
}

// Removes entries [first, first + count) of the combined list.
void RemoveRange(Schedule* s, size_t first, size_t count) {
  const size_t end = first + count;
  size_t base = 0;
  for (int field = 0; field < kFields; ++field) {
    const size_t n = static_cast<size_t>(FieldSize(*s, field));
    const size_t lo = std::max(first, base);
    const size_t hi = std::min(end, base + n);
    if (lo < hi) {
      DeleteFrom(s, field, static_cast<int>(lo - base), static_cast<int>(hi - lo));
    }
    base += n;
  }
}

absl::Duration Parsed(const std::string& text) {
  absl::StatusOr<absl::Duration> d = ParseScheduleDuration(text, "");
  return d.ok() ? *d : absl::ZeroDuration();
}

// The shortest a duration field may get (`floor`: written as empty when zero) and half of it,
// as edits of `set`; none when it is at the floor already.
void DurationEdits(const std::string& text, absl::Duration floor,
                   std::function<void(Schedule*, std::string)> set,
                   std::vector<std::function<void(Schedule*)>>* out) {
  const absl::Duration d = Parsed(text);
  if (d <= floor) return;
  const std::string lowest = floor == absl::ZeroDuration() ? "" : ScheduleDuration(floor);
  out->push_back([set, lowest](Schedule* s) { set(s, lowest); });
  const absl::Duration half = absl::Nanoseconds(absl::ToInt64Nanoseconds(d) / 2);
  if (half > floor) {
    out->push_back([set, half](Schedule* s) { set(s, ScheduleDuration(half)); });
  }
}

bool IsJson(const temporal::api::common::v1::Payload& p) {
  const std::string_view encoding = EncodingOf(p);
  return encoding == kEncodingJsonPlain || encoding == kEncodingJsonProtobuf;
}

void PayloadEdits(const Payloads& payloads, std::function<Payloads*(Schedule*)> get,
                  std::vector<std::function<void(Schedule*)>>* out) {
  for (int i = 0; i < payloads.payloads_size(); ++i) {
    if (!IsJson(payloads.payloads(i))) continue;
    for (std::string simpler : ShrinkJson(payloads.payloads(i).data())) {
      out->push_back([get, i, simpler = std::move(simpler)](Schedule* s) {
        get(s)->mutable_payloads(i)->set_data(simpler);
      });
    }
  }
}

// --- JSON.

std::string Minified(simdjson::dom::element e) { return simdjson::minify(e); }

std::string QuoteJson(std::string_view text) {
  // Re-encode a string value: minify of a string element gives it quoted and escaped, so cut
  // the raw text at a character boundary and quote it the same way.
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += "\"";
  return out;
}

// Where a UTF-8 text may be cut in half without splitting a character.
size_t HalfAtBoundary(std::string_view s) {
  size_t half = s.size() / 2;
  while (half > 0 && (static_cast<unsigned char>(s[half]) & 0xC0) == 0x80) --half;
  return half;
}

std::vector<std::string> Shrinks(simdjson::dom::element e) {
  std::vector<std::string> out;
  switch (e.type()) {
    case simdjson::dom::element_type::INT64: {
      const int64_t v = int64_t(e);
      if (v != 0) {
        out.push_back("0");
        if (v / 2 != 0) out.push_back(absl::StrFormat("%d", v / 2));
      }
      break;
    }
    case simdjson::dom::element_type::UINT64: {
      const uint64_t v = uint64_t(e);
      if (v != 0) {
        out.push_back("0");
        if (v / 2 != 0) out.push_back(absl::StrFormat("%d", v / 2));
      }
      break;
    }
    case simdjson::dom::element_type::DOUBLE: {
      const double v = double(e);
      if (v != 0) {
        out.push_back("0");
        const double t = static_cast<double>(static_cast<int64_t>(v));
        if (t != v && t > -9e18 && t < 9e18)
          out.push_back(absl::StrFormat("%d", static_cast<int64_t>(v)));
      }
      break;
    }
    case simdjson::dom::element_type::STRING: {
      const std::string_view v = std::string_view(e);
      if (!v.empty()) {
        out.push_back("\"\"");
        const size_t half = HalfAtBoundary(v);
        if (half > 0) out.push_back(QuoteJson(v.substr(0, half)));
      }
      break;
    }
    case simdjson::dom::element_type::BOOL:
      if (bool(e)) out.push_back("false");
      break;
    case simdjson::dom::element_type::ARRAY: {
      std::vector<std::string> items;
      std::vector<simdjson::dom::element> elements;
      for (simdjson::dom::element item : simdjson::dom::array(e)) {
        items.push_back(Minified(item));
        elements.push_back(item);
      }
      auto join = [&](size_t skip, size_t replace, const std::string& with) {
        std::string s = "[";
        bool first = true;
        for (size_t i = 0; i < items.size(); ++i) {
          if (i == skip) continue;
          if (!first) s += ",";
          first = false;
          s += i == replace ? with : items[i];
        }
        return s + "]";
      };
      const size_t none = items.size();
      for (size_t i = 0; i < items.size(); ++i) out.push_back(join(i, none, ""));
      for (size_t i = 0; i < items.size(); ++i) {
        for (const std::string& simpler : Shrinks(elements[i]))
          out.push_back(join(none, i, simpler));
      }
      break;
    }
    case simdjson::dom::element_type::OBJECT: {
      std::vector<std::pair<std::string, std::string>> members;
      std::vector<simdjson::dom::element> values;
      for (simdjson::dom::key_value_pair kv : simdjson::dom::object(e)) {
        members.emplace_back(QuoteJson(kv.key), Minified(kv.value));
        values.push_back(kv.value);
      }
      for (size_t i = 0; i < members.size(); ++i) {
        for (const std::string& simpler : Shrinks(values[i])) {
          std::string s = "{";
          for (size_t j = 0; j < members.size(); ++j) {
            if (j > 0) s += ",";
            s += members[j].first + ":" + (j == i ? simpler : members[j].second);
          }
          out.push_back(s + "}");
        }
      }
      break;
    }
    default:
      break;
  }
  return out;
}

}  // namespace

std::vector<std::string> ShrinkJson(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) return {};
  return Shrinks(doc);
}

Schedule WithoutFaults(const Schedule& schedule) {
  Schedule s = schedule;
  s.clear_workflow_tasks();
  s.clear_child_starts();
  s.clear_delays();
  s.clear_step_faults();
  auto* attempts = s.mutable_activity_attempts();
  for (int i = attempts->size() - 1; i >= 0; --i) {
    v1::ActivityAttempt* a = attempts->Mutable(i);
    a->set_injected_failure(v1::FAILURE_KIND_NONE);
    a->clear_late_by();
    a->clear_fault_latency();
    a->set_heartbeat_lost(false);
    a->clear_crash_after();
    a->clear_crash_downtime();
    if (a->latency().empty() && a->workload_failure() == v1::FAILURE_KIND_NONE) {
      attempts->DeleteSubrange(i, 1);
    }
  }
  return s;
}

ScheduleShrinker::ScheduleShrinker(Schedule schedule) : schedule_(std::move(schedule)) {
  PlanRemovals();
  PlanSimplifications();
}

Schedule ScheduleShrinker::Candidate(size_t i) const {
  Schedule s = schedule_;
  edits_[i](&s);
  return s;
}

void ScheduleShrinker::PlanRemovals() {
  size_t n = 0;
  for (int field = 0; field < kFields; ++field)
    n += static_cast<size_t>(FieldSize(schedule_, field));
  for (size_t chunk = n; chunk >= 1; chunk /= 2) {
    for (size_t first = 0; first < n; first += chunk) {
      const size_t count = std::min(chunk, n - first);
      edits_.push_back([first, count](Schedule* s) { RemoveRange(s, first, count); });
    }
    if (chunk == 1) break;
  }
}

void ScheduleShrinker::PlanSimplifications() {
  std::vector<std::function<void(Schedule*)>> edits;
  const Schedule& s = schedule_;
  // 2. One part of an entry.
  for (int i = 0; i < s.activity_attempts_size(); ++i) {
    const v1::ActivityAttempt& a = s.activity_attempts(i);
    auto edit = [&edits, i](std::function<void(v1::ActivityAttempt*)> f) {
      edits.push_back([i, f](Schedule* x) { f(x->mutable_activity_attempts(i)); });
    };
    if (a.injected_failure() != v1::FAILURE_KIND_NONE) {
      edit([](v1::ActivityAttempt* e) { e->set_injected_failure(v1::FAILURE_KIND_NONE); });
    }
    if (!a.late_by().empty()) edit([](v1::ActivityAttempt* e) { e->clear_late_by(); });
    if (!a.fault_latency().empty()) edit([](v1::ActivityAttempt* e) { e->clear_fault_latency(); });
    if (a.heartbeat_lost()) edit([](v1::ActivityAttempt* e) { e->set_heartbeat_lost(false); });
    if (!a.crash_after().empty()) {
      edit([](v1::ActivityAttempt* e) {
        e->clear_crash_after();
        e->clear_crash_downtime();
      });
    }
    if (!a.latency().empty()) edit([](v1::ActivityAttempt* e) { e->clear_latency(); });
    if (a.workload_failure() != v1::FAILURE_KIND_NONE) {
      edit([](v1::ActivityAttempt* e) { e->set_workload_failure(v1::FAILURE_KIND_NONE); });
    }
  }
  for (int i = 0; i < s.child_starts_size(); ++i) {
    const v1::ChildStart& c = s.child_starts(i);
    if (c.failed() && !c.latency().empty()) {
      edits.push_back([i](Schedule* x) { x->mutable_child_starts(i)->set_failed(false); });
      edits.push_back([i](Schedule* x) { x->mutable_child_starts(i)->clear_latency(); });
    }
  }
  for (int i = 0; i < s.workflow_tasks_size(); ++i) {
    const v1::WorkflowTask& t = s.workflow_tasks(i);
    if ((t.lost() || t.failed()) && !t.latency().empty()) {
      edits.push_back([i](Schedule* x) { x->mutable_workflow_tasks(i)->clear_latency(); });
    }
  }
  for (int i = 0; i < s.picks_size(); ++i) {
    if (s.picks(i).index() > 1) {
      edits.push_back(
          [i](Schedule* x) { x->mutable_picks(i)->set_index(x->picks(i).index() - 1); });
    }
  }
  // 3. Earlier and shorter.
  for (int i = 0; i < s.calls_size(); ++i) {
    DurationEdits(
        s.calls(i).at(), absl::ZeroDuration(),
        [i](Schedule* x, std::string v) { x->mutable_calls(i)->set_at(std::move(v)); }, &edits);
  }
  for (int i = 0; i < s.activity_attempts_size(); ++i) {
    const v1::ActivityAttempt& a = s.activity_attempts(i);
    // A timeout's answer comes at least 1ns past the bound (empty would mean no timeout).
    DurationEdits(
        a.late_by(), absl::Nanoseconds(1),
        [i](Schedule* x, std::string v) {
          x->mutable_activity_attempts(i)->set_late_by(std::move(v));
        },
        &edits);
    DurationEdits(
        a.fault_latency(), absl::ZeroDuration(),
        [i](Schedule* x, std::string v) {
          x->mutable_activity_attempts(i)->set_fault_latency(std::move(v));
        },
        &edits);
    DurationEdits(
        a.latency(), absl::ZeroDuration(),
        [i](Schedule* x, std::string v) {
          x->mutable_activity_attempts(i)->set_latency(std::move(v));
        },
        &edits);
    // Empty would mean no crash: the earliest is "0".
    DurationEdits(
        a.crash_after(), absl::ZeroDuration(),
        [i](Schedule* x, std::string v) {
          x->mutable_activity_attempts(i)->set_crash_after(v.empty() ? "0" : std::move(v));
        },
        &edits);
    DurationEdits(
        a.crash_downtime(), absl::Nanoseconds(1),
        [i](Schedule* x, std::string v) {
          x->mutable_activity_attempts(i)->set_crash_downtime(std::move(v));
        },
        &edits);
  }
  for (int i = 0; i < s.workflow_tasks_size(); ++i) {
    DurationEdits(
        s.workflow_tasks(i).latency(), absl::ZeroDuration(),
        [i](Schedule* x, std::string v) {
          x->mutable_workflow_tasks(i)->set_latency(std::move(v));
        },
        &edits);
  }
  for (int i = 0; i < s.child_starts_size(); ++i) {
    DurationEdits(
        s.child_starts(i).latency(), absl::ZeroDuration(),
        [i](Schedule* x, std::string v) { x->mutable_child_starts(i)->set_latency(std::move(v)); },
        &edits);
  }
  for (int i = 0; i < s.delays_size(); ++i) {
    DurationEdits(
        s.delays(i).delay(), absl::ZeroDuration(),
        [i](Schedule* x, std::string v) { x->mutable_delays(i)->set_delay(std::move(v)); }, &edits);
  }
  for (int i = 0; i < s.step_faults_size(); ++i) {
    DurationEdits(
        s.step_faults(i).duration(), absl::ZeroDuration(),
        [i](Schedule* x, std::string v) { x->mutable_step_faults(i)->set_duration(std::move(v)); },
        &edits);
  }
  // 4. Simpler payloads.
  for (int i = 0; i < s.calls_size(); ++i) {
    PayloadEdits(
        s.calls(i).input(), [i](Schedule* x) { return x->mutable_calls(i)->mutable_input(); },
        &edits);
    PayloadEdits(
        s.calls(i).start_input(),
        [i](Schedule* x) { return x->mutable_calls(i)->mutable_start_input(); }, &edits);
  }
  for (auto& e : edits) edits_.push_back(std::move(e));
}

namespace {

std::string Signature(const Finding& f) {
  std::string s = f.checker;
  if (!f.invariant.empty()) absl::StrAppend(&s, " '", f.invariant, "'");
  if (!f.cause.empty()) absl::StrAppend(&s, " (", f.cause, ")");
  return s;
}

}  // namespace

std::vector<std::string> FailureSignatures(const SeedResult& run) {
  std::vector<std::string> out;
  for (const Finding& f : run.findings) {
    std::string s = Signature(f);
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  }
  return out;
}

bool FailsTheSameWay(const SeedResult& run, const std::vector<std::string>& signatures) {
  for (const Finding& f : run.findings) {
    if (std::find(signatures.begin(), signatures.end(), Signature(f)) != signatures.end()) {
      return true;
    }
  }
  return false;
}

bool CallsPassAlone(const Simulation& simulation, const Schedule& schedule) {
  absl::StatusOr<SeedResult> alone = simulation.RunSchedule(WithoutFaults(schedule));
  return alone.ok() && !alone->failed();
}

bool WorkloadCouldMeet(const Simulation& simulation, const Schedule& schedule,
                       bool original_calls_pass) {
  const Workload& workload = simulation.workload();
  if (workload.valid_calls) {
    std::vector<ClientCall> calls;
    for (int i = 0; i < schedule.calls_size(); ++i) {
      absl::StatusOr<ClientCall> call = CallFromProto(schedule.calls(i), i);
      if (!call.ok()) return false;
      calls.push_back(std::move(*call));
    }
    return workload.valid_calls(calls).ok();
  }
  return !original_calls_pass || CallsPassAlone(simulation, schedule);
}

absl::StatusOr<ShrinkResult> ShrinkFailingSchedule(const Simulation& simulation,
                                                   const Schedule& failing, int max_runs) {
  absl::StatusOr<SeedResult> first = simulation.RunSchedule(failing);
  if (!first.ok()) return first.status();
  if (!first->failed()) {
    return absl::FailedPreconditionError("the schedule passes: there is nothing to shrink");
  }
  const std::vector<std::string> signatures = FailureSignatures(*first);
  const bool calls_pass = !simulation.workload().valid_calls && CallsPassAlone(simulation, failing);
  ShrinkResult result{failing, std::move(*first), 1, 0};
  bool smaller = true;
  while (smaller && result.runs < max_runs) {
    smaller = false;
    const ScheduleShrinker shrinker(result.schedule);
    for (size_t i = 0; i < shrinker.size() && result.runs < max_runs; ++i) {
      Schedule candidate = shrinker.Candidate(i);
      absl::StatusOr<SeedResult> run = simulation.RunSchedule(candidate);
      ++result.runs;
      if (!run.ok() || !FailsTheSameWay(*run, signatures)) continue;
      if (!WorkloadCouldMeet(simulation, candidate, calls_pass)) continue;
      result.schedule = std::move(candidate);
      result.run = std::move(*run);
      ++result.steps;
      smaller = true;
      break;
    }
  }
  return result;
}

}  // namespace lockstep::sim
