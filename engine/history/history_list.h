// HistoryList: the histories one file holds, allocated together on one protobuf Arena.
//
// A loaded history is tens of thousands of small messages. On an arena they are made by
// bumping a pointer, lie next to each other in memory (which the replayer then walks in
// order), and go away with a few large frees instead of one free per message; for
// `lockstep replay FILE` this is most of the time spent outside JSON parsing.
//
// Contract: the list owns its arena and every history on it; a History& taken from the list
// is valid until the list is destroyed (moving the list keeps it valid). Reads from several
// threads at once are safe; Add is not. Moving a history out (std::move(list[i])) copies it,
// as protobuf does between arenas, so keep the list alive instead where speed matters.
#ifndef LOCKSTEP_ENGINE_HISTORY_HISTORY_LIST_H_
#define LOCKSTEP_ENGINE_HISTORY_HISTORY_LIST_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "engine/history/big_block.h"
#include "google/protobuf/arena.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::history {

class HistoryList {
 public:
  using History = temporal::api::history::v1::History;

  // `size_hint` is about how many bytes of messages will be made (0: unknown); the arena
  // starts with one block of that size, so that a whole file usually needs one allocation.
  explicit HistoryList(size_t size_hint = 0);
  HistoryList(HistoryList&&) noexcept = default;
  // Not defaulted: that would assign the members in declaration order, returning this list's
  // first block to the kernel while its arena, still to be destroyed, has messages in it.
  HistoryList& operator=(HistoryList&& other) noexcept;

  // A new, empty history on the arena, appended to the list.
  History* Add();

  // Empties the list for reuse: every history goes (references to them dangle) and the arena
  // is reset, keeping its first block, whose pages are then already backed: a batch that
  // loads file after file into one list takes no new memory for files that fit the block.
  void Clear();
  // The size of the arena's first block (0: the arena has none of its own).
  size_t first_block_size() const { return first_block_.size(); }

  size_t size() const { return histories_.size(); }
  bool empty() const { return histories_.empty(); }
  History& operator[](size_t i) { return *histories_[i]; }
  const History& operator[](size_t i) const { return *histories_[i]; }
  History& front() { return *histories_.front(); }
  const History& front() const { return *histories_.front(); }
  google::protobuf::Arena* arena() const { return arena_.get(); }

  // Iterates histories, not pointers: `for (const History& h : list)`.
  template <typename Ptr, typename Ref>
  class Iterator {
   public:
    explicit Iterator(Ptr* at) : at_(at) {}
    Ref operator*() const { return **at_; }
    Iterator& operator++() {
      ++at_;
      return *this;
    }
    bool operator==(const Iterator& other) const { return at_ == other.at_; }
    bool operator!=(const Iterator& other) const { return at_ != other.at_; }

   private:
    Ptr* at_;
  };
  using iterator = Iterator<History* const, History&>;
  using const_iterator = Iterator<History* const, const History&>;
  iterator begin() { return iterator(histories_.data()); }
  iterator end() { return iterator(histories_.data() + histories_.size()); }
  const_iterator begin() const { return const_iterator(histories_.data()); }
  const_iterator end() const { return const_iterator(histories_.data() + histories_.size()); }

 private:
  // Members are destroyed in reverse order: the histories' pointers, then the arena, then the
  // block the arena started with.
  BigBlock first_block_;
  std::unique_ptr<google::protobuf::Arena> arena_;
  std::vector<History*> histories_;
};

}  // namespace lockstep::history

#endif  // LOCKSTEP_ENGINE_HISTORY_HISTORY_LIST_H_
