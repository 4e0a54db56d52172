// The workflows and activities built into the `lockstep` binary: the examples (and, as they
// are written, the ports of recorded Temporal workflows). A project that wants its own
// workflows in a `lockstep`-style binary builds one with its own registry.
#ifndef LOCKSTEP_TOOLS_LOCKSTEP_BUILTIN_REGISTRY_H_
#define LOCKSTEP_TOOLS_LOCKSTEP_BUILTIN_REGISTRY_H_

#include "engine/workflow/registry.h"

namespace lockstep::cli {

// Built once, on first use; registration errors (a duplicate name) abort at startup, since
// they are bugs in this binary, not in its input.
const Registry& BuiltinRegistry();

}  // namespace lockstep::cli

#endif  // LOCKSTEP_TOOLS_LOCKSTEP_BUILTIN_REGISTRY_H_
