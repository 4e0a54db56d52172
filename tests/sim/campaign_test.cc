// RunCampaign's output contract: every seed's line reaches `out` whole, even while the
// progress reporter writes to a stream tied to `out` (std::cerr is tied to std::cout, so each
// progress write flushes the seeds' stream from the reporter thread).

#include "sim/campaign.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <sstream>
#include <streambuf>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "examples/order/order_simulation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockstep::sim {
namespace {

using ::testing::HasSubstr;

// A stream buffer that notices two threads inside it at once. Each entry lingers so that an
// unsynchronized caller is caught in the act; the text itself is kept under a lock so the
// test has no race of its own.
class OverlapDetectingBuf : public std::streambuf {
 public:
  bool overlapped() const { return overlapped_.load(); }
  std::string text() const {
    std::lock_guard<std::mutex> lock(mu_);
    return text_;
  }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    Enter enter(this);
    std::lock_guard<std::mutex> lock(mu_);
    text_.append(s, static_cast<size_t>(n));
    return n;
  }
  int_type overflow(int_type c) override {
    Enter enter(this);
    if (c != traits_type::eof()) {
      std::lock_guard<std::mutex> lock(mu_);
      text_.push_back(traits_type::to_char_type(c));
    }
    return traits_type::not_eof(c);
  }
  int sync() override {
    Enter enter(this);
    return 0;
  }

 private:
  struct Enter {
    explicit Enter(OverlapDetectingBuf* b) : buf(b) {
      if (buf->inside_.fetch_add(1) > 0) buf->overlapped_.store(true);
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    ~Enter() { buf->inside_.fetch_sub(1); }
    OverlapDetectingBuf* buf;
  };

  std::atomic<int> inside_{0};
  std::atomic<bool> overlapped_{false};
  mutable std::mutex mu_;
  std::string text_;
};

TEST(CampaignTest, ProgressTiedToOutputNeverWritesBesideASeedLine) {
  const Workload workload = examples::OrderWorkload();
  Simulation simulation(&workload);
  OverlapDetectingBuf buf;
  std::ostream out(&buf);
  std::ostringstream progress;
  progress.tie(&out);  // as std::cerr is tied to std::cout
  CampaignOptions options;
  options.seeds = 400;
  options.verbose = true;
  options.progress = &progress;
  options.progress_is_terminal = true;  // a bar: written on every wake of the reporter
  absl::StatusOr<CampaignSummary> summary = RunCampaign(simulation, options, out);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->seeds_run, 400);
  EXPECT_FALSE(buf.overlapped())
      << "the progress reporter flushed the output stream while a seed's line was written";
  const std::string text = buf.text();
  for (int seed = 1; seed <= 400; ++seed) {
    EXPECT_THAT(text, HasSubstr(absl::StrCat("\nseed ", seed, ": faults ")));
  }
  EXPECT_THAT(progress.str(), HasSubstr("/400 seeds"));
}

}  // namespace
}  // namespace lockstep::sim
