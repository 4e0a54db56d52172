// Strings that are not UTF-8 never reach a stored history (engine/history/utf8_fields.h): a
// client call carrying one is InvalidArgument naming the field; a worker's completion or
// failure carrying one is refused as Temporal's server refuses it, so its task times out.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "tests/engine/service/fake_handlers.h"
#include "tests/engine/service/service_fixture.h"

namespace lockstep::testing {
namespace service_utf8_test {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kNotUtf8[] = "caf\xe9";  // Latin-1, not UTF-8

TEST_F(ServiceTest, AStartWithAStringThatIsNotUtf8IsRefusedNamingTheField) {
  StartWorkflowRequest request = StartRequest("wf", kNotUtf8);
  absl::StatusOr<temporal::api::common::v1::WorkflowExecution> started =
      service().StartWorkflow(request);
  ASSERT_EQ(started.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(started.status().message(), HasSubstr("WorkflowType is not valid UTF-8"));
  request = StartRequest();
  (*request.header.mutable_fields())[kNotUtf8].set_data("x");
  EXPECT_THAT(service().StartWorkflow(request).status().message(), HasSubstr("Header"));
  EXPECT_TRUE(service().ListRuns().empty());
}

TEST_F(ServiceTest, ASignalWithAStringThatIsNotUtf8IsRefusedAndWritesNothing) {
  Start();
  Idle();
  const size_t before = TypesOf("wf").size();
  SignalWorkflowRequest signal;
  signal.workflow_id = "wf";
  signal.signal_name = kNotUtf8;
  absl::Status status = service().SignalWorkflow(signal);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("SignalName"));
  signal.signal_name = "ok";
  (*signal.input.add_payloads()->mutable_metadata())[kNotUtf8] = "json/plain";
  EXPECT_THAT(service().SignalWorkflow(signal).message(), HasSubstr("Input"));
  EXPECT_EQ(TypesOf("wf").size(), before);
}

TEST_F(ServiceTest, ACommandWithAStringThatIsNotUtf8IsRefusedAndTheTaskTimesOut) {
  Start();
  workflows_.Then({ScheduleActivity("a1", kNotUtf8)});
  RunFor(absl::Seconds(15));
  const std::vector<std::string> types = TypesOf("wf");
  // The first task's answer never lands; the retry (answered with no commands) completes.
  ASSERT_GE(types.size(), 4u);
  EXPECT_EQ(types[3], "WorkflowTaskTimedOut");
  EXPECT_THAT(types, Not(Contains("ActivityTaskScheduled")));
}

TEST_F(ServiceTest, ATaskFailureWhoseTextIsNotUtf8IsRefusedAndTheTaskTimesOut) {
  Start();
  workflows_.Then(FailTask(kNotUtf8));
  RunFor(absl::Seconds(15));
  const std::vector<std::string> types = TypesOf("wf");
  ASSERT_GE(types.size(), 4u);
  EXPECT_EQ(types[3], "WorkflowTaskTimedOut");
  EXPECT_THAT(types, Not(Contains("WorkflowTaskFailed")));
}

// Timers and the completion are checked through their generated accessors (command_checker.cc),
// not the reflection walk: each must still be refused, and still before any other rule (a
// timer that does not exist would otherwise fail the task rather than time it out).
TEST_F(ServiceTest, ATimerOrCompletionWhoseTextIsNotUtf8IsRefusedAndTheTaskTimesOut) {
  Command complete = CompleteWorkflow("1");
  (*complete.mutable_complete_workflow_execution_command_attributes()
        ->mutable_result()
        ->mutable_payloads(0)
        ->mutable_metadata())[kNotUtf8] = "x";
  const std::vector<Command> refused = {StartTimer(kNotUtf8, absl::Seconds(1)),
                                        CancelTimer(kNotUtf8), complete};
  for (size_t i = 0; i < refused.size(); ++i) {
    SCOPED_TRACE(refused[i].ShortDebugString());
    const std::string id = "wf" + std::to_string(i);
    Start(id);
    workflows_.Then({refused[i]});
    RunFor(absl::Seconds(15));
    const std::vector<std::string> types = TypesOf(id);
    ASSERT_GE(types.size(), 4u);
    EXPECT_EQ(types[3], "WorkflowTaskTimedOut");
    EXPECT_THAT(types, Not(Contains("TimerStarted")));
    EXPECT_THAT(types, Not(Contains("WorkflowTaskFailed")));
    EXPECT_THAT(types, Not(Contains("WorkflowExecutionCompleted")));
  }
}

// Every path under `type` that can hold text: string fields, and the string keys of maps,
// through nested messages.
void TextPaths(const google::protobuf::Descriptor* type, const std::string& prefix,
               std::vector<std::string>* out) {
  for (int i = 0; i < type->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = type->field(i);
    const std::string path = prefix + std::string(field->name());
    if (field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      out->push_back(path);
    } else if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE &&
               field->message_type() != type) {
      TextPaths(field->message_type(), path + ".", out);
    }
  }
}

TEST(CommandTextFastPathTest, TheTypesCheckedByAccessorHaveOnlyTheTextFieldsItChecks) {
  using namespace temporal::api::command::v1;  // NOLINT: the three attribute types
  std::vector<std::string> paths;
  TextPaths(StartTimerCommandAttributes::descriptor(), "", &paths);
  EXPECT_THAT(paths, ::testing::ElementsAre("timer_id"));
  paths.clear();
  TextPaths(CancelTimerCommandAttributes::descriptor(), "", &paths);
  EXPECT_THAT(paths, ::testing::ElementsAre("timer_id"));
  paths.clear();
  // A payload's text is its metadata keys: history::CheckUtf8(Payloads) checks those.
  TextPaths(CompleteWorkflowExecutionCommandAttributes::descriptor(), "", &paths);
  EXPECT_THAT(paths, ::testing::ElementsAre("result.payloads.metadata.key"));
}

}  // namespace
}  // namespace service_utf8_test
}  // namespace lockstep::testing
