// fuzz_json_roundtrip: what Lockstep writes as JSON, it reads back unchanged.
//
// For every history in the input that ParseHistoriesJson (engine/history/json_reader.h)
// accepts and ValidateHistory (validate.h) passes: HistoryToJson (json_writer.h) in both
// layouts (pretty and compact), then ParseHistoriesJson on that text, must give back exactly
// one history, equal to the first. Equality is byte equality of SerializeHistoryBinary
// (history_file.h), which is deterministic, so it also covers map fields.
// A bug: a crash, sanitizer report, leak, hang or memory blow-up; the writer's output
// rejected by the reader; or a history that comes back different (abort with the first
// differing byte and both histories as JSON). Inputs the reader rejects, and histories the
// validator rejects, are skipped: the writer's contract covers valid histories.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "engine/history/history_file.h"
#include "engine/history/json_reader.h"
#include "engine/history/json_writer.h"
#include "engine/history/validate.h"
#include "fuzz/fuzz_support.h"

namespace {

using lockstep::fuzz::Fail;
using lockstep::history::HistoryToJson;
using lockstep::history::JsonWriteOptions;
using lockstep::history::ParseHistoriesJson;
using lockstep::history::SerializeHistoryBinary;
using temporal::api::history::v1::History;

constexpr absl::string_view kTarget = "fuzz_json_roundtrip";
// Enough of each history's JSON in a failure message to see the difference in a small input,
// without flooding the log with a large one.
constexpr size_t kShownJsonBytes = 8192;

std::string Excerpt(const std::string& text) {
  if (text.size() <= kShownJsonBytes) return text;
  return absl::StrCat(text.substr(0, kShownJsonBytes), "... (", text.size(), " bytes)");
}

void CheckRoundTrip(const History& original, size_t index, const JsonWriteOptions& options) {
  const std::string layout = options.pretty ? "pretty" : "compact";
  const std::string json = HistoryToJson(original, options);
  const auto reread = ParseHistoriesJson(json, "written.json");
  if (!reread.ok()) {
    Fail(kTarget,
         absl::StrCat("history ", index, ": the reader rejected the writer's ", layout,
                      " JSON: ", reread.status().message(), "\nwritten:\n", Excerpt(json)));
  }
  if (reread->size() != 1) {
    Fail(kTarget, absl::StrCat("history ", index, ": the writer's ", layout, " JSON read back as ",
                               reread->size(), " histories\nwritten:\n", Excerpt(json)));
  }
  const std::string before = SerializeHistoryBinary(original);
  const std::string after = SerializeHistoryBinary((*reread)[0]);
  if (before != after) {
    const size_t common = std::min(before.size(), after.size());
    const size_t at = static_cast<size_t>(
        std::mismatch(before.begin(), before.begin() + static_cast<ptrdiff_t>(common),
                      after.begin())
            .first -
        before.begin());
    Fail(kTarget,
         absl::StrCat("history ", index, ": changed by a ", layout,
                      " JSON round trip; binary encodings (", before.size(), " and ", after.size(),
                      " bytes) differ from byte ", at, "\nwritten:\n", Excerpt(json),
                      "\nread back:\n", Excerpt(HistoryToJson((*reread)[0]))));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto histories = ParseHistoriesJson(bytes, "input.json");
  if (!histories.ok()) return 0;
  for (size_t i = 0; i < histories->size(); ++i) {
    const History& history = (*histories)[i];
    if (!lockstep::history::ValidateHistory(history, "input.json").ok()) continue;
    CheckRoundTrip(history, i, JsonWriteOptions{.pretty = true});
    CheckRoundTrip(history, i, JsonWriteOptions{.pretty = false});
  }
  return 0;
}
