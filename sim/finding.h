// What a checker reports: one broken invariant, named so a person knows where to look.
#ifndef LOCKSTEP_SIM_FINDING_H_
#define LOCKSTEP_SIM_FINDING_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace lockstep::sim {

struct Finding {
  // The checker: "history_valid", "replay", "signal_ledger", "query_purity", "liveness",
  // "invariant" (with the invariant's name in `invariant`), "determinism", "harness".
  std::string checker;
  std::string invariant;    // the user invariant's name, for checker "invariant"
  std::string workflow_id;  // the workflow it concerns, if one
  std::string message;      // what was expected and what happened
  absl::Time at = absl::InfinitePast();  // the virtual time it was seen, if known
  // What went wrong, without ids, times or numbers ("workflow task failing: the total went
  // over N"), when the checker can say more than its name: shrinking keeps a failure only
  // while its checker, invariant and cause stay the same (shrink.h). Empty: the checker's
  // name says it all.
  std::string cause;

  // "replay: order-1: ..." on one line: the message's first line.
  std::string Headline() const;
  // The same with the whole message, its line breaks as spaces.
  std::string OneLine() const;
};

// `text` with every run of digits as "N": a message's shape, for Finding::cause.
std::string WithoutNumbers(absl::string_view text);

// A virtual time as reports print it: "2024-01-01T04:00:00.000Z" (UTC, milliseconds).
std::string FormatReportTime(absl::Time t);

}  // namespace lockstep::sim

#endif  // LOCKSTEP_SIM_FINDING_H_
