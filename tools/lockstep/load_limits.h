// The budget for loading history files (history_file.h, LoadOptions), as command-line options
// shared by `lockstep show` and `lockstep replay`, so both take the same flags with the same
// defaults and messages:
//   --max-file-bytes N     a file (or stream) larger than N bytes is refused before parsing
//   --max-payload-bytes N  a payload larger than N bytes, in any JSON or binary form
//   --max-events N         a history of more than N events
// Each takes a positive integer; docs/history-json.md explains the defaults.
#ifndef LOCKSTEP_TOOLS_LOCKSTEP_LOAD_LIMITS_H_
#define LOCKSTEP_TOOLS_LOCKSTEP_LOAD_LIMITS_H_

#include "CLI/CLI.hpp"
#include "engine/history/history_file.h"

namespace lockstep::cli {

// Declares the three options on `app`, bound to `options` (which must outlive parsing).
void AddLoadLimitOptions(CLI::App& app, history::LoadOptions* options);

}  // namespace lockstep::cli

#endif  // LOCKSTEP_TOOLS_LOCKSTEP_LOAD_LIMITS_H_
