// `lockstep replay PATH...`: replay/replay_main.h against the workflows built into this
// binary (the examples, and the ports of recorded Temporal workflows, chosen per history).
#include "replay/replay_main.h"
#include "tools/lockstep/builtin_registry.h"
#include "tools/lockstep/command.h"

namespace lockstep::cli {

int RunReplay(const std::vector<std::string>& args, CommandIo io) {
  return replay::RunReplayCommand(args, RegistryFor, io.out, io.err);
}

}  // namespace lockstep::cli
