// CommandKey: every kind of key, table-driven. For each kind: the report text (word for word
// what reports have always said), equal keys match, a different type does not, and a
// different id matches only when it is an SDK-chosen id compared under IdRule::kSdk. Then the
// key read from a Command equals the key read from the event that records it, for every
// command kind, and an owned key survives what it was copied from.
#include "engine/workflow/command_key.h"

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "engine/machines/local_activity_marker.h"
#include "engine/machines/mutable_side_effect_marker.h"
#include "engine/machines/version_marker.h"
#include "engine/payload/payload.h"
#include "gtest/gtest.h"

namespace lockstep {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::command::v1::Command;
using temporal::api::history::v1::HistoryEvent;

// How a kind treats the id-like value a case builds its keys with.
enum class IdField {
  kSdkId,     // an SDK-chosen id: compared under strict ids only
  kCompared,  // an id someone else chose (or a change id, a key set): always compared
  kNone,      // the kind has no id
};

struct KeyCase {
  std::string label;
  // The key with type-like value `type` and id-like value `id`. Upsert keys, which have
  // neither, set the keys {type, id}.
  std::function<CommandKey(const std::string& type, const std::string& id)> make;
  bool has_type;
  IdField id;
  std::string text;  // of make("t", "7")
  enums::EventType recorded_as;
};

temporal::api::common::v1::SearchAttributes Attributes(const std::string& a, const std::string& b) {
  temporal::api::common::v1::SearchAttributes sa;
  (*sa.mutable_indexed_fields())[a] = ToPayload(1);
  (*sa.mutable_indexed_fields())[b] = ToPayload(2);
  return sa;
}

temporal::api::common::v1::Memo Memo(const std::string& a, const std::string& b) {
  temporal::api::common::v1::Memo memo;
  (*memo.mutable_fields())[a] = ToPayload(1);
  (*memo.mutable_fields())[b] = ToPayload(2);
  return memo;
}

// Keys of upserts view the map they were built from; the maps live here for the test.
std::vector<std::unique_ptr<temporal::api::common::v1::SearchAttributes>>& AttributeStore() {
  static auto* store =
      new std::vector<std::unique_ptr<temporal::api::common::v1::SearchAttributes>>;
  return *store;
}
std::vector<std::unique_ptr<temporal::api::common::v1::Memo>>& MemoStore() {
  static auto* store = new std::vector<std::unique_ptr<temporal::api::common::v1::Memo>>;
  return *store;
}

std::vector<KeyCase> Cases() {
  using K = CommandKey;
  return {
      {"Activity", [](auto& t, auto& id) { return K::Activity(t, id); }, true, IdField::kSdkId,
       "activity t id=7", enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED},
      {"CancelActivity", [](auto&, auto& id) { return K::CancelActivity(std::stoll(id)); }, false,
       IdField::kCompared, "cancel activity scheduled=7",
       enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED},
      {"Timer", [](auto&, auto& id) { return K::Timer(id); }, false, IdField::kSdkId, "timer id=7",
       enums::EVENT_TYPE_TIMER_STARTED},
      {"CancelTimer", [](auto&, auto& id) { return K::CancelTimer(id); }, false, IdField::kSdkId,
       "cancel timer id=7", enums::EVENT_TYPE_TIMER_CANCELED},
      {"LocalActivity", [](auto& t, auto& id) { return K::LocalActivity(t, id); }, true,
       IdField::kSdkId, "local activity t id=7", enums::EVENT_TYPE_MARKER_RECORDED},
      {"VersionMarker", [](auto&, auto& id) { return K::VersionMarker(id); }, false,
       IdField::kCompared, "marker Version change-id=7", enums::EVENT_TYPE_MARKER_RECORDED},
      {"MutableSideEffectMarker",
       [](auto& t, auto& id) { return K::MutableSideEffectMarker(t, id); }, true, IdField::kSdkId,
       "marker MutableSideEffect id=t", enums::EVENT_TYPE_MARKER_RECORDED},
      {"Marker", [](auto& t, auto&) { return K::Marker(t); }, true, IdField::kNone, "marker t",
       enums::EVENT_TYPE_MARKER_RECORDED},
      {"UpsertSearchAttributes",
       [](auto& t, auto& id) {
         AttributeStore().push_back(
             std::make_unique<temporal::api::common::v1::SearchAttributes>(Attributes(t, id)));
         return K::UpsertSearchAttributes(*AttributeStore().back());
       },
       true, IdField::kCompared, "upsert search attributes 7,t",
       enums::EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES},
      {"UpsertMemo",
       [](auto& t, auto& id) {
         MemoStore().push_back(std::make_unique<temporal::api::common::v1::Memo>(Memo(t, id)));
         return K::UpsertMemo(*MemoStore().back());
       },
       true, IdField::kCompared, "upsert memo 7,t", enums::EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED},
      {"Child", [](auto& t, auto& id) { return K::Child(t, id); }, true, IdField::kSdkId,
       "child t id=7", enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED},
      {"SignalExternal", [](auto& t, auto& id) { return K::SignalExternal(t, id); }, true,
       IdField::kCompared, "signal t to 7",
       enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED},
      {"CancelExternal", [](auto&, auto& id) { return K::CancelExternal(id); }, false,
       IdField::kCompared, "cancel workflow 7",
       enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED},
      {"AcceptUpdate", [](auto& t, auto& id) { return K::AcceptUpdate(t, id); }, true,
       IdField::kCompared, "accept update t id=7",
       enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED},
      {"CompleteUpdate", [](auto&, auto& id) { return K::CompleteUpdate(id); }, false,
       IdField::kCompared, "complete update id=7",
       enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED},
      {"CompleteWorkflow", [](auto&, auto&) { return K::CompleteWorkflow(); }, false,
       IdField::kNone, "complete workflow", enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED},
      {"FailWorkflow", [](auto&, auto&) { return K::FailWorkflow(); }, false, IdField::kNone,
       "fail workflow", enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED},
      {"CancelWorkflow", [](auto&, auto&) { return K::CancelWorkflow(); }, false, IdField::kNone,
       "cancel workflow", enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED},
      {"ContinueAsNew", [](auto& t, auto&) { return K::ContinueAsNew(t); }, true, IdField::kNone,
       "continue as new t", enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW},
      {"Other",
       [](auto&, auto&) {
         HistoryEvent signaled;
         signaled.set_event_type(enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
         DecodedMarker decoded;
         return KeyOfEvent(signaled, &decoded);
       },
       false, IdField::kNone, "WorkflowExecutionSignaled",
       enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED},
  };
}

// Test names and failure messages show the case's label, not its bytes.
void PrintTo(const KeyCase& c, std::ostream* os) { *os << c.label; }

class CommandKeyKinds : public ::testing::TestWithParam<KeyCase> {};

TEST_P(CommandKeyKinds, TextIsTheReportText) {
  const KeyCase& c = GetParam();
  EXPECT_EQ(c.make("t", "7").ToString(), c.text);
  EXPECT_EQ(c.make("t", "7").event_type, c.recorded_as);
}

TEST_P(CommandKeyKinds, EqualKeysMatchUnderBothRules) {
  const KeyCase& c = GetParam();
  // Built from different strings with the same contents: compared by value, not address.
  const std::string t1 = "t", t2 = "t", id1 = "7", id2 = "7";
  EXPECT_TRUE(c.make(t1, id1).Matches(c.make(t2, id2), /*strict_ids=*/true));
  EXPECT_TRUE(c.make(t1, id1).Matches(c.make(t2, id2), /*strict_ids=*/false));
  EXPECT_TRUE(c.make(t1, id1) == c.make(t2, id2));
}

// A kind without a type ignores the type it is given: the keys stay equal.
TEST_P(CommandKeyKinds, DifferentTypeIsAnotherCommand) {
  const KeyCase& c = GetParam();
  const std::string type = "t", other_type = "u", id = "7";  // the keys view these
  const CommandKey a = c.make(type, id);
  const CommandKey b = c.make(other_type, id);
  EXPECT_EQ(a.Matches(b, /*strict_ids=*/true), !c.has_type);
  EXPECT_EQ(a.Matches(b, /*strict_ids=*/false), !c.has_type);
}

// A kind without an id ignores the id it is given: the keys stay equal.
TEST_P(CommandKeyKinds, DifferentIdIsAnotherCommandUnlessAnSdkIdUnderTheSdkRule) {
  const KeyCase& c = GetParam();
  const std::string type = "t", id = "7", other_id = "8";  // the keys view these
  const CommandKey a = c.make(type, id);
  const CommandKey b = c.make(type, other_id);
  EXPECT_EQ(a.Matches(b, /*strict_ids=*/true), c.id == IdField::kNone);
  EXPECT_EQ(a.Matches(b, /*strict_ids=*/false), c.id != IdField::kCompared);
  EXPECT_EQ(b.Matches(a, /*strict_ids=*/false), c.id != IdField::kCompared);  // symmetric
}

TEST_P(CommandKeyKinds, NoOtherKindMatches) {
  const KeyCase& c = GetParam();
  for (const KeyCase& other : Cases()) {
    if (other.label == c.label) continue;
    EXPECT_FALSE(c.make("t", "7").Matches(other.make("t", "7"), /*strict_ids=*/false))
        << c.label << " vs " << other.label;
  }
}

TEST_P(CommandKeyKinds, OwnedKeyOutlivesItsSource) {
  const KeyCase& c = GetParam();
  std::string type = "t", id = "7";
  OwnedCommandKey owned(c.make(type, id));
  OwnedCommandKey copy = owned;
  type.assign("overwritten, and long enough to move off the small string buffer");
  id.assign("also overwritten");
  {
    OwnedCommandKey temporary(c.make("t", "7"));
    owned = temporary;
  }
  EXPECT_EQ(owned.key().ToString(), c.text);
  EXPECT_EQ(copy.key().ToString(), c.text);
  EXPECT_TRUE(copy.key() == c.make("t", "7"));
}

// Short strings live inside the std::string, so a move changes where the bytes are; long
// ones stay on the heap. Either way the moved key views its own bytes.
TEST_P(CommandKeyKinds, AMovedKeyViewsTheBytesItTookAlong) {
  const KeyCase& c = GetParam();
  for (const std::string& type : {std::string("t"), std::string(100, 't')}) {
    SCOPED_TRACE(type.size());
    const std::string id = "7";
    const CommandKey source = c.make(type, id);  // views type and id
    OwnedCommandKey owned(source);
    OwnedCommandKey moved(std::move(owned));
    EXPECT_TRUE(moved.key() == source);
    OwnedCommandKey assigned;
    assigned = std::move(moved);
    EXPECT_TRUE(assigned.key() == source);
    std::vector<OwnedCommandKey> grown;
    for (int i = 0; i < 20; ++i) grown.push_back(OwnedCommandKey(source));  // reallocates
    for (const OwnedCommandKey& k : grown) EXPECT_TRUE(k.key() == source);
    OwnedCommandKey scratch(c.make("other", "9"));
    assigned = std::move(scratch);
    EXPECT_EQ(assigned.key().ToString(), c.make("other", "9").ToString());
  }
}

INSTANTIATE_TEST_SUITE_P(EveryKind, CommandKeyKinds, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<KeyCase>& param) {
                           return param.param.label;
                         });

// A command and the event that records it: the event gets the command's attributes as the
// service writes them.
struct Recorded {
  std::string label;
  Command command;
  HistoryEvent event;
};

std::vector<Recorded> CommandsAndEvents() {
  std::vector<Recorded> all;
  auto add = [&all](std::string label, enums::CommandType command_type,
                    enums::EventType event_type) -> Recorded& {
    Recorded& r = all.emplace_back();
    r.label = std::move(label);
    r.command.set_command_type(command_type);
    r.event.set_event_type(event_type);
    r.event.set_event_id(5);
    return r;
  };
  {
    Recorded& r = add("Activity", enums::COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
                      enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    auto* c = r.command.mutable_schedule_activity_task_command_attributes();
    c->mutable_activity_type()->set_name("charge");
    c->set_activity_id("1");
    auto* e = r.event.mutable_activity_task_scheduled_event_attributes();
    e->mutable_activity_type()->set_name("charge");
    e->set_activity_id("1");
  }
  {
    Recorded& r = add("CancelActivity", enums::COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK,
                      enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED);
    r.command.mutable_request_cancel_activity_task_command_attributes()->set_scheduled_event_id(5);
    r.event.mutable_activity_task_cancel_requested_event_attributes()->set_scheduled_event_id(5);
  }
  {
    Recorded& r = add("Timer", enums::COMMAND_TYPE_START_TIMER, enums::EVENT_TYPE_TIMER_STARTED);
    r.command.mutable_start_timer_command_attributes()->set_timer_id("2");
    r.event.mutable_timer_started_event_attributes()->set_timer_id("2");
  }
  {
    Recorded& r =
        add("CancelTimer", enums::COMMAND_TYPE_CANCEL_TIMER, enums::EVENT_TYPE_TIMER_CANCELED);
    r.command.mutable_cancel_timer_command_attributes()->set_timer_id("2");
    r.event.mutable_timer_canceled_event_attributes()->set_timer_id("2");
  }
  {
    Recorded& r = add("SideEffectMarker", enums::COMMAND_TYPE_RECORD_MARKER,
                      enums::EVENT_TYPE_MARKER_RECORDED);
    r.command.mutable_record_marker_command_attributes()->set_marker_name("SideEffect");
    r.event.mutable_marker_recorded_event_attributes()->set_marker_name("SideEffect");
  }
  {
    Recorded& r =
        add("UpsertSearchAttributes", enums::COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
            enums::EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES);
    *r.command.mutable_upsert_workflow_search_attributes_command_attributes()
         ->mutable_search_attributes() = Attributes("b", "a");
    *r.event.mutable_upsert_workflow_search_attributes_event_attributes()
         ->mutable_search_attributes() = Attributes("a", "b");
  }
  {
    Recorded& r = add("UpsertMemo", enums::COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES,
                      enums::EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED);
    *r.command.mutable_modify_workflow_properties_command_attributes()->mutable_upserted_memo() =
        Memo("x", "y");
    *r.event.mutable_workflow_properties_modified_event_attributes()->mutable_upserted_memo() =
        Memo("y", "x");
  }
  {
    Recorded& r = add("Child", enums::COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
                      enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED);
    auto* c = r.command.mutable_start_child_workflow_execution_command_attributes();
    c->mutable_workflow_type()->set_name("kid");
    c->set_workflow_id("kid-1");
    auto* e = r.event.mutable_start_child_workflow_execution_initiated_event_attributes();
    e->mutable_workflow_type()->set_name("kid");
    e->set_workflow_id("kid-1");
  }
  {
    Recorded& r = add("SignalExternal", enums::COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION,
                      enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
    auto* c = r.command.mutable_signal_external_workflow_execution_command_attributes();
    c->set_signal_name("poke");
    c->mutable_execution()->set_workflow_id("other");
    auto* e = r.event.mutable_signal_external_workflow_execution_initiated_event_attributes();
    e->set_signal_name("poke");
    e->mutable_workflow_execution()->set_workflow_id("other");
  }
  {
    Recorded& r =
        add("CancelExternal", enums::COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION,
            enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
    r.command.mutable_request_cancel_external_workflow_execution_command_attributes()
        ->set_workflow_id("other");
    r.event.mutable_request_cancel_external_workflow_execution_initiated_event_attributes()
        ->mutable_workflow_execution()
        ->set_workflow_id("other");
  }
  add("CompleteWorkflow", enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
      enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  add("FailWorkflow", enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION,
      enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
  add("CancelWorkflow", enums::COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION,
      enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED);
  {
    Recorded& r = add("ContinueAsNew", enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
                      enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
    r.command.mutable_continue_as_new_workflow_execution_command_attributes()
        ->mutable_workflow_type()
        ->set_name("again");
    r.event.mutable_workflow_execution_continued_as_new_event_attributes()
        ->mutable_workflow_type()
        ->set_name("again");
  }
  return all;
}

TEST(CommandKey, KeyOfACommandEqualsKeyOfItsEvent) {
  for (const Recorded& r : CommandsAndEvents()) {
    DecodedMarker decoded;
    const CommandKey from_event = KeyOfEvent(r.event, &decoded);
    const CommandKey from_command = KeyOfCommand(r.command);
    EXPECT_TRUE(from_command == from_event) << r.label;
    EXPECT_EQ(from_command.ToString(), from_event.ToString()) << r.label;
    EXPECT_NE(from_command.kind, CommandKey::Kind::kOther) << r.label;
  }
}

// Local activity and version markers keep their identity in encoded details: the event's key
// decodes them, and equals the key the code builds from the fields it knows.
TEST(CommandKey, MarkerEventsAreDecoded) {
  HistoryEvent local;
  local.set_event_type(enums::EVENT_TYPE_MARKER_RECORDED);
  machines::LocalActivityMarker marker;
  marker.activity_type = "lookup";
  marker.activity_id = "3";
  *local.mutable_marker_recorded_event_attributes() = [&marker] {
    auto command = machines::LocalActivityMarkerCommand(marker);
    temporal::api::history::v1::MarkerRecordedEventAttributes a;
    a.set_marker_name(command.marker_name());
    *a.mutable_details() = command.details();
    return a;
  }();
  DecodedMarker decoded;
  const CommandKey local_key = KeyOfEvent(local, &decoded);
  EXPECT_TRUE(local_key == CommandKey::LocalActivity("lookup", "3"));
  EXPECT_EQ(local_key.ToString(), "local activity lookup id=3");

  HistoryEvent version;
  version.set_event_type(enums::EVENT_TYPE_MARKER_RECORDED);
  *version.mutable_marker_recorded_event_attributes() = [] {
    auto command = machines::VersionMarkerCommand({"use-new", 1, false, true});
    temporal::api::history::v1::MarkerRecordedEventAttributes a;
    a.set_marker_name(command.marker_name());
    *a.mutable_details() = command.details();
    return a;
  }();
  DecodedMarker version_decoded;
  const CommandKey version_key = KeyOfEvent(version, &version_decoded);
  EXPECT_TRUE(version_key == CommandKey::VersionMarker("use-new"));
  ASSERT_TRUE(version_decoded.version.has_value());
  EXPECT_TRUE(version_decoded.version->deprecated);

  HistoryEvent mutable_side_effect;
  mutable_side_effect.set_event_type(enums::EVENT_TYPE_MARKER_RECORDED);
  *mutable_side_effect.mutable_marker_recorded_event_attributes() = [] {
    auto command = machines::MutableSideEffectMarkerCommand(
        {.id = "uuid", .side_effect_id = "uuid_7", .call_counter = 1, .value = ToPayloads(3)});
    temporal::api::history::v1::MarkerRecordedEventAttributes a;
    a.set_marker_name(command.marker_name());
    *a.mutable_details() = command.details();
    return a;
  }();
  DecodedMarker mse_decoded;
  const CommandKey mse_key = KeyOfEvent(mutable_side_effect, &mse_decoded);
  EXPECT_TRUE(mse_key == CommandKey::MutableSideEffectMarker("uuid", "uuid_7"));
  EXPECT_EQ(mse_key.ToString(), "marker MutableSideEffect id=uuid");
  ASSERT_TRUE(mse_decoded.mutable_side_effect.has_value());
  EXPECT_EQ(mse_decoded.mutable_side_effect->call_counter, 1);

  // A version marker without its details is known by its name only, and matches no version.
  HistoryEvent unreadable;
  unreadable.set_event_type(enums::EVENT_TYPE_MARKER_RECORDED);
  unreadable.mutable_marker_recorded_event_attributes()->set_marker_name("Version");
  DecodedMarker none;
  const CommandKey unreadable_key = KeyOfEvent(unreadable, &none);
  EXPECT_EQ(unreadable_key.ToString(), "marker Version");
  EXPECT_FALSE(unreadable_key.Matches(CommandKey::VersionMarker(""), /*strict_ids=*/false));
}

TEST(CommandKey, UpsertKeysAreSortedAndValuesIgnored) {
  temporal::api::common::v1::SearchAttributes one, other;
  (*one.mutable_indexed_fields())["b"] = ToPayload(1);
  (*one.mutable_indexed_fields())["a"] = ToPayload(2);
  (*other.mutable_indexed_fields())["a"] = ToPayload(3);
  (*other.mutable_indexed_fields())["b"] = ToPayload(4);
  EXPECT_TRUE(CommandKey::UpsertSearchAttributes(one) == CommandKey::UpsertSearchAttributes(other));
  EXPECT_EQ(CommandKey::UpsertSearchAttributes(one).ToString(), "upsert search attributes a,b");
  (*other.mutable_indexed_fields())["c"] = ToPayload(5);
  EXPECT_FALSE(CommandKey::UpsertSearchAttributes(one).Matches(
      CommandKey::UpsertSearchAttributes(other), /*strict_ids=*/false));
  EXPECT_EQ(CommandKey::UpsertMemo(temporal::api::common::v1::Memo()).ToString(), "upsert memo ");
}

}  // namespace
}  // namespace lockstep
