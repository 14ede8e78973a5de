// run_main: parses the command line, dispatches to one subcommand, maps errors to exit codes.
#pragma once

namespace repro {

// Returns the process exit code (harness/util/exit_codes.hpp). Never throws: repro::Error
// ends as exit 2 with "repro-check: error: <file>: <what is wrong>".
int run_main(int argc, char** argv);

}  // namespace repro
