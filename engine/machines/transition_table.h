// A state machine's transitions as data: (from, trigger) -> to.
//
// Every command kind's machine opens with its table, so the allowed sequences of events are
// readable in one place and a test can walk every row. A trigger with no row for the current
// state is an error the caller reports (an event the history should not contain at that
// point, or a call the workflow should not make).
//
// Coverage: a TransitionObserver installed for the current thread (SetTransitionObserver) is
// told of every transition taken, by table name and row. Nothing in the engine installs one;
// the simulator does, to report which rows its seeds reached.
#ifndef LOCKSTEP_ENGINE_MACHINES_TRANSITION_TABLE_H_
#define LOCKSTEP_ENGINE_MACHINES_TRANSITION_TABLE_H_

#include <cstddef>
#include <optional>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace lockstep::machines {

class TransitionObserver {
 public:
  virtual ~TransitionObserver() = default;
  // `row` indexes the table's rows (of `rows`); called after the row matched.
  virtual void OnTransition(absl::string_view table, size_t row, size_t rows) = 0;
};

namespace internal {
inline thread_local TransitionObserver* transition_observer = nullptr;
}  // namespace internal

// Installs `observer` for transitions taken on this thread (null: none); returns the previous
// one. The observer must outlive its installation.
inline TransitionObserver* SetTransitionObserver(TransitionObserver* observer) {
  TransitionObserver* previous = internal::transition_observer;
  internal::transition_observer = observer;
  return previous;
}

template <typename State, typename Trigger>
struct Transition {
  State from;
  Trigger trigger;
  State to;
};

template <typename State, typename Trigger>
class TransitionTable {
 public:
  // `name` names the machine ("activity") in coverage reports.
  template <size_t N>
  constexpr TransitionTable(absl::string_view name, const Transition<State, Trigger> (&rows)[N])
      : name_(name), rows_(rows, N) {}

  std::optional<State> Next(State from, Trigger trigger) const {
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (rows_[i].from != from || rows_[i].trigger != trigger) continue;
      if (TransitionObserver* observer = internal::transition_observer) {
        observer->OnTransition(name_, i, rows_.size());
      }
      return rows_[i].to;
    }
    return std::nullopt;
  }

  absl::string_view name() const { return name_; }
  absl::Span<const Transition<State, Trigger>> rows() const { return rows_; }

 private:
  absl::string_view name_;
  absl::Span<const Transition<State, Trigger>> rows_;
};

}  // namespace lockstep::machines

#endif  // LOCKSTEP_ENGINE_MACHINES_TRANSITION_TABLE_H_
