// GoldenCellCheck: compare a cell with a golden and say what differs and how to accept it.
#include "harness/verdict/golden_check.hpp"
#include "harness/util/join.hpp"

#include <cstdio>

namespace repro {
namespace {

// A shell word: as is when plain, else in single quotes.
std::string shell_word(const std::string& text) {
  bool plain = !text.empty();
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '/' || c == '=' || c == ',' || c == ':' ||
              c == '@';
    plain = plain && ok;
  }
  if (plain) {
    return text;
  }
  std::string out = "'";
  for (char c : text) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

std::string number(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string loss_at(const GoldenCell& golden, const Trace& trace, int step) {
  if (step < 0 || static_cast<size_t>(step) >= golden.steps.size() ||
      static_cast<size_t>(step) >= trace.steps.size()) {
    return "";
  }
  std::optional<double> g = loss_from_bits(golden.steps[static_cast<size_t>(step)].loss_bits);
  std::optional<double> r = loss_from_bits(trace.steps[static_cast<size_t>(step)].loss_bits);
  if (!g || !r) {
    return "";
  }
  char delta[48];
  std::snprintf(delta, sizeof delta, "%+.3g", *r - *g);
  return "loss at step " + std::to_string(step) + ": golden " + number(*g) + ", run " + number(*r) +
         " (Δ " + delta + ")";
}

// The loss at the divergence step and, when equal there, at the first later step where
// the losses differ (a changed update shows in the next step's loss).
std::string loss_text(const GoldenCell& golden, const Trace& trace, int step) {
  std::string first = loss_at(golden, trace, step);
  size_t n = std::min(golden.steps.size(), trace.steps.size());
  for (size_t s = static_cast<size_t>(std::max(step, 0)); s < n; ++s) {
    if (golden.steps[s].loss_bits != trace.steps[s].loss_bits) {
      std::string later = loss_at(golden, trace, static_cast<int>(s));
      return static_cast<int>(s) == step ? later : first + " (equal); " + later;
    }
  }
  return first.empty() ? "" : first + " (equal at every step)";
}

std::vector<std::string> fingerprint_changes(const Fingerprint& blessed, const Fingerprint& now) {
  nlohmann::json a = to_json(blessed);
  nlohmann::json b = to_json(now);
  std::vector<std::string> out;
  for (auto it = a.begin(); it != a.end(); ++it) {
    if (it.key() == "format_version") {
      continue;
    }
    auto other = b.find(it.key());
    if (other == b.end() || *other != it.value()) {
      out.push_back(it.key() + " " + it.value().dump() + " → " +
                    (other == b.end() ? std::string("(absent)") : other->dump()));
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(GoldenStatus status) {
  switch (status) {
    case GoldenStatus::match:
      return "match";
    case GoldenStatus::mismatch:
      return "mismatch";
    case GoldenStatus::missing:
      return "missing";
  }
  return "missing";
}

void PrintTo(GoldenStatus status, std::ostream* os) {
  *os << to_string(status);
}

std::string bless_command(const std::string& suite, const std::vector<std::string>& arguments) {
  std::string out = "repro-check bless --suite " + shell_word(suite);
  for (const auto& argument : arguments) {
    out += ' ';
    out += shell_word(argument);
  }
  return out + " --reason \"...\"";
}

std::string bless_cell_command(const std::string& suite, const Settings& settings) {
  std::string out = "repro-check bless --suite " + shell_word(suite);
  for (const auto& [axis, value] : settings) {
    out += " --axis " + shell_word(axis + "=" + value);
  }
  return out + " --reason \"...\"";
}

void check_against_golden(const std::string& suite, const Settings& settings,
                          const Fingerprint& fingerprint, const Trace& trace,
                          const GoldenCell& golden, GoldenCellCheck& check) {
  Comparison c = compare_with_golden(golden, trace);
  check.accept_command = bless_cell_command(suite, settings);
  if (c.identical) {
    check.status = GoldenStatus::match;
    check.first_divergence.reset();
    check.detail = "matches the golden of class " + check.environment_class;
    return;
  }
  check.status = GoldenStatus::mismatch;
  check.first_divergence = c.first_divergence;
  check.config_changes = config_changes(golden.config, flatten_config(trace.header.config));
  if (golden.config.empty()) {
    check.config_changes.clear();  // blessed without a config: nothing to compare with
  }
  check.fingerprint_changes = fingerprint_changes(golden.provenance.fingerprint, fingerprint);
  check.loss_text = loss_text(golden, trace, c.first_divergence ? c.first_divergence->step : 0);
  const FirstDivergence& fd = *c.first_divergence;
  std::string d = "differs from its golden (class " + check.environment_class + ") " +
                  describe(fd) + (fd.kind ? " (" + std::string(to_string(*fd.kind)) + ")" : "");
  if (!check.loss_text.empty()) {
    d += "; " + check.loss_text;
  }
  if (!check.config_changes.empty()) {
    d += "; workload changed since the blessing: " + join(check.config_changes, ", ");
  } else if (!check.fingerprint_changes.empty()) {
    d += "; same workload; fingerprint changed since the blessing: " +
         join(check.fingerprint_changes, ", ");
  } else {
    d += "; same workload and fingerprint as the blessing";
  }
  d += "; to accept: " + check.accept_command;
  check.detail = d;
}

CrossClassEvidence cross_class_evidence(const std::string& other, const ClassFields& other_fields,
                                        const ClassFields& own_fields, const Trace& trace,
                                        const GoldenCell& golden) {
  CrossClassEvidence e;
  e.environment_class = other;
  e.differences = golden_class_differences(other_fields, own_fields);
  Comparison c = compare_with_golden(golden, trace);
  e.identical = c.identical;
  e.first_divergence = c.first_divergence;
  e.text = "against class " + other + " (differs in " + join(e.differences, ", ") + "): " +
           (c.identical ? std::string("identical") : "diverged " + describe(*c.first_divergence));
  return e;
}

}  // namespace repro
