#include <absl/container/flat_hash_map.h>
#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_cat.h>
#include <absl/time/time.h>
#include <absl/synchronization/mutex.h>
#include <benchmark/benchmark.h>
#include <gmock/gmock.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <simdjson.h>
#include <sqlite3.h>
#include <string>

TEST(Smoke, Absl) {
  absl::StatusOr<int> s = absl::InvalidArgumentError(absl::StrFormat("x%d", 1));
  EXPECT_FALSE(s.ok());
  absl::flat_hash_map<std::string, int> m{{"a", 1}};
  absl::Mutex mu;
  absl::MutexLock l(&mu);
  EXPECT_EQ(m["a"], 1);
  EXPECT_EQ(absl::FormatDuration(absl::Seconds(2)), "2s");
  EXPECT_STREQ(LOCKSTEP_TESTDATA_DIR, "tests/data");
}
TEST(Smoke, Protobuf) {
  google::protobuf::Duration d;
  d.set_seconds(3);
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(d, &json).ok());
  EXPECT_EQ(json, "\"3s\"");
}
TEST(Smoke, Simdjson) {
  simdjson::ondemand::parser p;
  auto doc_json = simdjson::padded_string(std::string("{\"a\":5}"));
  auto doc = p.iterate(doc_json);
  EXPECT_EQ(int64_t(doc["a"]), 5);
}
TEST(Smoke, Sqlite) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  sqlite3_close(db);
}
TEST(Smoke, Gmock) { EXPECT_THAT(3, ::testing::Gt(2)); }
RC_GTEST_PROP(Smoke, Reverse, (std::string s)) {
  std::string r(s.rbegin(), s.rend());
  RC_ASSERT(std::string(r.rbegin(), r.rend()) == s);
}
static void BM_x(benchmark::State& st) { for (auto _ : st) {} }
BENCHMARK(BM_x);
