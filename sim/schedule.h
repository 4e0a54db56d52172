// Schedules as files and as text for people (the format: lockstep/sim/v1/schedule.proto).
//
// A schedule is written in protobuf text format under a comment header naming the workload,
// and read back exactly (`ParseSchedule(ScheduleToText(s))` equals `s`). Reading checks every
// entry: durations that parse and are not negative, kinds that exist, counts from 1, keys that
// do not repeat; an error names the source and the entry ("order.schedule:
// activity_attempts[2].latency: 'soon' is not a duration").
//
// The timeline is for people: the calls in time order, then the decisions, one line each,
// with the fault each one is.
#ifndef LOCKSTEP_SIM_SCHEDULE_H_
#define LOCKSTEP_SIM_SCHEDULE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sim/decisions.h"
#include "sim/workload.h"

namespace lockstep::sim {

std::string ScheduleToText(const Schedule& schedule);
// `source` names the text in errors (a file name, or "schedule").
absl::StatusOr<Schedule> ParseSchedule(absl::string_view text, absl::string_view source);
absl::StatusOr<Schedule> ReadScheduleFile(const std::string& path);
absl::Status WriteScheduleFile(const Schedule& schedule, const std::string& path);

// The entry checks ParseSchedule makes, for schedules built in code. `source` as above.
absl::Status ValidateSchedule(const Schedule& schedule, absl::string_view source);

// A duration field: empty is zero. `field` names it in the error.
absl::StatusOr<absl::Duration> ParseScheduleDuration(absl::string_view text,
                                                     absl::string_view field);

// How big a schedule is: client calls, fault entries (every decision entry that is a fault),
// and the rest (the workload's own activity behaviour, orderings of simultaneous steps).
struct ScheduleSize {
  int calls = 0;
  int faults = 0;
  int other = 0;
  int total() const { return calls + faults + other; }
};
ScheduleSize SizeOf(const Schedule& schedule);

// One line per entry: "  1m30s  signal order-1 'approve' (request 3) [true]", "  activity
// order-1/charge#2 attempt 1: start_to_close timeout, answer 30s late", ...
std::string ScheduleTimeline(const Schedule& schedule);

// Client calls in and out of the schedule.
v1::Call CallToProto(const ClientCall& call, int64_t request);
// `index` names the call in errors.
absl::StatusOr<ClientCall> CallFromProto(const v1::Call& call, int index);

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_SCHEDULE_H_
