// What the fuzz targets share: driving `lockstep` subcommands in-process on the fuzzer's bytes,
// as a user's file, with their output thrown away.
//
// The subcommands take file names, not bytes, so the bytes go to a file in a directory of this
// process's own (under $TMPDIR, else /dev/shm, else /tmp), removed at exit. Going through a
// file keeps the loader's real path (memory-mapped input, format chosen by extension) in the
// fuzzed code.
//
// fuzz_support.cc also defines LLVMFuzzerInitialize (it silences protobuf's log lines), so the
// targets must not.
#ifndef LOCKSTEP_FUZZ_FUZZ_SUPPORT_H_
#define LOCKSTEP_FUZZ_FUZZ_SUPPORT_H_

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace lockstep::fuzz {

// Writes `bytes` to `name` (a plain file name, no directory) in the process's fuzz directory,
// replacing what was there; returns the full path. Aborts if the file cannot be written: that
// is a broken machine, not a finding.
std::string WriteInputFile(absl::string_view name, absl::string_view bytes);

// Runs `lockstep args...` in-process (tools/lockstep/command.h) with stdout and stderr
// discarded (formatting still runs: the renderers are part of what is fuzzed). Aborts unless
// the exit status is one of `allowed`.
int RunLockstep(const std::vector<std::string>& args, std::initializer_list<int> allowed);

// Loads `path` (LoadHistoryFile, without validation) with a payload size limit small enough
// for the fuzzer's inputs to cross, and aborts if the load succeeds while some payload's data
// is over it: the limit must hold for every form a payload can take in JSON and in binary
// (docs/history-json.md), or a small hostile file could still expand past it.
void CheckPayloadLimit(absl::string_view target, const std::string& path);

// What the load targets check of `lockstep show` on one input: saves `bytes` as `name`, runs
// `show`, `show --json` and `show --no-validate` on it (exit 0 or 2 allowed), checks the
// payload limit (CheckPayloadLimit), and then, for inputs of at most 512 KiB, that the file
// loader agreed with the target's direct parse: the file parses exactly when `parsed` and
// passes validation exactly when `valid`. Larger inputs can meet the loader's file-size and
// event-count limits (history_file.h), which the direct parse does not have; every such limit
// lies above 512 KiB (an event takes at least two bytes in binary and three in JSON).
void ShowAndCompare(absl::string_view target, absl::string_view name, absl::string_view bytes,
                    bool parsed, bool valid);

// Reports a failed check on stderr and aborts, so that libFuzzer saves the input as a crash.
[[noreturn]] void Fail(absl::string_view target, absl::string_view message);

}  // namespace lockstep::fuzz

#endif  // LOCKSTEP_FUZZ_FUZZ_SUPPORT_H_
