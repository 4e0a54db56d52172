#include "engine/workflow/context.h"

#include <cstdio>
#include <utility>

#include "engine/workflow/run_internal.h"
#include "engine/workflow/workflow_run.h"

namespace lockstep {

using run_internal::SetDuration;

// ---------------------------------------------------------------------------------------
// WorkflowContext

const WorkflowInfo& WorkflowContext::info() const { return run_->info_; }

Future<Payloads> WorkflowContext::ScheduleActivity(const std::string& type,
                                                   const ActivityOptions& options, Payloads input,
                                                   SourceLocation where) {
  return run_->ScheduleActivity(type, options, std::move(input), where);
}

internal::YieldAwaiter WorkflowContext::Yield() {
  return internal::YieldAwaiter(run_->scope_scheduler());
}

Future<void> WorkflowContext::Sleep(absl::Duration duration, SourceLocation where) {
  return run_->StartTimer(duration, where);
}

Future<void> WorkflowContext::WaitConditionRaw(std::function<bool()> condition) {
  return run_->AddCondition(std::move(condition));
}

Future<bool> WorkflowContext::WaitConditionRaw(std::function<bool()> condition,
                                               absl::Duration timeout, SourceLocation where) {
  Future<void> met = run_->AddCondition(std::move(condition));
  Future<void> timer = run_->StartTimer(timeout, where);
  auto [result, resolver] = Future<bool>::Make(met.scheduler());
  // Whichever ends first decides and cancels the other; if it ended by cancellation (the
  // scope was canceled), so does the wait.
  met.OnReady([met, timer, resolver = resolver]() mutable {
    if (met.failed()) {
      resolver.SetError(met.error());
    } else {
      resolver.SetValue(true);
    }
    timer.Cancel();
  });
  timer.OnReady([timer, met, resolver = resolver]() mutable {
    if (timer.failed()) {
      resolver.SetError(timer.error());
    } else {
      resolver.SetValue(false);
    }
    met.Cancel();
  });
  return result;
}

void WorkflowContext::SetRawSignalHandler(std::string name,
                                          std::function<Task<void>(const Payloads&)> handler) {
  run_->SetSignalHandler(std::move(name), std::move(handler));
}

void WorkflowContext::SetRawQueryHandler(std::string name,
                                         std::function<Payloads(const Payloads&)> handler) {
  run_->SetQueryHandler(std::move(name), std::move(handler));
}

Payloads WorkflowContext::RecordSideEffect(const std::function<Payloads()>& fn,
                                           SourceLocation where) {
  return run_->RecordSideEffect(fn, where);
}

Payloads WorkflowContext::RecordMutableSideEffect(
    const std::string& id,
    const std::function<std::optional<Payloads>(const Payloads* current)>& next_value,
    SourceLocation where) {
  return run_->RecordMutableSideEffect(id, next_value, where);
}

absl::Time WorkflowContext::Now() const { return run_->now_; }

uint64_t WorkflowContext::Random() { return run_->prng_.Next(); }

std::string WorkflowContext::NewUuid() {
  const uint64_t hi = (Random() & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  const uint64_t lo = (Random() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

bool WorkflowContext::IsReplaying() const { return run_->replaying_; }

CancellationScope WorkflowContext::NewCancellationScope() {
  return CancellationScope(run_->NewScope(run_->CurrentScope()));
}

CancellationScope WorkflowContext::NewDetachedCancellationScope() {
  return CancellationScope(run_->NewScope(nullptr));
}

CancellationScope WorkflowContext::CurrentCancellationScope() {
  return CancellationScope(run_->CurrentScope());
}

bool WorkflowContext::IsCancelRequested() const { return run_->cancel_requested_; }

void WorkflowContext::ThrowContinueAsNew(const ContinueAsNewOptions& options, Payloads input) {
  run_->CheckMayIssueCommand("ContinueAsNew", SourceLocation());
  temporal::api::command::v1::ContinueAsNewWorkflowExecutionCommandAttributes a;
  a.mutable_workflow_type()->set_name(options.workflow_type.empty()
                                          ? run_->info_.workflow_type
                                          : std::string(options.workflow_type));
  a.mutable_task_queue()->set_name(options.task_queue.empty() ? run_->info_.task_queue
                                                              : std::string(options.task_queue));
  *a.mutable_input() = std::move(input);
  if (options.run_timeout > absl::ZeroDuration()) {
    SetDuration(options.run_timeout, a.mutable_workflow_run_timeout());
  }
  if (options.task_timeout > absl::ZeroDuration()) {
    SetDuration(options.task_timeout, a.mutable_workflow_task_timeout());
  }
  throw ContinueAsNewRequest(std::move(a));
}

void WorkflowContext::Log(absl::string_view message) {
  if (run_->replaying_ || !run_->options_.log_sink) return;
  run_->options_.log_sink(std::string(message));
}

}  // namespace lockstep
