// Replaying recorded histories against the current workflow code.
//
// ReplayHistory rebuilds a run from its history with the same WorkflowRun that executes
// workflows (so what replays cleanly here runs cleanly on a worker after a cache eviction),
// and reports the first point where the code and the history disagree:
//   missing-command   the history has a command event the code did not issue
//   extra-command     the code issued a command the history lacks
//   command-mismatch  the kind or identity (activity type and id, timer id, marker name)
//                     of the next command differs from the next command event
//   code-threw        the code threw (naming what: the workflow function, a signal or
//                     update handler, a condition) in a task the history recorded as completed
// A history that ends mid-run replays as far as it goes. Histories that use features this
// engine does not run (Nexus operations) come back as errors that name the event.
//
// Ids (activity, local activity and timer ids, child workflow ids) are compared strictly in
// histories Lockstep recorded (their WorkflowTaskCompleted events name the "lockstep" SDK);
// in histories recorded by other SDKs, which number them by their own schemes, everything but
// those ids is compared (IdRule in engine/workflow/workflow_run.h; ReplayOptions::id_rule
// overrides the choice).
#ifndef LOCKSTEP_REPLAY_REPLAYER_H_
#define LOCKSTEP_REPLAY_REPLAYER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/workflow/registry.h"
#include "engine/workflow/workflow_run.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::replay {

enum class Outcome {
  kClean,             // every command matched
  kNondeterministic,  // the code diverged from the history (exit status 1)
  kError,             // the history cannot be replayed here (unknown type, unsupported event)
};

struct ReplayOptions {
  // Replay only events 1..until_event_id (0: all).
  int64_t until_event_id = 0;
  // A workflow result that differs from the recorded one: a warning (the replay stays clean),
  // a failure (reported as result-mismatch, exit status 1), or not checked.
  enum class ResultCheck { kWarn, kFail, kOff };
  ResultCheck result_check = ResultCheck::kWarn;
  IdRule id_rule = IdRule::kAuto;
  // ReplayEveryTaskBoundary: the most events its replays may process in all. Each boundary
  // costs one replay of the whole history, so a history of T tasks and E events costs T x E;
  // past this budget, boundaries spread evenly over the history are checked instead of all.
  static constexpr int64_t kDefaultEveryTaskMaxEvents = 1'000'000;
  int64_t every_task_max_events = kDefaultEveryTaskMaxEvents;
};

struct ReplayResult {
  std::string source;  // file (and history number) it came from
  std::string workflow_type;
  // As the history records them; empty when it does not (text reports show "-", JSON null).
  std::string workflow_id;
  std::string run_id;
  Outcome outcome = Outcome::kClean;
  int64_t events = 0;  // events replayed
  std::optional<Nondeterminism> nondeterminism;
  std::string error;  // for kError
  std::vector<std::string> warnings;
};

ReplayResult ReplayHistory(const Registry& registry,
                           const temporal::api::history::v1::History& history,
                           absl::string_view source, const ReplayOptions& options = {});

// What a worker cache eviction at each workflow task boundary would do: for every workflow
// task the history shows completed, rebuild the run from the events before it, run that task
// as the live one, then feed the rest of the history. Returns the first result that is not
// clean (its source names the task's WorkflowTaskStarted event), or a clean result.
// Time grows as tasks x events: when checking every boundary would replay more than
// options.every_task_max_events events, that many events' worth of boundaries are checked,
// spread evenly from the first to the last, and the result carries a warning that names how
// many of how many (never fewer than two, the first and the last).
ReplayResult ReplayEveryTaskBoundary(const Registry& registry,
                                     const temporal::api::history::v1::History& history,
                                     absl::string_view source, const ReplayOptions& options = {});

// The stable code of a nondeterminism kind: "missing-command", "extra-command",
// "command-mismatch", "result-mismatch", "code-threw".
absl::string_view NondeterminismCode(Nondeterminism::Kind kind);

// A few lines for people: what differed, where in the history, which line of workflow code,
// and what usually causes it.
std::string FormatText(const ReplayResult& result);
// One JSON object per result, for tools.
std::string FormatJson(const ReplayResult& result);

}  // namespace lockstep::replay

#endif  // LOCKSTEP_REPLAY_REPLAYER_H_
