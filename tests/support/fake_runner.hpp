// FakeRunner: a CellRunner for tests that records the cells it was asked to run and returns
// canned CellRuns built from synthetic traces.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/run/runner.hpp"
#include "harness/trace/trace.hpp"
#include "harness/verdict/dump_provider.hpp"

namespace repro::test {

// A complete trace of `steps` steps with tensors batch.images (batch), loss (loss), w.grad
// (grad), w (param), w.exp_avg (optimizer). Digests derive from `salt`. At step
// `diverge_step` (-1: never) tensor `diverge_tensor` and every later tensor of that step get
// different digests, and so does every tensor but the batch in later steps, as a real
// divergence would.
Trace synthetic_trace(int steps, std::uint64_t salt = 0, int diverge_step = -1,
                      const std::string& diverge_tensor = "w.grad");

// A CellRun with status `ran` and `trace`.
CellRun ran_cell(const Cell& cell, Trace trace);

class FakeRunner : public CellRunner {
 public:
  using Outcome = std::function<CellRun(const Cell&)>;

  // `outcome` decides each cell's CellRun; by default every cell runs with the same
  // synthetic 3-step trace (a perfectly reproducible world).
  explicit FakeRunner(Outcome outcome = {});

  // A canned result for one cell id (takes precedence over the outcome function).
  void set_result(const std::string& cell_id, CellRun run);

  std::vector<CellRun> run(const std::vector<Cell>& cells,
                           const ProgressCallback& progress) override;

  // Ids of every cell asked for, in order, over all calls.
  const std::vector<std::string>& requested() const { return m_requested; }
  int calls() const { return m_calls; }

 private:
  Outcome m_outcome;
  std::map<std::string, CellRun> m_results;
  std::vector<std::string> m_requested;
  int m_calls = 0;
};

}  // namespace repro::test
