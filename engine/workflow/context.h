// WorkflowContext: everything workflow code may do, and the only way it touches the world.
//
//   Task<int> Counter(WorkflowContext& ctx, int target) {
//     int count = 0;
//     ctx.SetSignalHandler<int>("inc", [&](int n) { count += n; });
//     co_await ctx.ExecuteActivity<std::string>("greet", {.start_to_close_timeout =
//                                                        absl::Seconds(10)}, "peer");
//     co_await ctx.Sleep(absl::Seconds(1));
//     co_await ctx.WaitCondition([&] { return count >= target; });
//     co_return count;
//   }
//
// Contract:
//   - Deterministic: given the same history, the same calls happen in the same order. Time
//     (Now), randomness (Random, NewUuid) and side effects come from here, never from the
//     system; during replay they return what the history recorded.
//   - Every call that issues a command (ExecuteActivity, Sleep/StartTimer, SideEffect,
//     MutableSideEffect, the workflow's completion) captures the caller's source location, so a
//     nondeterminism report can name the line.
//   - Signal handlers run in history order, before the main coroutine continues in the same
//     workflow task. Signals that arrive before their handler is set are buffered and
//     delivered, in order, when it is.
//   - Query handlers read state: issuing a command from one throws QueryViolation, and a
//     handler whose answer changes when asked twice is reported as changing state.
//   - Log() is silent while the run replays history it has already acted on.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_CONTEXT_H_
#define LOCKSTEP_ENGINE_WORKFLOW_CONTEXT_H_

#include <concepts>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/payload/payload.h"
#include "engine/util/source_location.h"
#include "engine/workflow/awaited_callable.h"
#include "engine/workflow/cancellation_scope.h"
#include "engine/workflow/definitions.h"
#include "engine/workflow/failure.h"
#include "engine/workflow/future.h"
#include "engine/workflow/options.h"
#include "engine/workflow/scheduler.h"
#include "engine/workflow/task.h"

namespace lockstep {

class WorkflowRun;

// A name plus the source location of the call that passed it. Converting from a string at
// the call site captures that call's location, which lets variadic calls record it.
struct Located {
  template <typename S>
  requires std::is_convertible_v<S, std::string_view> Located(
      S&& text, SourceLocation where = SourceLocation::current())  // NOLINT
      : name(std::string_view(text)), location(where) {}
  std::string name;
  SourceLocation location;
};
// A Located is made in nearly every co_await expression (`co_await ctx.ExecuteActivity("x",
// ...)`). g++ 12 destroys aggregate temporaries there twice but not objects made by a
// constructor, so Located must keep its constructor (docs/engine.md).
static_assert(!std::is_aggregate_v<Located>);

// A started child workflow.
struct ChildExecution {
  std::string workflow_id;
  std::string run_id;
};

struct WorkflowInfo {
  std::string namespace_name = {};
  std::string workflow_id = {};
  std::string run_id = {};
  std::string workflow_type = {};
  std::string task_queue = {};
  int32_t attempt = 1;
  // For a child workflow: its parent (empty otherwise).
  std::string parent_workflow_id = {};
  std::string parent_run_id = {};
  // The run this one continued (continue-as-new or a retry), if any.
  std::string continued_run_id = {};
};

template <typename R>
class ChildWorkflowHandle;

class WorkflowContext {
 public:
  explicit WorkflowContext(WorkflowRun* run) : run_(run) {}
  WorkflowContext(const WorkflowContext&) = delete;
  WorkflowContext& operator=(const WorkflowContext&) = delete;

  const WorkflowInfo& info() const;

  // Schedules activity `type` with `args` (each encoded as one payload). The Future gives
  // the decoded result or throws ActivityFailure; Cancel() asks the service to cancel it.
  template <typename R = Payloads, typename... Args>
  Future<R> ExecuteActivity(Located type, const ActivityOptions& options, const Args&... args) {
    return Decoded<R>(ScheduleActivity(type.name, options, ToPayloads(args...), type.location));
  }

  // Runs activity `type` inside this worker, during the current workflow task, retrying per
  // the options; its outcome is recorded in a LocalActivity marker and replay returns the
  // recorded outcome without running it. The Future gives the result or an ActivityFailure.
  template <typename R = Payloads, typename... Args>
  Future<R> ExecuteLocalActivity(Located type, const LocalActivityOptions& options,
                                 const Args&... args) {
    return Decoded<R>(
        ScheduleLocalActivity(type.name, options, ToPayloads(args...), type.location));
  }

  // `co_await ctx.Yield()` lets every other coroutine of this workflow run as far as it can
  // before this one goes on: it resumes, in the same workflow task and in its own cancellation
  // scope, once no other coroutine is ready (several that yield go on in the order they
  // yielded). A coroutine started just before (a scope's Run(), a signal handler returning a
  // Task) has then run up to its first wait. It issues no command, takes no workflow time and
  // is no cancellation point (it resumes normally in a scope canceled meanwhile).
  // Deterministic: the order follows the order of events. For code ported from an SDK where
  // the rest of a function runs on a later turn of its event loop (Python's
  // `await asyncio.sleep(0)`, a TypeScript `await` of an already resolved promise): without
  // it, a Lockstep coroutine runs on until it awaits something not yet resolved.
  internal::YieldAwaiter Yield();

  // A durable timer. Cancel() cancels it (the Future then throws CanceledFailure).
  Future<void> Sleep(absl::Duration duration, SourceLocation where = SourceLocation::current());
  Future<void> StartTimer(absl::Duration duration,
                          SourceLocation where = SourceLocation::current()) {
    return Sleep(duration, where);
  }

  // Resolves once `condition` (a callable returning bool) holds; it is evaluated after each
  // step of the workflow. On g++ before 13, a temporary `condition` that is not trivially
  // destructible does not compile (awaited_callable.h): write
  // `auto done = [state] { ... }; co_await ctx.WaitCondition(done);` or capture by reference.
  template <std::predicate Condition>
  Future<void> WaitCondition(Condition&& condition) {
    internal::CheckAwaitedCallable<Condition>();
    return WaitConditionRaw(std::function<bool()>(std::forward<Condition>(condition)));
  }
  // The same, giving false if `timeout` passes first (a timer, canceled if the condition
  // wins).
  template <std::predicate Condition>
  Future<bool> WaitCondition(Condition&& condition, absl::Duration timeout,
                             SourceLocation where = SourceLocation::current()) {
    internal::CheckAwaitedCallable<Condition>();
    return WaitConditionRaw(std::function<bool()>(std::forward<Condition>(condition)), timeout,
                            where);
  }

  // Signal handlers: `handler` takes the signal's decoded arguments and returns void (runs at
  // once) or Task<void> (runs as a coroutine of its own).
  template <typename... Args, typename Handler>
  void SetSignalHandler(std::string name, Handler handler) {
    SetRawSignalHandler(
        std::move(name),
        [handler = std::move(handler)](const Payloads& input) mutable -> Task<void> {
          auto args = FromPayloads<std::decay_t<Args>...>(input);
          if (!args.ok())
            throw ApplicationFailure(std::string(args.status().message()), "DecodeError");
          if constexpr (std::is_same_v<decltype(std::apply(handler, *args)), Task<void>>) {
            return std::apply(handler, *std::move(args));
          } else {
            std::apply(handler, *std::move(args));
            return Task<void>();
          }
        });
  }

  // Update handlers: `handler` takes the decoded arguments and returns a value (or void), or
  // a Task of one; its result (or the WorkflowFailure it throws) is the update's outcome.
  // `validator` (optional) takes the same arguments and throws to reject the update before it
  // is accepted; it must not change the workflow (it is not run when replaying, as accepted
  // updates are recorded and rejected ones leave no trace). An update whose name has no
  // handler by the end of the workflow task it arrived in is rejected.
  template <typename... Args, typename Handler>
  void SetUpdateHandler(std::string name, Handler handler) {
    SetUpdateHandler<Args...>(std::move(name), std::move(handler), [](const Args&...) {});
  }
  template <typename... Args, typename Handler, typename Validator>
  void SetUpdateHandler(std::string name, Handler handler, Validator validator) {
    SetRawUpdateHandler(
        std::move(name),
        [handler = std::move(handler)](const Payloads& input) mutable -> Task<Payloads> {
          return RunUpdate<Args...>(handler, input);
        },
        [validator = std::move(validator)](const Payloads& input) mutable {
          std::apply(validator, DecodeArgs<Args...>(input));
        });
  }

  // Query handlers: `handler` takes the decoded arguments and returns a value to encode.
  template <typename... Args, typename Handler>
  void SetQueryHandler(std::string name, Handler handler) {
    SetRawQueryHandler(
        std::move(name), [handler = std::move(handler)](const Payloads& input) -> Payloads {
          auto args = FromPayloads<std::decay_t<Args>...>(input);
          if (!args.ok()) {
            throw ApplicationFailure(std::string(args.status().message()), "DecodeError");
          }
          return ToPayloads(std::apply(handler, *std::move(args)));
        });
  }

  // Runs `fn` once and records its result; replay returns the recorded result without
  // running it again.
  template <typename T, typename Fn>
  T SideEffect(Fn&& fn, SourceLocation where = SourceLocation::current()) {
    Payloads recorded =
        RecordSideEffect([&fn]() -> Payloads { return ToPayloads(static_cast<T>(fn())); }, where);
    auto value = FromPayloads<T>(recorded);
    if (!value.ok()) throw ApplicationFailure(std::string(value.status().message()), "DecodeError");
    return std::get<0>(*std::move(value));
  }

  // A value that may change over the run, recorded only when it does: Temporal's Go SDK
  // workflow.MutableSideEffect (internal/internal_event_handlers.go, MutableSideEffect).
  // Running new code, each call runs `fn` and records its value in a "MutableSideEffect"
  // marker (Go's shape) when `id` has no value yet or `equals(new, current)` is false; it
  // returns the new value. Replaying, `fn` never runs: a call returns the value recorded at
  // or before it (calls are counted per id; markers carry the count), and issues a marker
  // command exactly where the history recorded one. A replayed call for which the history
  // holds no value for `id` is nondeterminism. `equals` defaults to operator==.
  template <typename T, typename Fn, typename Eq = std::equal_to<T>>
  T MutableSideEffect(const std::string& id, Fn&& fn, Eq equals = Eq(),
                      SourceLocation where = SourceLocation::current()) {
    Payloads value = RecordMutableSideEffect(
        id,
        [&fn, &equals](const Payloads* current) -> std::optional<Payloads> {
          T next = static_cast<T>(fn());
          if (current != nullptr) {
            auto old = FromPayloads<T>(*current);
            // A current value that does not decode as T differs from any T.
            if (old.ok() && equals(static_cast<const T&>(next), std::get<0>(*old))) {
              return std::nullopt;
            }
          }
          return ToPayloads(next);
        },
        where);
    auto decoded = FromPayloads<T>(value);
    if (!decoded.ok()) {
      throw ApplicationFailure(std::string(decoded.status().message()), "DecodeError");
    }
    return std::get<0>(*std::move(decoded));
  }

  // Child workflows (ChildWorkflowHandle below). The handle's Started() resolves once the child
  // runs (or fails with a ChildWorkflowFailure if its id was in use); Result() gives its result or
  // a ChildWorkflowFailure; Cancel() on the result cancels it as options.cancellation_type says.

  template <typename R = Payloads, typename... Args>
  ChildWorkflowHandle<R> StartChildWorkflow(Located type, const ChildWorkflowOptions& options,
                                            const Args&... args) {
    return MakeChildHandle<R>(StartRawChild(type.name, options, ToPayloads(args...), type.location));
  }
  template <typename R = Payloads, typename... Args>
  Future<R> ExecuteChildWorkflow(Located type, const ChildWorkflowOptions& options,
                                 const Args&... args) {
    return StartChildWorkflow<R>(std::move(type), options, args...).Result();
  }

  // Signals another workflow (`run_id` empty: its current run). The Future resolves once the
  // signal was delivered, or fails with an ApplicationFailure if there is no such workflow.
  template <typename... Args>
  Future<void> SignalExternalWorkflow(const std::string& workflow_id, const std::string& run_id,
                                      Located signal, const Args&... args) {
    return SignalExternalRaw(workflow_id, run_id, signal.name, ToPayloads(args...),
                             signal.location);
  }
  // Requests another workflow's cancellation; resolves once the request was recorded there.
  Future<void> RequestCancelExternalWorkflow(const std::string& workflow_id,
                                             const std::string& run_id = "",
                                             SourceLocation where = SourceLocation::current());

  // Versioning. GetVersion gives the version of `change_id` for this run: new runs get
  // `max_supported` (recorded in a marker), replays of histories recorded before the change
  // get kDefaultVersion; a version outside [min, max] fails the workflow task. Patched(id) is
  // GetVersion(id, kDefaultVersion, 1) == 1; DeprecatePatch(id) marks a patch whose old
  // branch is gone (the call may later be removed without breaking replay).
  static constexpr int kDefaultVersion = -1;
  int GetVersion(const std::string& change_id, int min_supported, int max_supported,
                 SourceLocation where = SourceLocation::current());
  bool Patched(const std::string& change_id, SourceLocation where = SourceLocation::current());
  // Whether new version markers are followed by an upsert of the TemporalChangeVersion search
  // attribute (the list of "<change id>-<version>" the run took), as Temporal's Go SDK does;
  // on by default. Workflows ported from SDKs that do not upsert it turn it off at their start.
  void SetChangeVersionSearchAttribute(bool enabled);
  void DeprecatePatch(const std::string& change_id,
                      SourceLocation where = SourceLocation::current());

  // Search attributes and memo: recorded in the history (UpsertWorkflowSearchAttributes,
  // WorkflowPropertiesModified), visible to Describe and readable here.
  void UpsertSearchAttributes(const std::map<std::string, Payload>& attributes,
                              SourceLocation where = SourceLocation::current());
  void UpsertMemo(const std::map<std::string, Payload>& fields,
                  SourceLocation where = SourceLocation::current());
  const temporal::api::common::v1::SearchAttributes& SearchAttributes() const;
  const temporal::api::common::v1::Memo& Memo() const;

  // Cancellation (cancellation_scope.h). A new scope is a child of the current one; a
  // detached scope is not canceled with the workflow, for cleanup that must still run.
  CancellationScope NewCancellationScope();
  CancellationScope NewDetachedCancellationScope();
  CancellationScope CurrentCancellationScope();
  // Whether cancellation of the workflow has been requested (and reached the code).
  bool IsCancelRequested() const;

  // --- Typed forms (definitions.h). The definition fixes the name, the result type and the
  // argument types: a wrong argument count or type, or a handler of the wrong signature, fails
  // to compile. Arguments are converted to the declared types before they are encoded. Each
  // behaves exactly as the string form of the same name.

  template <typename R, typename... Declared, typename... Args>
  Future<R> ExecuteActivity(ActivityDef<R(Declared...)> def, const ActivityOptions& options,
                            const Args&... args) {
    static_assert(kArgumentsMatch<std::tuple<Declared...>, Args...>,
                  "ExecuteActivity: the arguments do not match the ActivityDef's signature");
    return Decoded<R>(ScheduleActivity(def.name_string(), options,
                                       EncodeAs<Declared...>(args...), def.where()));
  }
  template <typename R, typename... Declared, typename... Args>
  Future<R> ExecuteLocalActivity(ActivityDef<R(Declared...)> def,
                                 const LocalActivityOptions& options, const Args&... args) {
    static_assert(kArgumentsMatch<std::tuple<Declared...>, Args...>,
                  "ExecuteLocalActivity: the arguments do not match the ActivityDef's signature");
    return Decoded<R>(ScheduleLocalActivity(def.name_string(), options,
                                            EncodeAs<Declared...>(args...), def.where()));
  }
  template <typename R, typename... Declared, typename... Args>
  ChildWorkflowHandle<R> StartChildWorkflow(WorkflowDef<R(Declared...)> def,
                                            const ChildWorkflowOptions& options,
                                            const Args&... args) {
    static_assert(kArgumentsMatch<std::tuple<Declared...>, Args...>,
                  "StartChildWorkflow: the arguments do not match the WorkflowDef's signature");
    return MakeChildHandle<R>(StartRawChild(def.name_string(), options,
                                            EncodeAs<Declared...>(args...), def.where()));
  }
  template <typename R, typename... Declared, typename... Args>
  Future<R> ExecuteChildWorkflow(WorkflowDef<R(Declared...)> def,
                                 const ChildWorkflowOptions& options, const Args&... args) {
    static_assert(kArgumentsMatch<std::tuple<Declared...>, Args...>,
                  "ExecuteChildWorkflow: the arguments do not match the WorkflowDef's signature");
    return MakeChildHandle<R>(StartRawChild(def.name_string(), options,
                                            EncodeAs<Declared...>(args...), def.where()))
        .Result();
  }
  template <typename... Declared, typename... Args>
  Future<void> SignalExternalWorkflow(const std::string& workflow_id, const std::string& run_id,
                                      SignalDef<void(Declared...)> signal, const Args&... args) {
    static_assert(kArgumentsMatch<std::tuple<Declared...>, Args...>,
                  "SignalExternalWorkflow: the arguments do not match the SignalDef's signature");
    return SignalExternalRaw(workflow_id, run_id, signal.name_string(),
                             EncodeAs<Declared...>(args...), signal.where());
  }
  template <typename... Declared, typename Handler>
  void SetSignalHandler(const SignalDef<void(Declared...)>& signal, Handler handler) {
    static_assert(std::is_invocable_v<Handler&, Declared...>,
                  "SetSignalHandler: the handler must accept the SignalDef's argument types");
    SetSignalHandler<Declared...>(signal.name_string(), std::move(handler));
  }
  template <typename R, typename... Declared, typename Handler>
  void SetQueryHandler(const QueryDef<R(Declared...)>& query, Handler handler) {
    static_assert(std::is_invocable_v<const Handler&, Declared...>,
                  "SetQueryHandler: the handler must accept the QueryDef's argument types");
    static_assert(std::is_convertible_v<std::invoke_result_t<const Handler&, Declared...>, R>,
                  "SetQueryHandler: the handler's answer must convert to the QueryDef's result");
    SetQueryHandler<Declared...>(query.name_string(),
                                 [handler = std::move(handler)](const Declared&... args) -> R {
                                   return handler(args...);
                                 });
  }
  template <typename R, typename... Declared, typename Handler>
  void SetUpdateHandler(const UpdateDef<R(Declared...)>& update, Handler handler) {
    SetUpdateHandler(update, std::move(handler), [](const Declared&...) {});
  }
  template <typename R, typename... Declared, typename Handler, typename Validator>
  void SetUpdateHandler(const UpdateDef<R(Declared...)>& update, Handler handler,
                        Validator validator) {
    static_assert(std::is_invocable_v<Handler&, Declared...>,
                  "SetUpdateHandler: the handler must accept the UpdateDef's argument types");
    static_assert(UpdateReturns<std::invoke_result_t<Handler&, Declared...>, R>(),
                  "SetUpdateHandler: the handler must return the UpdateDef's result type (or a "
                  "Task of it)");
    static_assert(std::is_invocable_v<Validator&, Declared...>,
                  "SetUpdateHandler: the validator must accept the UpdateDef's argument types");
    SetUpdateHandler<Declared...>(update.name_string(), std::move(handler), std::move(validator));
  }

  // Ends this run and starts a new run of the workflow (the same type unless the options say
  // otherwise) with `args` as its input. Throws ContinueAsNewRequest, which must be let
  // through to the end of the workflow function; signals that arrive meanwhile go to the
  // new run.
  template <typename... Args>
  [[noreturn]] void ContinueAsNew(const ContinueAsNewOptions& options, const Args&... args) {
    ThrowContinueAsNew(options, ToPayloads(args...));
  }

  // Workflow time: the time the current workflow task started.
  absl::Time Now() const;
  // Deterministic randomness, seeded from the run's first execution run id.
  uint64_t Random();
  std::string NewUuid();
  bool IsReplaying() const;
  // Writes a line to the worker's log unless the run is replaying.
  void Log(absl::string_view message);

  // Internal entry points behind the templates above.
  Future<void> WaitConditionRaw(std::function<bool()> condition);
  Future<bool> WaitConditionRaw(std::function<bool()> condition, absl::Duration timeout,
                                SourceLocation where);
  Future<Payloads> ScheduleActivity(const std::string& type, const ActivityOptions& options,
                                    Payloads input, SourceLocation where);
  void SetRawSignalHandler(std::string name, std::function<Task<void>(const Payloads&)> handler);
  void SetRawQueryHandler(std::string name, std::function<Payloads(const Payloads&)> handler);
  Payloads RecordSideEffect(const std::function<Payloads()>& fn, SourceLocation where);
  Payloads RecordMutableSideEffect(
      const std::string& id,
      const std::function<std::optional<Payloads>(const Payloads* current)>& next_value,
      SourceLocation where);
  Future<Payloads> ScheduleLocalActivity(const std::string& type,
                                         const LocalActivityOptions& options, Payloads input,
                                         SourceLocation where);
  void SetRawUpdateHandler(std::string name, std::function<Task<Payloads>(const Payloads&)> handler,
                           std::function<void(const Payloads&)> validator);
  [[noreturn]] void ThrowContinueAsNew(const ContinueAsNewOptions& options, Payloads input);
  struct RawChild {
    std::string workflow_id;
    Future<ChildExecution> started;
    Future<Payloads> result;
  };
  RawChild StartRawChild(const std::string& type, const ChildWorkflowOptions& options,
                         Payloads input, SourceLocation where);
  Future<void> SignalChild(const std::string& workflow_id, const Located& signal, Payloads input);
  Future<void> SignalExternalRaw(const std::string& workflow_id, const std::string& run_id,
                                 const std::string& signal, Payloads input, SourceLocation where);

 private:
  template <typename R>
  friend class ChildWorkflowHandle;

  // Encodes `args` as the declared types (definitions.h).
  template <typename... Declared, typename... Args>
  static Payloads EncodeAs(const Args&... args) {
    return ToPayloads(static_cast<const Declared&>(args)...);
  }

  // Whether an update handler returning `Returned` answers with an R.
  template <typename Returned, typename R>
  static constexpr bool UpdateReturns() {
    if constexpr (requires { typename Returned::promise_type; }) {
      return std::is_same_v<Returned, Task<R>>;
    } else if constexpr (std::is_void_v<R>) {
      return std::is_void_v<Returned>;
    } else {
      return std::is_convertible_v<Returned, R>;
    }
  }

  template <typename R>
  ChildWorkflowHandle<R> MakeChildHandle(RawChild raw);

  template <typename... Args>
  static std::tuple<std::decay_t<Args>...> DecodeArgs(const Payloads& input) {
    auto args = FromPayloads<std::decay_t<Args>...>(input);
    if (!args.ok()) throw ApplicationFailure(std::string(args.status().message()), "DecodeError");
    return *std::move(args);
  }

  // Runs an update handler (plain or coroutine) and encodes what it returns.
  template <typename... Args, typename Handler>
  // By value: the coroutine may outlive the caller's handler and input.
  static Task<Payloads> RunUpdate(Handler handler, Payloads input) {
    auto args = DecodeArgs<Args...>(input);
    using Returned = decltype(std::apply(handler, std::move(args)));
    if constexpr (std::is_void_v<Returned>) {
      std::apply(handler, std::move(args));
      co_return Payloads();
    } else if constexpr (std::is_same_v<Returned, Task<void>>) {
      co_await std::apply(handler, std::move(args));
      co_return Payloads();
    } else if constexpr (requires { typename Returned::promise_type; }) {
      co_return ToPayloads(co_await std::apply(handler, std::move(args)));
    } else {
      co_return ToPayloads(std::apply(handler, std::move(args)));
    }
  }

  template <typename R>
  static Future<R> Decoded(Future<Payloads> raw) {
    if constexpr (std::is_same_v<R, Payloads>) {
      return raw;
    } else {
      auto [typed, resolver] = Future<R>::Make(raw.scheduler());
      typed.SetCanceler([raw] { raw.Cancel(); });
      raw.OnReady([raw, resolver = resolver]() mutable {
        if (raw.failed()) {
          resolver.SetError(raw.error());
          return;
        }
        if constexpr (std::is_void_v<R>) {
          resolver.SetValue();
        } else {
          auto value = FromPayloads<R>(raw.value());
          if (value.ok()) {
            resolver.SetValue(std::get<0>(*std::move(value)));
          } else {
            resolver.SetError(std::make_exception_ptr(
                ApplicationFailure(std::string(value.status().message()), "DecodeError", true)));
          }
        }
      });
      return typed;
    }
  }

  WorkflowRun* run_;
};

// A child workflow started by WorkflowContext::StartChildWorkflow.
template <typename R = Payloads>
class ChildWorkflowHandle {
 public:
  const std::string& workflow_id() const { return workflow_id_; }
  Future<ChildExecution> Started() const { return started_; }
  Future<R> Result() const { return result_; }
  void Cancel() const { result_.Cancel(); }
  // Signals the child (a SignalExternalWorkflowExecution restricted to children).
  template <typename... Args>
  Future<void> Signal(Located name, const Args&... args) const {
    return ctx_->SignalChild(workflow_id_, name, ToPayloads(args...));
  }
  template <typename... Declared, typename... Args>
  Future<void> Signal(SignalDef<void(Declared...)> signal, const Args&... args) const {
    static_assert(kArgumentsMatch<std::tuple<Declared...>, Args...>,
                  "ChildWorkflowHandle::Signal: the arguments do not match the SignalDef's "
                  "signature");
    return ctx_->SignalChild(workflow_id_, Located(signal.name(), signal.where()),
                             ToPayloads(static_cast<const Declared&>(args)...));
  }

 private:
  friend class WorkflowContext;
  WorkflowContext* ctx_ = nullptr;
  std::string workflow_id_;
  Future<ChildExecution> started_;
  Future<R> result_;
};

template <typename R>
ChildWorkflowHandle<R> WorkflowContext::MakeChildHandle(RawChild raw) {
  ChildWorkflowHandle<R> handle;
  handle.ctx_ = this;
  handle.workflow_id_ = std::move(raw.workflow_id);
  handle.started_ = raw.started;
  handle.result_ = Decoded<R>(raw.result);
  return handle;
}

// Waits for every future, in order; throws the first failure met.
template <typename T>
Task<std::vector<T>> WhenAll(std::vector<Future<T>> futures) {
  std::vector<T> results;
  results.reserve(futures.size());
  for (auto& f : futures) results.push_back(co_await f);
  co_return results;
}
inline Task<void> WhenAll(std::vector<Future<void>> futures) {
  for (auto& f : futures) co_await f;
}

// Resolves with the index of the first future to resolve (succeeded or failed); when several
// are ready at once, the lowest index wins.
template <typename... Fs>
Future<size_t> WhenAny(const Fs&... futures) {
  Scheduler* scheduler = nullptr;
  ((scheduler = scheduler ? scheduler : futures.scheduler()), ...);
  auto [any, resolver] = Future<size_t>::Make(scheduler);
  size_t index = 0;
  ((futures.OnReady([resolver = resolver, i = index]() mutable { resolver.SetValue(i); }), ++index),
   ...);
  return any;
}
template <typename T>
Future<size_t> WhenAny(const std::vector<Future<T>>& futures) {
  auto [any, resolver] = Future<size_t>::Make(futures.empty() ? nullptr : futures[0].scheduler());
  for (size_t i = 0; i < futures.size(); ++i) {
    futures[i].OnReady([resolver = resolver, i]() mutable { resolver.SetValue(i); });
  }
  return any;
}

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_CONTEXT_H_
