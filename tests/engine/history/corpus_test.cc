// Every real Temporal history in tests/data/temporal loads, validates, round-trips through
// JSON and binary, and has the event count that INDEX.tsv records for it.
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "engine/history/history_file.h"
#include "engine/history/json_reader.h"
#include "engine/history/json_writer.h"
#include "engine/history/validate.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/testing/test_data.h"

namespace lockstep::history {
namespace {

using google::protobuf::util::MessageDifferencer;
using temporal::api::history::v1::History;

// file name -> number of events, from the corpus index (column num_events).
std::map<std::string, int> IndexedEventCounts() {
  std::ifstream in(testing::TestDataPath("temporal/INDEX.tsv"));
  std::map<std::string, int> counts;
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::string> header = absl::StrSplit(line, '\t');
  size_t column = std::find(header.begin(), header.end(), "num_events") - header.begin();
  while (std::getline(in, line)) {
    std::vector<std::string> cells = absl::StrSplit(line, '\t');
    int n = 0;
    if (column < cells.size() && absl::SimpleAtoi(cells[column], &n)) counts[cells[0]] = n;
  }
  return counts;
}

class CorpusTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CorpusTest, LoadsValidatesAndRoundTrips) {
  const std::string path = testing::TestDataPath("temporal/" + GetParam());
  auto loaded = LoadHistoryFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->histories.size(), 1u);
  const History& original = loaded->histories[0];

  static const std::map<std::string, int> counts = IndexedEventCounts();
  ASSERT_TRUE(counts.count(GetParam())) << "missing from INDEX.tsv";
  EXPECT_EQ(original.events_size(), counts.at(GetParam()));

  // JSON -> proto -> JSON -> proto is a fixed point.
  const std::string json1 = HistoryToJson(original);
  auto reparsed = ParseHistoriesJson(json1, "json1");
  ASSERT_TRUE(reparsed.ok()) << reparsed.status();
  ASSERT_EQ(reparsed->size(), 1u);
  EXPECT_TRUE(MessageDifferencer::Equals(original, (*reparsed)[0]));
  const std::string json2 = HistoryToJson((*reparsed)[0]);
  EXPECT_EQ(json1, json2);
  EXPECT_TRUE(ValidateHistory((*reparsed)[0], "json1").ok());

  // Binary round trip, byte-identical on re-serialization.
  const std::string bytes = SerializeHistoryBinary(original);
  auto from_binary = ParseHistoryBinary(bytes, "binary");
  ASSERT_TRUE(from_binary.ok()) << from_binary.status();
  EXPECT_TRUE(MessageDifferencer::Equals(original, *from_binary));
  EXPECT_EQ(SerializeHistoryBinary(*from_binary), bytes);
  // What Lockstep writes, Lockstep reads with no key left over.
  JsonReadStats stats;
  JsonReadOptions strict;
  strict.allow_unknown_keys = false;
  ASSERT_TRUE(ParseHistoriesJson(json1, "json1", strict, &stats).ok());
}

TEST_P(CorpusTest, EveryKeyIsKnownToTheSchema) {
  // A key the schema lacks would be dropped on the way through Lockstep; the corpus must
  // have none.
  const std::string path = testing::TestDataPath("temporal/" + GetParam());
  LoadOptions options;
  options.json.allow_unknown_keys = false;
  auto loaded = LoadHistoryFile(path, options);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
}

INSTANTIATE_TEST_SUITE_P(Temporal, CorpusTest,
                         ::testing::ValuesIn(testing::TestDataFiles("temporal", ".json")),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(Corpus, HasAllFortyFourHistories) {
  EXPECT_EQ(testing::TestDataFiles("temporal", ".json").size(), 44u);
}

}  // namespace
}  // namespace lockstep::history
