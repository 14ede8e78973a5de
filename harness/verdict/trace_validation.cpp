// Trace validation: schema per line, the reader's rules, tensor order, loss consistency.
#include "harness/verdict/trace_validation.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "harness/trace/contract_schemas.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/json_parse.hpp"
#include "harness/verdict/trace_consistency.hpp"

namespace repro {
namespace {

constexpr std::string_view k_trace_schema = "trace-record.schema.json";
constexpr std::string_view k_fingerprint_schema = "fingerprint.schema.json";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Schema violations of every line (and of the header's fingerprint); false when the text
// is not even JSON Lines, so the reader's own message is the better one.
bool check_lines(std::string_view text, const std::string& source, std::vector<Deviation>& out) {
  size_t pos = 0;
  size_t line_no = 0;
  bool parsed_all = true;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    ++line_no;
    if (line.empty() || line.size() > k_max_trace_line_bytes) {
      continue;  // the reader names an over-long line
    }
    const std::string at = "line " + std::to_string(line_no);
    nlohmann::json j;
    try {
      j = parse_json_strict(line, source);
    } catch (const Error&) {
      parsed_all = false;
      continue;
    }
    for (const auto& v : contract_schema(k_trace_schema).violations(j)) {
      out.push_back({"trace.schema", join_field(at, v.field), v.rule});
    }
    if (j.is_object() && j.value("type", "") == "header" && j.contains("fingerprint") &&
        j["fingerprint"].is_object()) {
      for (const auto& v : contract_schema(k_fingerprint_schema).violations(j["fingerprint"])) {
        out.push_back({"trace.fingerprint", join_field(at + ".fingerprint", v.field), v.rule});
      }
    }
  }
  return parsed_all;
}

}  // namespace

std::vector<Deviation> step_order_deviations(const StepRecord& step, const std::string& where) {
  std::vector<Deviation> out;
  auto add = [&](size_t i, const std::string& what) {
    out.push_back({"trace.order", where + ".tensors[" + std::to_string(i) + "]", what});
  };
  std::set<std::string> names;
  std::map<std::string, size_t> param_index;
  for (const auto& t : step.tensors) {
    if (t.kind == TensorKind::param) {
      param_index.emplace(t.name, param_index.size());
    }
  }
  int losses = 0;
  size_t last_state_param = 0;
  std::string last_state_owner;
  std::set<std::string> state_owners;
  for (size_t i = 0; i < step.tensors.size(); ++i) {
    const auto& t = step.tensors[i];
    if (!names.insert(t.name).second) {
      add(i, "'" + t.name + "' appears twice in the step");
    }
    if (i > 0 && t.kind < step.tensors[i - 1].kind) {
      add(i, "'" + t.name + "' (" + std::string(to_string(t.kind)) + ") after '" +
                 step.tensors[i - 1].name + "' (" +
                 std::string(to_string(step.tensors[i - 1].kind)) +
                 "): kinds must come as batch, buffer, loss, grad, param, optimizer");
    }
    if (t.kind == TensorKind::loss) {
      ++losses;
      if (t.name != "loss") {
        add(i, "the loss entry must be named 'loss', found '" + t.name + "'");
      }
    }
    if (t.kind == TensorKind::grad) {
      if (!ends_with(t.name, ".grad") ||
          !param_index.contains(t.name.substr(0, t.name.size() - 5))) {
        add(i, "gradient '" + t.name + "' is not named <param>.grad after a param of the step");
      }
    }
    if (t.kind == TensorKind::optimizer) {
      auto dot = t.name.rfind('.');
      std::string owner = dot == std::string::npos ? "" : t.name.substr(0, dot);
      auto found = param_index.find(owner);
      if (found == param_index.end()) {
        add(i, "optimizer state '" + t.name + "' is not named <param>.<state> after a param");
      } else {
        if (!last_state_owner.empty() && owner != last_state_owner) {
          if (state_owners.contains(owner)) {
            add(i, "optimizer state of '" + owner +
                       "' is split: state is interleaved per parameter (all of one "
                       "parameter's states, then the next parameter's)");
          } else if (found->second < last_state_param) {
            add(i, "optimizer state '" + t.name + "' out of parameter order (param order)");
          }
        }
        state_owners.insert(owner);
        last_state_param = found->second;
        last_state_owner = owner;
      }
    }
  }
  if (losses != 1) {
    out.push_back({"trace.order", where + ".tensors",
                   "expected exactly one 'loss' entry, found " + std::to_string(losses)});
  }
  return out;
}

std::vector<Deviation> validate_trace_text(std::string_view text, const std::string& source) {
  std::vector<Deviation> out;
  bool json_lines = check_lines(text, source, out);
  const bool schema_broken = std::any_of(
      out.begin(), out.end(), [](const Deviation& d) { return d.rule == "trace.schema"; });
  if (schema_broken && json_lines) {
    return out;  // the reader would stop at the first of these
  }
  Trace trace;
  try {
    trace = parse_trace(text, source);
  } catch (const Error& e) {
    if (!schema_broken) {
      out.push_back({"trace.reader", e.field(), e.message()});
    }
    return out;
  }
  for (const auto& step : trace.steps) {
    auto order = step_order_deviations(step, "step " + std::to_string(step.step));
    out.insert(out.end(), order.begin(), order.end());
  }
  if (auto why = trace_inconsistency(trace); !why.empty()) {
    out.push_back({"trace.loss", "", why});
  }
  if (!trace.complete) {
    out.push_back({"trace.complete", "", "no end record (a crashed or unfinished run)"});
  }
  return out;
}

std::vector<Deviation> validate_trace_file(const std::filesystem::path& path) {
  std::string text;
  try {
    text = read_file(path, k_max_trace_bytes);
  } catch (const Error& e) {
    return {{"trace.reader", e.field(), e.message()}};
  }
  return validate_trace_text(text, path.string());
}

}  // namespace repro
