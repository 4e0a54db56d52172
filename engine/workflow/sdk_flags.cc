#include "engine/workflow/sdk_flags.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace lockstep {

absl::Span<const SdkFlagRule> SdkFlagRules() {
  // sdk-core crates/sdk-core/src/internal_flags.rs (CoreInternalFlags::MoveTerminalCommands
  // = 3); sdk-dotnet src/Temporalio/Worker/WorkflowLogicFlag.cs (ReorderWorkflowCompletion
  // = 1); sdk-python temporalio/worker/_workflow_instance.py (_WorkflowLogicFlag.
  // RAISE_ON_CANCELLING_COMPLETED_ACTIVITY = 1).
  static constexpr SdkFlagRule kRules[] = {
      {SdkBehaviour::kCommandsAfterCompletionKept, "core", /*core_flag=*/true, 3},
      {SdkBehaviour::kCommandsAfterCompletionKept, "temporal-dotnet", /*core_flag=*/false, 1},
      {SdkBehaviour::kCancelBeatsSameTaskActivityResult, "temporal-python", /*core_flag=*/false, 1},
      // sdk-python _WorkflowLogicFlag.PROCESS_WORKFLOW_ACTIVATION_JOBS_AS_SINGLE_BATCH = 2
      // (WorkflowInstance.activate: job sets, _run_once after each); sdk-dotnet
      // WorkflowLogicFlag.ApplyModernEventLoopLogic = 2 (Activate: RunOnce after each job).
      {SdkBehaviour::kJobsAppliedAsOneBatch, "temporal-python", /*core_flag=*/false, 2},
      {SdkBehaviour::kJobsAppliedAsOneBatch, "temporal-dotnet", /*core_flag=*/false, 2},
  };
  return kRules;
}

bool IsCoreSdkName(absl::string_view sdk_name) {
  static constexpr absl::string_view kNames[] = {"temporal-core", "temporal-python",
                                                 "temporal-typescript", "temporal-dotnet",
                                                 "temporal-ruby"};
  return std::find(std::begin(kNames), std::end(kNames), sdk_name) != std::end(kNames);
}

void SdkFlags::Observe(
    const temporal::api::history::v1::WorkflowTaskCompletedEventAttributes& completed) {
  if (!completed.has_sdk_metadata()) return;
  const auto& metadata = completed.sdk_metadata();
  core_flags_.insert(metadata.core_used_flags().begin(), metadata.core_used_flags().end());
  lang_flags_.insert(metadata.lang_used_flags().begin(), metadata.lang_used_flags().end());
  // Called twice for every replayed task: the name is looked up only when it changes. Go and
  // Java write lang flags of their own, never core flags.
  if (!metadata.sdk_name().empty() && metadata.sdk_name() != sdk_name_) {
    sdk_name_ = metadata.sdk_name();
    core_based_ = core_based_ || IsCoreSdkName(sdk_name_);
  }
  core_based_ = core_based_ || metadata.core_used_flags_size() > 0;
}

bool SdkFlags::Follows(SdkBehaviour behaviour) const {
  bool had_old_form = false;
  for (const SdkFlagRule& rule : SdkFlagRules()) {
    if (rule.behaviour != behaviour) continue;
    const bool applies = rule.sdk == "core" ? core_based_ : rule.sdk == sdk_name_;
    if (!applies) continue;
    had_old_form = true;
    const std::set<uint32_t>& flags = rule.core_flag ? core_flags_ : lang_flags_;
    if (flags.contains(rule.flag)) return true;
  }
  return !had_old_form;
}

namespace {

// Older behaviours, marked by a missing flag, that Lockstep does not reproduce; and the flags
// Lockstep knows (the rules' and these). Sources as for SdkFlagRules, and for core flag 1
// IdAndTypeDeterminismChecks (sdk-core internal_flags.rs).
struct UnmodeledOldForm {
  absl::string_view sdk;
  bool core_flag;
  uint32_t flag;
  absl::string_view old_form;
};
constexpr UnmodeledOldForm kUnmodeled[] = {
    {"core", true, 1,
     "without core flag 1, sdk-core compared no ids or types of activities, local activities "
     "or child workflows"},
};
constexpr SdkFlagRule kKnownFlags[] = {
    {SdkBehaviour::kCommandsAfterCompletionKept, "core", true, 2},  // upsert after core_patch
};

bool Applies(absl::string_view sdk, bool core_based, const std::string& sdk_name) {
  return sdk == "core" ? core_based : sdk == sdk_name;
}

}  // namespace

CancelTiming SdkFlags::Cancel() const {
  // sdk-python _await_temporal_operation: once the operation's future is done, a cancellation
  // raises (flag 1) or is retried away, returning the result (before it), whatever the order
  // of the events.
  if (sdk_name_ != "temporal-python") return CancelTiming::kInHistoryOrder;
  return Follows(SdkBehaviour::kCancelBeatsSameTaskActivityResult) ? CancelTiming::kFirst
                                                                   : CancelTiming::kLast;
}

ActivationOrder SdkFlags::Order() const {
  if (Follows(SdkBehaviour::kJobsAppliedAsOneBatch)) return ActivationOrder::kOneBatch;
  return sdk_name_ == "temporal-dotnet" ? ActivationOrder::kPerJob : ActivationOrder::kPerJobGroup;
}

bool SdkFlags::ResolvesSatisfiedConditionsTogether() const {
  // sdk-python _run_once checks every condition in one pass, in both forms; sdk-dotnet's
  // legacy loop did too ("check all conditions at once and resolve all that are satisfied").
  if (sdk_name_ == "temporal-python") return true;
  return sdk_name_ == "temporal-dotnet" && !Follows(SdkBehaviour::kJobsAppliedAsOneBatch);
}

std::vector<std::string> SdkFlags::UnmodeledBehaviours() const {
  std::vector<std::string> out;
  if (!core_based_) return out;
  for (const UnmodeledOldForm& u : kUnmodeled) {
    if (!Applies(u.sdk, core_based_, sdk_name_)) continue;
    const std::set<uint32_t>& flags = u.core_flag ? core_flags_ : lang_flags_;
    if (!flags.contains(u.flag)) out.emplace_back(u.old_form);
  }
  auto known = [this](bool core_flag, uint32_t flag) {
    for (const SdkFlagRule& r : SdkFlagRules()) {
      if (r.core_flag == core_flag && r.flag == flag && Applies(r.sdk, core_based_, sdk_name_)) {
        return true;
      }
    }
    for (const SdkFlagRule& r : kKnownFlags) {
      if (r.core_flag == core_flag && r.flag == flag && Applies(r.sdk, core_based_, sdk_name_)) {
        return true;
      }
    }
    for (const UnmodeledOldForm& u : kUnmodeled) {
      if (u.core_flag == core_flag && u.flag == flag && Applies(u.sdk, core_based_, sdk_name_)) {
        return true;
      }
    }
    return false;
  };
  for (uint32_t f : core_flags_) {
    if (!known(true, f))
      out.push_back(absl::StrCat("core flag ", f, ", which Lockstep does not know"));
  }
  for (uint32_t f : lang_flags_) {
    if (!known(false, f)) {
      out.push_back(absl::StrCat(sdk_name_.empty() ? "the SDK's" : sdk_name_, " flag ", f,
                                 ", which Lockstep does not know"));
    }
  }
  return out;
}

}  // namespace lockstep
