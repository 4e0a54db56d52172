// Callback keeps what the engine's futures capture in place, falls back to the heap for larger
// callables, and copies, moves and destroys the callable exactly as a std::function would.
#include "engine/workflow/callback.h"

#include <array>
#include <memory>
#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace lockstep::internal {
namespace {

TEST(CallbackTest, ThreeSharedPointersStayInPlace) {
  // The shape of a condition-with-timeout's callbacks: two futures and a resolver.
  auto a = std::make_shared<int>(1);
  auto b = std::make_shared<int>(2);
  auto sum = std::make_shared<int>(0);
  Callback callback = [a, b, sum] { *sum = *a + *b; };
  EXPECT_TRUE(callback.in_place());
  Callback copy = callback;
  Callback moved = std::move(copy);
  EXPECT_TRUE(moved.in_place());
  moved();
  EXPECT_EQ(*sum, 3);
  EXPECT_EQ(a.use_count(), 3);  // here, in `callback` and in `moved`
  // One more capture and it no longer fits.
  auto c = std::make_shared<int>(3);
  Callback larger = [a, b, c, sum] { *sum = *a + *b + *c; };
  EXPECT_FALSE(larger.in_place());
  larger();
  EXPECT_EQ(*sum, 6);
}

TEST(CallbackTest, ALargerCallableGoesToTheHeapAndStillCopies) {
  std::array<int, 32> big{};
  big[31] = 7;
  int seen = 0;
  Callback callback = [big, &seen] { seen = big[31]; };
  EXPECT_FALSE(callback.in_place());
  Callback copy = callback;
  EXPECT_FALSE(copy.in_place());
  callback = nullptr;
  copy();
  EXPECT_EQ(seen, 7);
}

TEST(CallbackTest, CopiesAreIndependentAndMutableStateIsTheirOwn) {
  int last = 0;
  Callback counter = [n = 0, &last]() mutable { last = ++n; };
  counter();
  counter();
  Callback copy = counter;
  copy();
  EXPECT_EQ(last, 3);
  counter();
  EXPECT_EQ(last, 3);  // the original had counted to 2
  copy();
  EXPECT_EQ(last, 4);
}

TEST(CallbackTest, DestroysWhatItHoldsOnceWhetherInPlaceOrOnTheHeap) {
  auto held = std::make_shared<std::string>("held");
  {
    Callback small = [held] {};
    Callback moved = std::move(small);
    EXPECT_FALSE(static_cast<bool>(small));  // NOLINT(bugprone-use-after-move): documented
    EXPECT_EQ(held.use_count(), 2);
    std::array<char, 100> padding{};
    Callback large = [held, padding] { (void)padding; };
    Callback large_copy = large;
    EXPECT_EQ(held.use_count(), 4);
    large = nullptr;
    EXPECT_EQ(held.use_count(), 3);
  }
  EXPECT_EQ(held.use_count(), 1);
}

TEST(CallbackTest, EmptyIsFalseAndCallingItAborts) {
  Callback empty;
  EXPECT_FALSE(static_cast<bool>(empty));
  Callback from_null = nullptr;
  EXPECT_FALSE(static_cast<bool>(from_null));
  EXPECT_DEATH(empty(), "an empty Callback was called");
}

}  // namespace
}  // namespace lockstep::internal
