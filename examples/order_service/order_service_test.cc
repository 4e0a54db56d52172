// order_service end to end: commands in, answers out, and the SQLite file it leaves behind read
// back, validated and replayed; a second session on the same file; usage errors.
#include "examples/order_service/order_service.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "examples/order_service/stored_orders.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockstep::examples {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class OrderServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    db_ = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/order_service_test_", getpid(), "_",
                       ::testing::UnitTest::GetInstance()->current_test_info()->name(), ".db");
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db_ + suffix).c_str());
  }

  struct Session {
    int exit = -1;
    std::string out;
    std::string err;
  };
  Session Run(const std::string& script, std::vector<std::string> args = {}) {
    if (args.empty()) args = {"--db", db_, "--synchronous", "normal"};
    std::istringstream in(script);
    std::ostringstream out, err;
    Session s;
    s.exit = RunOrderService(args, in, {out, err});
    s.out = out.str();
    s.err = err.str();
    return s;
  }

  std::string db_;
};

TEST_F(OrderServiceTest, OrdersRunToTheirOutcomesAndTheFileHoldsValidReplayableHistories) {
  const Session s =
      Run("# three orders: one approved, one on a declined card, one never answered\n"
          "start o1 card-1 500\n"
          "start o2 declined 700\n"
          "start o3 card-3 900 1\n"
          "status o1\n"
          "approve o1\n"
          "approve o2\n"
          "wait o1\n"
          "wait o2\n"
          "wait o3 20\n"
          "status o1\n"
          "list\n");
  EXPECT_EQ(s.exit, 0) << s.out << s.err;
  EXPECT_THAT(s.out, HasSubstr("started o1 run "));
  EXPECT_THAT(s.out, HasSubstr("o1: awaiting approval\n"));
  EXPECT_THAT(s.out, HasSubstr("approved o1\n"));
  EXPECT_THAT(s.out, HasSubstr("o1: completed charge-card-1-500\n"));
  EXPECT_THAT(s.out, HasSubstr("o2: failed: activity error: "));
  EXPECT_THAT(s.out, HasSubstr("o3: completed expired\n"));
  EXPECT_THAT(s.out, HasSubstr("3 runs\n"));

  // The file, read through a connection of its own: every history valid and replaying cleanly.
  absl::StatusOr<std::vector<StoredOrder>> stored = ReadStoredOrders(db_);
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->size(), 3u);
  for (const StoredOrder& order : *stored) {
    SCOPED_TRACE(order.run.workflow_id);
    EXPECT_NE(order.run.status, temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_RUNNING);
    EXPECT_EQ(order.history.events_size(), order.run.event_count);
    EXPECT_TRUE(CheckOrderHistory(order.history, order.run.workflow_id).ok())
        << CheckOrderHistory(order.history, order.run.workflow_id);
  }
}

TEST_F(OrderServiceTest, ASecondSessionSeesTheFirstOnesRunsAndAddsItsOwn) {
  ASSERT_EQ(Run("start a card-1 100\napprove a\nwait a\n").exit, 0);
  const Session second = Run("start b card-2 200\napprove b\nwait b\nlist\n");
  EXPECT_EQ(second.exit, 0) << second.out << second.err;
  EXPECT_THAT(second.out, HasSubstr("b: completed charge-card-2-200\n"));
  EXPECT_THAT(second.out, HasSubstr("a "));
  EXPECT_THAT(second.out, HasSubstr("recovered 1 runs (0 open)"));
  EXPECT_THAT(second.out, HasSubstr("2 runs\n"));
}

// The process ends with an order awaiting approval; the next one resumes it from the file.
TEST_F(OrderServiceTest, AnOrderLeftOpenGoesOnInTheNextSession) {
  const Session first = Run("start o card-7 700\nstatus o\nquit\n");
  ASSERT_EQ(first.exit, 0) << first.out << first.err;
  EXPECT_THAT(first.out, HasSubstr("o: awaiting approval\n"));
  const Session second = Run("status o\napprove o\nwait o\n");
  EXPECT_EQ(second.exit, 0) << second.out << second.err;
  EXPECT_THAT(second.out, HasSubstr("recovered 1 runs (1 open)"));
  EXPECT_THAT(second.out, HasSubstr("o: awaiting approval\n"));
  EXPECT_THAT(second.out, HasSubstr("o: completed charge-card-7-700\n"));

  absl::StatusOr<std::vector<StoredOrder>> stored = ReadStoredOrders(db_);
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->size(), 1u);  // one run, its history continued by the second session
  EXPECT_TRUE(CheckOrderHistory((*stored)[0].history, "o").ok())
      << CheckOrderHistory((*stored)[0].history, "o");
}

TEST_F(OrderServiceTest, ABadCommandIsAnsweredAndTheNextOneRead) {
  const Session s =
      Run("frobnicate\n"
          "start only-an-id\n"
          "start x card 12abc\n"
          "approve nobody\n"
          "start y card-1 100\n"
          "status y\n");
  EXPECT_EQ(s.exit, 1);
  EXPECT_THAT(s.out, HasSubstr("error: unknown command 'frobnicate'"));
  EXPECT_THAT(s.out, HasSubstr("error: usage: start ID CARD CENTS [APPROVAL_SECONDS]"));
  EXPECT_THAT(s.out, HasSubstr("error: CENTS must be a positive whole number, got '12abc'"));
  EXPECT_THAT(s.out, HasSubstr("error: "));
  EXPECT_THAT(s.out, HasSubstr("y: awaiting approval\n"));
}

TEST_F(OrderServiceTest, UsageErrorsNameTheArgument) {
  Session s = Run("", {"--activity-threads", "2"});
  EXPECT_EQ(s.exit, 2);
  EXPECT_THAT(s.err, HasSubstr("--db is required"));
  s = Run("", {"--db", db_, "--activity-threads", "0"});
  EXPECT_EQ(s.exit, 2);
  EXPECT_THAT(s.err, HasSubstr("--activity-threads"));
  s = Run("", {"--db", db_, "--frobnicate"});
  EXPECT_EQ(s.exit, 2);
  EXPECT_THAT(s.err, HasSubstr("--frobnicate"));
  s = Run("", {"--db", "/nonexistent-dir/x.db"});
  EXPECT_EQ(s.exit, 2);
  EXPECT_THAT(s.err, StartsWith("order_service: "));
}

}  // namespace
}  // namespace lockstep::examples
