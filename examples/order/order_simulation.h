// The order workflow under simulation: a few orders, each approved (or not) by a signal at a
// random time from a second to beyond its approval deadline, charged and receipted through
// activities that are slow and flaky on their own, with every fault the simulator has.
//
// Invariants: every order closes; a completed order returns "expired", "rejected" or the
// charge id its card and amount give; the status query only ever answers one of the
// workflow's documented states.
#ifndef LOCKSTEP_EXAMPLES_ORDER_ORDER_SIMULATION_H_
#define LOCKSTEP_EXAMPLES_ORDER_ORDER_SIMULATION_H_

#include "sim/workload.h"

namespace lockstep::examples {

sim::Workload OrderWorkload();

}  // namespace lockstep::examples

#endif  // LOCKSTEP_EXAMPLES_ORDER_ORDER_SIMULATION_H_
