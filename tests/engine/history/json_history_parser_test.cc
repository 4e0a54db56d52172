// What the reader remembers from value to value and from parse to parse (the plan of each
// message type, recent enum names, the last payload metadata value, plain decimal integers
// read on a fast path) never changes what it reads: a parser kept across texts gives what a
// fresh parse gives, errors included, and integers in strings are read as absl::SimpleAtoi
// reads them.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/history/history_file.h"
#include "engine/history/json_reader.h"
#include "gtest/gtest.h"

namespace lockstep::history {
namespace {

// The text followed by the padding ParsePadded needs, and the view of the text alone.
struct PaddedText {
  explicit PaddedText(absl::string_view json) : storage(json) { storage.append(kJsonPadding, ' '); }
  absl::string_view text() const { return absl::string_view(storage).substr(0, size()); }
  size_t size() const { return storage.size() - kJsonPadding; }
  std::string storage;
};

// The outcome of a parse as one string: the histories' bytes (map entries in key order), or
// the error.
std::string Outcome(const absl::Status& status, const HistoryList& histories) {
  if (!status.ok()) return absl::StrCat("error: ", status.message());
  std::string out;
  for (const auto& history : histories) out += SerializeHistoryBinary(history) + "\n";
  return out;
}

std::string FreshParse(absl::string_view json) {
  const PaddedText padded(json);
  auto parsed = ParseHistoriesJsonPadded(padded.text(), "t.json");
  if (!parsed.ok()) return Outcome(parsed.status(), HistoryList());
  return Outcome(absl::OkStatus(), *parsed);
}

std::string Event(absl::string_view id, absl::string_view type, absl::string_view extra) {
  return absl::StrCat(R"({"eventId":)", id, R"(,"eventTime":"2024-02-29T23:59:59.5+01:00",)",
                      R"("eventType":")", type, R"(","taskId":"7")", extra, "}");
}

TEST(JsonHistoryParser, AParserKeptAcrossTextsReadsWhatAFreshParseReads) {
  const std::string signaled = R"(,"workflowExecutionSignaledEventAttributes":{
      "signalName":"inc","input":{"payloads":[
        {"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"MQ=="},
        {"metadata":{"encoding":"json/plain"},"data":"2"},
        {"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"Mw=="},
        {"metadata":{"encoding":""},"data":"NA=="},
        {"metadata":{"encoding":"anNvbi9wbGFpbg==","x":"anNvbi9wbGFpbg=="},"data":"NQ=="}]}})";
  const std::string scheduled =
      R"(,"workflowTaskScheduledEventAttributes":{"taskQueue":{"name":"q","kind":"Normal"},
      "startToCloseTimeout":"10s","attempt":"3"})";
  const std::vector<std::string> texts = {
      // An empty metadata value first: strict base64 for nothing, so the data is base64.
      absl::StrCat(R"({"events":[)",
                   Event("1", "WorkflowExecutionSignaled",
                         R"(,"workflowExecutionSignaledEventAttributes":{"input":{"payloads":[
                             {"metadata":{"encoding":""},"data":"NA=="}]}})"),
                   "]}"),
      absl::StrCat(R"({"events":[)",
                   Event(R"("1")", "EVENT_TYPE_WORKFLOW_TASK_SCHEDULED", scheduled), ",",
                   Event("2", "WorkflowExecutionSignaled", signaled), "]}"),
      // The same keys in another order, and the old and new enum spellings swapped.
      absl::StrCat(R"({"events":[)",
                   Event(R"("2")", "EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED", signaled), ",",
                   R"({"taskId":"9","eventType":"WorkflowTaskScheduled","eventId":"3")", scheduled,
                   "}]}"),
      // Errors after values the parser has remembered.
      absl::StrCat(R"({"events":[)", Event(R"("1")", "WorkflowExecutionSignaled", signaled), ",",
                   Event(R"("2")", "WorkflowExecutionSignalled", ""), "]}"),
      absl::StrCat(R"({"events":[)", Event(R"("+4")", "WORKFLOW_TASK_SCHEDULED", scheduled), ",",
                   Event(R"("2147483648000000000000")", "TimerFired", ""), "]}"),
      absl::StrCat(R"([{"events":[)", Event("1", "WorkflowExecutionSignaled", signaled),
                   R"(]},{"history":{"events":[)",
                   Event("1", "EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED", signaled), "]}}]"),
  };
  JsonHistoryParser kept;
  JsonHistoryParser prepared;
  prepared.Prepare();
  for (int round = 0; round < 2; ++round) {
    for (const std::string& json : texts) {
      const std::string fresh = FreshParse(json);
      for (JsonHistoryParser* parser : {&kept, &prepared}) {
        const PaddedText padded(json);
        HistoryList histories;
        const absl::Status status =
            parser->ParsePadded(padded.text(), "t.json", JsonReadOptions(), nullptr, &histories);
        EXPECT_EQ(Outcome(status, histories), fresh) << json;
      }
    }
  }
}

TEST(JsonHistoryParser, IntegersInStringsAreReadAsSimpleAtoiReadsThem) {
  const std::vector<std::string> texts = {"0",
                                          "5",
                                          "+5",
                                          "-5",
                                          "007",
                                          "-0",
                                          " 5",
                                          "5 ",
                                          "",
                                          "-",
                                          "0x10",
                                          "1e3",
                                          "5.0",
                                          "2147483647",
                                          "2147483648",
                                          "-2147483648",
                                          "-2147483649",
                                          "4294967296",
                                          "999999999999999999",
                                          "9999999999999999999",
                                          "9223372036854775807",
                                          "9223372036854775808",
                                          "-9223372036854775808",
                                          "-9223372036854775809",
                                          "18446744073709551615",
                                          "99999999999999999999"};
  for (const std::string& text : texts) {
    // eventId is an int64, attempt an int32.
    const std::string json = absl::StrCat(
        R"({"events":[{"eventId":")", text, R"(","eventType":"WorkflowTaskScheduled",)",
        R"("workflowTaskScheduledEventAttributes":{"attempt":")", text, R"("}}]})");
    const PaddedText padded(json);
    auto parsed = ParseHistoriesJsonPadded(padded.text(), "t.json");
    int64_t id = 0;
    int32_t attempt = 0;
    const bool id_ok = absl::SimpleAtoi(text, &id);
    const bool attempt_ok = absl::SimpleAtoi(text, &attempt);
    ASSERT_EQ(parsed.ok(), id_ok && attempt_ok) << "\"" << text << "\": " << parsed.status();
    if (!parsed.ok()) {
      EXPECT_NE(parsed.status().message().find("is not a valid integer"), absl::string_view::npos)
          << parsed.status();
      continue;
    }
    const auto& event = (*parsed)[0].events(0);
    EXPECT_EQ(event.event_id(), id) << text;
    EXPECT_EQ(event.workflow_task_scheduled_event_attributes().attempt(), attempt) << text;
  }
}

}  // namespace
}  // namespace lockstep::history
