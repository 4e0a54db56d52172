// EventLog: one run's history held as it would be written to a file, with decoded events only
// where they are needed.
//
// A history recorded in memory as protobuf objects costs roughly 15 times its serialized size
// (a WorkflowExecutionSignaled event is about 60 bytes on the wire, about 900 as objects), so a
// long-running service would grow without bound. The log stores every event serialized
// (deterministically, framed as field 1 of temporal.api.history.v1.History), so its bytes are
// exactly SerializeHistoryBinary of the history, and keeps decoded events only for a window at
// the end: the events appended since the caller last trimmed, the ones a workflow task or an
// observer reads. The whole history is decoded on request (Materialize) and then kept decoded
// until the caller trims again, or for good once pinned.
//
// Contract:
//   - Events are appended in order with their ids already set. The event Append returns is the
//     open tail: the caller fills it in, and it is serialized ("sealed") by the next Append or
//     by Seal(). A sealed event must not change; debug builds check this when the event leaves
//     the window (Trim).
//   - decoded() holds events [decoded_first(), size()); index i of the run is
//     decoded().events(i - decoded_first()). The window holds every event not yet sealed (the
//     open tail), and whatever else the last Trim kept.
//   - Pointers into decoded() stay valid until the next Trim or until the log is released;
//     appending never moves existing events (a RepeatedPtrField holds pointers), but Trim may
//     move the events it keeps (see below).
//   - Trim(keep_from) drops decoded events before keep_from, all of them for keep_from >=
//     size() (everything is sealed first, so nothing is lost); it does nothing once the log is
//     pinned, so a pinned log is the whole history, decoded, for good. An emptied window has
//     decoded_first() == size(); the next Append starts it again.
//   - Decoded events live on a protobuf arena of the log's own: they are built without an
//     allocation each, and dropping them costs nothing (a window of signals used to spend as
//     long in malloc and the destructors as in everything else). An arena frees only as a
//     whole, so when a Trim leaves a small part of it in use (fewer than a quarter of the
//     events made on it, and at least kCompactBytes allocated), the kept events are copied
//     onto a fresh arena and the old one is freed: memory per log stays bounded by the
//     window, not by the history. An event moved in (Append(HistoryEvent)) keeps its heap
//     parts and is freed with the arena it was added to; for the rule above it counts as
//     kMovedInEventBytes of the arena, so a log fed by moves is compacted as well.
//   - A moved-from log may only be destroyed or assigned to.
//   - Not thread-safe; single writer.
#ifndef LOCKSTEP_ENGINE_HISTORY_EVENT_LOG_H_
#define LOCKSTEP_ENGINE_HISTORY_EVENT_LOG_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/arena.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::history {

// Spare storage blocks shared by the logs of one owner. A released history's full-size blocks
// wait here for the next history instead of going back to the allocator, which would return
// their pages to the kernel and fault them in again (measured: a fifth of a long signal run).
// Holds at most `max_spare` blocks; must outlive the logs that use it. Not thread-safe.
class EventBlockPool {
 public:
  explicit EventBlockPool(size_t max_spare = 64) : max_spare_(max_spare) {}
  std::unique_ptr<char[]> Take();
  void Give(std::unique_ptr<char[]> block);
  size_t spare() const { return spare_.size(); }

 private:
  size_t max_spare_;
  std::vector<std::unique_ptr<char[]>> spare_;
};

class EventLog {
 public:
  // The size of a full storage block (the only size EventBlockPool holds).
  static constexpr uint32_t kMaxBlock = 64 * 1024;
  // An arena smaller than this is never compacted (see the contract).
  static constexpr int64_t kCompactBytes = 3 * 1024;
  // What an event moved in is taken to hold on the heap, for compaction and RetainedBytes
  // once it has left the window (a small signal event is several hundred bytes as objects).
  static constexpr int64_t kMovedInEventBytes = 512;

  EventLog() = default;
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;
  EventLog(EventLog&& other) noexcept { *this = std::move(other); }
  EventLog& operator=(EventLog&& other) noexcept;
  ~EventLog();

  // Events in the history, the open tail included.
  int size() const { return decoded_first_ + window_size(); }

  // Appends `event` and returns it, open for filling in until the next Append or Seal. The
  // previous tail is sealed first.
  temporal::api::history::v1::HistoryEvent* Append(temporal::api::history::v1::HistoryEvent event);
  // The same for an empty event, built in place (no event to move in).
  temporal::api::history::v1::HistoryEvent* AppendNew();

  // Serializes the open tail, if any. Idempotent.
  void Seal();

  // The framed size of every event (sealed ones as stored, the tail as it is now): the size of
  // the history serialized as a temporal.api.history.v1.History.
  int64_t serialized_bytes() const;

  // The decoded window: events [decoded_first(), size()).
  const temporal::api::history::v1::History& decoded() const {
    return window_ != nullptr ? *window_ : temporal::api::history::v1::History::default_instance();
  }
  int decoded_first() const { return decoded_first_; }

  // Event `index` (0-based; event id - 1): from the window when it is there, else decoded from
  // its bytes into `scratch`. The reference is valid until the next call with the same scratch
  // or a Trim. An event that fails to decode is reported, naming it.
  absl::StatusOr<const temporal::api::history::v1::HistoryEvent*> Event(
      int index, temporal::api::history::v1::HistoryEvent* scratch) const;

  // The stored bytes of sealed event `index` (index < size() after Seal()): its deterministic
  // serialization, without the frame. Valid until the log is cleared.
  absl::string_view EventBytes(int index) const {
    size_t length = 0;
    const char* bytes = Locate(index, &length);
    return absl::string_view(bytes, length);
  }

  // Extends the window back to `first` (decoded_first() becomes at most `first`), one parse per
  // event not yet decoded. Events already in the window keep their addresses. On an error the
  // window is as it was.
  absl::Status DecodeFrom(int first);
  // Appends events [first, size()) to `out`, decoded from their bytes (or copied from the
  // window where they are not sealed yet), leaving the log as it is. With `out` on a protobuf
  // arena this is the cheapest way to read a range once.
  absl::Status DecodeRange(int first, temporal::api::history::v1::History* out) const;
  // DecodeFrom(0): decoded() becomes the whole history.
  absl::Status Materialize() { return DecodeFrom(0); }
  bool materialized() const { return decoded_first_ == 0; }

  // Materializes and keeps the whole history decoded from now on (Trim does nothing).
  absl::Status Pin();
  bool pinned() const { return pinned_; }

  // Drops decoded events before `keep_from` (every one for keep_from >= size()). Seals first.
  void Trim(int keep_from);

  // The history as a serialized temporal.api.history.v1.History (SerializeHistoryBinary's
  // bytes), appended to `out`. Seals first.
  void AppendBinary(std::string* out);

  // Memory held: stored bytes (capacity), per-event offsets, the arena and the heap parts of
  // events moved in (measured while in the window, kMovedInEventBytes once dropped).
  size_t RetainedBytes() const;

  // Frees everything; size() becomes 0. Full-size blocks go to the pool, if any.
  void Clear();

  // Where full-size blocks come from and go back to (null: the allocator).
  void set_pool(EventBlockPool* pool) { pool_ = pool; }

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    uint32_t capacity = 0;
    uint32_t used = 0;
    int first_event = 0;  // index of the first event stored in this block
  };

  // Where sealed event `index` is stored.
  const char* Locate(int index, size_t* length) const;
  char* Reserve(size_t length);
  void SealEvent(const temporal::api::history::v1::HistoryEvent& event);
  void CheckSealedUnchanged(int index) const;
  int window_size() const { return window_ != nullptr ? window_->events_size() : 0; }
  // The window, made (with its arena) on first use.
  temporal::api::history::v1::History* Window();
  // Copies the window onto a fresh arena and frees the old one.
  void Compact();

  std::vector<Block> blocks_;
  std::vector<uint32_t> offsets_;  // per sealed event: its framed start within its block
  int sealed_ = 0;                 // events [0, sealed_) are stored
  int64_t sealed_bytes_ = 0;
  // The decoded window, on arena_ (both null until the first event or decode).
  std::unique_ptr<google::protobuf::Arena> arena_;
  temporal::api::history::v1::History* window_ = nullptr;
  // Events made on (or handed to) arena_ since it was made: with the window's size, how much
  // of the arena is still in use.
  int arena_events_ = 0;
  // Of those, events moved in (their parts on the heap, freed with the arena).
  int moved_in_ = 0;
  int decoded_first_ = 0;
  bool pinned_ = false;
  EventBlockPool* pool_ = nullptr;
};

}  // namespace lockstep::history

#endif  // LOCKSTEP_ENGINE_HISTORY_EVENT_LOG_H_
