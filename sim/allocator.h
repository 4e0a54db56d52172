// The simulation allocator: a per-thread cache of small blocks in front of glibc's malloc, for
// simulation binaries (lockstep::sim_allocator in CMake, //sim:allocator in Bazel).
//
// Why: a simulated seed builds a whole service (runs, histories, workers, protobuf messages,
// strings) and throws it away again a hundred microseconds later, over a thousand small blocks
// each time. glibc's per-thread cache holds only 7 blocks of a size; past that, frees go
// through its bins, and a quarter of a seed's instructions were malloc and free. This cache
// keeps up to kThreadCacheBytes of freed blocks per thread, by size class, and hands them back
// last in, first out, so the next seed reuses the blocks, still warm in the CPU cache, that the
// last seed freed.
//
// How to use: link the target into the binary (it replaces the global operator new and
// operator delete, as the C++ standard allows a program to do, so it must be linked into the
// executable, never into a shared library). Nothing else changes: the cache is below every
// allocation C++ code makes (new, std::allocator, protobuf messages off an arena). malloc and
// free themselves are untouched.
//
// Contract:
//   - Blocks of up to kThreadCacheMaxRequest bytes are cached; larger ones, and over-aligned
//     allocations (align_val_t), go to malloc and free directly.
//   - Each thread has its own cache: no locks, no sharing. A block freed on another thread than
//     the one that allocated it goes to the freeing thread's cache, which is safe because every
//     block is a glibc malloc block and glibc's free accepts it from any thread.
//   - At most kThreadCacheBytes (counted in glibc chunk bytes) are kept per thread; a free past
//     that goes to glibc. A thread's cache is given back to glibc when the thread exits; frees
//     made after that on the thread (by other thread-exit destructors) go straight to glibc.
//   - Nothing in the engine's behaviour depends on it: histories, traces and fingerprints are
//     the same with and without it. sim_test runs with it in the release build and without it
//     under the sanitizers, against the same pinned fingerprints, and `make sim-determinism`
//     compares the bytes the two builds write.
//   - Under AddressSanitizer, ThreadSanitizer or MemorySanitizer the sanitizer's own operator
//     new must win so that it still finds use-after-free and double frees: in sanitizer builds
//     the replacement is compiled out and ThreadCacheAllocatorActive() is false. (valgrind's
//     memcheck still sees every block, through malloc and free, but not a new/delete
//     mismatch.)
//   - glibc-specific: the block's size class is read with malloc_usable_size for an unsized
//     delete. On a C library other than glibc the replacement is compiled out.
#ifndef LOCKSTEP_SIM_ALLOCATOR_H_
#define LOCKSTEP_SIM_ALLOCATOR_H_

#include <cstddef>
#include <cstdint>

namespace lockstep::sim {

// The largest request cached: the one that fills a 512-byte glibc chunk.
inline constexpr size_t kThreadCacheMaxRequest = 504;
inline constexpr size_t kThreadCacheBytes = size_t{8} << 20;

// True when the replacement is compiled in (this binary links the target, and it is not a
// sanitizer build). Benchmarks print it beside their figures.
bool ThreadCacheAllocatorActive();

// The calling thread's counters since it started (all zero when the replacement is not active).
struct ThreadCacheStats {
  int64_t hits = 0;          // allocations served from the cache
  int64_t misses = 0;        // cacheable allocations that went to malloc
  int64_t cached = 0;        // frees kept in the cache
  int64_t overflowed = 0;    // cacheable frees that went to glibc because the cache was full
  int64_t cached_bytes = 0;  // chunk bytes held in the cache now
};
ThreadCacheStats CurrentThreadCacheStats();

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_ALLOCATOR_H_
