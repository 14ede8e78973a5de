// `repro-check bench`: the determinism tax (strict/fast step time) per thread count.
#pragma once

#include <string>
#include <vector>

#include "harness/cli/common_options.hpp"

namespace CLI {
class App;
}

namespace repro {

struct BenchOptions {
  std::string suite = "nightly";
  std::vector<int> threads;  // empty: the suite's threads axis (else 1, 2)
  int pairs = 5;
  int warmup = 20;
  int steps = 50;
  std::string json;  // empty: ROOT/.repro/bench/<UTC>-<suite>.json
  bool keep_runs = false;
};

void add_bench_command(CLI::App& app, BenchOptions& options);
// Runs the tax protocol (harness/run/tax_bench.hpp), prints the table, writes the JSON record.
// Exit 0, 2 for a bad suite or option, 3 when a worker run fails.
int run_bench(const CommonOptions& common, const BenchOptions& options);

}  // namespace repro
