#include "engine/service/update_messages.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace lockstep::service {
namespace {

using temporal::api::update::v1::Acceptance;
using temporal::api::update::v1::Rejection;
using temporal::api::update::v1::Response;

absl::Status NotSet(absl::string_view type, absl::string_view field) {
  return absl::InvalidArgumentError(absl::StrCat("invalid ", type, ": ", field, " is not set"));
}

}  // namespace

std::string UpdateRequestMessageId(absl::string_view update_id) {
  return absl::StrCat(update_id, "/request");
}

temporal::api::protocol::v1::Message UpdateRequestMessage(
    const temporal::api::update::v1::Request& request, int64_t sequencing_event_id) {
  temporal::api::protocol::v1::Message message;
  const std::string& update_id = request.meta().update_id();
  message.set_id(UpdateRequestMessageId(update_id));
  message.set_protocol_instance_id(update_id);
  message.set_event_id(sequencing_event_id);
  message.mutable_body()->PackFrom(request);
  return message;
}

absl::StatusOr<UpdateAnswer> DecodeUpdateAnswer(
    const temporal::api::protocol::v1::Message& message) {
  if (!message.has_body()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Update ", message.protocol_instance_id(), " received message with nil body"));
  }
  const google::protobuf::Any& body = message.body();
  UpdateAnswer answer;
  if (body.Is<Acceptance>()) {
    answer.kind = UpdateAnswer::Kind::kAcceptance;
    if (!body.UnpackTo(&answer.acceptance)) {
      return absl::InvalidArgumentError("unable to unmarshal request: Acceptance");
    }
    if (answer.acceptance.accepted_request_sequencing_event_id() == 0) {
      return NotSet("*updatepb.Acceptance", "accepted_request_sequencing_event_id");
    }
    if (answer.acceptance.accepted_request_message_id().empty()) {
      return NotSet("*updatepb.Acceptance", "accepted_request_message_id");
    }
    return answer;
  }
  if (body.Is<Rejection>()) {
    answer.kind = UpdateAnswer::Kind::kRejection;
    if (!body.UnpackTo(&answer.rejection)) {
      return absl::InvalidArgumentError("unable to unmarshal request: Rejection");
    }
    return answer;
  }
  if (body.Is<Response>()) {
    answer.kind = UpdateAnswer::Kind::kResponse;
    if (!body.UnpackTo(&answer.response)) {
      return absl::InvalidArgumentError("unable to unmarshal request: Response");
    }
    const Response& r = answer.response;
    if (!r.has_meta()) return NotSet("*updatepb.Response", "meta");
    if (r.meta().update_id().empty()) return NotSet("*updatepb.Response", "meta.update_id");
    if (r.meta().update_id() != message.protocol_instance_id()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid *updatepb.Response: meta.update_id != ", message.protocol_instance_id()));
    }
    if (!r.has_outcome()) return NotSet("*updatepb.Response", "outcome");
    return answer;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("Message type ", body.type_url(), " not supported"));
}

}  // namespace lockstep::service
