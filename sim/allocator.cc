// The simulation allocator (allocator.h): replacements of the global operator new and delete
// that keep freed small blocks in a per-thread cache, by glibc chunk size.
#include "sim/allocator.h"

#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LOCKSTEP_THREAD_CACHE_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define LOCKSTEP_THREAD_CACHE_OFF 1
#endif
#endif
#if !defined(__GLIBC__)
#define LOCKSTEP_THREAD_CACHE_OFF 1
#endif

#if !defined(LOCKSTEP_THREAD_CACHE_OFF)
#include <malloc.h>
#endif

namespace lockstep::sim {

#if defined(LOCKSTEP_THREAD_CACHE_OFF)

bool ThreadCacheAllocatorActive() { return false; }
ThreadCacheStats CurrentThreadCacheStats() { return {}; }

}  // namespace lockstep::sim

#else

namespace {

// glibc on 64-bit targets: a chunk is the request plus an 8-byte size word, rounded up to 16,
// and at least 32 bytes; malloc_usable_size reports the chunk minus those 8 bytes. Blocks are
// filed by chunk size / 16. A block filed under a class is at least that class's chunk size
// (glibc may hand out a larger chunk when the remainder is too small to split), so a block
// taken from a class always holds the request.
constexpr size_t kSizeWord = 8;
constexpr size_t kMinChunk = 32;
constexpr size_t ChunkOf(size_t request) {
  const size_t chunk = (request + kSizeWord + 15) & ~size_t{15};
  return chunk < kMinChunk ? kMinChunk : chunk;
}
constexpr size_t kMaxChunk = ChunkOf(kThreadCacheMaxRequest);
constexpr size_t kClasses = kMaxChunk / 16 + 1;

struct FreeBlock {
  FreeBlock* next;
};

// Zero-initialised and trivially destructible, so reaching it costs no guard; the thread-exit
// flush is a separate object (Reaper) made the first time the cache keeps a block.
struct ThreadCache {
  FreeBlock* head[kClasses];
  size_t bytes;
  bool reaper_made;
  bool gone;  // the thread is exiting and its cache was given back: go straight to glibc
  ThreadCacheStats stats;
};

constinit thread_local ThreadCache tl_cache __attribute__((tls_model("initial-exec"))) = {};

void GiveBack(ThreadCache& cache) {
  for (FreeBlock*& head : cache.head) {
    while (head != nullptr) {
      FreeBlock* next = head->next;
      std::free(head);
      head = next;
    }
  }
  cache.bytes = 0;
  cache.stats.cached_bytes = 0;
}

struct Reaper {
  Reaper() { tl_cache.reaper_made = true; }
  ~Reaper() {
    tl_cache.gone = true;
    GiveBack(tl_cache);
  }
};

void MakeReaper() {
  static thread_local Reaper reaper;
  (void)reaper;
}

[[gnu::noinline]] void* AllocateFromGlibc(size_t size) {
  if (size == 0) size = 1;
  for (;;) {
    if (void* p = std::malloc(size)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

inline void* Allocate(size_t size) {
  if (size <= kThreadCacheMaxRequest) {
    ThreadCache& cache = tl_cache;
    const size_t chunk = ChunkOf(size);
    FreeBlock*& head = cache.head[chunk / 16];
    if (head != nullptr) {
      FreeBlock* block = head;
      head = block->next;
      cache.bytes -= chunk;
      ++cache.stats.hits;
      return block;
    }
    ++cache.stats.misses;
  }
  return AllocateFromGlibc(size);
}

// Keeps `p`, a block of at least `chunk` bytes, or frees it.
inline void Release(void* p, size_t chunk) {
  ThreadCache& cache = tl_cache;
  if (chunk > kMaxChunk || cache.gone || cache.bytes + chunk > kThreadCacheBytes) {
    if (chunk <= kMaxChunk) ++cache.stats.overflowed;
    std::free(p);
    return;
  }
  if (!cache.reaper_made) MakeReaper();
  FreeBlock* block = static_cast<FreeBlock*>(p);
  FreeBlock*& head = cache.head[chunk / 16];
  block->next = head;
  head = block;
  cache.bytes += chunk;
  ++cache.stats.cached;
}

inline void ReleaseUnsized(void* p) {
  if (p == nullptr) return;
  Release(p, malloc_usable_size(p) + kSizeWord);
}

inline void ReleaseSized(void* p, size_t size) {
  if (p == nullptr) return;
  Release(p, ChunkOf(size));
}

}  // namespace

bool ThreadCacheAllocatorActive() { return true; }

ThreadCacheStats CurrentThreadCacheStats() {
  ThreadCacheStats stats = tl_cache.stats;
  stats.cached_bytes = static_cast<int64_t>(tl_cache.bytes);
  return stats;
}

}  // namespace lockstep::sim

// The replaceable global allocation functions ([new.delete.single], [new.delete.array]). The
// align_val_t forms are left to the library: they pair with each other, never with these.
void* operator new(size_t size) { return lockstep::sim::Allocate(size); }
void* operator new[](size_t size) { return lockstep::sim::Allocate(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  try {
    return lockstep::sim::Allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  try {
    return lockstep::sim::Allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { lockstep::sim::ReleaseUnsized(p); }
void operator delete[](void* p) noexcept { lockstep::sim::ReleaseUnsized(p); }
void operator delete(void* p, size_t size) noexcept { lockstep::sim::ReleaseSized(p, size); }
void operator delete[](void* p, size_t size) noexcept { lockstep::sim::ReleaseSized(p, size); }
void operator delete(void* p, const std::nothrow_t&) noexcept { lockstep::sim::ReleaseUnsized(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  lockstep::sim::ReleaseUnsized(p);
}

#endif  // LOCKSTEP_THREAD_CACHE_OFF
