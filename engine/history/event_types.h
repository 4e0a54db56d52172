// Facts about event types that the loader, validator and viewers share.
#ifndef LOCKSTEP_ENGINE_HISTORY_EVENT_TYPES_H_
#define LOCKSTEP_ENGINE_HISTORY_EVENT_TYPES_H_

#include <string>

#include "google/protobuf/descriptor.h"
#include "temporal/api/enums/v1/event_type.pb.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::history {

using temporal::api::enums::v1::EventType;

// The HistoryEvent oneof member that carries `type`'s attributes
// (EVENT_TYPE_TIMER_FIRED -> timer_fired_event_attributes), or nullptr when the schema has no
// attributes for that type.
const google::protobuf::FieldDescriptor* AttributesFieldFor(EventType type);

// The HistoryEvent oneof member that `event` has set, or nullptr when none is.
const google::protobuf::FieldDescriptor* SetAttributesField(
    const temporal::api::history::v1::HistoryEvent& event);

// The attributes message of `event`, or nullptr when none is set.
const google::protobuf::Message* EventAttributes(
    const temporal::api::history::v1::HistoryEvent& event);

// "TimerFired" for EVENT_TYPE_TIMER_FIRED; the number for a value the schema does not know.
std::string EventTypeShortName(int type);

// Events that close a workflow run: completed, failed, timed out, canceled, terminated,
// continued as new.
bool IsCloseEvent(EventType type);

}  // namespace lockstep::history

#endif  // LOCKSTEP_ENGINE_HISTORY_EVENT_TYPES_H_
