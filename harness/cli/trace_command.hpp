// `repro-check trace validate FILE`: every way a trace file breaks the format contract.
#pragma once

#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace repro {

struct TraceOptions {
  std::string file;
  bool json = false;
};

// Adds `trace` and its subcommand `validate`.
void add_trace_command(CLI::App& app, TraceOptions& options);

// True when the `trace` subcommand was given.
bool trace_command_given(const CLI::App& app);

// Validates options.file (docs/trace-format.md and docs/schemas/): prints each deviation
// with its rule and field, or "conforms"; exit 0 when it conforms, 2 when it does not.
int run_trace(const TraceOptions& options, std::ostream& out);

}  // namespace repro
