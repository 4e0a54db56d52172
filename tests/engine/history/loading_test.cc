// The pieces under fast loading: a file with padding for the JSON parser (mapped or read,
// whatever its size), histories on one arena, and the whole path through LoadHistoryFile.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/history/history_builder.h"
#include "engine/history/history_file.h"
#include "engine/history/history_list.h"
#include "engine/history/json_reader.h"
#include "engine/history/json_writer.h"
#include "engine/history/padded_file.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace lockstep::history {
namespace {

using ::testing::HasSubstr;

class Loading : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("lockstep-loading-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& contents) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(Loading, PaddedFileHoldsTheContentAndReadablePaddingAtEverySize) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  // Sizes around page ends decide between mapping and reading.
  for (size_t size : {size_t{0}, size_t{1}, page - kJsonPadding - 1, page - kJsonPadding,
                      page - kJsonPadding + 1, page - 1, page, page + 1, 3 * page}) {
    std::string contents(size, 'x');
    for (size_t i = 0; i < size; ++i) contents[i] = static_cast<char>('a' + i % 26);
    auto file = PaddedFile::Open(Write("f" + std::to_string(size), contents), kJsonPadding, kDefaultMaxFileBytes);
    ASSERT_TRUE(file.ok()) << file.status();
    EXPECT_EQ(file->bytes(), contents) << size;
    // The padding is there to be read (its value does not matter).
    unsigned sum = 0;
    for (size_t i = 0; i < kJsonPadding; ++i)
      sum += static_cast<unsigned char>(file->bytes().data()[size + i]);
    (void)sum;
  }
}

TEST_F(Loading, PaddedFileErrorsNameTheFile) {
  auto missing = PaddedFile::Open((dir_ / "nope.json").string(), kJsonPadding, kDefaultMaxFileBytes);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("nope.json"));
  auto directory = PaddedFile::Open(dir_.string(), kJsonPadding, kDefaultMaxFileBytes);
  ASSERT_FALSE(directory.ok());
  EXPECT_THAT(directory.status().message(), HasSubstr("is a directory"));
}

TEST_F(Loading, AFileOverTheLimitIsRefusedBeforeItIsRead) {
  const std::string path = Write("big.json", std::string(5000, ' ') + R"({"events":[]})");
  LoadOptions options;
  options.max_file_bytes = 4096;
  auto loaded = LoadHistoryFile(path, options);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("big.json: 5013 bytes is over the limit of 4096"));
  EXPECT_THAT(loaded.status().message(), HasSubstr("--max-file-bytes"));
  auto read = ReadFileToString(path, 4096);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(), HasSubstr("5013 bytes is over the limit"));
  EXPECT_TRUE(ReadFileToString(path, 5013).ok());
}

// A device or FIFO has no size to check first: /dev/zero once grew a buffer until the process
// died. It is read to one byte past the limit and refused.
TEST_F(Loading, AStreamThatNeverEndsIsRefusedAtTheLimit) {
  LoadOptions options;
  options.max_file_bytes = 1 << 20;
  for (const char* path : {"/dev/zero", "/dev/urandom"}) {
    auto loaded = LoadHistoryFile(path, options);
    ASSERT_FALSE(loaded.ok()) << path;
    EXPECT_THAT(loaded.status().message(),
                HasSubstr(std::string(path) + ": a stream that goes on is over the limit of 1048576"));
    auto file = PaddedFile::Open(path, kJsonPadding, 1 << 20);
    ASSERT_FALSE(file.ok()) << path;
  }
  // The default limit holds without options.
  auto zero = LoadHistoryFile("/dev/zero");
  ASSERT_FALSE(zero.ok());
  EXPECT_THAT(zero.status().message(), HasSubstr("over the limit of 67108864"));
}

TEST_F(Loading, HistoryListKeepsHistoriesAcrossMovesAndIterates) {
  HistoryList list(1 << 20);
  list.Add()->add_events()->set_event_id(1);
  list.Add()->add_events()->set_event_id(2);
  const auto* first = &list[0];
  HistoryList moved = std::move(list);
  EXPECT_EQ(&moved[0], first);
  ASSERT_EQ(moved.size(), 2u);
  int64_t sum = 0;
  for (const auto& h : moved) sum += h.events(0).event_id();
  EXPECT_EQ(sum, 3);
  EXPECT_EQ(moved[0].GetArena(), moved.arena());
}

TEST_F(Loading, JsonAndBinaryLoadTheSameHistoryAtPageBoundaries) {
  HistoryBuilder b("W");
  b.AddWorkflowTask();
  for (int i = 0; i < 40; ++i) b.AddSignal("inc", "1");
  const std::string json = HistoryToJson(b.history());
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  // Trailing spaces put the end of the file exactly at a page end, and just before it.
  const size_t pages_end = (json.size() / page + 2) * page;
  for (size_t end : {pages_end, pages_end - 1, pages_end - kJsonPadding}) {
    std::string text = json;
    text.resize(end, ' ');
    auto loaded = LoadHistoryFile(Write("h" + std::to_string(end) + ".json", text));
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    ASSERT_EQ(loaded->histories.size(), 1u);
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(loaded->histories[0], b.history()));
  }
  auto binary = LoadHistoryFile(Write("h.pb", SerializeHistoryBinary(b.history())));
  ASSERT_TRUE(binary.ok()) << binary.status();
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(binary->histories[0], b.history()));
}

}  // namespace
}  // namespace lockstep::history
