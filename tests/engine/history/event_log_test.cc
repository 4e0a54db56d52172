// EventLog: stored bytes are SerializeHistoryBinary's, every event reads back the same from
// the window or from its bytes, trimming and pinning keep their promises, and an event that
// cannot decode is reported, not crashed on.
#include "engine/history/event_log.h"

#include <algorithm>
#include <string>
#include <vector>

#include "engine/history/history_file.h"
#include "gtest/gtest.h"

namespace lockstep::history {
namespace event_log_test {
namespace {

namespace enums = temporal::api::enums::v1;
using temporal::api::history::v1::History;
using temporal::api::history::v1::HistoryEvent;

// A WorkflowExecutionSignaled event with a json/plain payload (a map entry in its metadata,
// so serialization order matters) and, every 7th, a header with several map entries.
HistoryEvent Signal(int id, const std::string& body = "1") {
  HistoryEvent e;
  e.set_event_id(id);
  e.set_task_id(1000 + id);
  e.set_event_type(enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
  e.mutable_event_time()->set_seconds(1700000000 + id);
  auto* a = e.mutable_workflow_execution_signaled_event_attributes();
  a->set_signal_name("inc");
  auto* p = a->mutable_input()->add_payloads();
  (*p->mutable_metadata())["encoding"] = "json/plain";
  p->set_data(body);
  if (id % 7 == 0) {
    auto& fields = *a->mutable_header()->mutable_fields();
    for (const char* key : {"zeta", "alpha", "mid", "beta"}) {
      (*fields[key].mutable_metadata())["encoding"] = "json/plain";
      fields[key].set_data(key);
    }
  }
  return e;
}

std::string Bytes(const HistoryEvent& e) {
  History h;
  *h.add_events() = e;
  return SerializeHistoryBinary(h);
}

std::string Binary(EventLog& log) {
  std::string out;
  log.AppendBinary(&out);
  return out;
}

TEST(EventLogTest, StoredBytesAreTheSerializedHistory) {
  EventLog log;
  History expected;
  for (int id = 1; id <= 3000; ++id) {
    *expected.add_events() = Signal(id);
    log.Append(Signal(id));
    if (id % 50 == 0) log.Trim(id - 3);  // most events leave the window as they go
  }
  EXPECT_EQ(log.size(), 3000);
  EXPECT_LT(log.decoded().events_size(), 60);
  const std::string want = SerializeHistoryBinary(expected);
  EXPECT_EQ(Binary(log), want);
  EXPECT_EQ(log.serialized_bytes(), static_cast<int64_t>(want.size()));
}

TEST(EventLogTest, AnEventLargerThanABlockIsStoredWhole) {
  EventLog log;
  History expected;
  for (int id = 1; id <= 5; ++id) {
    HistoryEvent e = Signal(id, std::string(id == 3 ? 200'000 : 10, 'x'));
    *expected.add_events() = e;
    log.Append(std::move(e));
  }
  log.Trim(5);
  EXPECT_EQ(log.decoded_first(), 5);  // nothing decoded: every event is read from its bytes
  EXPECT_EQ(Binary(log), SerializeHistoryBinary(expected));
  HistoryEvent scratch;
  absl::StatusOr<const HistoryEvent*> big = log.Event(2, &scratch);
  ASSERT_TRUE(big.ok()) << big.status();
  EXPECT_EQ(Bytes(**big), Bytes(expected.events(2)));
}

TEST(EventLogTest, TheTailIsFilledInAfterAppendAndSealedByTheNext) {
  EventLog log;
  HistoryEvent* tail = log.Append(Signal(1));
  tail->mutable_workflow_execution_signaled_event_attributes()->set_identity("filled later");
  // The size counts the open tail as it is now.
  EXPECT_EQ(log.serialized_bytes(), static_cast<int64_t>(Bytes(*tail).size()));
  log.Append(Signal(2));
  log.Trim(1);
  HistoryEvent scratch;
  absl::StatusOr<const HistoryEvent*> first = log.Event(0, &scratch);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ((*first)->workflow_execution_signaled_event_attributes().identity(), "filled later");
}

TEST(EventLogTest, AnEventBuiltInPlaceIsStoredAsOneMovedIn) {
  EventLog built;
  EventLog moved;
  for (int id = 1; id <= 50; ++id) {
    *built.AppendNew() = Signal(id);
    moved.Append(Signal(id));
  }
  HistoryEvent* tail = built.AppendNew();
  EXPECT_EQ(tail->event_id(), 0);  // empty, for the caller to fill
  tail->set_event_id(51);
  moved.Append(HistoryEvent())->set_event_id(51);
  EXPECT_EQ(built.size(), 51);
  EXPECT_EQ(Binary(built), Binary(moved));
}

TEST(EventLogTest, EveryEventReadsBackTheSameFromWindowOrBytes) {
  EventLog log;
  std::vector<HistoryEvent> all;
  for (int id = 1; id <= 500; ++id) {
    all.push_back(Signal(id));
    log.Append(Signal(id));
  }
  log.Trim(400);
  EXPECT_EQ(log.decoded_first(), 400);
  HistoryEvent scratch;
  for (int i = 0; i < 500; ++i) {
    absl::StatusOr<const HistoryEvent*> e = log.Event(i, &scratch);
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_EQ(Bytes(**e), Bytes(all[static_cast<size_t>(i)])) << "event " << i + 1;
  }
  EXPECT_FALSE(log.Event(500, &scratch).ok());
  EXPECT_FALSE(log.Event(-1, &scratch).ok());
}

TEST(EventLogTest, MaterializeDecodesTheWholeHistoryAndKeepsWindowPointers) {
  EventLog log;
  History expected;
  for (int id = 1; id <= 300; ++id) {
    *expected.add_events() = Signal(id);
    log.Append(Signal(id));
  }
  log.Trim(290);
  const HistoryEvent* in_window = &log.decoded().events(5);  // event 296
  ASSERT_TRUE(log.Materialize().ok());
  EXPECT_TRUE(log.materialized());
  EXPECT_EQ(log.decoded().events_size(), 300);
  EXPECT_EQ(&log.decoded().events(295), in_window);  // moved, not copied
  EXPECT_EQ(SerializeHistoryBinary(log.decoded()), SerializeHistoryBinary(expected));
  // Unpinned, it trims again.
  log.Trim(299);
  EXPECT_EQ(log.decoded().events_size(), 1);
}

TEST(EventLogTest, APinnedLogStaysWholeAndGrows) {
  EventLog log;
  for (int id = 1; id <= 100; ++id) log.Append(Signal(id));
  log.Trim(99);
  ASSERT_TRUE(log.Pin().ok());
  const History* whole = &log.decoded();
  const HistoryEvent* first = &whole->events(0);
  log.Append(Signal(101));
  log.Trim(100);
  EXPECT_EQ(&log.decoded(), whole);
  EXPECT_EQ(whole->events_size(), 101);
  EXPECT_EQ(&whole->events(0), first);
}

TEST(EventLogTest, DecodedEventsLiveOnTheLogsArena) {
  EventLog pinned_first;
  ASSERT_TRUE(pinned_first.Pin().ok());
  EventLog pinned_later;
  pinned_later.Append(Signal(1));
  ASSERT_TRUE(pinned_later.Pin().ok());
  History expected;
  for (int id = 1; id <= 50; ++id) {
    *expected.add_events() = Signal(id);
    // Built in place: on the arena, parts and all.
    *pinned_first.AppendNew() = Signal(id);
    if (id > 1) *pinned_later.AppendNew() = Signal(id);
  }
  EXPECT_NE(pinned_first.decoded().GetArena(), nullptr);
  EXPECT_NE(pinned_first.decoded().events(7).GetArena(), nullptr);
  EXPECT_EQ(pinned_first.decoded().GetArena(), pinned_first.decoded().events(7).GetArena());
  EXPECT_NE(pinned_later.decoded().events(7).GetArena(), nullptr);
  std::string bytes;
  pinned_first.AppendBinary(&bytes);
  EXPECT_EQ(bytes, SerializeHistoryBinary(expected));
  EXPECT_EQ(SerializeHistoryBinary(pinned_first.decoded()), SerializeHistoryBinary(expected));
  EXPECT_EQ(SerializeHistoryBinary(pinned_later.decoded()), SerializeHistoryBinary(expected));

  // Moving the log moves the arena: the events stay where they were.
  const HistoryEvent* tenth = &pinned_first.decoded().events(9);
  EventLog moved(std::move(pinned_first));
  EXPECT_EQ(&moved.decoded().events(9), tenth);
  EXPECT_EQ(moved.size(), 50);
  EventLog assigned;
  assigned.Append(Signal(1));
  assigned = std::move(moved);
  EXPECT_EQ(&assigned.decoded().events(9), tenth);
  EXPECT_EQ(SerializeHistoryBinary(assigned.decoded()), SerializeHistoryBinary(expected));

  // Cleared, it starts over, unpinned: trimming drops events again.
  assigned.Clear();
  EXPECT_EQ(assigned.size(), 0);
  EXPECT_FALSE(assigned.pinned());
  EXPECT_EQ(assigned.decoded().events_size(), 0);
  for (int id = 1; id <= 5; ++id) assigned.Append(Signal(id));
  assigned.Trim(4);
  EXPECT_EQ(assigned.decoded().events_size(), 1);
  EXPECT_EQ(Bytes(assigned.decoded().events(0)), Bytes(Signal(5)));
}

TEST(EventLogTest, TrimCompactsAnArenaLeftMostlyUnusedAndKeepsWhatItKeeps) {
  // A window that never holds more than a few events, over a long history: the arena is
  // compacted as the dropped events pile up, so the log's memory does not grow with them.
  EventLog log;
  size_t most = 0;
  for (int id = 1; id <= 20'000; ++id) {
    if (id % 3 == 0) {
      log.Append(Signal(id));  // moved in: heap parts the arena deletes
    } else {
      *log.AppendNew() = Signal(id);
    }
    log.Trim(id - 2);  // keeps the last two
    ASSERT_EQ(log.decoded().events_size(), std::min(id, 2));
    // Besides the stored bytes: offsets (at most 8 bytes an event, with the vector's spare
    // capacity), then a partly filled block and the arena.
    const size_t stored = static_cast<size_t>(log.serialized_bytes()) + 8 * id;
    most = std::max(most, log.RetainedBytes() - std::min(stored, log.RetainedBytes()));
  }
  // A block and a small arena. Without compaction this is megabytes (every signal made on
  // the arena stays there).
  EXPECT_LT(most, size_t{EventLog::kMaxBlock + 32 * 1024});
  // The kept events moved with the compactions but read the same, and the history reads back
  // whole from its bytes.
  EXPECT_EQ(Bytes(log.decoded().events(0)), Bytes(Signal(19'999)));
  EXPECT_EQ(Bytes(log.decoded().events(1)), Bytes(Signal(20'000)));
  ASSERT_TRUE(log.Materialize().ok());
  History expected;
  for (int id = 1; id <= 20'000; ++id) *expected.add_events() = Signal(id);
  EXPECT_EQ(SerializeHistoryBinary(log.decoded()), SerializeHistoryBinary(expected));
}

TEST(EventLogTest, ALogFedByMovesIsCompactedToo) {
  // Events moved in keep their parts on the heap, which the arena's own size does not show.
  EventLog log;
  size_t most = 0;
  for (int id = 1; id <= 5'000; ++id) {
    log.Append(Signal(id));
    log.Trim(id - 1);
    const size_t stored = static_cast<size_t>(log.serialized_bytes()) + 8 * id;
    most = std::max(most, log.RetainedBytes() - std::min(stored, log.RetainedBytes()));
  }
  // A partly filled block, a small arena and a few dropped events: without compaction, the
  // dropped events (counted at kMovedInEventBytes each) pass the margin.
  EXPECT_LT(most, size_t{EventLog::kMaxBlock + 16 * 1024});
  EXPECT_EQ(Bytes(log.decoded().events(0)), Bytes(Signal(5'000)));
}

TEST(EventLogTest, AWindowStillInUseIsNotCompacted) {
  // Trim keeps what a task will read: while that is most of the arena, the events stay where
  // they are.
  EventLog log;
  for (int id = 1; id <= 200; ++id) *log.AppendNew() = Signal(id);
  const HistoryEvent* kept = &log.decoded().events(150);
  log.Trim(100);
  EXPECT_EQ(&log.decoded().events(50), kept);
}

TEST(EventLogTest, TrimCanEmptyTheWindowButNeverMovesBack) {
  EventLog log;
  for (int id = 1; id <= 10; ++id) log.Append(Signal(id));
  log.Trim(9);
  EXPECT_EQ(log.decoded_first(), 9);
  EXPECT_EQ(log.decoded().events_size(), 1);
  log.Trim(2);
  EXPECT_EQ(log.decoded_first(), 9);
  log.Trim(1000);  // everything: the tail is sealed first
  EXPECT_EQ(log.decoded_first(), 10);
  EXPECT_EQ(log.decoded().events_size(), 0);
  HistoryEvent scratch;
  absl::StatusOr<const HistoryEvent*> tail = log.Event(9, &scratch);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(Bytes(**tail), Bytes(Signal(10)));
  // The next event starts the window again.
  *log.AppendNew() = Signal(11);
  EXPECT_EQ(log.decoded_first(), 10);
  EXPECT_EQ(log.decoded().events_size(), 1);
  EXPECT_EQ(Binary(log), [] {
    History h;
    for (int id = 1; id <= 11; ++id) *h.add_events() = Signal(id);
    return SerializeHistoryBinary(h);
  }());
  ASSERT_TRUE(log.DecodeFrom(9).ok());
  EXPECT_EQ(log.decoded().events_size(), 2);
  EventLog empty;
  empty.Trim(5);
  EXPECT_EQ(empty.size(), 0);
}

TEST(EventLogTest, RetainsCloseToTheSerializedSize) {
  EventLog log;
  for (int id = 1; id <= 100'000; ++id) {
    log.Append(Signal(id));
    if (id % 100 == 0) log.Trim(id - 1);
  }
  const double per_event = static_cast<double>(log.RetainedBytes()) / log.size();
  const double serialized = static_cast<double>(log.serialized_bytes()) / log.size();
  // Stored bytes, a 4-byte offset, one partly filled block and a one-event window.
  EXPECT_LT(per_event, serialized + 8) << "serialized " << serialized;
}

TEST(EventLogTest, AnEventThatDoesNotDecodeIsReportedByNumber) {
  EventLog log;
  log.Append(Signal(1));
  HistoryEvent bad = Signal(2);
  // Not UTF-8: protobuf serializes it (logging a complaint) but refuses to parse it back.
  bad.mutable_workflow_execution_signaled_event_attributes()->set_signal_name("\xff\xfe");
  log.Append(std::move(bad));
  log.Append(Signal(3));
  log.Trim(2);
  HistoryEvent scratch;
  absl::StatusOr<const HistoryEvent*> e = log.Event(1, &scratch);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(e.status().message().find("event 2 "), std::string::npos) << e.status();
  EXPECT_TRUE(log.Event(0, &scratch).ok());
  absl::Status whole = log.Materialize();
  EXPECT_EQ(whole.code(), absl::StatusCode::kDataLoss);
  // The window is intact after the failed attempt.
  EXPECT_EQ(log.decoded_first(), 2);
  EXPECT_EQ(log.decoded().events_size(), 1);
}

TEST(EventLogTest, ClearFreesEverything) {
  EventLog log;
  for (int id = 1; id <= 1000; ++id) log.Append(Signal(id));
  log.Clear();
  EXPECT_EQ(log.size(), 0);
  EXPECT_EQ(log.serialized_bytes(), 0);
  EXPECT_EQ(Binary(log), "");
  log.Append(Signal(1));
  EXPECT_EQ(Binary(log), Bytes(Signal(1)));
}

TEST(EventLogTest, AReleasedLogsFullBlocksAreReusedThroughThePool) {
  EventBlockPool pool(4);
  EventLog first;
  first.set_pool(&pool);
  for (int id = 1; id <= 20'000; ++id) first.Append(Signal(id, std::string(100, 'x')));
  const std::string bytes = Binary(first);
  first.Clear();
  EXPECT_EQ(pool.spare(), 4u);  // the cap, though more full blocks were freed
  EventLog second;
  second.set_pool(&pool);
  for (int id = 1; id <= 20'000; ++id) second.Append(Signal(id, std::string(100, 'x')));
  EXPECT_EQ(pool.spare(), 0u);
  EXPECT_EQ(Binary(second), bytes);
}

#ifndef NDEBUG
TEST(EventLogDeathTest, ChangingASealedEventIsCaughtInDebugBuilds) {
  EXPECT_DEATH(
      {
        EventLog log;
        HistoryEvent* first = log.Append(Signal(1));
        log.Append(Signal(2));
        first->set_task_id(1);  // after the next append: too late
        log.Trim(1);
      },
      "event 1 changed after it was sealed");
}
#endif

}  // namespace
}  // namespace event_log_test
}  // namespace lockstep::history
