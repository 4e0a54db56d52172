#include "sim/step_hasher.h"

#include <bit>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "temporal/api/enums/v1/event_type.pb.h"

namespace lockstep::sim {
namespace {

// A 64-bit hash over bytes, eight at a time (a multiply-xorshift mix per word). Its value is
// fixed by this code: words are assembled little-endian whatever the host, so every platform
// and compiler computes the same fingerprint.
inline uint64_t Word(const unsigned char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
  return w;
}

inline void MixWord(uint64_t& h, uint64_t w) {
  h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
  h ^= h >> 32;
}

inline void Mix(uint64_t& h, const void* data, size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  MixWord(h, size);
  size_t i = 0;
  for (; i + 8 <= size; i += 8) MixWord(h, Word(p + i));
  uint64_t tail = 0;
  for (size_t k = 0; i + k < size; ++k) tail |= static_cast<uint64_t>(p[i + k]) << (8 * k);
  MixWord(h, tail);
}

inline void MixInt(uint64_t& h, int64_t v) { MixWord(h, static_cast<uint64_t>(v)); }

std::string Time(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", t, absl::UTCTimeZone());
}

std::string EventName(int type) {
  std::string name = temporal::api::enums::v1::EventType_Name(type);
  if (name.rfind("EVENT_TYPE_", 0) == 0) name = name.substr(11);
  return name;
}

std::string Describe(const StepDigest& d) {
  std::string out = absl::StrCat(Time(d.time), " ", StepKindName(d.kind));
  if (!d.workflow_id.empty()) absl::StrAppend(&out, " of workflow ", d.workflow_id);
  return out;
}

std::string Describe(const EventDigest& e) {
  return absl::StrCat("event ", e.event_id, " ", EventName(e.event_type), " of workflow ",
                      e.workflow_id);
}

}  // namespace

void StepHasher::OnStep(const StepRecord& step) {
  ++steps_;
  MixInt(hash_, static_cast<int64_t>(step.kind));
  MixInt(hash_, absl::ToUnixNanos(step.time));
  MixInt(hash_, static_cast<int64_t>(step.seq));
  Mix(hash_, step.workflow_id.data(), step.workflow_id.size());
  Mix(hash_, step.run_id.data(), step.run_id.size());
  std::vector<EventDigest>* events = nullptr;
  if (keep_digests_) {
    digests_.emplace_back();
    StepDigest& d = digests_.back();
    d.time = step.time;
    d.kind = step.kind;
    d.workflow_id = std::string(step.workflow_id);
    events = &d.events;
  }
  for (const AppendedEvents& appended : step.appended) {
    Mix(hash_, appended.run_id.data(), appended.run_id.size());
    for (int i = appended.first; i < appended.end; ++i) {
      const auto& event = appended.history->events(i);
      // The event's deterministic serialization (map entries in key order): as the service
      // stored it, else serialized here into a reused buffer.
      absl::string_view bytes;
      if (appended.log != nullptr) {
        bytes = appended.log->EventBytes(i + appended.log_offset);
      } else {
        const size_t size = event.ByteSizeLong();
        scratch_.resize(size);
        google::protobuf::io::ArrayOutputStream stream(scratch_.data(), static_cast<int>(size));
        google::protobuf::io::CodedOutputStream coded(&stream);
        coded.SetSerializationDeterministic(true);
        event.SerializeWithCachedSizes(&coded);
        bytes = absl::string_view(scratch_.data(), size);
      }
      Mix(hash_, bytes.data(), bytes.size());
      if (events != nullptr) {
        uint64_t h = 0;
        Mix(h, bytes.data(), bytes.size());
        events->push_back({std::string(appended.workflow_id), event.event_id(),
                           static_cast<int>(event.event_type()), h});
      }
    }
  }
  if (keep_digests_) digests_.back().hash = hash_;
}

std::optional<std::string> FirstDifference(const std::vector<StepDigest>& first,
                                           const std::vector<StepDigest>& second) {
  const size_t n = std::min(first.size(), second.size());
  for (size_t i = 0; i < n; ++i) {
    if (first[i].hash == second[i].hash) continue;
    const StepDigest& a = first[i];
    const StepDigest& b = second[i];
    std::string out = absl::StrCat("step ", i + 1, " differs: first run: ", Describe(a),
                                   "; second run: ", Describe(b));
    const size_t m = std::min(a.events.size(), b.events.size());
    for (size_t e = 0; e < m; ++e) {
      if (a.events[e].hash == b.events[e].hash && a.events[e].event_id == b.events[e].event_id) {
        continue;
      }
      absl::StrAppend(&out, "; the first event that differs: ", Describe(a.events[e]),
                      a.events[e].event_type == b.events[e].event_type
                          ? " (same type, different content)"
                          : absl::StrCat(" vs ", Describe(b.events[e])));
      return out;
    }
    if (a.events.size() != b.events.size()) {
      absl::StrAppend(&out, "; it appended ", a.events.size(), " event(s) in the first run and ",
                      b.events.size(), " in the second");
    }
    return out;
  }
  if (first.size() != second.size()) {
    const bool first_longer = first.size() > second.size();
    const StepDigest& extra = first_longer ? first[n] : second[n];
    return absl::StrCat("the runs agree for ", n, " steps, then only the ",
                        first_longer ? "first" : "second", " run goes on: ", Describe(extra));
  }
  return std::nullopt;
}

}  // namespace lockstep::sim
