// StableDeque behaves as std::deque for what a workflow run asks of it, before and after its
// first element: elements keep their addresses, erase and clear work, an empty one iterates
// over nothing.
#include "engine/workflow/stable_deque.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace lockstep::internal {
namespace {

TEST(StableDequeTest, EmptyBeforeTheFirstElement) {
  StableDeque<std::string> d;
  const StableDeque<std::string>& c = d;
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(d.size(), 0u);
  EXPECT_TRUE(d.begin() == d.end());
  EXPECT_TRUE(c.begin() == c.end());
  int visited = 0;
  for (const std::string& s : d) visited += static_cast<int>(s.size()) + 1;
  EXPECT_EQ(visited, 0);
  d.clear();
  EXPECT_TRUE(d.empty());
}

TEST(StableDequeTest, ElementsKeepTheirAddressesAsOthersComeAndGo) {
  StableDeque<std::unique_ptr<int>> d;
  std::vector<std::unique_ptr<int>*> addresses;
  for (int i = 0; i < 1000; ++i) {
    d.emplace_back(std::make_unique<int>(i));
    addresses.push_back(&d.back());
  }
  for (int i = 0; i < 500; ++i) d.pop_front();
  for (int i = 1000; i < 2000; ++i) d.push_back(std::make_unique<int>(i));
  ASSERT_EQ(d.size(), 1500u);
  for (int i = 500; i < 1000; ++i) EXPECT_EQ(**addresses[static_cast<size_t>(i)], i);
  EXPECT_EQ(*d.front(), 500);
  EXPECT_EQ(*d.back(), 1999);
}

TEST(StableDequeTest, EraseAndClear) {
  StableDeque<int> d;
  for (int i = 0; i < 10; ++i) d.push_back(i);
  for (auto it = d.begin(); it != d.end();) it = *it % 2 == 0 ? d.erase(it) : it + 1;
  std::vector<int> left(d.begin(), d.end());
  EXPECT_EQ(left, (std::vector<int>{1, 3, 5, 7, 9}));
  d.erase(d.begin(), d.begin() + 2);
  EXPECT_EQ(d.front(), 5);
  d.clear();
  EXPECT_TRUE(d.empty());
  EXPECT_TRUE(d.begin() == d.end());
  d.emplace_back(42);
  EXPECT_EQ(d.size(), 1u);
  EXPECT_EQ(d.back(), 42);
}

}  // namespace
}  // namespace lockstep::internal
