// `repro-check golden classes`: which golden classes a suite has, and which agree bit for bit.
#pragma once

#include <ostream>
#include <string>

#include "harness/cli/common_options.hpp"
#include "harness/verdict/golden_store.hpp"

namespace CLI {
class App;
}

namespace repro {

struct GoldenOptions {
  std::string suite;
  bool json = false;
};

// Adds `golden` and its subcommand `classes`.
void add_golden_command(CLI::App& app, GoldenOptions& options);

// True when the `golden` subcommand was given.
bool golden_command_given(const CLI::App& app);

// Prints the classes of options.suite: per class file its fields, portability and cells
// (with provenance), then for every settings key blessed in two or more classes which
// classes agree bit for bit. Exit 0; throws repro::Error (exit 2) for a corrupt golden.
int run_golden(const CommonOptions& common, const GoldenOptions& options);

// The same listing for `goldens` (by class) on `out`; `json` selects the JSON form.
void write_golden_classes(std::ostream& out, const std::string& suite,
                          const std::map<std::string, GoldenFile>& goldens, bool json);

}  // namespace repro
