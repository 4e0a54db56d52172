// The file name `lockstep export` gives a run's history: `<workflow id>_<run id><extension>`,
// safe on any file system and distinct for distinct runs.
//
// Each id keeps its ASCII letters, digits, '-' and '.'; every other byte ('/', '_', '%',
// spaces, non-ASCII bytes, ...) becomes %XX, its value in upper-case hex, and so does a '.'
// that would start the name (no hidden files, never "." or ".."). The escape of '_' keeps the
// one '_' between the ids unambiguous, so the name can be decoded back to the two ids.
// A name longer than 255 bytes (the usual NAME_MAX) is cut to fit, at an escape's boundary,
// and ends in '~' and 16 hex digits of a hash of the whole name, so long ids that share a
// prefix still get distinct names; '~' appears in no other name.
#ifndef LOCKSTEP_TOOLS_LOCKSTEP_RUN_FILE_NAME_H_
#define LOCKSTEP_TOOLS_LOCKSTEP_RUN_FILE_NAME_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace lockstep::cli {

inline constexpr size_t kMaxFileNameBytes = 255;

// `extension` includes its dot (".binpb", ".json").
std::string RunFileName(absl::string_view workflow_id, absl::string_view run_id,
                        absl::string_view extension);

}  // namespace lockstep::cli

#endif  // LOCKSTEP_TOOLS_LOCKSTEP_RUN_FILE_NAME_H_
