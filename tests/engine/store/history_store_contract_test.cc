// The HistoryStore contract (engine/store/history_store.h), checked against both stores: what
// a batch must be, all-or-nothing commits, the sequence check that catches lost and repeated
// writes, closed runs, reads (decoded, and framed bytes equal to SerializeHistoryBinary), and
// a stored event that does not decode, reported by execution and event id while other runs stay
// readable; the activity attempt states kept beside a history, replaced, dropped with their
// activity's close or the run's, and refused when they do not fit.
#include <memory>
#include <string>
#include <vector>

#include "engine/history/history_file.h"
#include "engine/store/memory_history_store.h"
#include "engine/store/sqlite_history_store.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/engine/store/store_test_events.h"

namespace lockstep::store::testing {
namespace contract_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct MemoryFactory {
  static std::unique_ptr<HistoryStore> Make() { return std::make_unique<MemoryHistoryStore>(); }
};

struct SqliteFactory {
  static std::unique_ptr<HistoryStore> Make() {
    absl::StatusOr<std::unique_ptr<SqliteHistoryStore>> store =
        SqliteHistoryStore::Open(FreshPath());
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::unique_ptr<HistoryStore>(std::move(*store)) : nullptr;
  }
};

template <typename Factory>
class HistoryStoreContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Factory::Make();
    ASSERT_NE(store_, nullptr);
  }

  std::vector<RunInfo> Runs() {
    absl::StatusOr<std::vector<RunInfo>> runs = store_->ListRuns();
    EXPECT_TRUE(runs.ok()) << runs.status();
    return runs.ok() ? *runs : std::vector<RunInfo>();
  }

  std::unique_ptr<HistoryStore> store_;
};

using Factories = ::testing::Types<MemoryFactory, SqliteFactory>;
TYPED_TEST_SUITE(HistoryStoreContractTest, Factories);

RunInfo Info(std::string workflow_id, std::string run_id, std::string type, int64_t count,
             WorkflowExecutionStatus status = enums::WORKFLOW_EXECUTION_STATUS_RUNNING) {
  return RunInfo{std::move(workflow_id), std::move(run_id), std::move(type), status, count};
}

TYPED_TEST(HistoryStoreContractTest, StoresRunsInOrderAndReadsThemBack) {
  HistoryStore& store = *this->store_;
  ASSERT_TRUE(store.Commit(Batch({Append("b", "r1", 1, 2, "TypeB")})).ok());
  ASSERT_TRUE(
      store.Commit(Batch({Append("a", "r2", 1, 3, "TypeA"), Append("b", "r1", 3, 4)})).ok());
  EXPECT_THAT(this->Runs(), ElementsAre(Info("b", "r1", "TypeB", 4), Info("a", "r2", "TypeA", 3)));

  absl::StatusOr<History> history = store.ReadHistory("b", "r1");
  ASSERT_TRUE(history.ok()) << history.status();
  // Events 3 and 4 were made with the default type, which only event 1 carries.
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(*history, ExpectedHistory(4, "TypeB")));
  std::string binary = "prefix";
  ASSERT_TRUE(store.ReadHistoryBinary("a", "r2", &binary).ok());
  EXPECT_EQ(binary, "prefix" + history::SerializeHistoryBinary(ExpectedHistory(3, "TypeA")));
}

TYPED_TEST(HistoryStoreContractTest, UnknownRunIsNotFound) {
  EXPECT_EQ(this->store_->ReadHistory("nope", "r").status().code(), absl::StatusCode::kNotFound);
  std::string out;
  EXPECT_EQ(this->store_->ReadHistoryBinary("nope", "r", &out).code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(this->Runs().empty());
}

TYPED_TEST(HistoryStoreContractTest, RejectsGapsAndRepeatsNamingTheRunAndIds) {
  HistoryStore& store = *this->store_;
  ASSERT_TRUE(store.Commit(Batch({Append("wf", "run", 1, 3)})).ok());
  // A lost write: events 4 and 5 never arrived.
  absl::Status gap = store.Commit(Batch({Append("wf", "run", 6, 6)}));
  EXPECT_EQ(gap.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(gap.message(), HasSubstr("workflow \"wf\" run \"run\""));
  EXPECT_THAT(gap.message(), HasSubstr("starts at event 6"));
  EXPECT_THAT(gap.message(), HasSubstr("holds 3 events (the next is 4)"));
  // A repeated write.
  absl::Status repeat = store.Commit(Batch({Append("wf", "run", 3, 4)}));
  EXPECT_EQ(repeat.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(repeat.message(), HasSubstr("starts at event 3"));
  // A run the store does not know must start at 1.
  absl::Status unknown = store.Commit(Batch({Append("other", "r", 2, 2)}));
  EXPECT_EQ(unknown.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(unknown.message(), HasSubstr("workflow \"other\" run \"r\""));
  EXPECT_THAT(this->Runs(), ElementsAre(Info("wf", "run", "Type", 3)));
}

TYPED_TEST(HistoryStoreContractTest, BatchIsAllOrNothing) {
  HistoryStore& store = *this->store_;
  ASSERT_TRUE(store.Commit(Batch({Append("a", "r", 1, 2), Append("b", "r", 1, 2)})).ok());
  // The first run's append is fine, a new run too; the second run's first id is wrong.
  absl::Status status =
      store.Commit(Batch({Append("a", "r", 3, 5), Append("c", "r", 1, 1), Append("b", "r", 4, 4)}));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("workflow \"b\" run \"r\""));
  EXPECT_THAT(this->Runs(), ElementsAre(Info("a", "r", "Type", 2), Info("b", "r", "Type", 2)));
  absl::StatusOr<History> a = store.ReadHistory("a", "r");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->events_size(), 2);
  // And the store goes on: the right batch is taken.
  ASSERT_TRUE(store.Commit(Batch({Append("a", "r", 3, 5), Append("b", "r", 3, 3)})).ok());
  EXPECT_THAT(this->Runs(), ElementsAre(Info("a", "r", "Type", 5), Info("b", "r", "Type", 3)));
}

TYPED_TEST(HistoryStoreContractTest, RejectsMalformedBatches) {
  HistoryStore& store = *this->store_;
  RunAppend empty = Append("wf", "r", 1, 1);
  empty.events.clear();
  RunAppend no_type = Append("wf", "r", 1, 1);
  no_type.workflow_type.clear();
  RunAppend bad_status = Append("wf", "r", 1, 1);
  bad_status.status = enums::WORKFLOW_EXECUTION_STATUS_UNSPECIFIED;
  for (const StoreBatch& batch :
       {Batch({empty}), Batch({no_type}), Batch({bad_status}), Batch({Append("", "r", 1, 1)}),
        Batch({Append("wf", "r", 1, 1), Append("wf", "r", 2, 2)})}) {
    absl::Status status = store.Commit(batch);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  }
  EXPECT_TRUE(this->Runs().empty());
}

TYPED_TEST(HistoryStoreContractTest, ClosedRunTakesNoMoreEvents) {
  HistoryStore& store = *this->store_;
  RunAppend run = Append("wf", "r", 1, 2);
  run.events.push_back(Bytes(MakeCompleted(3)));
  run.status = enums::WORKFLOW_EXECUTION_STATUS_COMPLETED;
  ASSERT_TRUE(store.Commit(Batch({run})).ok());
  EXPECT_THAT(this->Runs(),
              ElementsAre(Info("wf", "r", "Type", 3, enums::WORKFLOW_EXECUTION_STATUS_COMPLETED)));
  absl::Status more = store.Commit(Batch({Append("wf", "r", 4, 4)}));
  EXPECT_EQ(more.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(more.message(), HasSubstr("closed"));
}

TYPED_TEST(HistoryStoreContractTest, KeepsActivityAttemptStatesBesideTheHistory) {
  HistoryStore& store = *this->store_;
  // With events: the run's first attempt state.
  RunAppend first = Append("wf", "r", 1, 3);
  first.activity_attempts = {AttemptState(2, 1, true)};
  ASSERT_TRUE(store.Commit(Batch({first})).ok());
  absl::StatusOr<std::vector<ActivityAttemptState>> read = store.ReadActivityAttempts("wf", "r");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_THAT(AttemptStrings(*read), ElementsAre(AttemptStrings({AttemptState(2, 1, true)})[0]));
  // Without events: a retry replaces it, a second activity's state is added, in id order.
  ASSERT_TRUE(store
                  .Commit(Batch({AttemptsOnly(
                      "wf", "r", 3, {AttemptState(3, 1, true), AttemptState(2, 2, false)})}))
                  .ok());
  EXPECT_EQ(AttemptStrings(*store.ReadActivityAttempts("wf", "r")),
            AttemptStrings({AttemptState(2, 2, false), AttemptState(3, 1, true)}));
  EXPECT_THAT(this->Runs(), ElementsAre(Info("wf", "r", "Type", 3)));
  // The batch that writes an activity's close drops its state.
  RunAppend close = Append("wf", "r", 4, 5);
  close.closed_activities = {2};
  ASSERT_TRUE(store.Commit(Batch({close})).ok());
  EXPECT_EQ(AttemptStrings(*store.ReadActivityAttempts("wf", "r")),
            AttemptStrings({AttemptState(3, 1, true)}));
  // The batch that closes the run drops them all.
  RunAppend done = Append("wf", "r", 6, 5);
  done.events.push_back(Bytes(MakeCompleted(6)));
  done.status = enums::WORKFLOW_EXECUTION_STATUS_COMPLETED;
  ASSERT_TRUE(store.Commit(Batch({done})).ok());
  EXPECT_TRUE(store.ReadActivityAttempts("wf", "r")->empty());
  EXPECT_EQ(store.ReadActivityAttempts("wf", "other").status().code(), absl::StatusCode::kNotFound);
}

TYPED_TEST(HistoryStoreContractTest, RejectsAttemptStatesThatDoNotFit) {
  HistoryStore& store = *this->store_;
  ASSERT_TRUE(store.Commit(Batch({Append("wf", "r", 1, 2)})).ok());
  // Malformed by themselves.
  RunAppend closing = AttemptsOnly("wf", "r", 2, {AttemptState(2, 1, false)});
  closing.status = enums::WORKFLOW_EXECUTION_STATUS_COMPLETED;
  for (const StoreBatch& batch :
       {Batch({AttemptsOnly("wf", "r", 2, {})}),
        Batch({AttemptsOnly("wf", "r", 2, {AttemptState(2, 0, false)})}),
        Batch({AttemptsOnly("wf", "r", 2, {AttemptState(0, 1, false)})}),
        Batch({AttemptsOnly("wf", "r", 2, {AttemptState(2, 1, false), AttemptState(2, 2, false)})}),
        Batch({closing})}) {
    absl::Status status = store.Commit(batch);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  }
  // At odds with what is stored: an unknown run, a lost write, and (all or nothing) a good
  // state in a batch that fails.
  for (const StoreBatch& batch :
       {Batch({AttemptsOnly("other", "r", 5, {AttemptState(2, 1, false)})}),
        Batch({AttemptsOnly("wf", "r", 3, {AttemptState(2, 1, false)})}),
        Batch({AttemptsOnly("wf", "r", 2, {AttemptState(2, 1, false)}), Append("b", "r", 2, 2)})}) {
    absl::Status status = store.Commit(batch);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
    EXPECT_THAT(status.message(), HasSubstr(" run \"r\""));
  }
  EXPECT_TRUE(store.ReadActivityAttempts("wf", "r")->empty());
  // A closed run takes no attempt state.
  RunAppend done = Append("wf", "r", 3, 2);
  done.events.push_back(Bytes(MakeCompleted(3)));
  done.status = enums::WORKFLOW_EXECUTION_STATUS_COMPLETED;
  ASSERT_TRUE(store.Commit(Batch({done})).ok());
  absl::Status closed =
      store.Commit(Batch({AttemptsOnly("wf", "r", 3, {AttemptState(2, 1, false)})}));
  EXPECT_EQ(closed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(closed.message(), HasSubstr("activity attempt state cannot be stored"));
}

TYPED_TEST(HistoryStoreContractTest, RejectsAnotherTypeForAStoredRun) {
  HistoryStore& store = *this->store_;
  ASSERT_TRUE(store.Commit(Batch({Append("wf", "r", 1, 1, "One")})).ok());
  RunAppend other = Append("wf", "r", 2, 2);
  other.workflow_type = "Two";
  EXPECT_EQ(store.Commit(Batch({other})).code(), absl::StatusCode::kFailedPrecondition);
}

TYPED_TEST(HistoryStoreContractTest, UndecodableEventIsNamedAndOtherRunsStayReadable) {
  HistoryStore& store = *this->store_;
  RunAppend bad = Append("bad-wf", "bad-run", 1, 3);
  bad.events[1] = "\xff\xff\xff\xff garbage";  // not a protobuf message
  ASSERT_TRUE(store.Commit(Batch({Append("good", "r", 1, 2), bad})).ok());
  absl::StatusOr<History> history = store.ReadHistory("bad-wf", "bad-run");
  EXPECT_EQ(history.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(history.status().message(), HasSubstr("workflow \"bad-wf\" run \"bad-run\""));
  EXPECT_THAT(history.status().message(), HasSubstr("stored event 2 does not decode"));
  EXPECT_TRUE(store.ReadHistory("good", "r").ok());
  EXPECT_EQ(this->Runs().size(), 2u);
}

TYPED_TEST(HistoryStoreContractTest, EventWithAnotherIdIsNamed) {
  HistoryStore& store = *this->store_;
  RunAppend run = Append("wf", "r", 1, 2);
  run.events[1] = Bytes(MakeEvent(7));  // parses, but is not event 2
  ASSERT_TRUE(store.Commit(Batch({run})).ok());
  absl::StatusOr<History> history = store.ReadHistory("wf", "r");
  EXPECT_EQ(history.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(history.status().message(),
              HasSubstr("stored event 2 decodes to an event with id 7"));
}

}  // namespace
}  // namespace contract_test
}  // namespace lockstep::store::testing
