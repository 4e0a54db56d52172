// fuzz_json_load: arbitrary bytes as a JSON history file, through what `lockstep show` does.
//
// Checks, on every input:
//   - ParseHistoriesJson (engine/history/json_reader.h) on the bytes, then FindProblems and
//     ValidateHistory (validate.h) on every history it returns;
//   - `lockstep show FILE`, `lockstep show --json FILE` and `lockstep show --no-validate FILE`
//     run in-process on the bytes saved as FILE.json: the memory-mapped, in-place parse
//     (ParseHistoriesJsonPadded), validation, the table (event summaries, elapsed times) and
//     the JSON writer; output discarded;
//   - that the two parses agree: the file parses (show --no-validate succeeds) exactly when
//     the bytes do, and it passes validation (show succeeds) exactly when every history does;
//   - that the payload size limit holds: loaded with a 16-byte limit, the file is refused or
//     has no larger payload, whatever form (base64, decoded, bare value) its payloads take.
// A bug: a crash, sanitizer report, leak, hang or memory blow-up; an exit status other than
// 0 or 2; the parses disagreeing; or a payload over the limit. Rejecting the input (exit 2, an
// error status) is not: the reader and validator are meant to turn garbage away with a message.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "engine/history/json_reader.h"
#include "engine/history/validate.h"
#include "fuzz/fuzz_support.h"

namespace {

constexpr absl::string_view kTarget = "fuzz_json_load";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);

  const auto histories = lockstep::history::ParseHistoriesJson(bytes, "input.json");
  bool all_valid = histories.ok();
  if (histories.ok()) {
    for (size_t i = 0; i < histories->size(); ++i) {
      lockstep::history::FindProblems((*histories)[i]);
      if (!lockstep::history::ValidateHistory((*histories)[i], "input.json").ok()) {
        all_valid = false;
      }
    }
  }

  lockstep::fuzz::ShowAndCompare(kTarget, "input.json", bytes, histories.ok(), all_valid);
  return 0;
}
