// GoogleTest helpers so a project's own test suite replays its recorded histories:
//
//   TEST(Histories, ReplayCleanly) {
//     lockstep::Registry registry;
//     ASSERT_TRUE(RegisterMyWorkflows(&registry).ok());
//     LOCKSTEP_EXPECT_REPLAYS_CLEANLY(registry, "testdata/histories");  // a file or directory
//   }
//
// Each history is replayed in full and with an eviction at every workflow task boundary; a
// failure prints the replayer's report (event, expected vs actual, source line, cause).
#ifndef LOCKSTEP_REPLAY_GTEST_H_
#define LOCKSTEP_REPLAY_GTEST_H_

#include <string>

#include "engine/workflow/registry.h"
#include "gtest/gtest.h"

namespace lockstep::replay {

// Success when every history in `path` (a history file, or the .json/.pb/.binpb files of a
// directory) loads and replays cleanly; otherwise the reports of those that do not.
::testing::AssertionResult ReplaysCleanly(const Registry& registry, const std::string& path);

}  // namespace lockstep::replay

#define LOCKSTEP_EXPECT_REPLAYS_CLEANLY(registry, path) \
  EXPECT_TRUE(::lockstep::replay::ReplaysCleanly((registry), (path)))
#define LOCKSTEP_ASSERT_REPLAYS_CLEANLY(registry, path) \
  ASSERT_TRUE(::lockstep::replay::ReplaysCleanly((registry), (path)))

#endif  // LOCKSTEP_REPLAY_GTEST_H_
