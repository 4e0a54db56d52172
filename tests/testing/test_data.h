// Where tests find their data files and scratch space.
//
// LOCKSTEP_TESTDATA_DIR is set by the build: the absolute tests/data path under CMake, the
// runfiles-relative "tests/data" under Bazel.
#ifndef LOCKSTEP_TESTS_TESTING_TEST_DATA_H_
#define LOCKSTEP_TESTS_TESTING_TEST_DATA_H_

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace lockstep::testing {

inline std::string TestDataPath(std::string_view relative) {
  return std::string(LOCKSTEP_TESTDATA_DIR) + "/" + std::string(relative);
}

// The files of a test data folder with the given extension, sorted by name.
inline std::vector<std::string> TestDataFiles(std::string_view folder, std::string_view ext) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(TestDataPath(folder))) {
    if (entry.path().extension() == ext) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A fresh, empty directory for one test.
inline std::string ScratchDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  std::replace(name.begin(), name.end(), '/', '_');
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "lockstep" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace lockstep::testing

#endif  // LOCKSTEP_TESTS_TESTING_TEST_DATA_H_
