// FindInvalidUtf8 names the first string field that is not UTF-8, anywhere in a message, and
// agrees with protobuf's parser: what it passes parses back, what it flags does not.
#include "engine/history/utf8_fields.h"

#include <string>

#include "gtest/gtest.h"
#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::history {
namespace utf8_fields_test {
namespace {

using temporal::api::command::v1::Command;

constexpr char kNotUtf8[] = "caf\xe9";

bool ParsesBack(const google::protobuf::Message& m) {
  std::string bytes = m.SerializeAsString();
  std::unique_ptr<google::protobuf::Message> copy(m.New());
  return copy->ParseFromString(bytes);
}

TEST(Utf8FieldsTest, NamesTheFieldNestedRepeatedOrMapped) {
  Command c;
  auto* a = c.mutable_schedule_activity_task_command_attributes();
  a->set_activity_id("a1");
  a->mutable_activity_type()->set_name("Echo");
  a->mutable_input()->add_payloads()->set_data("\xff bytes are not text");
  EXPECT_EQ(FindInvalidUtf8(c), std::nullopt);
  EXPECT_TRUE(ParsesBack(c));

  a->mutable_activity_type()->set_name(kNotUtf8);
  EXPECT_EQ(FindInvalidUtf8(c), "schedule_activity_task_command_attributes.activity_type.name");
  EXPECT_FALSE(ParsesBack(c));

  a->mutable_activity_type()->set_name("Echo");
  a->mutable_input()->add_payloads();
  (*a->mutable_input()->mutable_payloads(1)->mutable_metadata())[kNotUtf8] = "v";
  EXPECT_EQ(FindInvalidUtf8(c),
            "schedule_activity_task_command_attributes.input.payloads[1].metadata[0].key");
  EXPECT_FALSE(ParsesBack(c));
  EXPECT_FALSE(CheckUtf8("Input", a->input()).ok());
}

TEST(Utf8FieldsTest, AgreesWithTheParserOnEdgeCases) {
  // Valid: multi-byte characters. Invalid: overlong, surrogate, truncated, beyond U+10FFFF.
  for (std::string text : {"", "plain", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"}) {
    EXPECT_TRUE(IsValidUtf8(text)) << text;
  }
  for (std::string text : {"\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80", kNotUtf8}) {
    EXPECT_FALSE(IsValidUtf8(text));
    temporal::api::history::v1::HistoryEvent e;
    e.mutable_workflow_execution_signaled_event_attributes()->set_signal_name(text);
    EXPECT_FALSE(ParsesBack(e));
  }
  EXPECT_EQ(CheckUtf8("SignalName", kNotUtf8).message(), "SignalName is not valid UTF-8");
}

}  // namespace
}  // namespace utf8_fields_test
}  // namespace lockstep::history
