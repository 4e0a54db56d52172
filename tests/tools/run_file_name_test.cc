// RunFileName (tools/lockstep/run_file_name.h): names that any file system takes, that never
// collide for distinct runs, and that stay within 255 bytes.
#include "tools/lockstep/run_file_name.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockstep::cli {
namespace run_file_name_test {
namespace {

using ::testing::EndsWith;
using ::testing::StartsWith;

TEST(RunFileName, KeepsLettersDigitsDashesAndDots) {
  EXPECT_EQ(RunFileName("order-1.v2", "3f2a-77", ".binpb"), "order-1.v2_3f2a-77.binpb");
}

TEST(RunFileName, EscapesEverythingElseAsHex) {
  EXPECT_EQ(RunFileName("a/b", "r", ".json"), "a%2Fb_r.json");
  EXPECT_EQ(RunFileName("a b\\c", "r", ".json"), "a%20b%5Cc_r.json");
  EXPECT_EQ(RunFileName("100%", "r_1", ".json"), "100%25_r%5F1.json");
  EXPECT_EQ(RunFileName("caf\xc3\xa9", "r", ".json"), "caf%C3%A9_r.json");
  EXPECT_EQ(RunFileName("a:b*c?", "r", ".json"), "a%3Ab%2Ac%3F_r.json");
}

TEST(RunFileName, NeverHiddenNorDotOrDotDot) {
  EXPECT_EQ(RunFileName("..", "r", ".json"), "%2E._r.json");
  EXPECT_EQ(RunFileName(".hidden", "r", ".json"), "%2Ehidden_r.json");
  // Only the name's first byte: a run id starting with '.' follows the separator.
  EXPECT_EQ(RunFileName("w", ".r", ".json"), "w_.r.json");
}

TEST(RunFileName, IdsThatAJoinWouldConfuseGetDistinctNames) {
  // Joined naively with '_', both would be "a_b_c".
  EXPECT_NE(RunFileName("a_b", "c", ".json"), RunFileName("a", "b_c", ".json"));
  // Escaped and unescaped spellings stay apart.
  EXPECT_NE(RunFileName("a/b", "r", ".json"), RunFileName("a%2Fb", "r", ".json"));
}

TEST(RunFileName, LongNamesAreCutWithAHashWithin255Bytes) {
  const std::string prefix(300, 'w');
  std::set<std::string> names;
  for (const std::string tail : {"1", "2", "/"}) {
    const std::string name = RunFileName(prefix + tail, "run", ".binpb");
    EXPECT_LE(name.size(), kMaxFileNameBytes);
    EXPECT_THAT(name, StartsWith("wwww"));
    EXPECT_THAT(name, EndsWith(".binpb"));
    EXPECT_THAT(name, ::testing::MatchesRegex("w+~[0-9a-f]{16}\\.binpb"));
    names.insert(name);
  }
  EXPECT_EQ(names.size(), 3u);
  // The same ids, the same name (the hash is stable).
  EXPECT_EQ(RunFileName(prefix, "run", ".binpb"), RunFileName(prefix, "run", ".binpb"));
}

TEST(RunFileName, ACutNeverSplitsAnEscape) {
  // Escapes everywhere: wherever the cut falls, what is kept before '~' is whole escapes.
  for (size_t pad = 0; pad < 3; ++pad) {
    const std::string name =
        RunFileName(std::string(pad, 'a') + std::string(200, '/'), "r", ".json");
    EXPECT_LE(name.size(), kMaxFileNameBytes);
    const std::string kept = name.substr(0, name.find('~'));
    EXPECT_THAT(kept, ::testing::MatchesRegex("a*(%2F)+")) << pad;
  }
}

}  // namespace
}  // namespace run_file_name_test
}  // namespace lockstep::cli
