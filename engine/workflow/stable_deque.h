// StableDeque: a std::deque that allocates nothing until its first element.
//
// A workflow run keeps its operations (commands, activities, timers, children, handlers...) in
// deques, because elements must not move: other structures point at them. libstdc++'s deque
// allocates its map and a first 512-byte node when it is constructed, so a run with a dozen of
// them made two dozen allocations before its workflow did anything, and freed them after, on
// every run a worker builds (replays, queries and simulated seeds build many short runs).
//
// Contract: the operations below behave as std::deque's. References and pointers to elements
// stay valid under push_back/emplace_back and pop_front of other elements, as std::deque
// guarantees. begin() and end() of a deque that has never held an element compare equal and
// must not be passed to erase().
#ifndef LOCKSTEP_ENGINE_WORKFLOW_STABLE_DEQUE_H_
#define LOCKSTEP_ENGINE_WORKFLOW_STABLE_DEQUE_H_

#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

namespace lockstep::internal {

template <typename T>
class StableDeque {
 public:
  using iterator = typename std::deque<T>::iterator;
  using const_iterator = typename std::deque<T>::const_iterator;

  bool empty() const { return !items_.has_value() || items_->empty(); }
  size_t size() const { return items_.has_value() ? items_->size() : 0; }

  T& front() { return items_->front(); }
  const T& front() const { return items_->front(); }
  T& back() { return items_->back(); }
  const T& back() const { return items_->back(); }

  template <typename... Args>
  T& emplace_back(Args&&... args) {
    return Items().emplace_back(std::forward<Args>(args)...);
  }
  void push_back(const T& value) { Items().push_back(value); }
  void push_back(T&& value) { Items().push_back(std::move(value)); }
  void pop_front() { items_->pop_front(); }
  void clear() {
    if (items_.has_value()) items_->clear();
  }

  iterator begin() { return items_.has_value() ? items_->begin() : iterator(); }
  iterator end() { return items_.has_value() ? items_->end() : iterator(); }
  const_iterator begin() const { return items_.has_value() ? items_->begin() : const_iterator(); }
  const_iterator end() const { return items_.has_value() ? items_->end() : const_iterator(); }

  iterator erase(const_iterator position) { return items_->erase(position); }
  iterator erase(const_iterator first, const_iterator last) { return items_->erase(first, last); }

 private:
  std::deque<T>& Items() {
    if (!items_.has_value()) items_.emplace();
    return *items_;
  }

  std::optional<std::deque<T>> items_;
};

}  // namespace lockstep::internal

#endif  // LOCKSTEP_ENGINE_WORKFLOW_STABLE_DEQUE_H_
