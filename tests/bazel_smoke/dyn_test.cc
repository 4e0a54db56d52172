#include <gtest/gtest.h>
#include <string>
std::string LibFn();
TEST(Dyn, Works) { EXPECT_EQ(LibFn(), "1 1s 7"); }
