// The simulation allocator (sim/allocator.h): what it caches, what it gives back, and that
// blocks keep their contents. Skipped in sanitizer builds, where the replacement is compiled out
// so that the sanitizer's own operator new keeps finding memory errors.
#include "sim/allocator.h"

#include <malloc.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace lockstep::sim {
namespace {

class AllocatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ThreadCacheAllocatorActive()) {
      GTEST_SKIP() << "the thread cache is compiled out in this build (sanitizer or not glibc)";
    }
  }
};

// Allocation functions called directly, so the compiler cannot pair a new with its delete
// and elide both.
void* Allocate(size_t size) { return ::operator new(size); }

// The sized forms, where the compiler declares them (g++ does in C++14 and later; clang only
// with -fsized-deallocation): the unsized ones otherwise, which file a block by glibc's size.
void DeleteSized(void* p, size_t size) {
#if defined(__cpp_sized_deallocation)
  ::operator delete(p, size);
#else
  (void)size;
  ::operator delete(p);
#endif
}
void DeleteArraySized(void* p, size_t size) {
#if defined(__cpp_sized_deallocation)
  ::operator delete[](p, size);
#else
  (void)size;
  ::operator delete[](p);
#endif
}

TEST_F(AllocatorTest, AFreedBlockIsHandedBackToTheNextRequestOfItsSize) {
  void* first = Allocate(100);
  DeleteSized(first, 100);
  const ThreadCacheStats before = CurrentThreadCacheStats();
  void* second = Allocate(100);
  const ThreadCacheStats after = CurrentThreadCacheStats();
  EXPECT_EQ(second, first);
  EXPECT_EQ(after.hits, before.hits + 1);
  EXPECT_EQ(after.misses, before.misses);
  DeleteSized(second, 100);
}

TEST_F(AllocatorTest, SizesOfOneChunkClassShareBlocksAndOtherClassesDoNot) {
  // glibc chunks: requests 89..104 bytes are all 112-byte chunks; 105 needs a 128-byte one.
  void* block = Allocate(89);
  DeleteSized(block, 89);
  void* same_class = Allocate(104);
  EXPECT_EQ(same_class, block);
  DeleteSized(same_class, 104);
  void* next_class = Allocate(105);
  EXPECT_NE(next_class, block);
  DeleteSized(next_class, 105);
}

TEST_F(AllocatorTest, UnsizedDeleteFilesTheBlockByItsGlibcSize) {
  void* block = Allocate(200);
  ::operator delete(block);  // no size: read from glibc's chunk header
  void* again = Allocate(200);
  EXPECT_EQ(again, block);
  DeleteSized(again, 200);
  void* array = ::operator new[](200);
  EXPECT_EQ(array, block);
  ::operator delete[](array);  // unsized, as delete[] of a trivially destructible array is
  void* array_again = ::operator new[](200);
  EXPECT_EQ(array_again, block);
  DeleteArraySized(array_again, 200);
}

TEST_F(AllocatorTest, LargeBlocksGoStraightToGlibc) {
  const ThreadCacheStats before = CurrentThreadCacheStats();
  void* block = Allocate(kThreadCacheMaxRequest + 1);
  DeleteSized(block, kThreadCacheMaxRequest + 1);
  void* other = Allocate(kThreadCacheMaxRequest + 1);
  ::operator delete(other);
  const ThreadCacheStats after = CurrentThreadCacheStats();
  EXPECT_EQ(after.hits, before.hits);
  EXPECT_EQ(after.misses, before.misses);
  EXPECT_EQ(after.cached, before.cached);
  EXPECT_EQ(after.cached_bytes, before.cached_bytes);
}

TEST_F(AllocatorTest, BlocksKeepTheirContentsWhileInUse) {
  // Many blocks of every cached size, live at once, each filled with its own byte; freed and
  // allocated again in a different order, twice.
  for (int round = 0; round < 3; ++round) {
    std::vector<std::pair<unsigned char*, size_t>> blocks;
    for (size_t size = 1; size <= kThreadCacheMaxRequest; size += (round + 1) * 7) {
      auto* p = static_cast<unsigned char*>(Allocate(size));
      std::memset(p, static_cast<int>(size & 0xff), size);
      blocks.emplace_back(p, size);
    }
    for (const auto& [p, size] : blocks) {
      for (size_t i = 0; i < size; ++i) {
        ASSERT_EQ(p[i], static_cast<unsigned char>(size & 0xff)) << "size " << size;
      }
    }
    for (size_t i = 0; i < blocks.size(); i += 2) ::operator delete(blocks[i].first);
    for (size_t i = 1; i < blocks.size(); i += 2) {
      DeleteSized(blocks[i].first, blocks[i].second);
    }
  }
}

TEST_F(AllocatorTest, TheCacheKeepsNoMoreThanItsBudget) {
  const size_t size = 256;
  const size_t count = kThreadCacheBytes / 256 + 1000;
  std::vector<void*> blocks;
  blocks.reserve(count);
  for (size_t i = 0; i < count; ++i) blocks.push_back(Allocate(size));
  const ThreadCacheStats before = CurrentThreadCacheStats();
  for (void* p : blocks) DeleteSized(p, size);
  const ThreadCacheStats after = CurrentThreadCacheStats();
  EXPECT_LE(after.cached_bytes, static_cast<int64_t>(kThreadCacheBytes));
  EXPECT_GT(after.overflowed, before.overflowed);
  EXPECT_EQ((after.cached - before.cached) + (after.overflowed - before.overflowed),
            static_cast<int64_t>(count));
}

TEST_F(AllocatorTest, AThreadsCacheIsGivenBackToGlibcWhenItExits) {
  // 2 MiB cached by a thread is in use as far as glibc knows until the thread exits.
  constexpr size_t kBlocks = 8192;
  size_t in_use_while_cached = 0;
  std::thread worker([&] {
    std::vector<void*> blocks;
    blocks.reserve(kBlocks);
    for (size_t i = 0; i < kBlocks; ++i) blocks.push_back(Allocate(248));
    for (void* p : blocks) DeleteSized(p, 248);
    EXPECT_GE(CurrentThreadCacheStats().cached_bytes, static_cast<int64_t>(kBlocks * 256));
    in_use_while_cached = mallinfo2().uordblks;
  });
  worker.join();
  const size_t in_use_after = mallinfo2().uordblks;
  EXPECT_LT(in_use_after + kBlocks * 256 / 2, in_use_while_cached)
      << "in use while cached " << in_use_while_cached << ", after exit " << in_use_after;
}

TEST_F(AllocatorTest, ABlockFreedOnAnotherThreadJoinsThatThreadsCache) {
  void* block = nullptr;
  std::thread producer([&] { block = Allocate(64); });
  producer.join();
  DeleteSized(block, 64);
  void* again = Allocate(64);
  EXPECT_EQ(again, block);
  DeleteSized(again, 64);
}

TEST_F(AllocatorTest, StandardContainersAndStringsWorkOnTopOfIt) {
  std::vector<std::unique_ptr<std::string>> strings;
  for (int i = 0; i < 2000; ++i) {
    strings.push_back(std::make_unique<std::string>(static_cast<size_t>(i % 300),
                                                    static_cast<char>('a' + i % 26)));
  }
  for (int i = 0; i < 2000; i += 3) strings[static_cast<size_t>(i)].reset();
  for (int i = 0; i < 2000; ++i) {
    if (strings[static_cast<size_t>(i)] == nullptr) continue;
    EXPECT_EQ(*strings[static_cast<size_t>(i)],
              std::string(static_cast<size_t>(i % 300), static_cast<char>('a' + i % 26)));
  }
}

}  // namespace
}  // namespace lockstep::sim
