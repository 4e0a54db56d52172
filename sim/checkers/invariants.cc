#include "sim/checkers/invariants.h"

#include <exception>
#include <string>

#include "absl/strings/str_cat.h"

namespace lockstep::sim {

std::vector<Finding> CheckInvariants(absl::Span<const Invariant> invariants, const RunView& run) {
  std::vector<Finding> findings;
  for (const Invariant& invariant : invariants) {
    absl::Status status;
    try {
      status = invariant.check(run);
    } catch (const std::exception& e) {
      status = absl::InternalError(absl::StrCat("the invariant threw: ", e.what()));
    }
    if (status.ok()) continue;
    Finding f;
    f.checker = "invariant";
    f.invariant = invariant.name;
    f.message = std::string(status.message());
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace lockstep::sim
