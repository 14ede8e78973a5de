// LibraryVersions: worker-environment cells against the baseline, named by libtorch version.
#include "harness/verdict/library_versions.hpp"

#include "harness/plan/worker_environment.hpp"
#include "harness/trace/fingerprint.hpp"
#include "harness/util/join.hpp"
#include "harness/verdict/attribute.hpp"
#include "harness/verdict/compare.hpp"
#include "harness/verdict/non_finite.hpp"

namespace repro {
namespace {

std::string worker_of(const Cell& cell) {
  auto it = cell.settings.find("worker");
  return it == cell.settings.end() ? std::string(k_default_worker_environment) : it->second;
}

std::string fingerprint_text(const Trace& trace, const char* key) {
  const auto& fp = trace.header.fingerprint;
  auto it = fp.find(key);
  return it != fp.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::vector<std::string> companion_changes(const Trace& from, const Trace& to) {
  struct Field {
    const char* key;
    const char* label;  // "" when the value names itself ("GCC 12.2.0", "glibc 2.36")
  };
  static constexpr Field k_fields[] = {{"blas_build", "BLAS build "},
                                       {"blas_version", ""},
                                       {"blas_core", "BLAS core "},
                                       {"cpu_capability", "cpu_capability "},
                                       {"compiler", "compiler "},
                                       {"libc", ""},
                                       {"tbb_version", "oneTBB "},
                                       {"parallel_backend", "parallel backend "},
                                       {"os", ""}};
  std::vector<std::string> out;
  for (const Field& field : k_fields) {
    std::string a = fingerprint_text(from, field.key);
    std::string b = fingerprint_text(to, field.key);
    if (std::string_view(field.key) == "blas_version") {
      // "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ..." -> "OpenBLAS 0.3.21"
      auto named = [](const std::string& v) {
        return v.empty() ? v : v.substr(0, v.find(' ')) + " " + short_version(v);
      };
      a = named(a);
      b = named(b);
    }
    if (a != b && !a.empty() && !b.empty()) {
      out.push_back(std::string(field.label) + a + " → " + b);
    }
  }
  return out;
}

std::string trace_libtorch_version(const Trace& trace) {
  const auto& fp = trace.header.fingerprint;
  auto it = fp.find("libtorch_version");
  if (it != fp.end() && it->is_string()) {
    return it->get<std::string>();
  }
  return "unknown";
}

std::vector<LibraryVersionLine> library_version_lines(const std::vector<CellRun>& runs) {
  const CellRun* baseline = nullptr;
  for (const auto& run : runs) {
    if (run.cell.role == CellRole::baseline) {
      baseline = &run;
    }
  }
  std::vector<LibraryVersionLine> out;
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
      out.push_back({run.cell.id, line, ""});
      continue;
    }
    line += trace_libtorch_version(*run.trace);
    const std::vector<std::string> with = companion_changes(*baseline->trace, *run.trace);
    if (!with.empty()) {
      line += "; with it: " + join(with, ", ");
    }
    line += ")";
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
    std::string advice;
    if (!comparison.identical && fingerprint_text(*baseline->trace, "cpu_capability") !=
                                     fingerprint_text(*run.trace, "cpu_capability")) {
      advice = "the default cpu_capability changed with it: add --axis cpu_capability=" +
               fingerprint_text(*baseline->trace, "cpu_capability") +
               " to pin it in both and tell the two apart";
    }
    out.push_back({run.cell.id, line, advice});
  }
  return out;
}

std::string with_first_divergent_op(const LibraryVersionLine& line,
                                    const std::optional<OpLocalization>& op) {
  std::string text = line.text;
  if (op &&
      (op->status == "op" || op->status == "sequence_differs" || op->status == "inputs_differ")) {
    text += "; " + op->describe();
  }
  return line.advice.empty() ? text : text + "; " + line.advice;
}

}  // namespace repro
