#include "engine/history/history_list.h"

#include <utility>

namespace lockstep::history {
namespace {

// Blocks after the first grow to this size, so that a history larger than the hint costs a
// few allocations, not one every 8 KiB (protobuf's default limit).
constexpr size_t kMaxBlockBytes = size_t{1} << 20;
// Below this the default first block is as good.
constexpr size_t kMinFirstBlockBytes = size_t{64} << 10;

}  // namespace

HistoryList::HistoryList(size_t size_hint) {
  google::protobuf::ArenaOptions options;
  options.max_block_size = kMaxBlockBytes;
  if (size_hint >= kMinFirstBlockBytes) first_block_ = BigBlock::Allocate(size_hint);
  if (first_block_.size() > 0) {
    options.initial_block = first_block_.data();
    options.initial_block_size = first_block_.size();
  }
  arena_ = std::make_unique<google::protobuf::Arena>(options);
}

HistoryList& HistoryList::operator=(HistoryList&& other) noexcept {
  if (this == &other) return *this;
  // As the destructor does: the pointers, then the arena, then the block under it.
  histories_ = std::move(other.histories_);
  arena_ = std::move(other.arena_);
  first_block_ = std::move(other.first_block_);
  return *this;
}

HistoryList::History* HistoryList::Add() {
  histories_.push_back(google::protobuf::Arena::CreateMessage<History>(arena_.get()));
  return histories_.back();
}

void HistoryList::Clear() {
  histories_.clear();
  // Protobuf keeps a user-provided initial block across Reset and frees every other one.
  arena_->Reset();
}

}  // namespace lockstep::history
