// CommandKey: what identifies a command among the commands of a workflow task, and the event
// that records it (ActivityTaskScheduled, TimerStarted, ...) among the task's command events.
//
// Replay matches the commands the code issues with the recorded command events, in order; a
// command and an event are the same when their keys match. A key is its kind, which fixes the
// event type the command is recorded as, and the fields that identify it:
//
//   kind                     fields                         text (for reports)
//   kActivity                name: type, sdk_id: id         activity <name> id=<sdk_id>
//   kCancelActivity          scheduled_event_id             cancel activity scheduled=<n>
//   kTimer                   sdk_id: timer id               timer id=<sdk_id>
//   kCancelTimer             sdk_id: timer id               cancel timer id=<sdk_id>
//   kLocalActivity           name: type, sdk_id: id         local activity <name> id=<sdk_id>
//   kVersionMarker           ref: change id                 marker Version change-id=<ref>
//   kMutableSideEffectMarker ref: the code's id,            marker MutableSideEffect id=<ref>
//                            sdk_id: "<id>_<event id>"
//   kMarker                  name: SideEffect, ...          marker <name>
//   kUpsertSearchAttributes  keys: the keys set, sorted     upsert search attributes <k>,<k>
//   kUpsertMemo              keys: the keys set, sorted     upsert memo <k>,<k>
//   kChild                   name: type, sdk_id: id         child <name> id=<sdk_id>
//   kSignalExternal          name: signal, ref: target id   signal <name> to <ref>
//   kCancelExternal          ref: target workflow id        cancel workflow <ref>
//   kAcceptUpdate            name, ref: update id           accept update <name> id=<ref>
//   kCompleteUpdate          ref: update id                 complete update id=<ref>
//   kCompleteWorkflow        -                              complete workflow
//   kFailWorkflow            -                              fail workflow
//   kCancelWorkflow          -                              cancel workflow
//   kContinueAsNew           name: workflow type            continue as new <name>
//   kOther                   event_type (no command's)      the event type's short name
//
// Payloads, options and timeouts are not part of a key: changing them is not nondeterminism.
//
// Matching (Matches): every field is compared, except that `sdk_id` is skipped unless ids are
// compared strictly. sdk_id holds the ids an SDK chooses by its own numbering scheme
// (activity, local activity and timer ids, child workflow ids), which a port of a workflow
// recorded by another SDK cannot reproduce (IdRule in workflow_run.h). Ids chosen by someone
// else are always compared: scheduled event ids (the service's), target workflow ids and
// update ids (the caller's), change ids (the code's).
//
// A CommandKey holds string_views and owns nothing: a key built from a Command, a
// HistoryEvent or an operation's fields must not outlive them; OwnedCommandKey keeps a copy.
// Building and matching keys formats nothing; ToString() is for reports, and gives the text
// in the table, word for word what reports and messages have always said.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_COMMAND_KEY_H_
#define LOCKSTEP_ENGINE_WORKFLOW_COMMAND_KEY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/machines/local_activity_marker.h"
#include "engine/machines/mutable_side_effect_marker.h"
#include "engine/machines/version_marker.h"
#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/common/v1/message.pb.h"
#include "temporal/api/enums/v1/event_type.pb.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep {

struct CommandKey {
  enum class Kind : uint8_t {
    kActivity,
    kCancelActivity,
    kTimer,
    kCancelTimer,
    kLocalActivity,
    kVersionMarker,
    kMutableSideEffectMarker,
    kMarker,
    kUpsertSearchAttributes,
    kUpsertMemo,
    kChild,
    kSignalExternal,
    kCancelExternal,
    kAcceptUpdate,
    kCompleteUpdate,
    kCompleteWorkflow,
    kFailWorkflow,
    kCancelWorkflow,
    kContinueAsNew,
    kOther,
  };

  Kind kind = Kind::kOther;
  // The event type a command of this kind is recorded as; for kOther, the event's own type.
  temporal::api::enums::v1::EventType event_type = temporal::api::enums::v1::EVENT_TYPE_UNSPECIFIED;
  absl::string_view name;
  absl::string_view sdk_id;  // not compared under IdRule::kSdk
  absl::string_view ref;
  int64_t scheduled_event_id = 0;
  std::vector<absl::string_view> keys;  // sorted

  // Keys by kind (see the table above). The strings are viewed, not copied.
  static CommandKey Activity(absl::string_view type, absl::string_view activity_id);
  static CommandKey CancelActivity(int64_t scheduled_event_id);
  static CommandKey Timer(absl::string_view timer_id);
  static CommandKey CancelTimer(absl::string_view timer_id);
  static CommandKey LocalActivity(absl::string_view type, absl::string_view activity_id);
  static CommandKey VersionMarker(absl::string_view change_id);
  static CommandKey MutableSideEffectMarker(absl::string_view id, absl::string_view side_effect_id);
  static CommandKey Marker(absl::string_view marker_name);
  static CommandKey UpsertSearchAttributes(
      const temporal::api::common::v1::SearchAttributes& attributes);
  static CommandKey UpsertMemo(const temporal::api::common::v1::Memo& memo);
  static CommandKey Child(absl::string_view type, absl::string_view workflow_id);
  static CommandKey SignalExternal(absl::string_view signal, absl::string_view workflow_id);
  static CommandKey CancelExternal(absl::string_view workflow_id);
  static CommandKey AcceptUpdate(absl::string_view name, absl::string_view update_id);
  static CommandKey CompleteUpdate(absl::string_view update_id);
  static CommandKey CompleteWorkflow();
  static CommandKey FailWorkflow();
  static CommandKey CancelWorkflow();
  static CommandKey ContinueAsNew(absl::string_view workflow_type);

  // Whether the command with this key is the one recorded as the event with key `other` (or
  // the reverse: matching is symmetric). `strict_ids` false: sdk_id is not compared.
  bool Matches(const CommandKey& other, bool strict_ids) const;
  // Every field equal (Matches with strict ids).
  bool operator==(const CommandKey& other) const { return Matches(other, true); }

  std::string ToString() const;
};

// The key of `command`, read from its attributes. Local activity, version and mutable side
// effect markers keep their identity in encoded details, and update protocol messages in
// their message body: the code that issues those knows the fields and builds their keys with
// the factories above; here a marker is kMarker by its name and a protocol message is kOther.
CommandKey KeyOfCommand(const temporal::api::command::v1::Command& command);

// What KeyOfEvent decodes from a marker's details: local activity, version and mutable side
// effect markers keep their identity in encoded payloads. The key views these, so they must
// outlive it.
struct DecodedMarker {
  std::optional<machines::LocalActivityMarker> local_activity;
  std::optional<machines::VersionMarker> version;
  std::optional<machines::MutableSideEffectMarker> mutable_side_effect;
};

// The key of `event`, the event a command is recorded as. A marker is decoded into `*decoded`
// (a local activity marker, else a version marker, else a mutable side effect marker, else a
// marker known by its name); other
// events leave it as it is. An event no command is recorded as is kOther.
CommandKey KeyOfEvent(const temporal::api::history::v1::HistoryEvent& event,
                      DecodedMarker* decoded);

// A CommandKey with its own copy of the strings it views; copies copy them again, so each
// views its own. A move takes the strings along and re-points the views when the bytes moved
// (a short buffer lives inside the string); the moved-from key is empty.
class OwnedCommandKey {
 public:
  OwnedCommandKey() = default;
  explicit OwnedCommandKey(const CommandKey& key) { Assign(key); }
  OwnedCommandKey(const OwnedCommandKey& other) { Assign(other.key_); }
  OwnedCommandKey& operator=(const OwnedCommandKey& other) {
    if (this != &other) Assign(other.key_);
    return *this;
  }
  OwnedCommandKey(OwnedCommandKey&& other) noexcept { MoveFrom(other); }
  OwnedCommandKey& operator=(OwnedCommandKey&& other) noexcept {
    if (this != &other) MoveFrom(other);
    return *this;
  }

  const CommandKey& key() const { return key_; }

 private:
  void Assign(const CommandKey& key);
  void MoveFrom(OwnedCommandKey& other) noexcept;

  std::string storage_;  // every string of key_, one after the other
  CommandKey key_;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_COMMAND_KEY_H_
