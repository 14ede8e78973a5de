// GoldenFile: from traces to golden cells, and runs compared with them.
#include "harness/verdict/golden_file.hpp"

#include <map>

namespace repro {

GoldenCell golden_cell_from_trace(const Trace& trace) {
  GoldenCell cell;
  for (const auto& s : trace.steps) {
    GoldenStep g;
    g.root = s.root;
    g.loss_bits = s.loss_bits;
    for (const auto& t : s.tensors) {
      g.tensors.emplace_back(t.name, t.digest);
    }
    cell.steps.push_back(std::move(g));
  }
  return cell;
}

GoldenFile make_golden(const std::string& suite, const Fingerprint& fingerprint,
                       const std::vector<CellRun>& runs, std::string reason,
                       std::string blessed_at) {
  GoldenFile g;
  g.suite = suite;
  g.environment_class = environment_class(fingerprint);
  g.fingerprint = fingerprint;
  g.blessed_at = std::move(blessed_at);
  g.reason = std::move(reason);
  for (const auto& run : runs) {
    if (run.cell.role == CellRole::repeat || run.status != RunStatus::ran || !run.trace ||
        !run.trace->complete) {
      continue;
    }
    g.cells.emplace(settings_key(run.cell.settings), golden_cell_from_trace(*run.trace));
  }
  return g;
}

Comparison compare_with_golden(const GoldenCell& golden, const Trace& trace) {
  std::map<std::string, TensorKind> kinds;
  for (const auto& s : trace.steps) {
    for (const auto& t : s.tensors) {
      kinds.emplace(t.name, t.kind);
    }
  }
  Trace reference;
  for (size_t i = 0; i < golden.steps.size(); ++i) {
    const GoldenStep& g = golden.steps[i];
    StepRecord s;
    s.step = static_cast<int>(i);
    s.root = g.root;
    s.loss_bits = g.loss_bits;
    if (i < trace.steps.size()) {
      // Not stored in goldens: take the run's own, so they never count as a difference.
      s.loss_dtype = trace.steps[i].loss_dtype;
      s.batch_ids = trace.steps[i].batch_ids;
    }
    for (const auto& [name, digest] : g.tensors) {
      auto it = kinds.find(name);
      s.tensors.push_back({name, it == kinds.end() ? TensorKind::param : it->second, digest});
    }
    reference.steps.push_back(std::move(s));
  }
  return compare_traces(reference, trace);
}

}  // namespace repro
