#include "replay/gtest.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/history/history_file.h"
#include "replay/replayer.h"

namespace lockstep::replay {

::testing::AssertionResult ReplaysCleanly(const Registry& registry, const std::string& path) {
  std::vector<std::string> files;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
      const std::string ext = entry.path().extension().string();
      if (ext == ".json" || ext == ".pb" || ext == ".binpb") files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      return ::testing::AssertionFailure() << path << ": no history files in this directory";
    }
  } else {
    files.push_back(path);
  }
  std::string failures;
  int histories = 0;
  for (const std::string& file : files) {
    auto loaded = history::LoadHistoryFile(file);
    if (!loaded.ok()) {
      absl::StrAppend(&failures, loaded.status().message(), "\n");
      continue;
    }
    for (size_t i = 0; i < loaded->histories.size(); ++i) {
      ++histories;
      const std::string source =
          loaded->histories.size() > 1 ? absl::StrCat(file, "#", i + 1) : file;
      ReplayResult result = ReplayEveryTaskBoundary(registry, loaded->histories[i], source);
      if (result.outcome != Outcome::kClean) absl::StrAppend(&failures, FormatText(result));
    }
  }
  if (failures.empty()) {
    return ::testing::AssertionSuccess() << histories << " histories replay cleanly";
  }
  return ::testing::AssertionFailure() << "\n" << failures;
}

}  // namespace lockstep::replay
