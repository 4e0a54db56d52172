// Bad input never crashes `lockstep show`: each case exits with status 2 and a message that
// names the file and the problem. CI also runs this suite under ASan and UBSan.
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/history/history_builder.h"
#include "engine/history/history_file.h"
#include "engine/history/json_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/run_command.h"
#include "tests/testing/test_data.h"
#include "tools/lockstep/command.h"

namespace lockstep::cli {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

using Result = testing::CommandResult;

Result Show(std::vector<std::string> args) { return testing::RunCommand(RunShow, std::move(args)); }

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::ScratchDir(); }

  std::string Write(absl::string_view name, absl::string_view contents) {
    std::string path = absl::StrCat(dir_, "/", name);
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }

  // Runs show on a file with `contents`; expects status 2 and an error naming the file.
  std::string Rejected(absl::string_view name, absl::string_view contents,
                       std::vector<std::string> flags = {}) {
    std::string path = Write(name, contents);
    flags.push_back(path);
    Result r = Show(flags);
    EXPECT_EQ(r.status, kExitUsage) << r.out;
    EXPECT_THAT(r.err, HasSubstr(path));
    return r.err;
  }

  // A valid history in the current JSON shape: 1 started, 2-4 workflow task,
  // 5 ActivityTaskScheduled, 6 ActivityTaskStarted, 7 ActivityTaskCompleted.
  static std::string ValidJson() {
    history::HistoryBuilder b("W", "q");
    auto wft = b.AddWorkflowTask();
    int64_t scheduled = b.AddActivityTaskScheduled(wft.completed, "5", "A");
    int64_t started = b.AddActivityTaskStarted(scheduled);
    b.AddActivityTaskCompleted(scheduled, started, "1");
    return history::HistoryToJson(b.history());
  }

  std::string dir_;
};

TEST_F(BadInput, ValidBaselineIsAccepted) {
  Result r = Show({Write("ok.json", ValidJson())});
  EXPECT_EQ(r.status, kExitOk) << r.err;
}

TEST_F(BadInput, EmptyFile) {
  EXPECT_THAT(Rejected("empty.json", ""), HasSubstr("file is empty"));
  EXPECT_THAT(Rejected("empty.pb", ""), HasSubstr("file is empty"));
}

TEST_F(BadInput, TruncatedJson) {
  std::string json = ValidJson();
  for (size_t cut : {json.size() / 3, json.size() / 2, json.size() - 3}) {
    EXPECT_THAT(Rejected("truncated.json", json.substr(0, cut)), HasSubstr("not valid JSON"));
  }
}

TEST_F(BadInput, TruncatedBinary) {
  history::HistoryBuilder b("W");
  b.AddWorkflowTask();
  std::string bytes = history::SerializeHistoryBinary(b.history());
  EXPECT_THAT(Rejected("truncated.pb", bytes.substr(0, bytes.size() - 5)),
              HasSubstr("not a valid binary history"));
  EXPECT_THAT(Rejected("garbage.pb", std::string("\xff\xff\xff\xff\x0f garbage", 13)),
              HasSubstr("not a valid binary history"));
}

TEST_F(BadInput, NotJson) {
  EXPECT_THAT(Rejected("text.json", "this is not a history\n"), HasSubstr("not valid JSON"));
  EXPECT_THAT(Rejected("binary.json", std::string("\0\1\2\3", 4)), HasSubstr("not valid JSON"));
}

TEST_F(BadInput, WrongTypes) {
  EXPECT_THAT(Rejected("types.json", R"({"events":[{"eventId":{"x":1}}]})"),
              AllOf(HasSubstr("event #1"), HasSubstr("eventId"), HasSubstr("expected an integer")));
  EXPECT_THAT(Rejected("types2.json",
                       R"({"events":[{"eventId":"1","eventType":"WorkflowExecutionStarted",
                         "workflowExecutionStartedEventAttributes":{"workflowType":"W"}}]})"),
              AllOf(HasSubstr("workflowExecutionStartedEventAttributes.workflowType"),
                    HasSubstr("expected an object, got a string")));
  EXPECT_THAT(Rejected("types3.json", R"({"events":"many"})"),
              HasSubstr("\"events\" must be an array"));
  EXPECT_THAT(Rejected("types4.json", R"({"events":[{"eventId":"1","eventTime":12}]})"),
              AllOf(HasSubstr("eventTime"), HasSubstr("expected a string, got a number")));
}

TEST_F(BadInput, UnknownEventType) {
  std::string json = ValidJson();
  json.replace(json.find("EVENT_TYPE_ACTIVITY_TASK_STARTED"),
               absl::string_view("EVENT_TYPE_ACTIVITY_TASK_STARTED").size(),
               "EVENT_TYPE_ACTIVITY_TASK_TELEPORTED");
  EXPECT_THAT(Rejected("unknown.json", json),
              AllOf(HasSubstr("event #6 (eventId 6)"),
                    HasSubstr("unknown EventType value \"EVENT_TYPE_ACTIVITY_TASK_TELEPORTED\"")));
}

TEST_F(BadInput, EventIdsOutOfOrderOrRepeated) {
  std::string json = ValidJson();
  std::string swapped = json;
  swapped.replace(swapped.find(R"("eventId": "6")"), 14, R"("eventId": "9")");
  EXPECT_THAT(Rejected("order.json", swapped),
              HasSubstr("event 9 (ActivityTaskStarted): event id 9 at position 6, expected 6"));
  std::string repeated = json;
  repeated.replace(repeated.find(R"("eventId": "6")"), 14, R"("eventId": "5")");
  EXPECT_THAT(Rejected("repeated.json", repeated), HasSubstr("event id 5 at position 6"));
}

TEST_F(BadInput, DanglingScheduledEventId) {
  std::string json = ValidJson();
  const std::string kRef = R"("scheduledEventId": "5")";
  json.replace(json.find(kRef), kRef.size(), R"("scheduledEventId": "42")");
  EXPECT_THAT(Rejected("dangling.json", json),
              HasSubstr("event 6 (ActivityTaskStarted): scheduledEventId 42 does not point to an "
                        "earlier event"));
}

TEST_F(BadInput, HundredMegabytePayload) {
  history::HistoryBuilder b("W");
  auto wft = b.AddWorkflowTask();
  const std::string big = absl::StrCat("\"", std::string(100 << 20, 'x'), "\"");
  b.AddActivityTaskScheduled(wft.completed, "5", "A");
  *b.mutable_history()
       ->mutable_events(4)
       ->mutable_activity_task_scheduled_event_attributes()
       ->mutable_input()
       ->add_payloads() = history::JsonPayload(big);
  const std::string json = history::HistoryToJson(b.history());
  const std::string binary = history::SerializeHistoryBinary(b.history());
  // The file-size limit (64 MiB) refuses both files before they are parsed.
  EXPECT_THAT(Rejected("big.json", json),
              AllOf(HasSubstr("bytes is over the limit of 67108864 bytes for a history file"),
                    HasSubstr("--max-file-bytes")));
  EXPECT_THAT(Rejected("big.pb", binary), HasSubstr("--max-file-bytes"));
  // With it raised, the payload limit names the event and the payload.
  EXPECT_THAT(Rejected("big.json", json, {"--max-file-bytes=300000000"}),
              AllOf(HasSubstr("event #5 (eventId 5)"),
                    HasSubstr("activityTaskScheduledEventAttributes.input.payloads[0].data"),
                    HasSubstr("over the limit")));
  EXPECT_THAT(
      Rejected("big.pb", binary, {"--max-file-bytes=300000000"}),
      AllOf(HasSubstr("event 5"), HasSubstr("input.payloads[0]"), HasSubstr("over the limit")));
  // With the limit raised, the same file loads.
  Result r = Show({"--max-payload-bytes=200000000", "--max-file-bytes=300000000", dir_ + "/big.pb"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
}

TEST_F(BadInput, MissingFileAndDirectory) {
  Result missing = Show({dir_ + "/nope.json"});
  EXPECT_EQ(missing.status, kExitUsage);
  EXPECT_THAT(missing.err, AllOf(HasSubstr("nope.json"), HasSubstr("No such file")));
  Result directory = Show({dir_});
  EXPECT_EQ(directory.status, kExitUsage);
  EXPECT_THAT(directory.err, HasSubstr("is a directory"));
}

TEST_F(BadInput, OneBadFileAmongGoodOnesStillShowsTheGoodOnes) {
  std::string good = Write("good.json", ValidJson());
  std::string bad = Write("bad.json", "{");
  Result r = Show({good, bad});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_THAT(r.out, HasSubstr("good.json"));
  EXPECT_THAT(r.err, HasSubstr("bad.json"));
}

TEST_F(BadInput, BadUsage) {
  EXPECT_EQ(Show({}).status, kExitUsage);
  Result flag = Show({"--frobnicate", "x.json"});
  EXPECT_EQ(flag.status, kExitUsage);
  EXPECT_THAT(flag.err, HasSubstr("unknown flag '--frobnicate'"));
  Result binary = Show({"--binary"});
  EXPECT_EQ(binary.status, kExitUsage);
  EXPECT_THAT(binary.err, HasSubstr("--binary needs a value (OUT)"));
  Result limit = Show({"--max-payload-bytes=lots", "x.json"});
  EXPECT_EQ(limit.status, kExitUsage);
  EXPECT_THAT(limit.err, HasSubstr("--max-payload-bytes needs a positive integer, got 'lots'"));
  std::string features = testing::TestDataPath(
      "temporal/features__features__activity__retry_on_error__history__history.go.v1.5.0.json");
  Result two = Show({"--binary", dir_ + "/out.pb", features, features});
  EXPECT_EQ(two.status, kExitUsage);
  EXPECT_THAT(two.err, HasSubstr("--binary writes exactly one history; the input holds 2"));
}

}  // namespace
}  // namespace lockstep::cli
