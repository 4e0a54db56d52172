// StoreRecorder: a step observer (engine/service/step_observer.h) that writes what every
// service step appended to a HistoryStore (history_store.h), one Commit per step, so the store
// holds every run's history as the service does, step by step, all of a step or none of it.
//
// Each run a step touched becomes one RunAppend: its new events as stored in the service's log
// (AppendedEvents::log; serialized deterministically here when no log is given), the workflow
// type from WorkflowExecutionStarted for a new run, and the status its last event leaves it in.
// The step's activity attempt states (StepRecord::activity_attempts, which the recorder asks
// for) go into the RunAppend of their run, or one of their own with no events, and every
// activity close event among the step's events drops that activity's state
// (RunAppend::closed_activities): the store holds each pending activity's attempt state with
// the history it goes with, in one transaction. Steps that appended nothing and changed no
// attempt write nothing. Attach it before the service's first step, or to
// a service recovered from the same store (store_recovery.h) before it runs: its runs then
// hold every stored event, and it appends after them. Otherwise the store refuses a run it is
// first shown after event 1.
//
// Errors: OnStep cannot return one, so the first failed Commit is kept (status()) and the
// recorder writes nothing after it: a history with a gap in the middle would be worse than one
// that stops, and the store's sequence check would refuse the next batch of the run anyway.
// The caller checks status() (after a run, or after every step where it must stop at once).
// Not thread-safe: attach it to one service, which calls it on its own thread.
#ifndef LOCKSTEP_ENGINE_STORE_STORE_RECORDER_H_
#define LOCKSTEP_ENGINE_STORE_STORE_RECORDER_H_

#include <cstdint>

#include "absl/status/status.h"
#include "engine/service/step_observer.h"
#include "engine/store/history_store.h"

namespace lockstep::store {

class StoreRecorder : public StepObserver {
 public:
  // `store` must outlive the recorder.
  explicit StoreRecorder(HistoryStore* store) : store_(store) {}

  void OnStep(const StepRecord& step) override;
  bool WantsActivityAttempts() const override { return true; }

  // OK, or the first error; once it is not OK nothing more is written.
  const absl::Status& status() const { return status_; }
  // Batches committed and the events in them.
  int64_t batches() const { return batches_; }
  int64_t events() const { return events_; }
  // Activity attempt states written (one per activity and step that changed it).
  int64_t activity_attempts() const { return activity_attempts_; }

 private:
  HistoryStore* store_;
  absl::Status status_;
  // Reused from step to step, so that its strings keep their capacity.
  StoreBatch batch_;
  int64_t batches_ = 0;
  int64_t events_ = 0;
  int64_t activity_attempts_ = 0;
};

}  // namespace lockstep::store

#endif  // LOCKSTEP_ENGINE_STORE_STORE_RECORDER_H_
