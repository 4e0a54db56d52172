// SDK flags: which of an SDK's changed behaviours the recorded tasks of a history followed.
//
// When a Temporal SDK changes something replay depends on, it marks the workflow tasks that
// use the new behaviour: WorkflowTaskCompleted.sdk_metadata lists the flags (core_used_flags
// for Temporal's Rust sdk-core, lang_used_flags for the language SDK on top of it, whose
// numbers mean something different in each language) and names the SDK (sdk_name, written
// when it changes). A history whose tasks lack a flag was recorded with the older behaviour,
// and a replayer must reproduce that. A flag, once a task used it, stays on for every later
// task of the run (sdk-core's internal_flags.rs, InternalFlags::add_from_complete and
// try_use; Python's _workflow_instance.py and .NET's WorkflowInstance.cs read the same
// accumulated set, available_internal_flags).
//
// Lockstep itself always behaves the new way; SdkFlags says where a replayed task must not.
// A behaviour is old only for the SDKs that ever had the old one (kFlagRules, data, tested
// row by row): a Go, Java or Lockstep history follows the new behaviour whatever its flags.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_SDK_FLAGS_H_
#define LOCKSTEP_ENGINE_WORKFLOW_SDK_FLAGS_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep {

enum class SdkBehaviour {
  // sdk-core's MoveTerminalCommands (core flag 3; temporalio/features#481): every command of
  // an activation is sent, and the first terminal one (complete, fail, cancel, continue as
  // new) moved last. Before it, core dropped the commands lang issued after the terminal
  // one. .NET's ReorderWorkflowCompletion (its lang flag 1) did the same earlier.
  kCommandsAfterCompletionKept,
  // Python's RAISE_ON_CANCELLING_COMPLETED_ACTIVITY (its lang flag 1): an activity whose
  // result and whose cancellation reach the code in the same activation ends canceled.
  // Before it, Python returned the result.
  kCancelBeatsSameTaskActivityResult,
  // Python's PROCESS_WORKFLOW_ACTIVATION_JOBS_AS_SINGLE_BATCH and .NET's
  // ApplyModernEventLoopLogic (lang flag 2 of each): every job of an activation is applied,
  // then the coroutines run. Before them Python ran its event loop after each group of jobs
  // (signals and updates, then the rest), .NET after each job (ActivationOrder says which).
  kJobsAppliedAsOneBatch,
};

// When a replayed activation delivers the workflow's cancellation, relative to the jobs that
// resolve operations (activity results, timers).
enum class CancelTiming {
  kInHistoryOrder,  // Lockstep, and every SDK but Python
  kFirst,           // Python with its lang flag 1: the cancellation beats a same-task result
  kLast,            // Python without it: the result wins
};

// How a replayed activation interleaves applying its jobs with running the coroutines.
enum class ActivationOrder {
  kOneBatch,     // Lockstep, and the new form of kJobsAppliedAsOneBatch
  kPerJobGroup,  // Python without its flag 2: signals and updates, run; the rest, run
  kPerJob,       // .NET without its flag 2: each job, then run
};

// Which SDKs had the old behaviour, and the flag that marks tasks with the new one.
struct SdkFlagRule {
  SdkBehaviour behaviour;
  // The SDK family the rule is for: "core" for every SDK built on sdk-core, else one SDK's
  // sdk_name ("temporal-python", "temporal-dotnet").
  absl::string_view sdk;
  bool core_flag;  // a core_used_flags number; else a lang_used_flags number
  uint32_t flag;
};

// Every rule; a behaviour is on for a task when any rule of its SDK has its flag recorded.
absl::Span<const SdkFlagRule> SdkFlagRules();

// sdk_name of the SDKs built on sdk-core (and of core's own test SDK).
bool IsCoreSdkName(absl::string_view sdk_name);

class SdkFlags {
 public:
  // Adds what a WorkflowTaskCompleted event records. Idempotent: a task's completion may be
  // observed before its activation is replayed and again when its event is processed.
  void Observe(const temporal::api::history::v1::WorkflowTaskCompletedEventAttributes& completed);

  // Whether a replayed task (every task observed so far, including its own completion)
  // follows `behaviour`'s new form. True for histories of SDKs that never had the old one.
  bool Follows(SdkBehaviour behaviour) const;

  // When a replayed task delivers the workflow's cancellation.
  CancelTiming Cancel() const;
  // How a replayed task applies its jobs (kOneBatch unless the SDK's old form applies).
  ActivationOrder Order() const;
  // Whether every waiting condition that holds is resolved before any code they unblock runs
  // (Python always; .NET before its flag 2), rather than the first that holds, whose code
  // runs before the others are asked again (Lockstep, .NET's new form).
  bool ResolvesSatisfiedConditionsTogether() const;

  // For a history of an sdk-core based SDK: what its SDK did that Lockstep does not
  // reproduce, one phrase each (an older behaviour its tasks' missing flags say it had, and
  // flags Lockstep does not know). Empty for other histories.
  std::vector<std::string> UnmodeledBehaviours() const;

  // The last sdk_name recorded ("" if none), and whether the history is sdk-core's (a core
  // flag, or a core-based SDK's name).
  const std::string& sdk_name() const { return sdk_name_; }
  bool core_based() const { return core_based_; }

 private:
  std::string sdk_name_;
  bool core_based_ = false;
  std::set<uint32_t> core_flags_;
  std::set<uint32_t> lang_flags_;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_SDK_FLAGS_H_
