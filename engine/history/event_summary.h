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
  int64_t duration_nanos = 0;  // last event time minus first event time
};

HistorySummary SummarizeHistory(const temporal::api::history::v1::History& history);

// "1.234s", "2m03.500s", "1h02m03.000s".
std::string FormatElapsed(int64_t nanos);

}  // namespace lockstep::history

#endif  // LOCKSTEP_ENGINE_HISTORY_EVENT_SUMMARY_H_
