#include "engine/workflow/registry.h"

#include "absl/strings/str_cat.h"

namespace lockstep {

absl::Status Registry::RegisterRawWorkflow(std::string name, WorkflowFunction fn) {
  if (name.empty()) return absl::InvalidArgumentError("workflow type name is empty");
  if (!workflows_.emplace(name, std::move(fn)).second) {
    return absl::AlreadyExistsError(
        absl::StrCat("workflow type \"", name, "\" is already registered"));
  }
  return absl::OkStatus();
}

absl::Status Registry::RegisterRawActivity(std::string name, ActivityFunction fn) {
  if (name.empty()) return absl::InvalidArgumentError("activity type name is empty");
  if (!activities_.emplace(name, std::move(fn)).second) {
    return absl::AlreadyExistsError(
        absl::StrCat("activity type \"", name, "\" is already registered"));
  }
  return absl::OkStatus();
}

const WorkflowFunction* Registry::FindWorkflow(const std::string& name) const {
  auto it = workflows_.find(name);
  return it == workflows_.end() ? nullptr : &it->second;
}

const ActivityFunction* Registry::FindActivity(const std::string& name) const {
  auto it = activities_.find(name);
  return it == activities_.end() ? nullptr : &it->second;
}

std::vector<std::string> Registry::WorkflowTypes() const {
  std::vector<std::string> names;
  for (const auto& [name, fn] : workflows_) names.push_back(name);
  return names;
}

std::vector<std::string> Registry::ActivityTypes() const {
  std::vector<std::string> names;
  for (const auto& [name, fn] : activities_) names.push_back(name);
  return names;
}

}  // namespace lockstep
