// The shape every `lockstep` subcommand shares: it reads its arguments, writes its output to
// `out` and its diagnostics to `err`, and returns the process exit status.
//
// Exit statuses (stable, for CI): 0 success; 1 a check found a problem (for example
// nondeterminism); 2 bad input or bad usage, with a message that names the file, event or
// argument. Every subcommand parses its arguments with tools/cli_parse/cli_parse.h, and so
// takes --help and reports usage errors alike.
#ifndef LOCKSTEP_TOOLS_LOCKSTEP_COMMAND_H_
#define LOCKSTEP_TOOLS_LOCKSTEP_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "tools/cli_parse/command_io.h"

namespace lockstep::cli {

// `lockstep show [--json] [--binary OUT] [--no-validate] FILE...`
int RunShow(const std::vector<std::string>& args, CommandIo io);

// `lockstep run TYPE [--input JSON]... [--signal NAME=JSON]... [--out FILE]`
int RunRun(const std::vector<std::string>& args, CommandIo io);

// `lockstep replay PATH... [--store DB] [--json] [--until EVENT_ID] [--jobs N]`
int RunReplay(const std::vector<std::string>& args, CommandIo io);

// `lockstep export --store DB (--workflow-id ID [--run-id RUN] | --all) --out DIR
// [--format binary|json]`: exit 0 every selected run written, 1 a run could not be, 2 usage.
int RunExport(const std::vector<std::string>& args, CommandIo io);

// `lockstep sim --workflow NAME [--seeds N | --seed S] [--faults LIST] [--strategy random|pct]
// [--jobs J] [--shard I/N] [--out DIR] ...` (sim/sim_main.h): exit 0 no failure, 1 a failing
// seed was found (its reproduce line printed), 2 bad usage.
int RunSim(const std::vector<std::string>& args, CommandIo io);

// `lockstep bench signals --workflow NAME [--workflows W] [--signals N] [--per-task K]
// [--per-workflow S]` (benchmarks/load/bench_main.h): exit 0 the load ran, 1 it failed, 2 bad
// usage.
int RunBench(const std::vector<std::string>& args, CommandIo io);

// `lockstep list [--activities]`
int RunList(const std::vector<std::string>& args, CommandIo io);

// `lockstep COMMAND ARGS...`: runs the subcommand `args[0]` on the rest. Also `lockstep help`
// (or --help, -h: the commands, on io.out, exit 0), `lockstep help COMMAND` (that command's
// --help), and `lockstep` alone (the commands, on io.err, exit 2).
int RunLockstep(const std::vector<std::string>& args, CommandIo io);

}  // namespace lockstep::cli

#endif  // LOCKSTEP_TOOLS_LOCKSTEP_COMMAND_H_
