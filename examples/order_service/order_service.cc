#include "examples/order_service/order_service.h"

#include <random>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/payload/payload.h"
#include "engine/realtime/realtime_service.h"
#include "engine/store/sqlite_history_store.h"
#include "examples/order/order_workflow.h"
#include "tools/cli_parse/cli_parse.h"

namespace lockstep::examples {
namespace {

namespace enums = temporal::api::enums::v1;

constexpr char kTaskQueue[] = "orders";

std::string StatusName(enums::WorkflowExecutionStatus status) {
  std::string name = enums::WorkflowExecutionStatus_Name(status);
  constexpr absl::string_view kPrefix = "WORKFLOW_EXECUTION_STATUS_";
  if (absl::StartsWith(name, kPrefix)) name = name.substr(kPrefix.size());
  return absl::AsciiStrToLower(name);
}

// "completed charge-card-1-500", "failed: <message>", "running", ...
std::string Outcome(const WorkflowDescription& d) {
  std::string out = StatusName(d.status);
  if (d.result.has_value()) {
    absl::StatusOr<std::tuple<std::string>> result = FromPayloads<std::string>(*d.result);
    if (result.ok()) absl::StrAppend(&out, " ", std::get<0>(*result));
  }
  // The failure and its causes, outermost first ("activity error: card declined").
  for (const temporal::api::failure::v1::Failure* f = d.failure.has_value() ? &*d.failure : nullptr;
       f != nullptr; f = f->has_cause() ? &f->cause() : nullptr) {
    absl::StrAppend(&out, ": ", f->message());
  }
  return out;
}

class Session {
 public:
  Session(RealTimeService* service, std::string db_path, std::ostream& out)
      : service_(service), db_path_(std::move(db_path)), out_(out) {}

  // Performs one command line; false when it failed (already reported).
  bool Perform(const std::vector<std::string>& words) {
    const std::string& verb = words[0];
    absl::Status status = absl::InvalidArgumentError(absl::StrCat(
        "unknown command '", verb, "' (start, approve, reject, status, wait, list, quit)"));
    if (verb == "start") status = Start(words);
    if (verb == "approve" || verb == "reject") status = Approve(words, verb == "approve");
    if (verb == "status") status = Status(words);
    if (verb == "wait") status = Wait(words);
    if (verb == "list") status = List(words);
    if (status.ok()) return true;
    out_ << "error: " << status.message() << "\n";
    return false;
  }

 private:
  static absl::Status Arity(const std::vector<std::string>& words, size_t min, size_t max,
                            absl::string_view usage) {
    if (words.size() < min || words.size() > max) {
      return absl::InvalidArgumentError(absl::StrCat("usage: ", usage));
    }
    return absl::OkStatus();
  }

  absl::Status Start(const std::vector<std::string>& words) {
    if (absl::Status s = Arity(words, 4, 5, "start ID CARD CENTS [APPROVAL_SECONDS]"); !s.ok()) {
      return s;
    }
    Order order;
    order.id = words[1];
    order.card = words[2];
    if (!absl::SimpleAtoi(words[3], &order.cents) || order.cents <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("CENTS must be a positive whole number, got '", words[3], "'"));
    }
    if (words.size() == 5 && (!absl::SimpleAtoi(words[4], &order.approval_timeout_seconds) ||
                              order.approval_timeout_seconds <= 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("APPROVAL_SECONDS must be a positive whole number, got '", words[4], "'"));
    }
    StartWorkflowRequest request;
    request.workflow_id = order.id;
    request.workflow_type = kOrderWorkflow;
    request.task_queue = kTaskQueue;
    request.input = ToPayloads(order);
    // An order id is used once, closed or not: a client that resends its starts after a crash
    // gets AlreadyExists instead of a second order.
    request.id_reuse_policy = enums::WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE;
    absl::StatusOr<temporal::api::common::v1::WorkflowExecution> run =
        service_->StartWorkflow(request);
    if (!run.ok()) return run.status();
    out_ << "started " << order.id << " run " << run->run_id() << "\n";
    return absl::OkStatus();
  }

  absl::Status Approve(const std::vector<std::string>& words, bool approve) {
    if (absl::Status s = Arity(words, 2, 2, absl::StrCat(words[0], " ID")); !s.ok()) return s;
    SignalWorkflowRequest signal;
    signal.workflow_id = words[1];
    signal.signal_name = kApproveSignal;
    signal.input = ToPayloads(approve);
    // One answer per order: a resent approval (after a crash, say) is accepted and ignored.
    signal.request_id = absl::StrCat("approval-", words[1]);
    if (absl::Status s = service_->SignalWorkflow(signal); !s.ok()) return s;
    out_ << (approve ? "approved " : "rejected ") << words[1] << "\n";
    return absl::OkStatus();
  }

  absl::Status Status(const std::vector<std::string>& words) {
    if (absl::Status s = Arity(words, 2, 2, "status ID"); !s.ok()) return s;
    absl::StatusOr<WorkflowDescription> d = service_->DescribeWorkflow(words[1], "");
    if (!d.ok()) return d.status();
    if (d->status != enums::WORKFLOW_EXECUTION_STATUS_RUNNING) {
      out_ << words[1] << ": " << Outcome(*d) << "\n";
      return absl::OkStatus();
    }
    absl::StatusOr<temporal::api::common::v1::Payloads> answer =
        service_->QueryWorkflow(words[1], "", kStatusQuery, {});
    if (!answer.ok()) return answer.status();
    absl::StatusOr<std::tuple<std::string>> text = FromPayloads<std::string>(*answer);
    if (!text.ok()) return text.status();
    out_ << words[1] << ": " << std::get<0>(*text) << "\n";
    return absl::OkStatus();
  }

  absl::Status Wait(const std::vector<std::string>& words) {
    if (absl::Status s = Arity(words, 2, 3, "wait ID [SECONDS]"); !s.ok()) return s;
    int64_t seconds = 30;
    if (words.size() == 3 && (!absl::SimpleAtoi(words[2], &seconds) || seconds <= 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("SECONDS must be a positive whole number, got '", words[2], "'"));
    }
    absl::StatusOr<WorkflowDescription> d =
        service_->WaitForClose(words[1], "", absl::Seconds(seconds));
    if (!d.ok()) return d.status();
    out_ << words[1] << ": " << Outcome(*d) << "\n";
    return absl::OkStatus();
  }

  // From the file, through a reader of its own: what is durable, runs of earlier sessions
  // included (the service's loop writes through its own connection meanwhile).
  absl::Status List(const std::vector<std::string>& words) {
    if (absl::Status s = Arity(words, 1, 1, "list"); !s.ok()) return s;
    store::SqliteStoreOptions options;
    options.read_only = true;
    absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> reader =
        store::SqliteHistoryStore::Open(db_path_, options);
    if (!reader.ok()) return reader.status();
    absl::StatusOr<std::vector<store::RunInfo>> runs = (*reader)->ListRuns();
    if (!runs.ok()) return runs.status();
    for (const store::RunInfo& run : *runs) {
      out_ << run.workflow_id << " " << run.run_id << " " << StatusName(run.status) << " "
           << run.event_count << " events\n";
    }
    out_ << runs->size() << " runs\n";
    return absl::OkStatus();
  }

  RealTimeService* service_;
  std::string db_path_;
  std::ostream& out_;
};

}  // namespace

int RunOrderService(const std::vector<std::string>& args, std::istream& in, cli::CommandIo io) {
  cli::CommandLine command_line(
      cli::ProgramName{"order_service"},
      "The order workflow in production mode: real time, activities on a thread pool, every "
      "event in a SQLite file. Reads commands from standard input (start, approve, reject, "
      "status, wait, list, quit).");
  std::string db;
  int64_t threads = 4;
  std::string synchronous = "full";
  int64_t charge_delay_ms = 0;
  command_line.app().add_option("--db", db, "the SQLite history store (created if missing)");
  command_line.app()
      .add_option("--activity-threads", threads, "threads that run activities (default 4)")
      ->check(cli::PositiveInteger());
  command_line.app()
      .add_option("--synchronous", synchronous,
                  "full: a committed step survives a power cut; normal: fewer fsyncs")
      ->check(cli::OneOf({"normal", "full"}));
  command_line.app()
      .add_option("--charge-delay-ms", charge_delay_ms,
                  "how long charge_card takes (a payment gateway's latency; default 0)")
      ->check(CLI::NonNegativeNumber);
  if (std::optional<int> exit = command_line.Parse(args, io)) return *exit;
  if (db.empty()) return command_line.UsageError("--db is required", io);

  store::SqliteStoreOptions store_options;
  store_options.synchronous = synchronous == "normal"
                                  ? store::SqliteStoreOptions::Synchronous::kNormal
                                  : store::SqliteStoreOptions::Synchronous::kFull;
  absl::StatusOr<std::unique_ptr<store::SqliteHistoryStore>> store =
      store::SqliteHistoryStore::Open(db, store_options);
  if (!store.ok()) {
    io.err << "order_service: " << store.status().message() << "\n";
    return cli::kExitUsage;
  }
  // The order workflow with its default activities, charge_card taking --charge-delay-ms.
  Registry registry;
  const absl::Duration charge_delay = absl::Milliseconds(charge_delay_ms);
  absl::Status registered = registry.RegisterWorkflow(kOrder, &OrderWorkflow);
  if (registered.ok()) {
    registered = registry.RegisterActivity(
        kChargeCard,
        [charge_delay](ActivityContext&, std::string card, int64_t cents) -> std::string {
          absl::SleepFor(charge_delay);
          return ChargeCard(card, cents);
        });
  }
  if (registered.ok()) {
    registered =
        registry.RegisterActivity(kSendReceipt, [](ActivityContext&, std::string, std::string) {});
  }
  if (!registered.ok()) {
    io.err << "order_service: " << registered.message() << "\n";
    return cli::kExitUsage;
  }
  RealTimeOptions options;
  options.activity_threads = static_cast<int>(std::min<int64_t>(threads, 1024));
  options.store = store->get();
  // The orders an earlier session left open go on: restored from the file before anything runs.
  options.recover = true;
  // Run ids and request ids must differ from one session to the next (they share the file):
  // production mode seeds them from the system's entropy, not from a fixed seed.
  options.service.seed = std::random_device{}();
  RealTimeService service(&registry, std::move(options));
  const store::RecoverySummary& recovered = service.recovery();
  if (recovered.runs_restored > 0) {
    io.out << "recovered " << recovered.runs_restored << " runs (" << recovered.open_runs
           << " open) from " << db << "\n";
  }
  for (const store::RecoverySummary::Skipped& skipped : recovered.skipped) {
    io.err << "order_service: not recovered: " << skipped.reason.message() << "\n";
  }
  if (!service.status().ok()) {
    io.err << "order_service: " << service.status().message() << "\n";
    return cli::kExitUsage;
  }
  Session session(&service, db, io.out);

  bool all_ok = true;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipWhitespace());
    if (words.empty() || words[0][0] == '#') continue;
    if (words[0] == "quit") break;
    all_ok = session.Perform(words) && all_ok;
    io.out.flush();
  }
  service.Shutdown(absl::Seconds(10));
  if (!service.status().ok()) {
    io.err << "order_service: " << service.status().message() << "\n";
    return cli::kExitFound;
  }
  return all_ok ? cli::kExitOk : cli::kExitFound;
}

}  // namespace lockstep::examples
