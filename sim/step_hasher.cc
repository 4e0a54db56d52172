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

std::string Describe(const StepDigest& d) {
  std::string out = absl::StrCat(Time(d.time), " ", StepKindName(d.kind));
  if (!d.workflow_id.empty()) absl::StrAppend(&out, " workflow ", d.workflow_id);
  if (d.first_event_id != 0) {
    absl::StrAppend(&out, " event ", d.first_event_id, " ", d.first_event_type);
  }
  return out;
}

}  // namespace

void StepHasher::OnStep(const StepRecord& step) {
  ++steps_;
  MixInt(hash_, static_cast<int64_t>(step.kind));
  MixInt(hash_, absl::ToUnixNanos(step.time));
  MixInt(hash_, static_cast<int64_t>(step.seq));
  Mix(hash_, step.workflow_id.data(), step.workflow_id.size());
  Mix(hash_, step.run_id.data(), step.run_id.size());
  const temporal::api::history::v1::HistoryEvent* first = nullptr;
  for (const AppendedEvents& appended : step.appended) {
    Mix(hash_, appended.run_id.data(), appended.run_id.size());
    for (int i = appended.first; i < appended.end; ++i) {
      const auto& event = appended.history->events(i);
      if (first == nullptr) first = &event;
      // Deterministic serialization (map entries in key order) into a reused buffer.
      const size_t size = event.ByteSizeLong();
      scratch_.resize(size);
      {
        google::protobuf::io::ArrayOutputStream stream(scratch_.data(), static_cast<int>(size));
        google::protobuf::io::CodedOutputStream coded(&stream);
        coded.SetSerializationDeterministic(true);
        event.SerializeWithCachedSizes(&coded);
      }
      Mix(hash_, scratch_.data(), scratch_.size());
    }
  }
  if (!keep_digests_) return;
  StepDigest d;
  d.hash = hash_;
  d.time = step.time;
  d.kind = step.kind;
  d.workflow_id = std::string(step.workflow_id);
  if (first != nullptr) {
    d.first_event_id = first->event_id();
    d.first_event_type = temporal::api::enums::v1::EventType_Name(first->event_type());
  }
  digests_.push_back(std::move(d));
}

std::optional<std::string> FirstDifference(const std::vector<StepDigest>& first,
                                           const std::vector<StepDigest>& second) {
  const size_t n = std::min(first.size(), second.size());
  for (size_t i = 0; i < n; ++i) {
    if (first[i].hash == second[i].hash) continue;
    return absl::StrCat("step ", i + 1, " differs: first run: ", Describe(first[i]),
                        "; second run: ", Describe(second[i]));
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
