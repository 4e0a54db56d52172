// A state machine's transitions as data: (from, trigger) -> to.
//
// Every command kind's machine opens with its table, so the allowed sequences of events are
// readable in one place and a test can walk every row. A trigger with no row for the current
// state is an error the caller reports (an event the history should not contain at that
// point, or a call the workflow should not make).
#ifndef LOCKSTEP_ENGINE_MACHINES_TRANSITION_TABLE_H_
#define LOCKSTEP_ENGINE_MACHINES_TRANSITION_TABLE_H_

#include <cstddef>
#include <optional>

#include "absl/types/span.h"

namespace lockstep::machines {

template <typename State, typename Trigger>
struct Transition {
  State from;
  Trigger trigger;
  State to;
};

template <typename State, typename Trigger>
class TransitionTable {
 public:
  template <size_t N>
  constexpr explicit TransitionTable(const Transition<State, Trigger> (&rows)[N])
      : rows_(rows, N) {}

  std::optional<State> Next(State from, Trigger trigger) const {
    for (const auto& row : rows_) {
      if (row.from == from && row.trigger == trigger) return row.to;
    }
    return std::nullopt;
  }

  absl::Span<const Transition<State, Trigger>> rows() const { return rows_; }

 private:
  absl::Span<const Transition<State, Trigger>> rows_;
};

}  // namespace lockstep::machines

#endif  // LOCKSTEP_ENGINE_MACHINES_TRANSITION_TABLE_H_
