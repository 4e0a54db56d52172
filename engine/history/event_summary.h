// One-line, human-readable summaries of history events and payloads, for `lockstep show`,
// replay reports and simulator timelines.
//
// Each event type has a fixed list of key attributes (activity type and id, timer id and
// duration, signal name, child type and id, marker name, failure message, ...); payloads with
// json/plain encoding are shown as their JSON text, others as "<encoding, N bytes>". Long
// values are cut at a fixed width so one odd payload cannot flood a table. The output depends
// only on the event, never on the environment.
#ifndef LOCKSTEP_ENGINE_HISTORY_EVENT_SUMMARY_H_
#define LOCKSTEP_ENGINE_HISTORY_EVENT_SUMMARY_H_

#include <cstddef>
#include <string>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "temporal/api/common/v1/message.pb.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::history {

// "activity=Charge id=5 input=\"card-1\"" for an ActivityTaskScheduled, and so on; empty for
// events with nothing worth showing (a WorkflowTaskStarted).
std::string SummarizeEvent(const temporal::api::history::v1::HistoryEvent& event);

// JSON text for json/plain, "null" for binary/null, "<encoding, N bytes>" otherwise; cut to
// `max_chars` characters (0: no limit) with an ellipsis and the full size.
std::string PayloadToDisplay(const temporal::api::common::v1::Payload& payload,
                             size_t max_chars = 60);

// A payload list for display: one payload as PayloadToDisplay, several as "[a, b]".
std::string EventSummaryOfPayloads(const temporal::api::common::v1::Payloads& payloads);

struct HistorySummary {
  std::string workflow_type;
  std::string workflow_id = "-";  // "-" when the history does not record it
  std::string run_id = "-";       // "-" when the history does not record it
  // Completed, Failed, ..., or Running for a history that ends mid-run.
  std::string status = "Running";
  int64_t events = 0;
  absl::Duration duration;  // last event time minus first event time (see ElapsedBetween)
};

HistorySummary SummarizeHistory(const temporal::api::history::v1::History& history);

// `to` minus `from`, exact for any two timestamps protobuf allows (years 1 to 9999, where
// nanoseconds overflow int64 past 292 years) and saturating to +/-absl::InfiniteDuration() for
// the out-of-range seconds a binary history can carry: never undefined behaviour.
absl::Duration ElapsedBetween(const google::protobuf::Timestamp& from,
                              const google::protobuf::Timestamp& to);

// "1.234s", "2m03.500s", "1h02m03.000s", "-1.500s"; "inf" and "-inf" for infinite durations.
// Milliseconds, truncated toward zero.
std::string FormatElapsed(absl::Duration elapsed);

}  // namespace lockstep::history

#endif  // LOCKSTEP_ENGINE_HISTORY_EVENT_SUMMARY_H_
