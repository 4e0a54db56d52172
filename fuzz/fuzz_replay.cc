// fuzz_replay: hostile histories through `lockstep replay --every-task`.
//
// The bytes are saved as FILE.json and replayed in-process with `lockstep replay --every-task
// --jobs 1 FILE` (tools/lockstep/replay_command.cc): the loader validates each history, the
// built-in registry (tools/lockstep/builtin_registry.h) picks the workflow code for it (an
// example, or the port of a recorded Temporal workflow), and the replayer runs that code
// against the history, evicting it from the cache at every workflow task boundary and
// comparing the commands it issues with the recorded ones; output discarded.
// Inputs that are not JSON or do not validate stop at the loader (exit 2), which is a cheap
// rejection, so the fuzzer is left to find the ones that reach workflow code.
// Not a bug: nondeterminism (exit 1) and a history that cannot be replayed (exit 2); they are
// the replayer's normal reports. A bug: a crash, sanitizer report, leak, hang (-timeout),
// memory blow-up (-rss_limit_mb), or an exit status other than 0, 1 and 2.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "fuzz/fuzz_support.h"
#include "tools/cli_parse/command_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string path = lockstep::fuzz::WriteInputFile("input.json", bytes);
  lockstep::fuzz::RunLockstep(
      {"replay", "--every-task", "--jobs", "1", path},
      {lockstep::cli::kExitOk, lockstep::cli::kExitFound, lockstep::cli::kExitUsage});
  return 0;
}
