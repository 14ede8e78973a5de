// `repro-check worker conformance EXE`: run an outside worker through the protocol.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace repro {

struct WorkerCommandOptions {
  std::string worker;
  std::string config;            // "" = the built-in tiny workload
  std::string keep;              // keep the runs' folders here ("" = a removed temp folder)
  std::vector<std::string> env;  // NAME=VALUE added to the worker's environment
  int timeout_s = 300;
};

// Adds `worker` and its subcommand `conformance`.
void add_worker_command(CLI::App& app, WorkerCommandOptions& options);

// True when the `worker` subcommand was given.
bool worker_command_given(const CLI::App& app);

// Runs the conformance check and prints one line per rule. Exit 0 when every rule holds,
// 1 when any is broken; 2 for a bad --config or --env; 3 when EXE is missing or not
// executable.
int run_worker_command(const WorkerCommandOptions& options);

}  // namespace repro
