// LibraryVersions: worker-environment cells against the baseline, named by libtorch version.
#include "harness/verdict/library_versions.hpp"

#include "harness/plan/worker_environment.hpp"
#include "harness/verdict/attribute.hpp"
#include "harness/verdict/compare.hpp"
#include "harness/verdict/non_finite.hpp"

namespace repro {
namespace {

std::string worker_of(const Cell& cell) {
  auto it = cell.settings.find("worker");
  return it == cell.settings.end() ? std::string(k_default_worker_environment) : it->second;
}

}  // namespace

std::string trace_libtorch_version(const Trace& trace) {
  const auto& fp = trace.header.fingerprint;
  auto it = fp.find("libtorch_version");
  if (it != fp.end() && it->is_string()) {
    return it->get<std::string>();
  }
  return "unknown";
}

std::vector<std::string> library_version_lines(const std::vector<CellRun>& runs) {
  const CellRun* baseline = nullptr;
  for (const auto& run : runs) {
    if (run.cell.role == CellRole::baseline) {
      baseline = &run;
    }
  }
  std::vector<std::string> out;
  if (baseline == nullptr || baseline->status != RunStatus::ran || !baseline->trace) {
    return out;
  }
  const std::string from = worker_of(baseline->cell);
  for (const auto& run : runs) {
    std::string to = worker_of(run.cell);
    if (&run == baseline || to == from) {
      continue;
    }
    std::string line = "worker " + from + " → " + to + " (libtorch " +
                       trace_libtorch_version(*baseline->trace) + " → ";
    if (run.status != RunStatus::ran || !run.trace) {
      line += "?): " + std::string(to_string(run.status)) +
              (run.reason.empty() ? "" : " (" + run.reason + ")");
      out.push_back(line);
      continue;
    }
    line += trace_libtorch_version(*run.trace) + ")";
    if (changed_axes(baseline->cell.settings, run.cell.settings).size() > 1) {
      line += " with other settings changed too (" + run.cell.id + ")";
    }
    Comparison comparison = compare_traces(*baseline->trace, *run.trace);
    line += ": " + (comparison.identical
                        ? comparison.describe()
                        : "differs from the baseline " + describe(*comparison.first_divergence));
    if (auto origin = first_non_finite(*run.trace)) {
      line += "; " + describe_non_finite(*origin, run.cell.id);
    }
    out.push_back(line);
  }
  return out;
}

}  // namespace repro
