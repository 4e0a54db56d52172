// Reading one detail of a recorded marker (MarkerRecorded details are a map of Payloads).
#ifndef LOCKSTEP_ENGINE_MACHINES_MARKER_DETAILS_H_
#define LOCKSTEP_ENGINE_MACHINES_MARKER_DETAILS_H_

#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/string_view.h"
#include "engine/payload/payload.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::machines {

// The detail `key` decoded as a V, or nullopt if it is absent or does not decode.
template <typename V>
std::optional<V> MarkerDetail(const temporal::api::history::v1::MarkerRecordedEventAttributes& a,
                              absl::string_view key) {
  auto it = a.details().find(std::string(key));
  if (it == a.details().end()) return std::nullopt;
  auto value = FromPayloads<V>(it->second);
  if (!value.ok()) return std::nullopt;
  return std::get<0>(*std::move(value));
}

}  // namespace lockstep::machines

#endif  // LOCKSTEP_ENGINE_MACHINES_MARKER_DETAILS_H_
