#include "engine/history/event_log.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/history/arena_blocks.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace lockstep::history {
namespace {

using temporal::api::history::v1::History;
using temporal::api::history::v1::HistoryEvent;

// History has one field, `repeated HistoryEvent events = 1`: each event is framed by this tag
// (field 1, length-delimited) and its length.
constexpr uint8_t kEventsTag = 0x0a;

// Blocks start small (most runs are short) and double up to kMaxBlock, so a run wastes at most
// one partly filled block; an event larger than that gets a block of its own size.
constexpr uint32_t kFirstBlock = 512;
constexpr uint32_t kMaxBlock = EventLog::kMaxBlock;

int64_t Framed(size_t size) {
  return static_cast<int64_t>(1 + google::protobuf::io::CodedOutputStream::VarintSize64(size) +
                              size);
}

absl::Status UndecodableEvent(int index) {
  return absl::DataLossError(absl::StrCat(
      "event ", index + 1,
      " of the stored history does not decode (a string field that is not valid UTF-8 is the "
      "usual cause)"));
}

}  // namespace

History* EventLog::Window() {
  if (window_ == nullptr) {
    // A short window fits the first block; a long one (a pinned history, many signals waiting)
    // grows it to 32 KiB blocks. Blocks are recycled within the thread (arena_blocks.h).
    arena_ = std::make_unique<google::protobuf::Arena>(RecyclingArenaOptions());
    window_ = google::protobuf::Arena::CreateMessage<History>(arena_.get());
    arena_events_ = 0;
  }
  return window_;
}

HistoryEvent* EventLog::Append(HistoryEvent event) {
  Seal();
  History* window = Window();
  // Moved, not copied onto the arena: the event's parts stay where they are, and the arena
  // deletes it when it goes.
  auto* added = new HistoryEvent(std::move(event));
  arena_->Own(added);
  window->mutable_events()->UnsafeArenaAddAllocated(added);
  ++arena_events_;
  ++moved_in_;
  return added;
}

HistoryEvent* EventLog::AppendNew() {
  Seal();
  History* window = Window();
  ++arena_events_;
  return window->add_events();
}

void EventLog::Seal() {
  while (sealed_ < size()) SealEvent(window_->events(sealed_ - decoded_first_));
}

void EventLog::SealEvent(const HistoryEvent& event) {
  const size_t size = event.ByteSizeLong();
  const size_t framed = static_cast<size_t>(Framed(size));
  char* out = Reserve(framed);
  {
    // Straight into the block, without a CodedOutputStream per event (its set-up is a
    // measurable share of a small event's cost); deterministic as SerializeHistoryBinary is.
    auto* target = reinterpret_cast<uint8_t*>(out);
    target = google::protobuf::io::CodedOutputStream::WriteTagToArray(kEventsTag, target);
    target = google::protobuf::io::CodedOutputStream::WriteVarint64ToArray(size, target);
    google::protobuf::io::EpsCopyOutputStream stream(target, static_cast<int>(size),
                                                     /*deterministic=*/true);
    if (event._InternalSerialize(target, &stream) != reinterpret_cast<uint8_t*>(out) + framed) {
      // Only an event changed between ByteSizeLong and here (another thread) can do this.
      std::fprintf(stderr, "lockstep: event %lld serialized to other than its size\n",
                   static_cast<long long>(event.event_id()));
      std::abort();
    }
  }
  Block& block = blocks_.back();
  offsets_.push_back(static_cast<uint32_t>(out - block.data.get()));
  block.used += static_cast<uint32_t>(framed);
  ++sealed_;
  sealed_bytes_ += static_cast<int64_t>(framed);
}

char* EventLog::Reserve(size_t length) {
  if (blocks_.empty() || blocks_.back().capacity - blocks_.back().used < length) {
    const uint32_t next =
        blocks_.empty() ? kFirstBlock : std::min(kMaxBlock, blocks_.back().capacity * 2);
    Block block;
    block.capacity = static_cast<uint32_t>(std::max<size_t>(next, length));
    if (block.capacity == kMaxBlock && pool_ != nullptr) {
      block.data = pool_->Take();
    } else {
      block.data.reset(new char[block.capacity]);  // not zeroed: every byte used is written
    }
    block.first_event = sealed_;
    blocks_.push_back(std::move(block));
  }
  Block& block = blocks_.back();
  return block.data.get() + block.used;
}

const char* EventLog::Locate(int index, size_t* length) const {
  auto after = std::upper_bound(blocks_.begin(), blocks_.end(), index,
                                [](int i, const Block& b) { return i < b.first_event; });
  const Block& block = *(after - 1);
  const char* framed = block.data.get() + offsets_[static_cast<size_t>(index)];
  // The tag byte, then the length as a varint (written by SealEvent, so well-formed).
  const auto* p = reinterpret_cast<const uint8_t*>(framed + 1);
  uint64_t size = 0;
  for (int shift = 0;; shift += 7, ++p) {
    size |= static_cast<uint64_t>(*p & 0x7f) << shift;
    if ((*p & 0x80) == 0) break;
  }
  *length = static_cast<size_t>(size);
  return reinterpret_cast<const char*>(p + 1);
}

int64_t EventLog::serialized_bytes() const {
  int64_t bytes = sealed_bytes_;  // every unsealed event is in the window
  for (int i = sealed_; i < size(); ++i) {
    bytes += Framed(window_->events(i - decoded_first_).ByteSizeLong());
  }
  return bytes;
}

absl::StatusOr<const HistoryEvent*> EventLog::Event(int index, HistoryEvent* scratch) const {
  if (index < 0 || index >= size()) {
    return absl::OutOfRangeError(
        absl::StrCat("event ", index + 1, " is not in a history of ", size(), " events"));
  }
  if (index >= decoded_first_) return &window_->events(index - decoded_first_);
  size_t length = 0;
  const char* bytes = Locate(index, &length);
  scratch->Clear();
  if (!scratch->ParseFromArray(bytes, static_cast<int>(length))) {
    return UndecodableEvent(index);
  }
  return scratch;
}

absl::Status EventLog::DecodeFrom(int first) {
  first = std::max(first, 0);
  if (first >= decoded_first_) return absl::OkStatus();
  History* window = Window();
  // A new window on the same arena: the earlier events decoded onto it, then the window's
  // events moved over as they are (pointers, no copies). On an error the new one is left on
  // the arena, unused, until the arena goes.
  auto* whole = google::protobuf::Arena::CreateMessage<History>(arena_.get());
  whole->mutable_events()->Reserve(size() - first);
  for (int i = first; i < decoded_first_; ++i) {
    size_t length = 0;
    const char* bytes = Locate(i, &length);
    if (!whole->add_events()->ParseFromArray(bytes, static_cast<int>(length))) {
      return UndecodableEvent(i);
    }
  }
  arena_events_ += decoded_first_ - first;
  const int moved = window->events_size();
  std::vector<HistoryEvent*> events(static_cast<size_t>(moved));
  window->mutable_events()->UnsafeArenaExtractSubrange(0, moved, events.data());
  for (HistoryEvent* event : events) whole->mutable_events()->UnsafeArenaAddAllocated(event);
  window_ = whole;
  decoded_first_ = first;
  return absl::OkStatus();
}

absl::Status EventLog::DecodeRange(int first, History* out) const {
  first = std::max(first, 0);
  out->mutable_events()->Reserve(out->events_size() + std::max(0, size() - first));
  for (int i = first; i < size(); ++i) {
    if (i >= sealed_) {
      *out->add_events() = window_->events(i - decoded_first_);
      continue;
    }
    size_t length = 0;
    const char* bytes = Locate(i, &length);
    if (!out->add_events()->ParseFromArray(bytes, static_cast<int>(length))) {
      return UndecodableEvent(i);
    }
  }
  return absl::OkStatus();
}

absl::Status EventLog::Pin() {
  if (absl::Status s = Materialize(); !s.ok()) return s;
  pinned_ = true;
  return absl::OkStatus();
}

void EventLog::Trim(int keep_from) {
  keep_from = std::min(keep_from, size());
  if (pinned_ || keep_from <= decoded_first_) return;
  Seal();
  const int drop = keep_from - decoded_first_;
#ifndef NDEBUG
  for (int i = decoded_first_; i < keep_from; ++i) CheckSealedUnchanged(i);
#endif
  // On the arena, deleting only forgets the pointers.
  window_->mutable_events()->DeleteSubrange(0, drop);
  decoded_first_ = keep_from;
  // The count first: asking the arena its size walks its per-thread parts, and this runs at
  // the end of every step that touched the run.
  const int kept = window_->events_size();
  if (arena_events_ < 4 * kept) return;
  if (arena_->SpaceAllocated() + kMovedInEventBytes * moved_in_ >= kCompactBytes) Compact();
}

void EventLog::Compact() {
  std::unique_ptr<google::protobuf::Arena> old = std::move(arena_);
  const History& kept = *window_;
  window_ = nullptr;
  arena_events_ = 0;
  moved_in_ = 0;
  // An empty window needs no arena until the next event.
  if (kept.events_size() == 0) return;
  History* fresh = Window();
  fresh->mutable_events()->Reserve(kept.events_size());
  for (const HistoryEvent& event : kept.events()) *fresh->add_events() = event;
  arena_events_ = fresh->events_size();
}

void EventLog::CheckSealedUnchanged(int index) const {
  const HistoryEvent& event = window_->events(index - decoded_first_);
  std::string now;
  {
    google::protobuf::io::StringOutputStream stream(&now);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    event.SerializeToCodedStream(&coded);
  }
  size_t length = 0;
  const char* stored = Locate(index, &length);
  if (now.size() != length || std::memcmp(now.data(), stored, length) != 0) {
    // A sealed event was changed after the next one was appended: the stored history no
    // longer says what the run recorded. Only debug builds look.
    std::fprintf(stderr, "EventLog: event %d changed after it was sealed\n", index + 1);
    std::abort();
  }
}

void EventLog::AppendBinary(std::string* out) {
  Seal();
  for (const Block& block : blocks_) out->append(block.data.get(), block.used);
}

size_t EventLog::RetainedBytes() const {
  size_t bytes = blocks_.capacity() * sizeof(Block) + offsets_.capacity() * sizeof(uint32_t);
  for (const Block& block : blocks_) bytes += block.capacity;
  if (arena_ == nullptr) return bytes;
  bytes += static_cast<size_t>(arena_->SpaceAllocated());
  // Events moved in keep their parts on the heap, until the arena goes.
  int moved_in_window = 0;
  for (const HistoryEvent& event : window_->events()) {
    if (event.GetArena() != nullptr) continue;
    bytes += event.SpaceUsedLong();
    ++moved_in_window;
  }
  return bytes + static_cast<size_t>(kMovedInEventBytes * (moved_in_ - moved_in_window));
}

void EventLog::Clear() {
  if (pool_ != nullptr) {
    for (Block& block : blocks_) {
      if (block.capacity == kMaxBlock) pool_->Give(std::move(block.data));
    }
  }
  std::vector<Block>().swap(blocks_);
  std::vector<uint32_t>().swap(offsets_);
  sealed_ = 0;
  sealed_bytes_ = 0;
  window_ = nullptr;
  arena_.reset();
  arena_events_ = 0;
  moved_in_ = 0;
  decoded_first_ = 0;
  pinned_ = false;
}

EventLog& EventLog::operator=(EventLog&& other) noexcept {
  if (this == &other) return *this;
  Clear();
  blocks_ = std::move(other.blocks_);
  offsets_ = std::move(other.offsets_);
  sealed_ = other.sealed_;
  sealed_bytes_ = other.sealed_bytes_;
  arena_ = std::move(other.arena_);
  window_ = other.window_;
  arena_events_ = other.arena_events_;
  moved_in_ = other.moved_in_;
  decoded_first_ = other.decoded_first_;
  pinned_ = other.pinned_;
  pool_ = other.pool_;
  other.window_ = nullptr;
  other.arena_events_ = 0;
  other.moved_in_ = 0;
  return *this;
}

EventLog::~EventLog() = default;

std::unique_ptr<char[]> EventBlockPool::Take() {
  if (spare_.empty()) return std::unique_ptr<char[]>(new char[EventLog::kMaxBlock]);
  std::unique_ptr<char[]> block = std::move(spare_.back());
  spare_.pop_back();
  return block;
}

void EventBlockPool::Give(std::unique_ptr<char[]> block) {
  if (spare_.size() < max_spare_) spare_.push_back(std::move(block));
}

}  // namespace lockstep::history
