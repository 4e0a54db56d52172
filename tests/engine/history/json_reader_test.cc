// The JSON reader accepts every shape and quirk Temporal tooling writes, and rejects bad input
// with a message naming the event and the JSON path.
#include "engine/history/json_reader.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockstep::history {
namespace {

using ::testing::HasSubstr;
namespace enums = temporal::api::enums::v1;

constexpr absl::string_view kStartedOld = R"({
  "eventId": "1", "eventTime": "2021-11-19T22:54:53.264854600Z",
  "eventType": "WorkflowExecutionStarted", "taskId": "1048636",
  "workflowExecutionStartedEventAttributes": {
    "workflowType": {"name": "Workflow"},
    "taskQueue": {"name": "q", "kind": "Normal"},
    "workflowTaskTimeout": "10s", "attempt": 1
  }})";

constexpr absl::string_view kStartedNew = R"({
  "eventId": 1, "eventTime": "2021-11-19T22:54:53Z",
  "eventType": "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED",
  "workflowExecutionStartedEventAttributes": {
    "workflowType": {"name": "Workflow"},
    "taskQueue": {"name": "q", "kind": "TASK_QUEUE_KIND_NORMAL"},
    "attempt": "1"
  }})";

temporal::api::history::v1::History ParseOne(absl::string_view json,
                                             JsonReadStats* stats = nullptr) {
  auto parsed = ParseHistoriesJson(json, "test.json", {}, stats);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  if (!parsed.ok() || parsed->empty()) return {};
  EXPECT_EQ(parsed->size(), 1u);
  return (*parsed)[0];
}

std::string ParseError(absl::string_view json) {
  auto parsed = ParseHistoriesJson(json, "bad.json");
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? "" : std::string(parsed.status().message());
}

TEST(JsonReader, OldAndNewEnumSpellingsGiveTheSameMessage) {
  auto old_shape = ParseOne(absl::StrCat(R"({"events":[)", kStartedOld, "]}"));
  auto new_shape = ParseOne(absl::StrCat(R"({"events":[)", kStartedNew, "]}"));
  ASSERT_EQ(old_shape.events_size(), 1);
  ASSERT_EQ(new_shape.events_size(), 1);
  EXPECT_EQ(old_shape.events(0).event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  EXPECT_EQ(new_shape.events(0).event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  const auto& a = old_shape.events(0).workflow_execution_started_event_attributes();
  const auto& b = new_shape.events(0).workflow_execution_started_event_attributes();
  EXPECT_EQ(a.task_queue().kind(), enums::TASK_QUEUE_KIND_NORMAL);
  EXPECT_EQ(b.task_queue().kind(), enums::TASK_QUEUE_KIND_NORMAL);
  EXPECT_EQ(a.attempt(), 1);
  EXPECT_EQ(b.attempt(), 1);  // "attempt": "1" as a string
  EXPECT_EQ(old_shape.events(0).event_id(), 1);
  EXPECT_EQ(new_shape.events(0).event_id(), 1);  // a bare number
  EXPECT_EQ(a.workflow_task_timeout().seconds(), 10);
  EXPECT_EQ(old_shape.events(0).event_time().nanos(), 264854600);
}

TEST(JsonReader, AcceptsEveryTopLevelShape) {
  std::string events = absl::StrCat("[", kStartedOld, "]");
  EXPECT_EQ(ParseOne(absl::StrCat(R"({"events":)", events, "}")).events_size(), 1);
  EXPECT_EQ(ParseOne(events).events_size(), 1);  // a bare event list
  EXPECT_EQ(ParseOne(absl::StrCat(R"({"history":{"events":)", events, "}}")).events_size(), 1);
  auto several = ParseHistoriesJson(
      absl::StrCat("[", R"({"events":)", events, "},", R"({"events":)", events, "}]"), "x");
  ASSERT_TRUE(several.ok()) << several.status();
  EXPECT_EQ(several->size(), 2u);
}

TEST(JsonReader, MixedEnumStylesInOneFile) {
  auto h = ParseOne(R"({"events":[
    {"eventId":"1","eventType":"WorkflowExecutionStarted",
     "workflowExecutionStartedEventAttributes":{"taskQueue":{"kind":"TASK_QUEUE_KIND_NORMAL"}}},
    {"eventId":"2","eventType":"EVENT_TYPE_WORKFLOW_TASK_SCHEDULED",
     "workflowTaskScheduledEventAttributes":{"taskQueue":{"kind":"Normal"}}},
    {"eventId":"3","eventType":"ACTIVITY_TASK_FAILED",
     "activityTaskFailedEventAttributes":{"retryState":"MaximumAttemptsReached"}}]})");
  ASSERT_EQ(h.events_size(), 3);
  EXPECT_EQ(h.events(1).event_type(), enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
  EXPECT_EQ(h.events(2).activity_task_failed_event_attributes().retry_state(),
            enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
}

TEST(JsonReader, NullsAreAbsentAndUnknownKeysAreCounted) {
  JsonReadStats stats;
  auto h = ParseOne(R"({"events":[{"eventId":"1","eventType":"WorkflowExecutionStarted",
     "someFutureField": {"x": 1}, "workerMayIgnore": false,
     "workflowExecutionStartedEventAttributes":{"input":null,"header":{},
       "anotherNewThing":"y"}}]})",
                    &stats);
  ASSERT_EQ(h.events_size(), 1);
  EXPECT_FALSE(h.events(0).workflow_execution_started_event_attributes().has_input());
  EXPECT_TRUE(h.events(0).workflow_execution_started_event_attributes().has_header());
  EXPECT_EQ(stats.unknown_keys, 2);
  EXPECT_THAT(stats.unknown_key_examples,
              ::testing::ElementsAre("someFutureField", "anotherNewThing"));
  JsonReadOptions strict;
  strict.allow_unknown_keys = false;
  auto rejected = ParseHistoriesJson(R"({"events":[{"eventId":"1","someFutureField":1}]})",
                                     "strict.json", strict);
  ASSERT_FALSE(rejected.ok());
  EXPECT_THAT(rejected.status().message(), HasSubstr("someFutureField"));
}

TEST(JsonReader, SnakeCaseKeysAreAccepted) {
  auto h = ParseOne(R"({"events":[{"event_id":"1","event_type":"WorkflowExecutionStarted",
     "workflow_execution_started_event_attributes":{"workflow_type":{"name":"W"}}}]})");
  ASSERT_EQ(h.events_size(), 1);
  EXPECT_EQ(h.events(0).workflow_execution_started_event_attributes().workflow_type().name(), "W");
}

TEST(JsonReader, PayloadsInBase64AndDecodedForms) {
  auto h = ParseOne(R"({"events":[{"eventId":"1","eventType":"WorkflowExecutionStarted",
    "workflowExecutionStartedEventAttributes":{"input":{"payloads":[
      {"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"IlRlbXBvcmFsIg=="},
      {"metadata":{"encoding":"json/plain"},"data":"\"raw text\""},
      {"metadata":{"encoding":"json/plain"},"data":{"a":1}},
      {"metadata":{"encoding":"YmluYXJ5L251bGw="}},
      "bare",
      {"customer":"c-1","amount":5}
    ]}}}]})");
  ASSERT_EQ(h.events_size(), 1);
  const auto& payloads =
      h.events(0).workflow_execution_started_event_attributes().input().payloads();
  ASSERT_EQ(payloads.size(), 6);
  EXPECT_EQ(payloads[0].metadata().at("encoding"), "json/plain");
  EXPECT_EQ(payloads[0].data(), "\"Temporal\"");
  EXPECT_EQ(payloads[1].metadata().at("encoding"), "json/plain");
  EXPECT_EQ(payloads[1].data(), "\"raw text\"");
  EXPECT_EQ(payloads[2].data(), R"({"a":1})");
  EXPECT_EQ(payloads[3].metadata().at("encoding"), "binary/null");
  EXPECT_EQ(payloads[3].data(), "");
  EXPECT_EQ(payloads[4].metadata().at("encoding"), "json/plain");
  EXPECT_EQ(payloads[4].data(), "\"bare\"");
  EXPECT_EQ(payloads[5].data(), R"({"customer":"c-1","amount":5})");
}

// The payload size limit holds in every form a payload takes: base64 and raw-text data, a
// JSON value as data, and a bare JSON value (the last two once loaded at any size).
TEST(JsonReader, ThePayloadLimitHoldsInEveryForm) {
  const std::string big(200, '7');
  std::string numbers = "1";
  for (int i = 0; i < 100; ++i) numbers += ",1";
  const std::string start = R"({"events":[{"eventId":"1","eventType":"WorkflowExecutionStarted",
    "workflowExecutionStartedEventAttributes":{"input":{"payloads":[)";
  const std::string end = "]}}}]}";
  const std::vector<std::string> forms = {
      absl::StrCat(R"({"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":")",
                   std::string(268, 'A'), R"("})"),
      absl::StrCat(R"({"metadata":{"encoding":"json/plain"},"data":")", big, R"("})"),
      absl::StrCat(R"({"metadata":{"encoding":"json/plain"},"data":[)", numbers, "]}"),
      absl::StrCat("[", numbers, "]"),
      absl::StrCat(R"({"customer":")", big, R"("})"),
  };
  JsonReadOptions options;
  options.max_payload_bytes = 100;
  for (const std::string& form : forms) {
    const std::string json = start + form + end;
    auto parsed = ParseHistoriesJson(json, "big.json", options);
    ASSERT_FALSE(parsed.ok()) << form;
    EXPECT_THAT(parsed.status().message(), HasSubstr("is over the limit of 100 bytes")) << form;
    EXPECT_THAT(parsed.status().message(), HasSubstr("event #1")) << form;
    options.max_payload_bytes = 1000;
    EXPECT_TRUE(ParseHistoriesJson(json, "big.json", options).ok()) << form;
    options.max_payload_bytes = 100;
  }
}

TEST(JsonReader, ErrorsNameTheEventAndPath) {
  std::string msg = ParseError(R"({"events":[{"eventId":"1","eventType":"WorkflowExecutionStarted"},
    {"eventId":"2","eventType":"TimerStarted",
     "timerStartedEventAttributes":{"startToFireTimeout":"ten seconds"}}]})");
  EXPECT_THAT(msg, HasSubstr("bad.json"));
  EXPECT_THAT(msg, HasSubstr("event #2 (eventId 2)"));
  EXPECT_THAT(msg, HasSubstr("timerStartedEventAttributes.startToFireTimeout"));
  EXPECT_THAT(msg, HasSubstr("invalid duration"));

  msg = ParseError(R"({"events":[{"eventId":"1","eventType":"WorkflowExecutionTeleported"}]})");
  EXPECT_THAT(msg, HasSubstr("eventType"));
  EXPECT_THAT(msg, HasSubstr("unknown EventType value \"WorkflowExecutionTeleported\""));

  msg = ParseError(R"({"events":[{"eventId":"1","eventType":"WorkflowExecutionStarted",
    "workflowExecutionStartedEventAttributes":{"input":{"payloads":[
      {"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"!!not base64!!"}]}}}]})");
  EXPECT_THAT(msg, HasSubstr("input.payloads[0].data"));
  EXPECT_THAT(msg, HasSubstr("base64"));

  EXPECT_THAT(ParseError(R"({"events":[{"eventId":"one"}]})"), HasSubstr("not a valid integer"));
  EXPECT_THAT(ParseError(R"({"events":[{"eventId":1.5}]})"), HasSubstr("not a valid integer"));
  EXPECT_THAT(ParseError(R"({"events":[{"eventId":"99999999999999999999"}]})"),
              HasSubstr("not a valid integer"));
  EXPECT_THAT(ParseError(R"({"events":[{"eventId":"1","eventType":true}]})"),
              HasSubstr("expected an enum name or number"));
  EXPECT_THAT(ParseError(R"({"events":{}})"), HasSubstr("\"events\" must be an array"));
  EXPECT_THAT(ParseError(R"({"evens":[]})"), HasSubstr("no \"events\" key"));
  EXPECT_THAT(ParseError("[]"), HasSubstr("top-level array is empty"));
  EXPECT_THAT(ParseError("42"), HasSubstr("expected a history object"));
  EXPECT_THAT(ParseError(""), HasSubstr("file is empty"));
  EXPECT_THAT(ParseError("   \n"), HasSubstr("file is empty"));
  EXPECT_THAT(ParseError(R"({"events":[{"eventId":"1",)"), HasSubstr("not valid JSON"));
  EXPECT_THAT(ParseError("not json at all"), HasSubstr("not valid JSON"));
}

TEST(JsonReader, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  EXPECT_THAT(ParseError(deep), HasSubstr("not valid JSON"));
  // A failure chain nested deeper than simdjson's limit.
  std::string chain = R"({"events":[{"eventId":"1","eventType":"WorkflowExecutionFailed",
    "workflowExecutionFailedEventAttributes":{"failure":)";
  for (int i = 0; i < 2000; ++i) chain += R"({"message":"m","cause":)";
  chain += "null";
  for (int i = 0; i < 2000; ++i) chain += "}";
  chain += "}}]}";
  EXPECT_THAT(ParseError(chain), HasSubstr("not valid JSON"));
}

// A cause chain simdjson accepts but protobuf's binary parser would not read back (it refuses
// more than 100 nested messages) is refused at load, naming where.
TEST(JsonReader, AFailureChainTooDeepForProtobufIsRefused) {
  auto chain = [](int causes) {
    std::string json = R"({"events":[{"eventId":"1","eventType":"WorkflowExecutionFailed",
      "workflowExecutionFailedEventAttributes":{"failure":)";
    for (int i = 0; i < causes; ++i) json += R"({"message":"m","cause":)";
    json += R"({"message":"root"})";
    for (int i = 0; i < causes; ++i) json += "}";
    return json + "}}]}";
  };
  const std::string error = ParseError(chain(150));
  EXPECT_THAT(error, HasSubstr("nested more than 80 deep"));
  EXPECT_THAT(error, HasSubstr("event #1"));
  EXPECT_THAT(error, HasSubstr("failure.cause.cause"));
  // 70 causes load, and the binary form reads back.
  auto parsed = ParseHistoriesJson(chain(70), "ok.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  temporal::api::history::v1::History back;
  ASSERT_TRUE(back.ParseFromString((*parsed)[0].SerializeAsString()));
  EXPECT_EQ(back.events_size(), 1);
}

}  // namespace
}  // namespace lockstep::history
