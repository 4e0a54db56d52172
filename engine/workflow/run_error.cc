#include "engine/workflow/run_error.h"

namespace lockstep {

absl::string_view RunErrorKindName(RunError::Kind kind) {
  switch (kind) {
    case RunError::Kind::kNondeterminism:
      return "nondeterminism";
    case RunError::Kind::kCorruptHistory:
      return "corrupt-history";
    case RunError::Kind::kUnsupportedFeature:
      return "unsupported-feature";
    case RunError::Kind::kWorkflowCodeThrew:
      return "workflow-code-threw";
    case RunError::Kind::kUnknownWorkflowType:
      return "unknown-workflow-type";
  }
  return "unknown";
}

absl::Status ToStatus(const RunError& error) {
  switch (error.kind) {
    case RunError::Kind::kNondeterminism:
      return absl::FailedPreconditionError(error.message);
    case RunError::Kind::kCorruptHistory:
      return absl::InvalidArgumentError(error.message);
    case RunError::Kind::kUnsupportedFeature:
      return absl::UnimplementedError(error.message);
    case RunError::Kind::kWorkflowCodeThrew:
      return absl::InternalError(error.message);
    case RunError::Kind::kUnknownWorkflowType:
      return absl::NotFoundError(error.message);
  }
  return absl::UnknownError(error.message);
}

}  // namespace lockstep
