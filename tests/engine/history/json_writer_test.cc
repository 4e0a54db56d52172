// The writer's output is protobuf JSON (protobuf's own parser reads it back to the same
// message) and deterministic (map order never depends on insertion or hashing).
#include "engine/history/json_writer.h"

#include "engine/history/history_builder.h"
#include "engine/history/history_file.h"
#include "engine/history/json_reader.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/testing/test_data.h"

namespace lockstep::history {
namespace {

using google::protobuf::util::MessageDifferencer;
using temporal::api::history::v1::History;
using ::testing::HasSubstr;

TEST(JsonWriter, ProtobufReadsWhatWeWriteAndWeReadWhatProtobufWrites) {
  for (const std::string& name : testing::TestDataFiles("temporal", ".json")) {
    SCOPED_TRACE(name);
    auto loaded = LoadHistoryFile(testing::TestDataPath("temporal/" + name));
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    const History& h = loaded->histories[0];

    History via_protobuf;
    auto s = google::protobuf::util::JsonStringToMessage(HistoryToJson(h), &via_protobuf);
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_TRUE(MessageDifferencer::Equals(h, via_protobuf));

    std::string protobuf_json;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(h, &protobuf_json).ok());
    auto ours = ParseHistoriesJson(protobuf_json, "protobuf");
    ASSERT_TRUE(ours.ok()) << ours.status();
    EXPECT_TRUE(MessageDifferencer::Equals(h, (*ours)[0]));
  }
}

TEST(JsonWriter, MapOrderIsSortedWhateverTheInsertionOrder) {
  temporal::api::common::v1::Payload a, b;
  const std::vector<std::string> keys = {"encoding", "type", "messageType", "a", "zz", "m"};
  for (const auto& k : keys) (*a.mutable_metadata())[k] = k;
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) (*b.mutable_metadata())[*it] = *it;
  std::string ja, jb;
  AppendMessageJson(a, {.pretty = false}, &ja);
  AppendMessageJson(b, {.pretty = false}, &jb);
  EXPECT_EQ(ja, jb);
  EXPECT_EQ(ja.find("\"a\""), ja.find('{', 1) + 1);  // first key inside metadata is "a"
}

TEST(JsonWriter, WritesTheCurrentShape) {
  HistoryBuilder b("Counter", "q", "counter-1", "run-1");
  auto wft = b.AddWorkflowTask();
  b.AddTimerStarted(wft.completed, "t1", 1.5);
  const std::string json = HistoryToJson(b.history());
  EXPECT_THAT(json, HasSubstr(R"("eventType": "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED")"));
  EXPECT_THAT(json, HasSubstr(R"("eventId": "1")"));  // int64 as a string
  EXPECT_THAT(json, HasSubstr(R"("attempt": 1)"));    // int32 as a number
  EXPECT_THAT(json, HasSubstr(R"("startToFireTimeout": "1.500s")"));
  EXPECT_THAT(json, HasSubstr(R"("eventTime": "2024-01-01T00:00:00Z")"));
  EXPECT_THAT(json, ::testing::Not(HasSubstr("WorkflowExecutionStarted\"")));
}

// Protobuf JSON writes an empty History as `{}`, which no reader takes for a history; the
// events key is always written so that what `show --json` writes reads back.
TEST(JsonWriter, AnEmptyHistoryWritesTheEventsKeyAndReadsBack) {
  const temporal::api::history::v1::History empty;
  for (bool pretty : {true, false}) {
    std::string json;
    AppendHistoryJson(empty, {.pretty = pretty}, &json);
    EXPECT_THAT(json, HasSubstr(R"("events")")) << json;
    auto back = ParseHistoriesJson(json, "empty.json");
    ASSERT_TRUE(back.ok()) << back.status();
    ASSERT_EQ(back->size(), 1u);
    EXPECT_EQ((*back)[0].events_size(), 0);
  }
  EXPECT_TRUE(ParseHistoriesJson(HistoryToJson(empty), "empty.json").ok());
}

TEST(JsonWriter, EscapesStrings) {
  temporal::api::common::v1::WorkflowType t;
  t.set_name("a\"b\\c\n\x01");
  std::string out;
  AppendMessageJson(t, {.pretty = false}, &out);
  EXPECT_EQ(out, R"({"name":"a\"b\\c\n\u0001"})");
}

}  // namespace
}  // namespace lockstep::history
