// The service's agenda: things due at a virtual time, ordered by (time, sequence of creation).
//
// Ties at one instant go in creation order unless the service environment chooses otherwise
// (ServiceEnv::PickNext), so what happens first never depends on hashing or addresses. Every
// entry has a key its owner keeps to cancel it; entries are never left stale.
#ifndef LOCKSTEP_ENGINE_SERVICE_DEADLINE_QUEUE_H_
#define LOCKSTEP_ENGINE_SERVICE_DEADLINE_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/btree_map.h"
#include "absl/time/time.h"
#include "engine/service/service_env.h"
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

// What an entry does: the step kinds of service_env.h.
using DueKind = StepKind;

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
  size_t size() const { return entries_.size(); }
  // Entries in (time, sequence) order, for choosing among those due at one instant.
  using const_iterator = absl::btree_map<DueKey, DueItem>::const_iterator;
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  // The item of the entry with `key`, which must be present.
  const DueItem& Find(const DueKey& key) const { return entries_.find(key)->second; }
  // Removes the entry with `key` (which must be present) and returns its item.
  DueItem Take(const DueKey& key) {
    auto it = entries_.find(key);
    DueItem item = std::move(it->second);
    entries_.erase(it);
    return item;
  }

 private:
  absl::btree_map<DueKey, DueItem> entries_;
};

}  // namespace lockstep::service

#endif  // LOCKSTEP_ENGINE_SERVICE_DEADLINE_QUEUE_H_
