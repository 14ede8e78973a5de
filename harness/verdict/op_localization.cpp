// OpLocalization: lane-by-lane comparison of op traces; re-runs for the op's magnitude.
#include "harness/verdict/op_localization.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iterator>

#include "harness/trace/digest.hpp"
#include "harness/trace/tensor_dump.hpp"
#include "harness/util/error.hpp"
#include "harness/verdict/compare.hpp"

namespace repro {
namespace {

int pass_rank(const std::string& pass) {
  if (pass == "forward") {
    return 0;
  }
  if (pass == "backward") {
    return 1;
  }
  if (pass == "combine") {
    return 2;
  }
  return pass == "optimizer" ? 3 : 4;
}

// An op and the ops it called (its children complete before it, one level deeper).
struct OpNode {
  const OpRecord* op = nullptr;
  std::vector<OpNode> children;
};

// Rebuilds the call tree of one lane from completion order and nesting depth.
std::vector<OpNode> call_tree(const std::vector<const OpRecord*>& ops) {
  std::vector<OpNode> pending;
  for (const OpRecord* op : ops) {
    OpNode node{op, {}};
    auto first_child = pending.end();
    while (first_child != pending.begin() && std::prev(first_child)->op->depth > op->depth) {
      --first_child;
    }
    node.children.assign(std::make_move_iterator(first_child),
                         std::make_move_iterator(pending.end()));
    pending.erase(first_child, pending.end());
    pending.push_back(std::move(node));
  }
  return pending;
}

OpLocalization at_op(const OpRecord& x, const OpRecord& y, std::string status) {
  OpLocalization l;
  l.status = std::move(status);
  l.lane = x.lane;
  l.index = x.index;
  l.candidate_index = y.index;
  l.op = x.name;
  l.module = x.module;
  l.pass = x.pass;
  l.inputs = x.inputs;
  l.outputs = x.outputs;
  return l;
}

int first_differing_output(const OpRecord& x, const OpRecord& y) {
  for (size_t k = 0; k < x.outputs.size(); ++k) {
    if (x.outputs[k] != y.outputs[k]) {
      return static_cast<int>(k);
    }
  }
  return -1;
}

// The first op (at this level) whose outputs differ, refined to the innermost op below it
// that has bit-identical inputs and differing outputs. Ops whose outputs agree carry no
// difference on and are passed over, whatever their inputs (a freshly allocated buffer an
// op overwrites differs in bytes that do not matter).
std::optional<OpLocalization> first_in(const std::vector<OpNode>& a, const std::vector<OpNode>& b,
                                       int* compared) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    ++*compared;
    const OpRecord& x = *a[i].op;
    const OpRecord& y = *b[i].op;
    if (x.name != y.name || x.inputs.size() != y.inputs.size() ||
        x.outputs.size() != y.outputs.size()) {
      OpLocalization l = at_op(x, y, "sequence_differs");
      l.other_op = y.name;
      return l;
    }
    const int output = first_differing_output(x, y);
    if (output < 0) {
      // A wrapper without digested outputs (a backward function, AccumulateGrad): what
      // it did shows in the ops it called.
      const bool opaque = std::none_of(x.outputs.begin(), x.outputs.end(),
                                       [](const OpTensor& t) { return t.has_digest; });
      if (opaque) {
        if (auto inner = first_in(a[i].children, b[i].children, compared)) {
          return inner;
        }
      }
      continue;
    }
    if (x.inputs != y.inputs) {
      OpLocalization l = at_op(x, y, "inputs_differ");
      l.output = output;
      return l;
    }
    OpLocalization l = at_op(x, y, "op");
    l.output = output;
    auto inner = first_in(a[i].children, b[i].children, compared);
    if (inner && inner->status == "op") {
      return inner;
    }
    if (inner && inner->status == "sequence_differs") {
      l.note = "the runs execute different kernels inside it (" + inner->op + " vs " +
               inner->other_op + ")";
    }
    return l;
  }
  if (a.size() != b.size()) {
    const bool a_longer = a.size() > n;
    const OpRecord& at = a_longer ? *a[n].op : *b[n].op;
    OpLocalization l = at_op(at, at, "sequence_differs");
    l.op = a_longer ? a[n].op->name : "(none)";
    l.other_op = a_longer ? "(none)" : b[n].op->name;
    return l;
  }
  return std::nullopt;
}

}  // namespace

OpLocalization first_divergent_op(const OpTrace& reference, const OpTrace& candidate) {
  std::vector<int> lanes = reference.lanes();
  for (int lane : candidate.lanes()) {
    if (std::find(lanes.begin(), lanes.end(), lane) == lanes.end()) {
      lanes.push_back(lane);
    }
  }
  std::optional<OpLocalization> best;
  int compared = 0;
  for (int lane : lanes) {
    auto found =
        first_in(call_tree(reference.lane(lane)), call_tree(candidate.lane(lane)), &compared);
    if (found && (!best || pass_rank(found->pass) < pass_rank(best->pass))) {
      best = std::move(found);
    }
  }
  OpLocalization out = best.value_or(OpLocalization{});
  if (!best) {
    out.status = "identical";
  }
  out.step = reference.step;
  out.ops_compared = compared;
  return out;
}

std::string OpLocalization::describe() const {
  const std::string where = " in " + (module.empty() ? std::string("(no module)") : module) + " (" +
                            pass + ", step " + std::to_string(step) + ")";
  if (status == "op") {
    std::string out = "the first divergent op is " + op + where +
                      ": inputs bit-identical, output " + std::to_string(output);
    if (output < static_cast<int>(outputs.size())) {
      out += " " + repro::describe(outputs[static_cast<size_t>(output)]);
    }
    if (max_abs_diff) {
      out += " differs by max |Δ| " + format_abs_diff(*max_abs_diff);
      if (max_ulp) {
        out += ", " + std::to_string(*max_ulp) + " ULP";
      }
    } else {
      out += " differs" + (magnitude_note.empty() ? "" : " (" + magnitude_note + ")");
    }
    if (!note.empty()) {
      out += "; " + note;
    }
    return out;
  }
  if (status == "inputs_differ") {
    return "inputs and outputs differ from the first op that sees a difference, " + op + where +
           ": the values come from outside the traced ops (data, initialisation or an earlier "
           "step)";
  }
  if (status == "sequence_differs") {
    return "the runs execute different ops at op " + std::to_string(index) + " of lane " +
           std::to_string(lane) + ": " + op + " vs " + other_op + where;
  }
  if (status == "not_localized") {
    char text[64];
    std::snprintf(text, sizeof text, "%.0f s", seconds);
    return std::string("first divergent op not localized (about ") + text +
           "; run with --localize)";
  }
  if (status == "identical") {
    return "the op-traced re-runs are identical at step " + std::to_string(step) +
           " (the re-runs did not reproduce the divergence)";
  }
  return "first divergent op unavailable: " + note;
}

OpLocalization localize(OpTraceProvider& provider, const Cell& reference, const Cell& candidate,
                        int step) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  OpLocalization out;
  out.step = step;
  std::string error;
  std::optional<OpTrace> a = provider.op_trace(reference, step, &error);
  std::optional<OpTrace> b = a ? provider.op_trace(candidate, step, &error) : std::nullopt;
  if (!a || !b) {
    out.note = error;
    out.seconds = elapsed();
    return out;
  }
  out = first_divergent_op(*a, *b);
  if (out.status == "op") {
    OpTrace rerun_a;
    OpTrace rerun_b;
    std::optional<TensorDump> da =
        provider.op_outputs(reference, step, out.lane, out.index, &rerun_a, &error);
    std::optional<TensorDump> db =
        da ? provider.op_outputs(candidate, step, out.lane, out.candidate_index, &rerun_b, &error)
           : std::nullopt;
    const std::string name = "output." + std::to_string(out.output);
    if (!da || !db) {
      out.magnitude_note = "magnitude unavailable: " + error;
    } else if (op_trace_text(rerun_a) != op_trace_text(*a) ||
               op_trace_text(rerun_b) != op_trace_text(*b)) {
      out.magnitude_note =
          "the re-run did not reproduce the traced values (nondeterministic under identical "
          "settings): magnitude unavailable";
    } else if (const DumpedTensor* x = da->find(name), *y = db->find(name);
               x != nullptr && y != nullptr) {
      if (auto m = magnitude(*x, *y); m && m->differing_elements > 0) {
        out.max_abs_diff = m->max_abs_diff;
        if (x->dtype == "float32" || x->dtype == "float64") {
          out.max_ulp = m->max_ulp;
        }
      } else {
        out.magnitude_note = "magnitude unavailable: the dumped outputs cannot be compared";
      }
    } else {
      out.magnitude_note = "magnitude unavailable: the output was not dumped";
    }
  }
  out.seconds = elapsed();
  return out;
}

}  // namespace repro
