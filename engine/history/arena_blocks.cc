#include "engine/history/arena_blocks.h"

#include <array>
#include <new>

namespace lockstep::history {
namespace {

// One free list per block size, kArenaStartBlock << k; a free block holds the next one's
// address in its first bytes.
constexpr int kClasses = 6;
static_assert((kArenaStartBlock << (kClasses - 1)) == kArenaMaxBlock);

struct FreeBlock {
  FreeBlock* next;
};

struct BlockCache {
  std::array<FreeBlock*, kClasses> free{};
  size_t bytes = 0;
};

// The cache itself is trivially destructible, so it can still be read (as gone) by arenas
// freed during or after thread exit; CacheOwner empties it when the thread exits.
thread_local BlockCache* cache = nullptr;
thread_local bool cache_gone = false;

void Empty(BlockCache* c) {
  for (FreeBlock*& head : c->free) {
    while (head != nullptr) {
      FreeBlock* next = head->next;
      ::operator delete(head);
      head = next;
    }
  }
  c->bytes = 0;
}

struct CacheOwner {
  ~CacheOwner() {
    if (cache != nullptr) {
      Empty(cache);
      delete cache;
      cache = nullptr;
    }
    cache_gone = true;
  }
};
thread_local CacheOwner cache_owner;

// The class of a block of `size` bytes, or -1 for a size not cached.
int ClassOf(size_t size) {
  size_t block = kArenaStartBlock;
  for (int k = 0; k < kClasses; ++k, block <<= 1) {
    if (size == block) return k;
  }
  return -1;
}

BlockCache* Cache() {
  if (cache == nullptr && !cache_gone) {
    (void)&cache_owner;  // constructs the owner, which frees the cache at thread exit
    cache = new BlockCache;
  }
  return cache;
}

void* AllocateBlock(size_t size) {
  const int k = ClassOf(size);
  if (k >= 0) {
    if (BlockCache* c = Cache(); c != nullptr && c->free[k] != nullptr) {
      FreeBlock* block = c->free[k];
      c->free[k] = block->next;
      c->bytes -= size;
      return block;
    }
  }
  return ::operator new(size);
}

void FreeArenaBlock(void* block, size_t size) {
  const int k = ClassOf(size);
  if (k >= 0) {
    if (BlockCache* c = Cache(); c != nullptr && c->bytes + size <= kMaxCachedBytes) {
      auto* free_block = static_cast<FreeBlock*>(block);
      free_block->next = c->free[k];
      c->free[k] = free_block;
      c->bytes += size;
      return;
    }
  }
  ::operator delete(block);
}

}  // namespace

google::protobuf::ArenaOptions RecyclingArenaOptions() {
  google::protobuf::ArenaOptions options;
  options.start_block_size = kArenaStartBlock;
  options.max_block_size = kArenaMaxBlock;
  options.block_alloc = &AllocateBlock;
  options.block_dealloc = &FreeArenaBlock;
  return options;
}

void FreeCachedArenaBlocks() {
  if (cache != nullptr) Empty(cache);
}

size_t CachedArenaBytes() {
  const BlockCache* c = cache;
  return c != nullptr ? c->bytes : 0;
}

}  // namespace lockstep::history
