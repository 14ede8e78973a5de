// `repro-check merge`: shard reports -> the report of the whole plan (every format).
#pragma once

#include <string>
#include <vector>

#include "harness/cli/common_options.hpp"

namespace CLI {
class App;
}

namespace repro {

struct MergeOptions {
  std::vector<std::string> inputs;  // shard JSON reports, any order
  std::string json;                 // report files ("" = not written)
  std::string junit;
  std::string markdown;
  std::string html;
  bool markdown_append = false;
  std::string history;  // append the merged run to this history database ("" = none)
};

// Adds the `merge` subcommand and its options.
void add_merge_command(CLI::App& app, MergeOptions& options);

// Merges, prints the terminal report, writes the files and (with --history) one history
// row. Returns the merged report's exit code (the one an unsharded run would give); throws
// repro::Error (exit 2) for unreadable, mismatched, duplicate or missing shards.
int run_merge(const CommonOptions& common, const MergeOptions& options);

}  // namespace repro
