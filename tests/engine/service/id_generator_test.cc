#include "engine/service/id_generator.h"

#include <set>

#include "gtest/gtest.h"

namespace lockstep::service {
namespace {

TEST(ServiceIdGeneratorTest, SameSeedSameIds) {
  IdGenerator a(42, 1), b(42, 1);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.NextUuid(), b.NextUuid());
}

TEST(ServiceIdGeneratorTest, StreamsAndSeedsDiffer) {
  EXPECT_NE(IdGenerator(42, 1).NextUuid(), IdGenerator(42, 2).NextUuid());
  EXPECT_NE(IdGenerator(42, 1).NextUuid(), IdGenerator(43, 1).NextUuid());
}

TEST(ServiceIdGeneratorTest, UuidVersion4Layout) {
  IdGenerator g(0, 0);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string id = g.NextUuid();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[8], '-');
    EXPECT_EQ(id[13], '-');
    EXPECT_EQ(id[14], '4');
    EXPECT_EQ(id[18], '-');
    EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') << id;
    EXPECT_EQ(id[23], '-');
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace lockstep::service
