// DivergenceSummary: per-kind and per-module counts of what differs at one step.
#include "harness/verdict/divergence_summary.hpp"

#include <algorithm>
#include <map>

#include "harness/util/join.hpp"
#include "harness/verdict/compare.hpp"

namespace repro {
namespace {

constexpr size_t k_list_identical_up_to = 3;

std::string plural(TensorKind kind, int n) {
  switch (kind) {
    case TensorKind::batch:
      return n == 1 ? "batch tensor" : "batch tensors";
    case TensorKind::buffer:
      return n == 1 ? "buffer" : "buffers";
    case TensorKind::loss:
      return "loss";
    case TensorKind::grad:
      return n == 1 ? "gradient" : "gradients";
    case TensorKind::param:
      return n == 1 ? "parameter" : "parameters";
    case TensorKind::optimizer:
      return n == 1 ? "optimizer state" : "optimizer states";
  }
  return "tensors";
}

std::string pass_of(TensorKind kind) {
  switch (kind) {
    case TensorKind::batch:
      return "data";
    case TensorKind::buffer:
    case TensorKind::loss:
      return "forward";
    case TensorKind::grad:
      return "backward";
    case TensorKind::param:
    case TensorKind::optimizer:
      return "optimizer";
  }
  return "";
}

}  // namespace

std::string module_of(const std::string& tensor_name, TensorKind kind) {
  std::string name = tensor_name;
  if (kind == TensorKind::loss || kind == TensorKind::batch) {
    return kind == TensorKind::loss ? "loss" : "batch";
  }
  for (std::string_view suffix : {".grad", ".exp_avg_sq", ".exp_avg"}) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      name.resize(name.size() - suffix.size());
      break;
    }
  }
  auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

DivergenceSummary summarize_divergence(const StepRecord& reference, const StepRecord& candidate,
                                       const TensorDump* reference_dump,
                                       const TensorDump* candidate_dump) {
  DivergenceSummary s;
  s.step = reference.step;
  s.loss_differs = reference.loss_bits != candidate.loss_bits;
  s.batch_ids_differ = reference.batch_ids != candidate.batch_ids;
  std::map<std::string, const TensorRecord*> other;
  for (const auto& t : candidate.tensors) {
    other[t.name] = &t;
  }
  std::map<TensorKind, KindSummary> kinds;
  std::map<TensorKind, std::vector<std::string>> identical;
  for (const auto& t : reference.tensors) {
    auto it = other.find(t.name);
    if (it == other.end()) {
      continue;  // present on one side only: compare_traces reports those
    }
    KindSummary& k = kinds[t.kind];
    k.kind = t.kind;
    ++k.total;
    if (it->second->digest == t.digest) {
      identical[t.kind].push_back(t.name);
      continue;
    }
    ++k.differing;
    if (k.first.empty()) {
      k.first = t.name;
    }
    const std::string module = module_of(t.name, t.kind);
    if (std::find(k.modules.begin(), k.modules.end(), module) == k.modules.end()) {
      k.modules.push_back(module);
    }
    if (reference_dump != nullptr && candidate_dump != nullptr) {
      const DumpedTensor* a = reference_dump->find(t.name);
      const DumpedTensor* b = candidate_dump->find(t.name);
      std::optional<Magnitude> m;
      if (a != nullptr && b != nullptr) {
        m = magnitude(*a, *b);
      }
      if (m) {
        s.measured = true;
        k.max_abs_diff = std::max(k.max_abs_diff.value_or(0.0), m->max_abs_diff);
        if (a->dtype == "float32" || a->dtype == "float64") {
          k.max_ulp = std::max<std::uint64_t>(k.max_ulp.value_or(0), m->max_ulp);
        }
      }
    }
  }
  for (auto& [kind, k] : kinds) {
    if (k.differing > 0 && identical[kind].size() <= k_list_identical_up_to) {
      k.identical_names = identical[kind];
    }
    s.kinds.push_back(k);
  }
  for (const auto& k : s.kinds) {
    if (k.differing > 0) {
      s.starts_in = pass_of(k.kind);
      s.start_module = module_of(k.first, k.kind);
      break;
    }
  }
  if (s.starts_in.empty() && s.batch_ids_differ) {
    s.starts_in = "data";
    s.start_module = "batch";
  }
  return s;
}

std::string DivergenceSummary::describe() const {
  std::vector<std::string> differ;
  std::vector<std::string> same;
  for (const auto& k : kinds) {
    if (k.differing == 0) {
      same.push_back(plural(k.kind, 2));
      continue;
    }
    std::string text = k.kind == TensorKind::loss
                           ? "the loss differs"
                           : std::to_string(k.differing) + " of " + std::to_string(k.total) + " " +
                                 plural(k.kind, k.total) +
                                 (k.differing == 1 ? " differs" : " differ");
    if (!k.identical_names.empty()) {
      text += " (all except " + join(k.identical_names, ", ") + ")";
    }
    differ.push_back(text);
  }
  if (batch_ids_differ) {
    differ.insert(differ.begin(), "the batch ids differ");
  }
  std::string out = differ.empty() ? "no tensor digest differs" : join(differ, "; ");
  if (!same.empty()) {
    out += "; " + join(same, ", ") + " identical";
  }
  if (!starts_in.empty()) {
    out += " → the divergence starts in " + starts_in;
    if (!start_module.empty() && starts_in != "data") {
      out += " at " + start_module;
    }
  }
  return out;
}

std::vector<std::string> DivergenceSummary::detail_lines() const {
  std::vector<std::string> out;
  for (const auto& k : kinds) {
    if (k.differing == 0) {
      continue;
    }
    std::string line =
        std::string(to_string(k.kind)) + ": " + std::to_string(k.differing) + " of " +
        std::to_string(k.total) + " differ in " + std::to_string(k.modules.size()) +
        (k.modules.size() == 1 ? " module" : " modules") + " (first " + k.first + ")";
    if (k.max_abs_diff) {
      line += ", max |Δ| " + format_abs_diff(*k.max_abs_diff);
      if (k.max_ulp) {
        line += ", " + std::to_string(*k.max_ulp) + " ULP";
      }
    }
    out.push_back(line);
  }
  return out;
}

}  // namespace repro
