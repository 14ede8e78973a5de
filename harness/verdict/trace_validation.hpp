// TraceValidation: every way a trace breaks the format contract, each with its rule and field.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "harness/trace/trace.hpp"

namespace repro {

// One deviation from the contract. `rule` is a stable name (docs/trace-format.md,
// "Checking a worker"): trace.schema, trace.reader, trace.order, trace.loss,
// trace.fingerprint, trace.complete, ...; `where` the line and field ("line 3.root");
// `what` the broken rule in words.
struct Deviation {
  std::string rule;
  std::string where;
  std::string what;
  friend bool operator==(const Deviation&, const Deviation&) = default;
};

// All deviations of a trace's text: the schema violations of every line (trace.schema),
// the header fingerprint's (trace.fingerprint), then, when the lines conform, the reader's
// first rule broken (trace.reader: root, step order, end count, limits), the order of the
// tensors in each step (trace.order) and the loss tensor against loss.bits (trace.loss);
// trace.complete when there is no end record. Empty for a conforming, complete trace.
std::vector<Deviation> validate_trace_text(std::string_view text, const std::string& source);

// validate_trace_text of a file (bounded read; an unreadable file is one trace.reader
// deviation).
std::vector<Deviation> validate_trace_file(const std::filesystem::path& path);

// The order rules of one step (trace.order): kinds grouped as batch, buffer, loss, grad,
// param, optimizer; one `loss` entry; unique names; `<param>.grad` and
// `<param>.<state>` naming parameters of the step; optimizer state interleaved per
// parameter in parameter order.
std::vector<Deviation> step_order_deviations(const StepRecord& step, const std::string& where);

}  // namespace repro
