// First divergence between two traces, and its magnitude from tensor dumps.
#include "harness/verdict/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "harness/util/str_cat.hpp"

namespace repro {
namespace {

FirstDivergence divergence_at(int step, std::string tensor, std::optional<TensorKind> kind) {
  FirstDivergence fd;
  fd.step = step;
  fd.tensor = std::move(tensor);
  fd.kind = kind;
  return fd;
}

bool contains_name(const std::vector<TensorRecord>& tensors, const std::string& name) {
  return std::any_of(tensors.begin(), tensors.end(),
                     [&](const TensorRecord& t) { return t.name == name; });
}

const TensorRecord* find_by_name(const std::vector<TensorRecord>& tensors,
                                 const std::string& name) {
  for (const auto& t : tensors) {
    if (t.name == name) {
      return &t;
    }
  }
  return nullptr;
}

// The kind of `name` as both sides see it; the causally earlier one if they disagree,
// so the answer does not depend on which side is the reference.
TensorKind symmetric_kind(const std::vector<TensorRecord>& a, const std::vector<TensorRecord>& b,
                          const std::string& name) {
  const TensorRecord* ta = find_by_name(a, name);
  const TensorRecord* tb = find_by_name(b, name);
  if (ta != nullptr && tb != nullptr) {
    return std::min(ta->kind, tb->kind);
  }
  return ta != nullptr ? ta->kind : tb->kind;
}

// The first differing tensor of a step whose content differs. Both lists are walked
// in step; at the first position where they disagree:
//  - same name: that tensor (its digest differs);
//  - different names (or one list ended): the tensor that is missing from the other
//    side when exactly one of the two is; otherwise (a reordering or a renaming) the
//    lexicographically smaller name. Every rule is symmetric in the two sides.
std::optional<FirstDivergence> first_differing_tensor(const StepRecord& a, const StepRecord& b) {
  size_t n = std::max(a.tensors.size(), b.tensors.size());
  for (size_t i = 0; i < n; ++i) {
    const TensorRecord* ea = i < a.tensors.size() ? &a.tensors[i] : nullptr;
    const TensorRecord* eb = i < b.tensors.size() ? &b.tensors[i] : nullptr;
    if (ea != nullptr && eb != nullptr && ea->name == eb->name) {
      if (ea->digest != eb->digest) {
        return divergence_at(a.step, ea->name, std::min(ea->kind, eb->kind));
      }
      continue;
    }
    bool a_only = ea != nullptr && !contains_name(b.tensors, ea->name);
    bool b_only = eb != nullptr && !contains_name(a.tensors, eb->name);
    std::string name;
    if (a_only != b_only) {
      name = a_only ? ea->name : eb->name;
    } else if (ea != nullptr && eb != nullptr) {
      name = std::min(ea->name, eb->name);
    } else {
      name = ea != nullptr ? ea->name : eb->name;
    }
    return divergence_at(a.step, name, symmetric_kind(a.tensors, b.tensors, name));
  }
  return std::nullopt;
}

std::vector<std::string> names_missing_from(const std::vector<TensorRecord>& from,
                                            const std::vector<TensorRecord>& other) {
  std::vector<std::string> out;
  for (const auto& t : from) {
    if (!contains_name(other, t.name)) {
      out.push_back(t.name);
    }
  }
  return out;
}

bool is_floating(const std::string& dtype) {
  return dtype == "float32" || dtype == "float64" || dtype == "float16" || dtype == "bfloat16";
}

std::string shape_text(const DumpedTensor& t) {
  std::string out = str_cat(t.dtype, "[");
  for (size_t i = 0; i < t.shape.size(); ++i) {
    out += str_cat(i > 0 ? "," : "", std::to_string(t.shape[i]));
  }
  out += "]";
  return out;
}

}  // namespace

Comparison compare_traces(const Trace& reference, const Trace& candidate) {
  Comparison c;
  c.reference_steps = static_cast<int>(reference.steps.size());
  c.candidate_steps = static_cast<int>(candidate.steps.size());
  size_t common = std::min(reference.steps.size(), candidate.steps.size());
  for (size_t s = 0; s < common; ++s) {
    const StepRecord& a = reference.steps[s];
    const StepRecord& b = candidate.steps[s];
    bool data_differs = a.batch_ids != b.batch_ids;
    bool loss_differs = a.loss_bits != b.loss_bits || a.loss_dtype != b.loss_dtype;
    if (data_differs && !c.first_data_order_step) {
      c.first_data_order_step = a.step;
    }
    if (loss_differs && !c.first_loss_step) {
      c.first_loss_step = a.step;
    }
    if (a.root == b.root && !data_differs && !loss_differs) {
      continue;
    }
    ++c.diverged_steps;
    if (c.first_divergence) {
      continue;
    }
    c.identical = false;
    c.first_divergence = first_differing_tensor(a, b);
    if (!c.first_divergence) {
      // Same tensors, same digests: only the data order or the loss bits differ
      // (or a hand-made trace whose root does not match its tensors).
      if (data_differs) {
        c.first_divergence = divergence_at(a.step, "batch_ids", TensorKind::batch);
      } else if (loss_differs) {
        c.first_divergence = divergence_at(a.step, "loss_bits", TensorKind::loss);
      } else {
        c.first_divergence = divergence_at(a.step, "root", std::nullopt);
      }
    }
    c.only_in_reference = names_missing_from(a.tensors, b.tensors);
    c.only_in_candidate = names_missing_from(b.tensors, a.tensors);
  }
  if (reference.steps.size() != candidate.steps.size()) {
    c.identical = false;
    if (!c.first_divergence) {
      c.first_divergence = divergence_at(static_cast<int>(common), "", std::nullopt);
    }
  }
  return c;
}

bool add_magnitude(Comparison& comparison, const TensorDump& reference,
                   const TensorDump& candidate) {
  if (!comparison.first_divergence) {
    return false;
  }
  FirstDivergence& fd = *comparison.first_divergence;
  if (!fd.kind || fd.tensor == "batch_ids" || fd.tensor == "loss_bits") {
    fd.magnitude_note = "no tensor values to measure at this divergence";
    return false;
  }
  if (reference.step != fd.step || candidate.step != fd.step) {
    fd.magnitude_note = str_cat("dumps are of steps ", std::to_string(reference.step), " and ",
                                std::to_string(candidate.step), ", the divergence is at step ",
                                std::to_string(fd.step));
    return false;
  }
  const DumpedTensor* a = reference.find(fd.tensor);
  const DumpedTensor* b = candidate.find(fd.tensor);
  if (a == nullptr || b == nullptr) {
    fd.magnitude_note =
        str_cat("tensor missing from the ", a == nullptr ? "reference" : "candidate", " dump");
    return false;
  }
  std::optional<Magnitude> m = magnitude(*a, *b);
  if (!m) {
    fd.magnitude_note = a->dtype == b->dtype && a->shape == b->shape
                            ? str_cat("cannot measure dtype ", a->dtype)
                            : str_cat("not comparable: ", shape_text(*a), " vs ", shape_text(*b));
    return false;
  }
  fd.max_abs_diff = m->max_abs_diff;
  fd.differing_elements = m->differing_elements;
  fd.max_ulp = is_floating(a->dtype) ? std::optional<std::uint64_t>(m->max_ulp) : std::nullopt;
  fd.magnitude_note = m->differing_elements == 0
                          ? "the dumped values are identical (the re-run did not reproduce "
                            "the divergence)"
                          : "";
  return true;
}

bool add_magnitude(Comparison& comparison, DumpProvider& dumps, const Cell& reference,
                   const Cell& candidate) {
  if (!comparison.first_divergence) {
    return false;
  }
  FirstDivergence& fd = *comparison.first_divergence;
  std::string error;
  std::optional<TensorDump> a = dumps.dump(reference, fd.step, &error);
  if (!a) {
    fd.magnitude_note = str_cat("no dump of ", reference.id, ": ", error);
    return false;
  }
  std::optional<TensorDump> b = dumps.dump(candidate, fd.step, &error);
  if (!b) {
    fd.magnitude_note = str_cat("no dump of ", candidate.id, ": ", error);
    return false;
  }
  return add_magnitude(comparison, *a, *b);
}

std::string format_abs_diff(double value) {
  if (std::isinf(value)) {
    return "inf";
  }
  if (std::isnan(value)) {
    return "nan";
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1e", value);
  return buf;
}

std::string describe(const FirstDivergence& divergence) {
  std::string out = str_cat("at step ", std::to_string(divergence.step));
  if (divergence.tensor.empty()) {
    out += " (one run has fewer steps)";
    return out;
  }
  out += str_cat(" in ", divergence.tensor);
  if (divergence.tensor == "batch_ids") {
    out += " (data order)";
    return out;
  }
  if (divergence.max_abs_diff) {
    out += str_cat(" (max |Δ| ", format_abs_diff(*divergence.max_abs_diff));
    if (divergence.max_ulp) {
      out += str_cat(", ", std::to_string(*divergence.max_ulp), " ULP");
    }
    out += ")";
  }
  return out;
}

std::string Comparison::describe() const {
  if (identical) {
    return str_cat("identical (", std::to_string(reference_steps), " steps)");
  }
  std::string out;
  const FirstDivergence& fd = *first_divergence;
  if (fd.tensor.empty()) {
    out = str_cat("step ", std::to_string(fd.step), ": the traces hold ",
                  std::to_string(reference_steps), " and ", std::to_string(candidate_steps),
                  " steps");
  } else {
    out = str_cat("step ", std::to_string(fd.step), " in ", fd.tensor);
    if (fd.kind) {
      out += str_cat(" (", to_string(*fd.kind), ")");
    }
    if (fd.max_abs_diff) {
      out += str_cat(", max |Δ| ", format_abs_diff(*fd.max_abs_diff));
      if (fd.max_ulp) {
        out += str_cat(", ", std::to_string(*fd.max_ulp), " ULP");
      }
    }
  }
  if (first_data_order_step) {
    out += str_cat("; data order changed at step ", std::to_string(*first_data_order_step));
  }
  if (first_loss_step) {
    out += str_cat("; loss differs from step ", std::to_string(*first_loss_step));
  }
  if (!fd.tensor.empty() && reference_steps != candidate_steps) {
    out += str_cat("; ", std::to_string(reference_steps), " vs ", std::to_string(candidate_steps),
                   " steps");
  }
  if (!only_in_reference.empty() || !only_in_candidate.empty()) {
    out += str_cat("; tensor lists differ (", std::to_string(only_in_reference.size()),
                   " only in reference, ", std::to_string(only_in_candidate.size()),
                   " only in candidate)");
  }
  return out;
}

void PrintTo(const FirstDivergence& divergence, std::ostream* os) {
  *os << "{step " << divergence.step << ", tensor '" << divergence.tensor << "', kind "
      << (divergence.kind ? std::string(to_string(*divergence.kind)) : "none");
  if (divergence.max_abs_diff) {
    *os << ", max|d| " << format_abs_diff(*divergence.max_abs_diff);
  }
  if (divergence.max_ulp) {
    *os << ", " << *divergence.max_ulp << " ULP";
  }
  *os << "}";
}

void PrintTo(const Comparison& comparison, std::ostream* os) {
  *os << comparison.describe();
}

}  // namespace repro
