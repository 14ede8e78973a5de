// GoldenFile: from traces to golden cells grouped by class, and runs compared with them.
#include "harness/verdict/golden_file.hpp"

#include <cstdint>
#include <cstring>
#include <map>

#include "harness/util/error.hpp"

namespace repro {

Fingerprint cell_fingerprint(const CellRun& run, const Fingerprint& fallback) {
  if (!run.trace || !run.trace->header.fingerprint.is_object() ||
      run.trace->header.fingerprint.empty()) {
    return fallback;
  }
  try {
    return fingerprint_from_json(run.trace->header.fingerprint, run.trace_path.string());
  } catch (const Error&) {
    return fallback;
  }
}

GoldenCell golden_cell_from_trace(const Trace& trace, const Fingerprint& fingerprint) {
  GoldenCell cell;
  cell.provenance.fingerprint = fingerprint;
  cell.config = flatten_config(trace.header.config);
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

std::vector<GoldenCandidate> golden_candidates(const std::vector<CellRun>& runs,
                                               const Fingerprint& fallback) {
  std::vector<GoldenCandidate> out;
  for (const auto& run : runs) {
    if (run.cell.role == CellRole::repeat || run.status != RunStatus::ran || !run.trace ||
        !run.trace->complete) {
      continue;
    }
    Fingerprint fp = cell_fingerprint(run, fallback);
    GoldenCandidate c;
    c.key = settings_key(run.cell.settings);
    c.class_fields = golden_class_fields(fp);
    c.environment_class = golden_class_name(c.class_fields);
    c.cell = golden_cell_from_trace(*run.trace, fp);
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<GoldenFile> make_goldens(const std::string& suite,
                                     const std::vector<GoldenCandidate>& candidates,
                                     const GoldenProvenance& provenance) {
  std::map<std::string, GoldenFile> by_class;
  for (const auto& c : candidates) {
    GoldenFile& g = by_class[c.environment_class];
    g.suite = suite;
    g.environment_class = c.environment_class;
    g.class_fields = c.class_fields;
    GoldenCell cell = c.cell;
    Fingerprint fp = cell.provenance.fingerprint;
    cell.provenance = provenance;
    cell.provenance.fingerprint = fp;
    g.cells[c.key] = std::move(cell);
  }
  std::vector<GoldenFile> out;
  for (auto& [name, g] : by_class) {
    out.push_back(std::move(g));
  }
  return out;
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

std::optional<double> loss_from_bits(const std::string& bits) {
  if (bits.size() != 8 && bits.size() != 16) {
    return std::nullopt;
  }
  std::uint64_t v = 0;
  for (char c : bits) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) {
      return std::nullopt;
    }
    v = v * 16 + static_cast<std::uint64_t>(d);
  }
  if (bits.size() == 8) {
    auto u = static_cast<std::uint32_t>(v);
    float f = 0;
    std::memcpy(&f, &u, sizeof f);
    return static_cast<double>(f);
  }
  double d = 0;
  std::memcpy(&d, &v, sizeof d);
  return d;
}

}  // namespace repro
