// FindInvalidUtf8 names the first string field that is not UTF-8, anywhere in a message, and
// agrees with protobuf's parser: what it passes parses back, what it flags does not.
#include "engine/history/utf8_fields.h"

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/failure/v1/message.pb.h"
#include "temporal/api/history/v1/message.pb.h"
#include "temporal/api/protocol/v1/message.pb.h"

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

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using Chain = std::vector<const FieldDescriptor*>;

// Calls `visit` with every chain of fields from `type` down to a string field, `depth` messages
// deep at most, a type not repeated along one chain.
void ForEachTextField(const Descriptor* type, int depth, Chain& chain,
                      std::set<const Descriptor*>& on_chain,
                      const std::function<void(const Chain&)>& visit) {
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    chain.push_back(field);
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      visit(chain);
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && depth > 0 &&
               on_chain.insert(field->message_type()).second) {
      ForEachTextField(field->message_type(), depth - 1, chain, on_chain, visit);
      on_chain.erase(field->message_type());
    }
    chain.pop_back();
  }
}

// Sets the string at the end of `chain` in `root` to `text`, making every message on the way
// (one element of each repeated field), and returns the path FindInvalidUtf8 gives for it.
std::string SetText(Message& root, const Chain& chain, const std::string& text) {
  Message* m = &root;
  std::string path;
  for (size_t i = 0; i < chain.size(); ++i) {
    const FieldDescriptor* field = chain[i];
    const auto* reflection = m->GetReflection();
    if (!path.empty()) path += ".";
    path += field->name();
    if (field->is_repeated()) path += "[0]";
    if (i + 1 == chain.size()) {
      if (field->is_repeated()) {
        reflection->AddString(m, field, text);
      } else {
        reflection->SetString(m, field, text);
      }
    } else {
      m = field->is_repeated() ? reflection->AddMessage(m, field)
                               : reflection->MutableMessage(m, field);
    }
  }
  return path;
}

// Every string field reachable in a command, a protocol message or a failure, bad text in each
// in turn: the check finds it and names it (the fast path and the walk that names the field
// must agree on every field and oneof), and text that is valid passes.
TEST(Utf8FieldsTest, FindsBadTextInEveryStringFieldOfWhatEntersTheService) {
  for (const Message* prototype : std::initializer_list<const Message*>{
           &Command::default_instance(), &temporal::api::protocol::v1::Message::default_instance(),
           &temporal::api::failure::v1::Failure::default_instance()}) {
    Chain chain;
    std::set<const Descriptor*> on_chain = {prototype->GetDescriptor()};
    int fields = 0;
    ForEachTextField(prototype->GetDescriptor(), 5, chain, on_chain, [&](const Chain& c) {
      ++fields;
      std::unique_ptr<Message> good(prototype->New());
      SetText(*good, c, "caf\xc3\xa9");
      EXPECT_EQ(FindInvalidUtf8(*good), std::nullopt) << good->ShortDebugString();
      std::unique_ptr<Message> bad(prototype->New());
      const std::string path = SetText(*bad, c, kNotUtf8);
      EXPECT_EQ(FindInvalidUtf8(*bad), path);
      EXPECT_FALSE(ParsesBack(*bad)) << path;
    });
    // Enough fields that the walk reached into attributes, payload maps and failures (143 in
    // a command, 3 in a protocol message: its ids and its body's type URL).
    const std::string& name = prototype->GetDescriptor()->full_name();
    EXPECT_GE(fields, name == "temporal.api.protocol.v1.Message" ? 3 : 10) << name;
    if (name == "temporal.api.command.v1.Command") {
      EXPECT_GE(fields, 100);
    }
  }
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
