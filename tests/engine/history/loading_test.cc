// The pieces under fast loading: a file with padding for the JSON parser (mapped or read,
// whatever its size), histories on one arena, and the whole path through LoadHistoryFile.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

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

// Serves `contents` once through the FIFO at `path`: one writer, which writes and closes. A
// reader that opened the FIFO again afterwards would wait forever for a writer, so after a
// while the server opens it once more and writes nothing: such a reader then fails the test
// (it reads nothing) instead of hanging it.
class FifoServer {
 public:
  FifoServer(std::string path, std::string contents)
      : writer_([this, path = std::move(path), contents = std::move(contents)] {
          const int fd = ::open(path.c_str(), O_WRONLY);
          if (fd < 0) return;
          for (size_t done = 0; done < contents.size();) {
            const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
            if (n <= 0) break;
            done += static_cast<size_t>(n);
          }
          ::close(fd);
          for (int i = 0; i < 500 && !read_.load(); ++i) ::usleep(10'000);
          if (!read_.load()) {
            const int again = ::open(path.c_str(), O_WRONLY);
            if (again >= 0) ::close(again);
          }
        }) {}
  ~FifoServer() {
    read_ = true;
    writer_.join();
  }

 private:
  std::atomic<bool> read_{false};
  std::thread writer_;
};

TEST_F(Loading, AFifoIsReadThroughTheOpenThatFoundItToBeOne) {
  HistoryBuilder b("W");
  b.AddWorkflowTask();
  b.AddSignal("inc", "1");
  const std::string json = HistoryToJson(b.history());
  const std::string fifo = (dir_ / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  {
    FifoServer server(fifo, json);
    auto loaded = LoadHistoryFile(fifo);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    ASSERT_EQ(loaded->histories.size(), 1u);
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(loaded->histories[0], b.history()));
  }
  {
    FifoServer server(fifo, json);
    PaddedFileReader reader;
    auto read = reader.Read(fifo, kJsonPadding, 1 << 20);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(*read, json);
  }
}

// A history of `signals` signals after one workflow task, as HistoryBuilder records it.
temporal::api::history::v1::History SignalHistory(int signals) {
  HistoryBuilder b("W");
  b.AddWorkflowTask();
  for (int i = 0; i < signals; ++i) b.AddSignal("inc", std::to_string(i));
  return b.history();
}

TEST_F(Loading, PaddedFileReaderReusesItsBufferAndKeepsNothingOfTheLastFile) {
  PaddedFileReader reader;
  const std::string big(20000, 'b');
  const std::string small = "small";
  const std::string large(static_cast<size_t>(PaddedFileReader::kMapAboveBytes) + 10, 'L');
  // Small after big: the same buffer, the small file's bytes only, then readable padding.
  for (const std::string* contents : {&big, &small, &large, &small, &big}) {
    const std::string path = Write("f" + std::to_string(contents->size()), *contents);
    auto read = reader.Read(path, kJsonPadding, kDefaultMaxFileBytes);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(*read, *contents);
    unsigned sum = 0;
    for (size_t i = 0; i < kJsonPadding; ++i)
      sum += static_cast<unsigned char>(read->data()[read->size() + i]);
    (void)sum;
  }
  auto missing = reader.Read((dir_ / "nope.json").string(), kJsonPadding, kDefaultMaxFileBytes);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("nope.json"));
  auto directory = reader.Read(dir_.string(), kJsonPadding, kDefaultMaxFileBytes);
  ASSERT_FALSE(directory.ok());
  EXPECT_THAT(directory.status().message(), HasSubstr("is a directory"));
  auto over = reader.Read(Write("over", big), kJsonPadding, 1000);
  ASSERT_FALSE(over.ok());
  EXPECT_THAT(over.status().message(), HasSubstr("20000 bytes is over the limit of 1000"));
  // A device has no size: it takes the general path and its limit.
  auto zero = reader.Read("/dev/zero", kJsonPadding, 4096);
  ASSERT_FALSE(zero.ok());
  EXPECT_THAT(zero.status().message(), HasSubstr("a stream that goes on"));
}

TEST_F(Loading, HistoryListClearKeepsItsFirstBlockForTheNextHistories) {
  HistoryList list(1 << 20);
  const size_t block = list.first_block_size();
  ASSERT_GE(block, size_t{1} << 20);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 100; ++i) list.Add()->add_events()->set_event_id(round * 100 + i);
    EXPECT_EQ(list.size(), 100u);
    EXPECT_EQ(list[99].events(0).event_id(), round * 100 + 99);
    list.Clear();
    EXPECT_TRUE(list.empty());
    EXPECT_EQ(list.first_block_size(), block);
  }
  // Assigning over a list with histories on its first block frees them before the block.
  list.Add()->add_events()->set_event_id(1);
  list = HistoryList(2 << 20);
  EXPECT_TRUE(list.empty());
  EXPECT_GE(list.first_block_size(), size_t{2} << 20);
  list.Add()->add_events()->set_event_id(2);
  EXPECT_EQ(list[0].events(0).event_id(), 2);
}

// One loader, file after file of every kind it takes, in an order that makes it reuse, grow
// and replace what it keeps: each load must equal LoadHistoryFile's of the same file, and a
// failure in between must leave nothing behind and not affect the next load.
TEST_F(Loading, HistoryLoaderLoadsFileAfterFileAsLoadHistoryFileDoes) {
  const auto small = SignalHistory(3);
  const auto big = SignalHistory(20000);  // JSON over PaddedFileReader::kMapAboveBytes: mapped
  const std::string two = "[" + HistoryToJson(small) + "," + HistoryToJson(SignalHistory(5)) + "]";
  const std::vector<std::string> files = {
      Write("a.json", HistoryToJson(small)),
      Write("big.json", HistoryToJson(big)),
      Write("b.pb", SerializeHistoryBinary(small)),
      Write("bad.json", R"({"events":[{"eventId":"1","eventType":"EVENT_TYPE_NO_SUCH"}]})"),
      Write("two.json", two),
      Write("sniffed", SerializeHistoryBinary(big)),
      Write("invalid.json", HistoryToJson(SignalHistory(2)).replace(0, 1, "[")),
      Write("c.json", HistoryToJson(small)),
  };
  ASSERT_GT(std::filesystem::file_size(files[1]),
            static_cast<uintmax_t>(PaddedFileReader::kMapAboveBytes));
  HistoryLoader loader;
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    const absl::Status status = loader.Load(file);
    auto expected = LoadHistoryFile(file);
    ASSERT_EQ(status.ok(), expected.ok()) << status << " / " << expected.status();
    if (!status.ok()) {
      EXPECT_EQ(status, expected.status());
      EXPECT_THAT(std::string(status.message()), HasSubstr(file));
      EXPECT_TRUE(loader.loaded().histories.empty());
      continue;
    }
    const LoadedHistories& loaded = loader.loaded();
    EXPECT_EQ(loaded.path, file);
    EXPECT_EQ(loaded.format, expected->format);
    ASSERT_EQ(loaded.histories.size(), expected->histories.size());
    for (size_t i = 0; i < loaded.histories.size(); ++i) {
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(loaded.histories[i],
                                                                     expected->histories[i]));
    }
  }
}

TEST_F(Loading, HistoryLoaderAppliesItsOptionsAndCountsUnknownKeysPerFile) {
  std::string with_unknown = HistoryToJson(SignalHistory(1));
  const size_t brace = with_unknown.find('{', 1);  // the first event's
  ASSERT_NE(brace, std::string::npos);
  const size_t first_event = brace + 1;
  with_unknown.insert(first_event, R"("someNewField":1,)");
  const std::string path = Write("unknown.json", with_unknown);
  HistoryLoader loader;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(loader.Load(path).ok());
    EXPECT_EQ(loader.loaded().json_stats.unknown_keys, 1) << "counted once per load";
  }
  LoadOptions strict;
  strict.json.allow_unknown_keys = false;
  strict.max_events = 2;
  HistoryLoader strict_loader(strict);
  EXPECT_THAT(std::string(strict_loader.Load(path).message()), HasSubstr("unknown key"));
  with_unknown.erase(first_event, std::string(R"("someNewField":1,)").size());
  const absl::Status over = strict_loader.Load(Write("known.json", with_unknown));
  EXPECT_THAT(std::string(over.message()), HasSubstr("over the limit of 2"));
}

}  // namespace
}  // namespace lockstep::history
