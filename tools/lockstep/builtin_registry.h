// The workflows and activities built into the `lockstep` binary: the examples (and, as they
// are written, the ports of recorded Temporal workflows). A project that wants its own
// workflows in a `lockstep`-style binary builds one with its own registry.
#ifndef LOCKSTEP_TOOLS_LOCKSTEP_BUILTIN_REGISTRY_H_
#define LOCKSTEP_TOOLS_LOCKSTEP_BUILTIN_REGISTRY_H_

#include "engine/workflow/registry.h"
#include "temporal/api/history/v1/message.pb.h"

namespace lockstep::cli {

// Built once, on first use; registration errors (a duplicate name) abort at startup, since
// they are bugs in this binary, not in its input.
const Registry& BuiltinRegistry();

// The registry to replay `history` with: the examples' if they have its workflow type, else
// the registry of the Temporal port matching its type and task queue (examples/temporal_ports),
// else the examples' (the replay then reports the type as not registered).
const Registry& RegistryFor(const temporal::api::history::v1::History& history);

}  // namespace lockstep::cli

#endif  // LOCKSTEP_TOOLS_LOCKSTEP_BUILTIN_REGISTRY_H_
