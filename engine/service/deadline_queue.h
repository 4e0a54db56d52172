// The service's agenda: things due at a virtual time, ordered by (time, sequence of creation).
//
// Ties at one instant go in creation order, so what happens first never depends on hashing or
// addresses. Every entry has a key its owner keeps to cancel it; entries are never left stale.
#ifndef LOCKSTEP_ENGINE_SERVICE_DEADLINE_QUEUE_H_
#define LOCKSTEP_ENGINE_SERVICE_DEADLINE_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/btree_map.h"
#include "absl/time/time.h"
#include "temporal/api/enums/v1/workflow.pb.h"

namespace lockstep::service {

struct DueKey {
  absl::Time when;
  uint64_t seq = 0;

  friend bool operator<(const DueKey& a, const DueKey& b) {
    return a.when != b.when ? a.when < b.when : a.seq < b.seq;
  }
  friend bool operator==(const DueKey& a, const DueKey& b) {
    return a.when == b.when && a.seq == b.seq;
  }
};

enum class DueKind {
  kWorkflowTaskDispatch,   // a workflow worker picks up the run's scheduled workflow task
  kWorkflowTaskResponse,   // the worker's answer arrives (non-zero workflow task latency)
  kWorkflowTaskTimeout,    // start-to-close of the started workflow task
  kWorkflowStart,          // first workflow task of a run with a start backoff (retry, CAN)
  kRunTimeout,             // workflow run timeout or execution expiration
  kUserTimer,              // a TimerStarted timer fires
  kActivityDispatch,       // an activity worker picks up an attempt
  kActivityOutcome,        // the attempt's result arrives
  kActivityTimeout,        // one of the four activity timeouts
  kActivityCancelNoticed,  // a heartbeating attempt learns that cancellation was requested
  // Work Temporal does in transfer tasks, after the workflow task completion that caused it
  // has been recorded (ref = the initiated event id in the run):
  kStartChild,      // start the child run and tell the parent
  kSignalExternal,  // signal the target run and tell the sender
  kCancelExternal,  // ask the target run to cancel and tell the sender
  kCloseExecution,  // a run closed: report to its parent, apply its children's close policy
};

struct DueItem {
  DueKind kind = DueKind::kUserTimer;
  size_t run = 0;        // index of the run in the service
  int64_t ref = 0;       // activity scheduled event id, timer started event id
  std::string timer_id;  // kUserTimer
  temporal::api::enums::v1::TimeoutType timeout_type =
      temporal::api::enums::v1::TIMEOUT_TYPE_UNSPECIFIED;
};

// An item about a run as a whole (no activity or timer).
inline DueItem RunItem(DueKind kind, size_t run) {
  DueItem item;
  item.kind = kind;
  item.run = run;
  return item;
}

class DeadlineQueue {
 public:
  DueKey Add(absl::Time when, uint64_t seq, DueItem item) {
    DueKey key{when, seq};
    entries_.emplace(key, std::move(item));
    return key;
  }
  // Cancels `*key` if set and clears it.
  void Remove(std::optional<DueKey>* key) {
    if (key->has_value()) entries_.erase(**key);
    key->reset();
  }
  bool empty() const { return entries_.empty(); }
  const DueKey& earliest_key() const { return entries_.begin()->first; }
  std::pair<DueKey, DueItem> PopEarliest() {
    auto it = entries_.begin();
    std::pair<DueKey, DueItem> out(it->first, std::move(it->second));
    entries_.erase(it);
    return out;
  }
  size_t size() const { return entries_.size(); }

 private:
  absl::btree_map<DueKey, DueItem> entries_;
};

}  // namespace lockstep::service

#endif  // LOCKSTEP_ENGINE_SERVICE_DEADLINE_QUEUE_H_
