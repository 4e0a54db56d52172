// fuzz_binary_load: arbitrary bytes as a binary history file (a serialized
// temporal.api.history.v1.History), through what `lockstep show` does.
//
// Checks, on every input:
//   - ParseHistoryBinary (engine/history/history_file.h) on the bytes, then FindProblems and
//     ValidateHistory (validate.h) on the history;
//   - `lockstep show FILE`, `lockstep show --json FILE` and `lockstep show --no-validate FILE`
//     run in-process on the bytes saved as FILE.pb (binary by its extension): loading onto an
//     arena, validation, the table (event summaries, elapsed times) and the JSON writer, which
//     here meets values no JSON input can produce; output discarded;
//   - that the file loads exactly when the bytes parse, and passes `show` exactly when the
//     history validates;
//   - that the payload size limit holds: loaded with a 16-byte limit, the file is refused or
//     has no larger payload.
// A bug: a crash, sanitizer report, leak, hang or memory blow-up; an exit status other than
// 0 or 2; the two paths disagreeing; or a payload over the limit. Rejecting the input is not.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "engine/history/history_file.h"
#include "engine/history/validate.h"
#include "fuzz/fuzz_support.h"

namespace {

constexpr absl::string_view kTarget = "fuzz_binary_load";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);

  const auto history = lockstep::history::ParseHistoryBinary(bytes, "input.pb");
  bool valid = history.ok();
  if (history.ok()) {
    lockstep::history::FindProblems(*history);
    valid = lockstep::history::ValidateHistory(*history, "input.pb").ok();
  }

  lockstep::fuzz::ShowAndCompare(kTarget, "input.pb", bytes, history.ok(), valid);
  return 0;
}
