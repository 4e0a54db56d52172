// The update protocol's messages (temporal.api.protocol.v1.Message carrying
// temporal.api.update.v1 bodies): building the requests the service sends with a workflow task,
// and decoding and validating the answers a worker sends back, as Temporal's server does
// (service/history/workflow/update/update.go and validation.go).
#ifndef LOCKSTEP_ENGINE_SERVICE_UPDATE_MESSAGES_H_
#define LOCKSTEP_ENGINE_SERVICE_UPDATE_MESSAGES_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "temporal/api/protocol/v1/message.pb.h"
#include "temporal/api/update/v1/message.pb.h"

namespace lockstep::service {

// "<update_id>/request": the id of the message that delivers an update's request (Temporal's
// outgoingMessageID), also written as accepted_request_message_id.
std::string UpdateRequestMessageId(absl::string_view update_id);

// The message delivering `request` (body = Any(request)), sequenced after event
// `sequencing_event_id`.
temporal::api::protocol::v1::Message UpdateRequestMessage(
    const temporal::api::update::v1::Request& request, int64_t sequencing_event_id);

// A worker's answer to an update request.
struct UpdateAnswer {
  enum class Kind { kAcceptance, kRejection, kResponse };
  Kind kind = Kind::kAcceptance;
  temporal::api::update::v1::Acceptance acceptance;
  temporal::api::update::v1::Rejection rejection;
  temporal::api::update::v1::Response response;
};

// Decodes and validates an answer for update `message.protocol_instance_id()`.
// InvalidArgument, with Temporal's wording, for a body that is not an Acceptance, Rejection or
// Response, or lacks a field Temporal requires (acceptance: accepted_request_message_id and
// accepted_request_sequencing_event_id; response: meta.update_id equal to the update id, and
// outcome).
absl::StatusOr<UpdateAnswer> DecodeUpdateAnswer(
    const temporal::api::protocol::v1::Message& message);

}  // namespace lockstep::service

#endif  // LOCKSTEP_ENGINE_SERVICE_UPDATE_MESSAGES_H_
