#include "tools/lockstep/run_file_name.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace lockstep::cli {
namespace {

void AppendEscaped(absl::string_view id, std::string* out) {
  for (const char c : id) {
    const auto byte = static_cast<unsigned char>(c);
    const bool starts_name = out->empty();
    if (absl::ascii_isalnum(byte) || c == '-' || (c == '.' && !starts_name)) {
      out->push_back(c);
    } else {
      absl::StrAppendFormat(out, "%%%02X", byte);
    }
  }
}

// FNV-1a, 64 bits: stable across builds and platforms, which std::hash is not.
uint64_t Fnv1a(absl::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace

std::string RunFileName(absl::string_view workflow_id, absl::string_view run_id,
                        absl::string_view extension) {
  std::string stem;
  AppendEscaped(workflow_id, &stem);
  stem.push_back('_');
  AppendEscaped(run_id, &stem);
  if (stem.size() + extension.size() <= kMaxFileNameBytes) return absl::StrCat(stem, extension);

  const std::string tail = absl::StrFormat("~%016x", Fnv1a(stem));
  size_t keep = kMaxFileNameBytes - tail.size() - extension.size();
  // Not inside an escape: a '%' is always followed by two hex digits.
  if (keep >= 1 && stem[keep - 1] == '%') {
    keep -= 1;
  } else if (keep >= 2 && stem[keep - 2] == '%') {
    keep -= 2;
  }
  return absl::StrCat(absl::string_view(stem).substr(0, keep), tail, extension);
}

}  // namespace lockstep::cli
