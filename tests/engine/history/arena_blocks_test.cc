// Arena blocks: freed blocks wait in the thread's cache and the next arena takes them, the
// cache stays under its cap, and arenas freed on another thread or after heavy use stay sound
// (the sanitizer build checks the memory itself).
#include "engine/history/arena_blocks.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::history {
namespace {

using temporal::api::history::v1::History;

// Fills an arena with `events` signal events (each well under a block).
void Fill(google::protobuf::Arena* arena, int events) {
  auto* history = google::protobuf::Arena::CreateMessage<History>(arena);
  for (int i = 0; i < events; ++i) {
    auto* a = history->add_events()->mutable_workflow_execution_signaled_event_attributes();
    a->set_signal_name("a signal name longer than the small-string buffer");
    a->mutable_input()->add_payloads()->set_data(std::string(100, 'x'));
  }
}

TEST(ArenaBlocksTest, AFreedArenasBlocksAreTakenByTheNextArena) {
  FreeCachedArenaBlocks();
  EXPECT_EQ(CachedArenaBytes(), 0u);
  const size_t before = 0;
  size_t allocated = 0;
  {
    google::protobuf::Arena arena(RecyclingArenaOptions());
    Fill(&arena, 100);
    allocated = static_cast<size_t>(arena.SpaceAllocated());
    ASSERT_GT(allocated, 3 * kArenaStartBlock);  // several blocks
  }
  const size_t cached = CachedArenaBytes();
  EXPECT_EQ(cached, before + allocated);
  {
    google::protobuf::Arena arena(RecyclingArenaOptions());
    Fill(&arena, 100);
    // The same sizes again, all from the cache.
    EXPECT_EQ(CachedArenaBytes(), before);
  }
  EXPECT_EQ(CachedArenaBytes(), cached);
}

TEST(ArenaBlocksTest, TheCacheStaysUnderItsCap) {
  std::vector<std::unique_ptr<google::protobuf::Arena>> arenas;
  for (int i = 0; i < 200; ++i) {
    arenas.push_back(std::make_unique<google::protobuf::Arena>(RecyclingArenaOptions()));
    Fill(arenas.back().get(), 100);
  }
  arenas.clear();
  EXPECT_LE(CachedArenaBytes(), kMaxCachedBytes);
  EXPECT_GT(CachedArenaBytes(), kMaxCachedBytes - kArenaMaxBlock);
}

TEST(ArenaBlocksTest, AnArenaFreedOnAnotherThreadGivesItsBlocksToThatThread) {
  auto arena = std::make_unique<google::protobuf::Arena>(RecyclingArenaOptions());
  Fill(arena.get(), 100);
  const size_t allocated = static_cast<size_t>(arena->SpaceAllocated());
  const size_t here = CachedArenaBytes();
  size_t there = 0;
  std::thread other([&] {
    arena.reset();
    there = CachedArenaBytes();
    // The thread exits with blocks cached: its cache is freed then (a leak would show in the
    // sanitizer build).
  });
  other.join();
  EXPECT_EQ(there, allocated);
  EXPECT_EQ(CachedArenaBytes(), here);
}

TEST(ArenaBlocksTest, ALargeAllocationGetsABlockOfItsOwnThatIsNotCached) {
  FreeCachedArenaBlocks();
  const size_t before = 0;
  constexpr int kPointers = 20'000;  // 160 KB of pointer array, larger than any block
  {
    google::protobuf::Arena arena(RecyclingArenaOptions());
    auto* history = google::protobuf::Arena::CreateMessage<History>(&arena);
    history->mutable_events()->Reserve(kPointers);
    ASSERT_GT(static_cast<size_t>(arena.SpaceAllocated()), kPointers * sizeof(void*));
  }
  // The first block comes back; the large one went to the allocator.
  EXPECT_LT(CachedArenaBytes(), before + kArenaMaxBlock);
}

}  // namespace
}  // namespace lockstep::history
