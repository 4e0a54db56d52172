// Conversions between absl time types and the protobuf well-known types that histories use.
//
// Exact in both directions for every value a history can hold (nanosecond resolution, the
// protobuf ranges); no floating point, so the same input gives the same bytes everywhere.
#ifndef LOCKSTEP_ENGINE_CORE_PROTO_TIME_H_
#define LOCKSTEP_ENGINE_CORE_PROTO_TIME_H_

#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace lockstep {

void SetProtoTime(absl::Time t, google::protobuf::Timestamp* out);
void SetProtoDuration(absl::Duration d, google::protobuf::Duration* out);

absl::Time FromProtoTime(const google::protobuf::Timestamp& t);
absl::Duration FromProtoDuration(const google::protobuf::Duration& d);

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_CORE_PROTO_TIME_H_
