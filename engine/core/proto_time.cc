#include "engine/core/proto_time.h"

#include <cstdint>

namespace lockstep {

void SetProtoTime(absl::Time t, google::protobuf::Timestamp* out) {
  // ToUnixSeconds rounds toward the past, so the remainder is in [0, 1s) as protobuf requires.
  const int64_t seconds = absl::ToUnixSeconds(t);
  const absl::Duration rest = t - absl::FromUnixSeconds(seconds);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest / absl::Nanoseconds(1)));
}

void SetProtoDuration(absl::Duration d, google::protobuf::Duration* out) {
  // IDivDuration truncates toward zero: seconds and nanos share a sign, as protobuf requires.
  absl::Duration rest;
  const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &rest);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest / absl::Nanoseconds(1)));
}

absl::Time FromProtoTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

absl::Duration FromProtoDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

}  // namespace lockstep
