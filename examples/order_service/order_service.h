// order_service: the order workflow (examples/order) run by the engine in production mode, end
// to end: on the system clock, its activities on a thread pool (engine/realtime), every event
// written to a SQLite file (engine/store) that `lockstep replay --store` and `lockstep export`
// read.
//
//   order_service --db orders.db [--activity-threads N] [--synchronous normal|full]
//                 [--charge-delay-ms MS]
//
// It reads commands from its standard input, one a line, and answers each on one line:
//
//   start ID CARD CENTS [APPROVAL_SECONDS]  starts order ID            -> "started ID run RUN"
//   approve ID | reject ID                  answers its approval       -> "approved ID"
//   status ID                               asks the workflow (query), or the closed run's
//                                           outcome                     -> "ID: awaiting approval"
//   wait ID [SECONDS]                       waits for the order to close (default 30 s)
//                                                                       -> "ID: completed
//                                                                       charge-..."
//   list                                    every run in the store: id, run, status, events
//   quit                                    (or the end of the input) shuts down gracefully
//
// On start, the runs in the file are restored (engine/store/store_recovery.h): orders an earlier
// session left open (awaiting approval, say) go on, and "recovered N runs (M open)" says so.
//
// A client may resend what it sent before a crash: an order id is used once (a second start of
// it answers an error, AlreadyExists, even after the order closed), and an order's first answer
// counts (a repeated approve or reject is accepted and ignored, by its request id).
//
// Empty lines and lines starting with '#' are skipped. A command that fails answers
// "error: <why>" and the next one is read.
//
// Exit status: 0 every command succeeded; 1 some command failed; 2 bad usage (an unknown
// option, a missing --db) or a store that cannot be opened.
//
// The card "declined" is refused by charge_card (the order then fails); any other card is
// charged as "charge-<card>-<cents>" (RegisterOrder in examples/order/order_workflow.h).
#ifndef LOCKSTEP_EXAMPLES_ORDER_SERVICE_ORDER_SERVICE_H_
#define LOCKSTEP_EXAMPLES_ORDER_SERVICE_ORDER_SERVICE_H_

#include <istream>
#include <string>
#include <vector>

#include "tools/cli_parse/command_io.h"

namespace lockstep::examples {

// The whole program: `args` are the options (without the program name), `in` the commands.
int RunOrderService(const std::vector<std::string>& args, std::istream& in, cli::CommandIo io);

}  // namespace lockstep::examples

#endif  // LOCKSTEP_EXAMPLES_ORDER_SERVICE_ORDER_SERVICE_H_
