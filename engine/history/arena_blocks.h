// Arena blocks for event logs, recycled within a thread.
//
// An event log's decoded window lives on a protobuf arena that is freed as a whole, and a
// service with many open runs frees and makes such arenas all the time (event_log.h, "Trim").
// The blocks come in a handful of sizes (the arena doubles from its start size to its maximum),
// so freed ones wait in a per-thread cache for the next arena instead of going back to malloc,
// which for these sizes walks its bins and faults fresh pages in (measured: about a tenth of a
// run with 10,000 open workflows).
//
// Contract:
//   - RecyclingArenaOptions() returns options for a protobuf Arena whose blocks come from and
//     go back to the calling thread's cache. An arena may be destroyed on another thread than
//     the one that made it: its blocks then join that thread's cache.
//   - A thread caches at most kMaxCachedBytes; blocks past that, and blocks of other sizes
//     (an allocation larger than the maximum block), go straight to the allocator. The cache
//     is freed when its thread exits; arenas freed after that free their blocks directly.
//   - Nothing here reaches a history or any decision: it changes where memory comes from, not
//     what is stored.
#ifndef LOCKSTEP_ENGINE_HISTORY_ARENA_BLOCKS_H_
#define LOCKSTEP_ENGINE_HISTORY_ARENA_BLOCKS_H_

#include <cstddef>

#include "google/protobuf/arena.h"

namespace lockstep::history {

// The smallest and largest blocks an arena made with RecyclingArenaOptions() uses.
inline constexpr size_t kArenaStartBlock = 1024;
inline constexpr size_t kArenaMaxBlock = 32 * 1024;
// What one thread keeps for reuse, at most.
inline constexpr size_t kMaxCachedBytes = 1024 * 1024;

google::protobuf::ArenaOptions RecyclingArenaOptions();

// Blocks the calling thread holds for reuse, in bytes.
size_t CachedArenaBytes();
// Gives the calling thread's cached blocks back to the allocator.
void FreeCachedArenaBlocks();

}  // namespace lockstep::history

#endif  // LOCKSTEP_ENGINE_HISTORY_ARENA_BLOCKS_H_
